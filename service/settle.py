"""A head's lines once the page is read: what the splitting pass could not yet tell (a subtitle,
a "title" under a kicker reading on as running text, a head's first lines closing the text above,
a kicker read as running text: 国台办：, a list closing on ……, a lead-in closing on ——). Settled
after the pass: the head score's path (the heads `training.pages_fit` collects) stays the pass's."""

from __future__ import annotations

import re
from itertools import pairwise

from service.composite import END_NOTE, NOTE, ends_above
from service.credit_over_title import credit_to_title_below
from service.credited_items import split_credited_item
from service.credits import byline_end
from service.cut_pieces import is_cut_piece
from service.deck_title import title_over_deck
from service.digest_items import split_digest_item
from service.documents import Span
from service.glued import column_title, split_glued
from service.head_parts import ITEM_LABEL, running_on, settled_heads
from service.heads import CLOSER, closes, parse_heads
from service.item_column import item_column
from service.jumped import after_jump
from service.lead_roles import deck_by_lead, kicker_by_shape
from service.lines import BYLINE_START, CONTINUES, PARA, SHORT
from service.over_credit import over_credit
from service.place_heads import split_place
from service.series import rejoin_series
from service.subheads import rejoin_subheads
from service.table_rows import rejoin_rows, split_after_rows
from service.text import ends_paragraph, is_column_break
from service.writer_heads import name_byline, split_signed

__all__ = ["settle_heads"]

# Kickers the line kinds read as running text: a speaker or source closing on a colon (国台办： /
# 李达：, ≤ 19 characters on the development months, 80 kickers; none holds a sentence's
# punctuation), a list closing on an ellipsis (听有声书、“云”端看展、上网络公开课……, 8 kickers;
# 8 body lines, 6 of them over running text), a lead-in of any length closing on a dash.
_COLON_KICKER = re.compile(r"[^，,。；;！？!?：:]{2,24}[：:]")
_LIST_KICKER = re.compile(r"[^，,。；;！？!?：:]{4,40}…{1,2}")
_LEAD_IN = re.compile(r".{4,}——")


def settle_heads(drafts: list, raw: str) -> None:
    """The `drafts.Draft`s' head lines read again: heads left in bodies split off, subheads and
    series joined above, the late roles, the page's top, each one's subtitle, title and byline;
    between two articles a kicker, a deck's title and a credit; table rows and jumps last."""
    at = 0
    marked = any(d.marked for d in drafts)  # (heads left in a body, by shape: never under `## `)
    split = (split_glued, split_place, split_signed, split_after_rows, split_digest_item)
    split += (split_credited_item,)
    split = () if marked else split
    glued = lambda d: next((new for f in split if (new := f(d)) is not None), None)  # noqa: E731
    while at < len(drafts):
        d = drafts[at]
        # (each of these reads short lines in an unmarked body: most drafts hold none)
        if d.marked or SHORT not in d.kinds:
            at += 1
            continue
        if (new := _reopen(d) or glued(d)) is not None:
            drafts.insert(at + 1, new)
        at += 1
    rejoin_subheads(drafts, raw)  # (a law's chapter, a field label: never an article's head)
    rejoin_series(drafts)  # (a head in the form of a subhead of the article above)
    prev = None
    for d in drafts:
        if len(d.heads) > 1 and not _points(d, prev):
            _late_roles(d, prev)
        prev = d
    if drafts and not (drafts[0].title or drafts[0].kicker or any(d.marked for d in drafts)):
        _page_top(drafts)  # (where titles carry `## `, never on less)
    for d in drafts:
        over_credit(d)
        _dated_deck(d)
        _shape_kicker(d)
        item_column(d)
        _subtitle(d)
        name_byline(d)
        _lone_title(d)
        _sentence_subtitle(d)
    for above, d in pairwise(drafts):
        _late_kicker(above, d, raw)
        title_over_deck(above, d)
        credit_to_title_below(above, d)
    drafts[:] = [new for d in rejoin_rows(drafts) for new in (d, after_jump(d)) if new is not None]


def _late_roles(d, prev) -> None:
    """A head's first lines given back to the text above (`closes_above`), and its
    lines' roles read with the rules settled after the pass (`head_parts.settled_heads`)."""
    heads = d.heads
    old = d.kicker + d.title + d.subtitle
    n = len(old)
    if old != heads[:n] or d.body[: len(heads) - n] != heads[n:]:
        return  # (changed since the pass: a composite item's heading and first piece)
    moved = 0
    if prev is not None and prev.has_para:
        # (line by line: a sentence may close the text above, a signature a cut credit)
        above = prev.body[-1].text if prev.body else ""
        while more := closes_above(heads[moved:], above, prev.closed):
            moved += more
            above = heads[moved - 1].text
    if moved:
        heads = heads[moved:]
        new = settled_heads(heads, parsed := parse_heads(heads)) or parsed
    else:
        new = settled_heads(heads, (d.title, d.kicker, d.subtitle, []))
    if new is None:
        return
    title, kicker, subtitle, _ = new
    k = len(kicker + title + subtitle)
    if not title or k > n - moved and not moved:
        return
    for s in d.heads[:moved]:
        prev.add(s, SHORT)
    # (the lines after the new head open the body, in place of those the pass put there)
    lines, m = heads[k:], len(d.heads) - n
    d.body[:m], d.kinds[:m], d.values[:m] = lines, [SHORT] * len(lines), [""] * len(lines)
    d.title, d.kicker, d.subtitle = title, kicker, subtitle
    d.start = heads[0].start


def _reopen(d):
    """A new article inside `d`'s body: short lines under a closing note the column cut after a
    long place list, its lower part past the pass's reach (`heads.closes`: 40 characters):
    （本报北京、东京、巴黎、曼谷、 / 伊斯兰堡、日内瓦2月27日电  记者…） / “把中国抗疫的…” / text.
    Read after the pass, where the head score's path stays the pass's; the new draft, else None."""
    body, kinds = d.body, d.kinds
    if d.composite or d.marked or SHORT not in kinds:  # (most bodies hold no short line)
        return None
    for i in range(2, len(body) - 1):
        if kinds[i] != SHORT:
            continue  # (most lines: their texts are not read)
        above, last = body[i - 2].text, body[i - 1].text
        if not 40 < len(last) <= 80:
            continue
        if above[0] not in "（(" or set("）)") & set(above) or len(above) > 60:
            continue
        j = next((k for k in range(i, min(i + 4, len(body))) if kinds[k] != SHORT), i)
        if j == i or kinds[j] != PARA or not CLOSER.fullmatch(above + last):
            continue
        title, kicker, subtitle, rest = parse_heads(body[i:j])
        if not title:
            continue
        new = type(d)(title, kicker, subtitle)
        new.heads, new.has_para, new.end = body[i:j], True, d.end
        new.body, new.kinds, new.values = (
            rest + body[j:],
            [SHORT] * len(rest) + kinds[j:],
            [""] * len(rest) + d.values[j:],
        )
        del body[i:], kinds[i:], d.values[i:]
        d.end = body[-1].end
        return new
    return None


def _points(d, prev) -> bool:
    """Points (●…) read as head lines: two or more under the head open its body; a head of
    points alone under the short lines that a run too long for a head gave the article above
    after its closing note takes those lines as its head (防控工作取得阶段性积极成效 /
    医用物资供应要应保尽保特事特办 / ●19日，… / ●武汉…). No kicker or title of the development
    months opens with ●, no head holds two such lines; 12 bodies open with one."""
    heads = d.heads
    n = len(d.kicker + d.title + d.subtitle)
    # (the points close the head: k is where its trailing run of ● lines starts)
    k = len(heads) - next(
        (t for t, h in enumerate(reversed(heads)) if not h.text.startswith("●")), len(heads)
    )
    if len(heads) - k < 2 or d.body[: len(heads) - n] != heads[n:]:
        return False
    if k:
        lines = heads[:k]
    else:
        if prev is None or not prev.has_para:
            return False
        # (the note may itself be a short line: （综合本报记者…报道）)
        ending = (j for j in (1, 2) if prev.kinds[-j:] == [SHORT] * j and closes(prev.body[:-j]))
        j = next(ending, 0)
        if not j and prev.kinds[-1] == SHORT and len(prev.body) > 1:
            # (or a column's labelled title under a closed paragraph: 8 printed over points)
            j = int(column_title(prev.body[-1].text) and ends_paragraph(prev.body[-2].text))
        if not j or len(prev.body) <= j:
            return False
        lines = prev.body[-j:]
    title, kicker, subtitle, rest = parse_heads(lines)
    if not title:
        return False
    if not k:
        del prev.body[-j:], prev.kinds[-j:], prev.values[-j:]
        prev.end = prev.body[-1].end
    m = len(heads) - n
    body = rest + heads[k:]
    d.body[:m], d.kinds[:m], d.values[:m] = body, [SHORT] * len(body), [""] * len(body)
    d.title, d.kicker, d.subtitle, d.heads = title, kicker, subtitle, lines
    d.start = lines[0].start
    return True


# A reader's letter signed with place and name (江西武宁县  付鹤鸣, 内蒙古赤峰市 刘 才,
# ——江苏省太仓市纪委书记  杨  庆), a photo's or a record's credit (新华社发, 人民视觉,
# 本报记者…、通讯员…整理): the last line of the text above (spaced or after a dash: 15 body
# ends, no head line on the development months).
_SIGNED = re.compile(
    r"(?:[\u4e00-\u9fff]{2,10}[省市县区州旗镇乡村]|——[^，。！？]{2,30})\s+"
    r"[\u4e00-\u9fff](?:\s*[\u4e00-\u9fff]){1,2}"
)
_PHOTO_CREDIT = re.compile(
    r"(?:新华社|中新社)发|人民视觉|视觉中国|[^，。！？]{0,20}(?:记者|通讯员)[^，。！？]{0,24}(?:摄|整理)"
)
# Running text ending a sentence: a clause, then 。 or ！ (a kicker may ask: …如何破解？).
# (a list's 、 too where a full stop or a bang ends it: 组织、任何政党、…分裂出去！; a kicker of
# the development months may list its items with 、 only before ……)
_SENTENCE = re.compile(r".*[，,；;].*[。！!…][”’」]?|.*、.*[。！!][”’」]?")
# A list's labelled line (书名：…  作者：…, 主办单位：…): a head line never takes up the label of
# the line above it (78 body lines do on the development months, no head's first line).
_LABEL = re.compile(r"([\u4e00-\u9fff]{1,6})[:：]\S")
_SPONSOR = re.compile(r"(?:主办|承办|协办)单位[:：].+")
# A caption signed by its poster (——@好日子), a pointer to a report elsewhere
# (（相关报道见第四版）), the page's editor (本期统筹：许  诺), after the closing credit too; a
# wish closing a text (祝大家新年快乐！, 预祝…圆满成功！): no head line of the development months.
_TRAILER = re.compile(r"——\s*@\S.*|[（(]相关报道见[^（）()]{1,10}[）)]|本期(?:统筹|策划)[:：].+")
_WISH = re.compile(r"(?:预|恭)?祝.{2,40}[！!]")


def closes_above(heads: list[Span], above: str = "", closed: bool = False) -> int:
    """How many of the head's first lines are the last lines of the text above (whose last
    line is `above`; `closed` after its closing credit, where only a sign-off follows): a
    signature or a credit, maybe cut over two lines by the column (曹  一 / 图  于  石文,
    栏目投稿邮箱：yxxz849 / 4@163.com), a note or bracket closing it (`ends_above`), a list's
    lines labelled as the one above, or running text ending a sentence, as no head line of
    the development months reads over a line other than a ——subtitle (…“心里总算有了着落。” /
    两部门印发通知 / 符合条件的…; 2 first head lines, 669 short last lines of a body). Settled
    after the pass: in the run the lines help the head score tell a subhead's."""
    first = heads[0].text
    if len(heads) < 2:
        return 0
    if len(heads) > 2:
        joined = first + heads[1].text
        if END_NOTE.fullmatch(joined) or not closed and byline_end(joined):
            return 2  # (a credit or a mailbox the column cut: never a kicker over a title)
    if _TRAILER.fullmatch(first) or NOTE.fullmatch(first):
        return 1  # (a note wholly in brackets, （相关报道见第十三版）: never a kicker or title)
    if closed:
        return 0
    if _SIGNED.fullmatch(first) or _PHOTO_CREDIT.fullmatch(first) or _WISH.fullmatch(first):
        return 1  # (a reader's place and name, a photo's credit, a wish: never a head line)
    ends = ends_above(heads)
    if 0 < ends < len(heads):
        return ends  # (as the pass reads them: here too after a list's or a poem's lines)
    label = _LABEL.match(above)
    n = 0
    while n + 1 < len(heads) and (
        _SPONSOR.fullmatch(heads[n].text)
        or label
        and _LABEL.match(heads[n].text)
        and _same_label(label, heads[n].text)
    ):
        n += 1
    if n:
        return n
    return int(not heads[1].text.startswith("—") and bool(_SENTENCE.fullmatch(first)))


def _same_label(label: re.Match, line: str) -> bool:
    other = _LABEL.match(line).group(1)
    return other == label.group(1) or other[-2:] == label.group(1)[-2:]


def _dated_deck(d) -> None:
    """Kicker + title over a dateline whose lead takes up the upper line more than the lower
    (`lead_roles.deck_by_lead`): the title over its deck."""
    if len(d.kicker) != 1 or d.subtitle or len(d.title) != 1 or d.marked or d.composite:
        return  # (most drafts hold no kicker)
    if not d.kinds or d.kinds[0] != PARA or not d.values[0] or d.heads != d.kicker + d.title:
        return
    lead = "".join(s.text for s in d.body[:4])[len(d.values[0]) :]
    if deck_by_lead(d.kicker[0].text, d.title[0].text, lead, d.pairs):
        d.title, d.subtitle, d.kicker = d.kicker, d.title, []


def _shape_kicker(d) -> None:
    """Title + subtitle where the upper line names a speaker, what is answered or a competition,
    or an event over a headline's shape (`lead_roles.kicker_by_shape`): the kicker over its
    title. Settled after the pass, so the head score's path stays the pass's."""
    if d.kicker or len(d.title) != 1 or len(d.subtitle) != 1 or d.marked or d.composite:
        return  # (most drafts hold no subtitle)
    if d.heads == d.title + d.subtitle and kicker_by_shape(d.title[0].text, d.subtitle[0].text):
        d.kicker, d.title, d.subtitle = d.title, d.subtitle, []


_POINTS = "■●"  # (a body's points: 10 printed subtitles stand over the first)


def _subtitle(draft) -> None:
    """A short line right under a head that has none yet, before any text: the subtitle."""
    if draft.subtitle or not draft.title or not draft.body or draft.composite:
        return  # (a composite item's body opens with its first piece's head)
    if ITEM_LABEL.fullmatch(draft.title[0].text):
        return  # (under 图片报道, a caption's head or its first words)
    first, kind = draft.body[0], draft.kinds[0]
    if len(draft.body) < 2 or draft.kinds[1] not in (PARA, BYLINE_START):
        return
    # A long deck (听取…汇报；部署…) is running text by its punctuation, but it ends without
    # a sentence end and the body opens under it with a dateline, a credit or a point (■ 要按照…:
    # 10 printed subtitles over a body opening on a point; no open body line over a point is
    # more than a label, 核心阅读, on the development months).
    deck = (
        kind == PARA
        and not ends_paragraph(first.text)
        and (
            draft.kinds[1] == BYLINE_START
            or bool(draft.values[1])
            or draft.body[1].text[0] in _POINTS
            and first.text[0] not in _POINTS
        )
    )
    if kind != SHORT and not deck or is_cut_piece(first.text, draft.body[1].text):
        return  # (a piece of the paragraph below, cut by the column, is no subtitle)
    if parse_heads([first])[3]:  # a body label (核心阅读) stays in the body
        return
    draft.subtitle = [first]
    del draft.body[0], draft.kinds[0], draft.values[0]


def _sentence_subtitle(d) -> None:
    """A subtitle that ends a sentence and is no ——deck is the body's first line: a question or a
    cry opening a commentary (口红和油井有啥关系？): 1 of 1,229 printed subtitles of the development
    months ends on 。！？."""
    last = d.subtitle[-1].text if d.subtitle else ""
    if last and last[-1] in "。！？" and not last.startswith("——"):
        d.body[:0], d.kinds[:0], d.values[:0] = d.subtitle[-1:], [SHORT], [""]
        del d.subtitle[-1]


def _lone_title(d) -> None:
    """Kicker + title where the title reads as running text: a lone title over its body's first
    line (`running_on`). Settled after the pass: the head score's path (pages_fit) is unchanged."""
    if len(d.kicker) == len(d.title) == 1 and not d.subtitle and not d.marked:
        if d.body and d.kinds[0] == PARA and d.values[0]:
            return  # (a dateline opens its paragraph: no line above is cut off it)
        if running_on(d.kicker[0].text, d.title[0].text):
            d.body[:0], d.kinds[:0], d.values[:0] = d.title, [SHORT], [""]
            d.title, d.kicker = d.kicker, []


def _late_kicker(above, draft, raw: str) -> None:
    """The last line of the article above, a colon-closed line or a list closing on an ellipsis
    right over `draft`'s lone title, is `draft`'s kicker: the line kinds read it as running
    text (80 + 8 kickers on the development months; i66 wrote the colon's)."""
    if draft.kicker or not draft.title or len(above.body) < 2 or above.kinds[-1] != PARA:
        return
    last, before = above.body[-1], above.body[-2]
    if above.values[-1] or not (
        _COLON_KICKER.fullmatch(last.text) or _LIST_KICKER.fullmatch(last.text)
    ):
        return
    between = raw[last.end : draft.title[0].start].strip()  # (a `## ` title's mark is none)
    cut = above.kinds[-2] != CONTINUES and is_column_break(before.text, last.text)
    if between not in ("", "##" * draft.marked) or cut:
        return  # (furniture between, or the end of a paragraph the column cut: a jump ends one)
    draft.kicker = [last]
    draft.start = last.start
    del above.body[-1], above.kinds[-1], above.values[-1]
    above.end = above.body[-1].end


def _page_top(drafts: list) -> None:
    """An untitled first article (the page opening mid-article) whose first line is a kicker
    the line kinds read as running text (`_LIST_KICKER`, `_LEAD_IN`, `_COLON_KICKER`): the
    kicker of the title under it, or of the next article's lone title when it is alone. A
    lead-in's title the column seemed to cut off it (the dash reads on) is no piece of it."""
    top = drafts[0]
    if not top.body or top.kinds[0] != PARA or top.values[0]:
        return
    first = top.body[0].text
    dash = bool(_LEAD_IN.fullmatch(first))
    if not (dash or _LIST_KICKER.fullmatch(first) or _COLON_KICKER.fullmatch(first)):
        return
    if len(top.body) == 1:
        if len(drafts) > 1 and drafts[1].title and not drafts[1].kicker and not drafts[1].marked:
            drafts[1].kicker, drafts[1].start = top.body, top.body[0].start
            del drafts[0]
        return
    if len(top.body) < 3 or top.kinds[1] != SHORT or top.kinds[2] not in (PARA, SHORT):
        return
    if not dash and is_cut_piece(first, top.body[1].text):
        return
    top.kicker, top.title = top.body[:1], top.body[1:2]
    del top.body[:2], top.kinds[:2], top.values[:2]
    top.has_para = PARA in top.kinds
