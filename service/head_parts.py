"""Which of a head's lines is which: title, kicker (引题), subtitle (副题), or body.

Also the shapes of head lines that both this and `service.heads` (whether a head opens an
article) read: column labels, subhead marks, lead-in dashes, spaced names.
"""

from __future__ import annotations

__all__ = [
    "parse_heads",
    "settled_heads",
    "has_title",
    "pair_features",
    "PAIR_FEATURES",
    "form_grams",
    "forms",
    "ITEM_LABEL",
]

import json
import re
from array import array
from math import fsum
from operator import add, itemgetter, mul
from pathlib import Path

from service.documents import Span
from service.writers import writer_under

try:  # (optional: a checkout or install without a C compiler reads the models' dict)
    from service._kernels import form_hits as _form_hits
except ImportError:
    _form_hits = None

_DASH = ("——", "—", "--", "－－")
# Labels that open a body rather than head it.
_BODY_LABEL = re.compile(
    r"核心阅读|内容提要|开栏的话|编者按|编者的话|阅读提示|导语|引子|引言|【[^】]{1,8}】|[■●◆▲◎]\s*\S{0,10}"
)
# A column label closing a title: 共同推进网络空间全球治理（钟声）, 向前走（一线视角）.
_COLUMN_LABEL = re.compile(r"[^。；;（）()]{4,}[（(][^（）()，。,]{1,48}[）)]")
# Subheads: ordinals and bullets in front, a lead-in dash or colon behind.
_SUBHEAD = re.compile(
    r"(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|第[一二三四五六七八九十]+[章节部篇条]"
    r"|\d{1,2}[、.．]|[■●◆▲◎○☆★·•]|【).*"
    r"|.*[：:]"
)
# What a line _SUBHEAD matches opens with (an ordinal or its bracket, 第, a bullet, 【; or a
# digit) unless it closes on a colon: a line of neither shape need not run the pattern.
SUBHEAD_FIRST = frozenset("一二三四五六七八九十（(第■●◆▲◎○☆★·•【")
LEAD_IN = re.compile(r".*(?:——|—)")  # 驻点医生—— over a section; over a title, a kicker
_COMMA = re.compile(r"[，,；;]")
# Text opening like a story (10月4日， 近日， 记者从), and a line ending a sentence as no title
# does (…的？ …。”; a title may exclaim: 停课不停学！): the body's first line, not a head's.
_OPENER = re.compile(
    r"\d{1,2}月\d{1,2}日|\d{1,2}日[，,上下晚]|(?:近日|日前|今年以来|近年来|连日来|记者从|记者日前|据了解)"
)
_SENTENCE_END = re.compile(r".*[。？?…][”’」]?")
# A two-line head whose upper line is the news and the lower its deck (副题), not kicker + title:
# a meeting as title (…召开), or who attended or spoke under it (汪洋出席并讲话).
_EVENT_TITLE = re.compile(r".*(?:召开|会议|会见|会谈|通话|座谈会|开幕|闭幕)")
_ATTENDED = re.compile(
    r".*(?:出席|主持|讲话|致辞|宣读|参加|会见|强调|指出|表示|贺信|致信|批示|演讲|发言|作报告)"
    r"(?:并[^，,]{0,8})?"
)
_DATE_SUB = re.compile(r"[（(][^（）()]*\d{4}年[^（）()]*[）)]")
# Title over deck rather than kicker over title (read on the development months' two-line
# heads): a deck going on with its title's subject (巴西总统博索纳罗 / 今起对我国进行国事访问),
# a deck that is a note or a document's number (（二〇一九年十月二十日）, 第三十六号), a title
# reporting a done event (火神山医院收治首批患者).
_PREDICATE = re.compile(
    r"(?:今起|明起|即日起|\d+日起|\d+月起|截至|可供|开始|继续|将|已|仍|均|占|年底前|今年起|预计)"
)
_NOTE_SUB = re.compile(r"[（(［\[][^（）()]*[）)］\]].{0,8}|第[一二三四五六七八九十百〇零\d]+号")
_DONE = re.compile(
    r".*(?:举行|举办|启动|发布|成立|开幕|闭幕|开赛|上线|获批|出院|展开|就绪|加快|结束|出台|抵达|在即|回信"
    r"|调拨|集训)"
)
_SPACED = re.compile(r"\S[ \u3000\xa0]+\S")
# An item's name: a photo report, a letters column (never a subhead, never a kicker).
ITEM_LABEL = re.compile(r"(?:图片报道|图片新闻|来论)(?:[（(][^（）()]{1,24}[）)])?")


# Running text the column cut (a clause whose last piece is a word or two: 国庆期间，各地;
# a commentary's long summary line; a sentence ended inside: “患难见真情。”新型冠状病毒).
_RUN_CLAUSE = re.compile(r".*[，,；;].{0,2}|(?=.{16}).*[，,；;].*|.*。[”’]?[^”’]+")
_RUN_ON_DOC = re.compile(r"(?=.{16}).*[，,].*")  # (…，回望美术史，油画《开国大典》: no title)
_RUN_END = set("。！？!?…”’」）)》")
_DOC_NAME = re.compile(r"《[^《》]*》$")  # (印发《…》: 10 kickers over a title, 8 lone titles)


def running_on(upper: str, lower: str) -> bool:
    """The lower of two head lines is the body's first line, cut by the column, under a lone
    title: it reads as running text that does not end there. Titles under kickers seldom do
    (3 of 1,974 on the development months), but under one closing on a dash, a colon or a verb
    they may (国台办： / 搞对抗没有出路，谋“台独”更是绝路), also a verb before the document it
    names (…联合印发《…指导意见》 / 对民警人身进行攻击属暴力袭警，从重处罚)."""
    if upper.endswith(("—", "：", ":")) or _VERB.fullmatch(upper):
        return False
    if lower[-1] in _RUN_END and not (lower[-1] == "》" and _RUN_ON_DOC.fullmatch(lower)):
        return False  # (a sentence's or a name's end: but no title closes on 》 after commas)
    if upper[-1] == "》" and _VERB.fullmatch(_DOC_NAME.sub("", upper)):
        return False
    return bool(_RUN_CLAUSE.fullmatch(lower) or _OPENER.search(lower, 1))


def _cut_label(heads: list[Span]) -> tuple[list[Span], list[Span]]:
    """The head lines above a label that opens a body (核心阅读, 编者的话), and the label with
    whatever follows it: body text."""
    for label in range(1, len(heads)):  # (a loop: most heads are one line, no label)
        if _BODY_LABEL.fullmatch(heads[label].text):
            return heads[:label], heads[label:]
    return heads, []


def has_title(heads: list[Span]) -> bool:
    """Whether `parse_heads` finds a title in these lines: all but a body label on its own
    (the pair score and the form models, which cost most, need not run to know)."""
    heads, _ = _cut_label(heads)
    return bool(heads) and not (len(heads) == 1 and _BODY_LABEL.fullmatch(heads[0].text))


def parse_heads(
    heads: list[Span], pairs: dict | None = None
) -> tuple[list[Span], list[Span], list[Span], list[Span]]:
    """Which of a head's lines are title, kicker and subtitle, and which open the body. The
    pair score's features, where read, go in `pairs` (keyed by the two lines' texts)."""
    heads, body = _cut_label(heads)
    if len(heads) == 1 and _BODY_LABEL.fullmatch(heads[0].text):
        return [], [], [], heads + body
    dash = next((i for i, h in enumerate(heads) if i and h.text.startswith(_DASH)), None)
    if dash is not None:
        # (a line under the ——subtitle opens the body: cut by the column where no word tells it)
        return [heads[dash - 1]], heads[: dash - 1], [heads[dash]], heads[dash + 1 :] + body
    if len(heads) == 1:
        return heads, [], [], body
    if ITEM_LABEL.fullmatch(heads[0].text) or column_name(heads[0].text):
        # 图片报道 names its item: the title; the lines under it open its body (a caption's
        # head or its first words, a letter's head and writer). So does a column's or series'
        # name over its piece's head (新中国峥嵘岁月 / 朱日和阅兵).
        return [heads[0]], [], [], heads[1:] + body
    if _OPENER.match(heads[1].text) or _SENTENCE_END.fullmatch(heads[1].text):
        # no title under a kicker opens or ends so on the development months: the body's
        # first line under a lone title (让初心始终闪耀 / “奋斗创造历史，实干成就未来。”)
        return [heads[0]], [], [], heads[1:] + body
    if len(heads) == 2 and (
        writer_under(heads[0].text, heads[1].text)
        # a title closing on its column label over a line without one: no kicker on the
        # development months' two-line heads carries one (41 titles over their decks do)
        or (_COLUMN_LABEL.fullmatch(heads[0].text) and not _COLUMN_LABEL.fullmatch(heads[1].text))
    ):
        return [heads[0]], [], [heads[1]], body
    if len(heads) == 2:
        # A kicker sits above its title, unless the upper line is the title itself and the
        # lower its deck: a score over both lines' shapes (PAIR_FEATURES) decides.
        x = pair_features(heads[0].text, heads[1].text)
        if pairs is not None:
            pairs[heads[0].text, heads[1].text] = x
        if sum(map(mul, PAIR_WEIGHTS, x)) + PAIR_BIAS > 0:
            return [heads[0]], [], [heads[1]], body
        return [heads[1]], [heads[0]], [], body
    if _COLUMN_LABEL.fullmatch(heads[0].text) and not _COLUMN_LABEL.fullmatch(heads[1].text):
        # The title carries the column label; the lines under it open the first piece of a
        # composite item (用镜头记录中国发生的巨大变化 / （法国）格雷瓜尔·戴高乐).
        return [heads[0]], [], [], heads[1:] + body
    middle = heads[1].text
    if middle.endswith(_DASH):
        # No title closes on a lead-in dash: 驻点医生—— under a line is a piece's kicker (礼赞新中国
        # / 江西井冈山—— / 红色旅游兴起…), the line above the title, the piece its body's opening.
        return [heads[0]], [], [], heads[1:] + body
    if _DATE_SUB.fullmatch(middle):
        # A date in brackets is no title: it notes the line above (…的决定 / （2019年10月10日）).
        return [heads[0]], [], [heads[1]], heads[2:] + body
    return [heads[1]], [heads[0]], heads[2:], body


# Read once the page is read (`settled_heads`, from service/settle.py), so the head score's path
# stays the pass's: a label spaced or a letter's (引 子, 回 信: never a head line on the development
# months, a body's first line there), and a decree's name and number under the title of the law
# or rules it makes public (优化营商环境条例 / 中华人民共和国国务院令 / 第722号: the body's opening;
# over no title, 中华人民共和国主席令 / 第三十六号, it is the title).
_LATE_LABEL = re.compile(r"引子|引言|导语|[贺回复]信")
_DECREE = re.compile(r"\S{2,12}令")
_NUMBER = re.compile(r"第[一二三四五六七八九十百〇零\d]+号")
_BRACKETED = re.compile(r"[（(][^（）()]+[）)]")


def settled_heads(heads: list[Span], parsed: tuple) -> tuple | None:
    """The roles of a head's lines once the page is read, where they differ from the pass's
    `parsed` (`parse_heads(heads)`); None where they do not."""
    for i in range(1, len(heads)):
        text = heads[i].text
        if _LATE_LABEL.fullmatch("".join(text.split())) or (
            i + 1 < len(heads) and _NUMBER.fullmatch(heads[i + 1].text) and _DECREE.fullmatch(text)
        ):
            title, kicker, subtitle, body = parse_heads(heads[:i])
            return title, kicker, subtitle, body + heads[i:]
    title, kicker, subtitle, _ = parsed
    if kicker == heads[:1] and title == heads[1:2] and _BRACKETED.fullmatch(heads[1].text):
        # A line wholly in brackets is no title under a kicker (none of the development months'
        # 1,640 kicker + title heads; 33 decks are: …的意见 / （二〇一九年十月二十日）, …校庆公告 /
        # （第一号）): the upper line's deck, and a line under it opens the body (一、应…).
        return [heads[0]], [], [heads[1]], heads[2:]
    upper = heads[0].text
    if kicker == heads[:1] and len(upper) <= 10 and "·" in upper and upper[-1] not in "：:":
        # A column's name with its topic (速览·国庆假期, 来论·春运, 书香中国·北京阅读季) is the
        # title over the head lines under it: 8 such short lines over other head lines on the
        # development months are titles, the one kicker a name with a colon (…·买米拉：).
        return [heads[0]], [], heads[1:2], heads[2:]
    if len(heads) == 3 and len(kicker) == 1 and title == heads[1:2] and len(subtitle) == 1:
        middle = heads[1].text
        if len(middle) <= 6 and len(middle) < min(len(kicker[0].text), len(subtitle[0].text)):
            if not column_name(middle):
                # A short line between two longer is no title (3 of the development months' 61
                # kicker + title + subtitle heads have one of at most 6, none shorter than both):
                # a piece's place or name under a column's title, the piece's head under it
                # (关注地方两会 / 黑龙江 / 报告起草…); a column's name (建议) is a title.
                return [heads[0]], [], [], heads[1:]
    return None


PAIR_FEATURES = (
    "rule",  # the upper line carries a column label, or the lower reads as a deck (below)
    "upper_length",
    "lower_length",
    "lower_comma",
    "upper_comma",
    "upper_lead_in",  # 驻点医生—— over a title: a kicker
    "lower_label",  # the lower line carries a column label: the title
    "upper_label",
    "lower_digit",
    "upper_digit",
    "lower_space",
    "upper_space",
    "upper_verb",  # …强调, …印发, …： over a title: a kicker
    "upper_short",  # a place name over a title: 重庆忠县
    "lower_quote",
    "upper_quote",
    "lower_amount",  # %, 亿, 万: a figure in a deck
    "lower_longer",
    "lower_predicate",  # 今起对我国进行国事访问 under its title: a deck
    "lower_note",  # （第一号）, 第三十六号: a deck
    "upper_done",  # 火神山医院收治首批患者 / …举行: a title
    # How much each line reads like a kicker rather than a title, and like a subtitle (a deck)
    # rather than a title, by its characters and character pairs (`forms`).
    "upper_kicker_form",
    "lower_kicker_form",
    "upper_subtitle_form",
    "lower_subtitle_form",
)
PAIR_WEIGHTS = (
    2.020, -0.081, 0.787, -2.150, -0.895, -1.070, -3.164, 1.416, 0.742, 0.308, -0.860, -0.959,
    -2.133, -1.617, -1.158, -1.398, 0.134, 0.346, 2.208, 2.506, 1.563, -0.748, 0.061, 0.075, 0.449,
)  # fmt: skip
# Fitted by `python -m training.roles_fit` on the development months' two-line heads (kicker +
# title against title + subtitle; logistic regression, C=1), with the form scores each head's
# lines get from form models not fitted on them.
PAIR_BIAS = -1.885
# The score zips weights with features: a feature added without a refit would shift every
# later weight silently.
if len(PAIR_WEIGHTS) != len(PAIR_FEATURES):
    raise ImportError(
        f"{len(PAIR_WEIGHTS)} PAIR_WEIGHTS for {len(PAIR_FEATURES)} PAIR_FEATURES: run roles_fit"
    )
# A writer's post under a commentary's title: 中国廉政法制研究会副会长 (the title is above).
_POST = re.compile(r"[^，,。；：:]{2,24}(?:会长|主任|院长|所长|教授|研究员|书记|主席|部长|理事)")
_VERB = re.compile(r".*(?:强调|指出|表示|要求|时说|印发|发布|获悉|通知|签署通令|：|:)")


def pair_features(upper: str, lower: str, models: Forms | None = None) -> list[float]:
    """What two head lines show about which is the title (see PAIR_FEATURES). `models`: the
    form models, `forms()` unless given (fitting scores lines with models not fitted on them)."""
    upper_kicker, upper_deck = _form(models or forms(), upper)
    lower_kicker, lower_deck = _form(models or forms(), lower)
    # (each test once: the rule and the features below share them)
    upper_label = bool(_COLUMN_LABEL.fullmatch(upper))
    lower_label = bool(_COLUMN_LABEL.fullmatch(lower))
    upper_comma, lower_comma = bool(_COMMA.search(upper)), bool(_COMMA.search(lower))
    lead_in = bool(LEAD_IN.fullmatch(upper))
    rule = (
        _DATE_SUB.fullmatch(lower)
        or (upper_label and not lower_label)
        or (lower_comma and not upper_comma and not lead_in)
        or _SUBHEAD.fullmatch(lower)
        or _EVENT_TITLE.fullmatch(upper)
        or _ATTENDED.fullmatch(lower)
        or _POST.fullmatch(lower)
    )
    return [
        float(bool(rule)),
        len(upper) / 10,
        len(lower) / 10,
        float(lower_comma),
        float(upper_comma),
        float(lead_in),
        float(lower_label),
        float(upper_label),
        float(bool(_DIGIT.search(lower))),
        float(bool(_DIGIT.search(upper))),
        float(bool(_SPACED.search(lower))),
        float(bool(_SPACED.search(upper))),
        float(bool(_VERB.fullmatch(upper))),
        float(len(upper) <= 8),
        float(lower.startswith("“")),
        float(upper.startswith("“")),
        float(bool(_AMOUNT.search(lower))),
        float(len(lower) > len(upper)),
        float(bool(_PREDICATE.match(lower)) and not upper.endswith(("：", ":", "—"))),
        float(bool(_NOTE_SUB.fullmatch(lower))),
        float(bool(_DONE.fullmatch(upper))),
        upper_kicker,
        lower_kicker,
        upper_deck,
        lower_deck,
    ]


_DIGIT = re.compile(r"\d")
_AMOUNT = re.compile(r"[%％亿万]")

# Two logistic regressions over a line's characters and character pairs, fitted by
# `python -m training.roles_fit` on the development months' printed heads: kicker against title,
# subtitle against title. Only pairs seen all through the months fitted on are kept (a topic's
# words, 肺炎 in February, come and go; 强调, ——, （…） stay), weights shrunk (C=0.1), small
# ones pruned. A line's score under each is its log-odds.
# biases; pair -> its two weights; column names (below)
Forms = tuple[float, float, dict[str, tuple[float, float]], frozenset[str]]
FORMS_FILE = Path(__file__).resolve().parent / "data" / "head_forms.json"


def form_grams(line: str) -> set[str]:
    """A line's characters and character pairs (blank runs read as one space)."""
    line = " ".join(line.split())
    # (one set, no union of two; the pairs by operator.add: str.__add__'s slot wrapper cost
    # a fifth more)
    return {*line, *map(add, line, line[1:])}


def forms_from(data: dict) -> Forms:
    """Form models from their JSON form ({"kicker"|"subtitle": {"bias", "weights"}})."""
    kicker, deck = data["kicker"]["weights"], data["subtitle"]["weights"]
    both = {g: (kicker.get(g, 0.0), deck.get(g, 0.0)) for g in kicker.keys() | deck.keys()}
    columns = frozenset(data.get("columns", ()))
    return float(data["kicker"]["bias"]), float(data["subtitle"]["bias"]), both, columns


def column_name(text: str) -> bool:
    """A column's or series' name that stands as the title over its piece's head (建议,
    新中国峥嵘岁月): a short title on several days of the development months, never a kicker
    or subtitle there (`training.roles_fit.columns`, kept with the form models)."""
    return text in forms()[3]


_LOADED: list[Forms] = []


def forms() -> Forms:
    """The shipped form models (read once)."""
    if not _LOADED:
        _LOADED.append(forms_from(json.loads(FORMS_FILE.read_text(encoding="utf-8"))))
    return _LOADED[0]


def _form(models: Forms, line: str) -> tuple[float, float]:
    """A line's log-odds of kicker against title and of subtitle against title."""
    kicker, deck, weights, _ = models
    # (１５地…: the models saw ASCII digits; translated only when held: translate is slow)
    line = " ".join((line.translate(_DIGITS) if _WIDE_DIGIT.search(line) else line).split())
    if _form_hits is not None:  # (the C extension: each weighed gram's slot once; fsum as below)
        table = _TABLES.get(id(weights))
        if table is None or table[0] is not weights:
            _TABLES.clear() if len(_TABLES) > 8 else None  # (a fit makes models per fold)
            table = _TABLES[id(weights)] = (weights, *_gram_table(weights))
        if (slots := _form_hits(line, table[1])) is not None:
            k, d = fsum(map(table[2].__getitem__, slots)), fsum(map(table[3].__getitem__, slots))
            return kicker + k, deck + d
    hits = list(filter(None, map(weights.get, form_grams(line))))  # (a weight: never falsy)
    # fsum: exact, so no sum hangs on the set's order (string hashing differs by process)
    return kicker + fsum(map(_FIRST, hits)), deck + fsum(map(_SECOND, hits))


_FIRST, _SECOND = itemgetter(0), itemgetter(1)  # (a pair's weights, read in C)
_DIGITS, _WIDE_DIGIT = str.maketrans("０１２３４５６７８９", "0123456789"), re.compile("[０-９]")
_TABLES: dict[int, tuple] = {}  # id of a models' dict -> it and `_gram_table` of it
_EMPTY, _MIX = (1 << 64) - 1, 0x9E3779B97F4A7C15


def _gram_table(weights: dict) -> tuple[bytes, list[float], list[float]]:
    """The grams of one or two characters as `form_hits` (service/_kernels.c) reads them: codes
    (a code point; two flagged at bit 42), open addressing by a multiplicative hash; weights."""
    grams = [(g, w) for g, w in weights.items() if 0 < len(g) <= 2]
    bits = max(4, (2 * len(grams)).bit_length())
    keys, kick, deck = [_EMPTY] * (1 << bits), [0.0] * (1 << bits), [0.0] * (1 << bits)
    for g, (k, d) in grams:
        code = ord(g) if len(g) == 1 else 1 << 42 | ord(g[0]) << 21 | ord(g[1])
        h = (code * _MIX & _EMPTY) >> (64 - bits)
        while keys[h] != _EMPTY:
            h = (h + 1) & ((1 << bits) - 1)
        keys[h], kick[h], deck[h] = code, k, d
    return array("Q", keys).tobytes(), kick, deck
