"""Heads the splitting pass left inside a body, found once the page is read.

The head score turns down some true heads after a long article (issue 11: a title glued into the
body above). A few shapes show a head whatever the score says; they are read here, after the pass
(called from `service.settle`), so the head score's path and the heads `training.pages_fit`
collects stay the pass's:

- head lines over two or more points (●…) under running text: the points open the head's body
  (返程途中 做好防护 / ●戴口罩，… / ●可佩戴…). On the development months 12 printed bodies open with
  two or more points under their head; one body holds a short line over points (after its
  closing note, not under running text).
- a document's title over its date in brackets (中国的粮食安全 / （2019年10月）, …任免名单 /
  （2020年2月24日…会议通过）, 北京理工大学80周年校庆公告 / （第一号））: 36 heads on the development
  months; inside a body only a document printed in full under its announcement (`…全文如下。`, 4)
  or a table's note (（截至2018年底，单位：个）, no month).
- a lead-in kicker of eight or more characters closing on a dash over its title
  (山东医疗队先后派出十二批医护疾控人员驰援湖北—— / “坚守岗位不后退，直到最后胜利”) when no
  other line of the body closes on one: 427 kickers of the development months close so (409
  with no such line in their body); in bodies 46 lead-ins over a short line come in series
  (关键词1——, 美国——), 2 alone (one over a ■ box, one a paragraph with a full stop inside).
- a meeting's head over its deck naming who chaired or attended it (…召开会议 / …工作 /
  中共中央总书记习近平主持会议): 98 subtitles and no short line of a body so on the development
  months; and a title closing on a column label over its deck, a clause or two that ends no
  sentence (打通快递进村“最后一公里”（人民时评） / 农村市场潜力巨大，…): 102 heads, each with
  six characters or more before the label, one short line of a body (a table's caption over
  its note). These two also under the lines that close the text above (a sentence's end the
  column cut off it, a note), as `settle.closes_above` reads an opened head's.
- a kicker over such a title, the run no longer than the head (and the body's first line the
  column cut, read on or holding a clause mark: then running text, no deck): 第一条地铁 /
  浅埋施工 平稳运行（新中国的“第一”·交通篇）. 792 heads so on the development months; 14 body
  lines are labelled under a short line, all in a programme's longer runs (11.3 10:30
  上海国际舞蹈中心 / 芭蕾大师公开课（辛丽丽） / …). A label's numbered part in brackets of its
  own (…（长三角见证高质量发展·江苏篇（上））) is read as the label (stop 33, i96).
- a column's labelled title alone over its text (古厝人家新时光（70年，共同走过·大国小家） /
  一家三代人，…): 739 heads over running text (667 under a closed paragraph), 3 body lines (two
  documents printed in full under …全文如下。, a pointer over a datelined report); the title
  no piece the column cut off the line above.
- a photo's title, maybe under its kicker, over its captions and the credit closing the body
  (加班加点 / 二月六日，…赶制口罩和防护服。 / 翟慧勇摄（影像中国）): `_photo`.
- a column label in two parts set apart by a comma reads as the labels above do
  (发热筛查前移 帮助预约就诊（社区防控，我们在行动）): 31 printed heads, no body line.
- lone heads (a lone title or pair in a body with no other short line, head lines under a
  report's closing line): `service.lone_heads` finds where they stand.
- a brief column under its boxed label (■简讯 / 本报讯 … / 本报讯 …): `service.paper_heads`.
"""

from __future__ import annotations

import re

from service.body_runs import AGENCY, BOX, MAX_HEAD, ended, running, shorts
from service.composite import NOTE
from service.cut_pieces import is_cut_piece
from service.head_parts import parse_heads
from service.heads import CLOSER, COMPANION, closes_on_label
from service.lines import BYLINE_END, FURNITURE, PARA, SHORT
from service.lone_heads import after_report, lone_head
from service.paper_heads import brief_column, unbox
from service.text import ends_paragraph

__all__ = ["PLACED", "column_title", "cut_opening", "split_at", "split_glued"]

_POINT = "●"
# A document's date (and where or by whom it was passed) in brackets, or its number.
_YEAR = r"(?:\d{4}|[〇○零一二三四五六七八九]{4})年"
_MONTH = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月"
_DOC_DATE = re.compile(
    rf"[（(]{_YEAR}{_MONTH}[^（）()]{{0,80}}[）)]|[（(]第[一二三四五六七八九十\d]{{1,4}}号[）)]"
)
# A document printed in full under the article announcing it: its title and date are body.
_IN_FULL = re.compile(r".*如下[。：:]")
# A lead-in kicker closing on a dash (山东医疗队先后派出十二批医护疾控人员驰援湖北——).
_LEAD_IN = re.compile(r"[^。]{8,}——")
# A meeting's deck naming who chaired or attended it (中共中央总书记习近平主持会议,
# 李克强主持 栗战书…出席).
_MEETING_DECK = re.compile(
    r"[^，,。；;！？!?]{2,60}(?:主持会议|主持|出席|出席会议|出席并讲话|讲话|致辞)"
)
_POINTS, _DATED, _LEAD, _ATTEND, _LABELLED = "points", "dated", "lead-in", "attended", "labelled"
_PHOTO, _LONE, _REPORTED = "photo", "lone", "after a report"
_BRIEFS = "a brief column"  # (service.paper_heads: its boxed label the title)
PLACED = "a place over its title"  # (service.place_heads: the place its kicker)
_CUT_UNDER = "labelled over a cut line"  # (its first body line the column's cut piece)
_CAPTIONS = 300
_UNDER_CLOSE = (_ATTEND, _LABELLED, _CUT_UNDER)
_NEAR = frozenset("●（(")  # what opens a line near the top of a run the shapes read
_DECK_END = frozenset("持席话辞议")  # (and how an attendees' deck ends)


def split_glued(d):
    """A new article inside draft `d`'s body, where a run of short lines under running text is
    a head by its shape (module docstring): the new draft, its body what followed; else None."""
    if d.composite or d.marked or SHORT not in d.kinds:  # (most bodies hold no short line)
        return None
    new = _by_shape(d)
    for find, form in ((after_report, _REPORTED), (lone_head, _LONE), (brief_column, _BRIEFS)):
        if new is None and (at := find(d)):
            new = split_at(d, *at, form)
    return new


def _by_shape(d):
    body, kinds = d.body, d.kinds
    n = len(body)
    # (a run under running text: only those with a point, a bracket or a dash near its top are
    # read further, most runs being a paragraph's piece the column cut)
    read = 0  # (short lines a head under closing lines took in: not read again)
    for i in shorts(kinds):
        if i <= read or kinds[i - 1] != PARA or i + 1 == n:
            continue
        if kinds[i + 1] != SHORT:
            # (a lone short line, most often a piece the column cut: only points or a date may
            # stand under it for a shape to read, or a photo's caption and credit)
            if body[i + 1].text[0] not in _NEAR:
                # (a photo's credit a caption or two below: found by slicing, as most lone
                # short lines have none)
                if BYLINE_END in kinds[i + 2 : i + 5] and (new := _photo(d, i, i + 1)):
                    return new
                if body[i].text[-1] not in "）)" or kinds[i + 1] != PARA:
                    continue  # (else maybe a column's title over its text)
        elif BYLINE_END in kinds[i + 3 : i + 6] and (new := _photo(d, i, i + 2)):
            return new  # (a kicker and a photo's title)
        near = body[i + 1 : i + MAX_HEAD + 1]
        if (
            body[i].text[-1] not in "—）)"
            and not _NEAR.intersection([s.text[0] for s in near])
            and not _DECK_END.intersection([s.text[-1] for s in near[:2]])
            and not (near and near[0].text[-1] in "）)")
        ):
            continue
        j = i + 1
        while j < n and kinds[j] == SHORT:
            j += 1
        k, form = _head_end(body, i, j)
        if not k:
            # A meeting's or a column's head under lines that close the text above (a sentence's
            # cut end, 好的效果。”; a note, （本系列评论到此结束）), as `settle.closes_above` reads
            # an opened head's first lines.
            at = i
            while at < j - 1 and (ends_paragraph(body[at].text) or NOTE.fullmatch(body[at].text)):
                at += 1
            if at > i and (found := _head_end(body, at, j))[1] in _UNDER_CLOSE:
                (k, form), i = found, at
                read = at
        if k and (new := split_at(d, i, k, form)) is not None:
            return new


def _head_end(body, i: int, j: int) -> tuple[int, str]:
    """Where the head starting the run `body[i:j]` ends, when its shape says it is one (else 0),
    and which shape it is."""
    # (the lines under the head may be running text: a point or a date past 40 characters)
    texts = [s.text for s in body[i : i + MAX_HEAD + 2]]
    if texts[0][0] in BOX or NOTE.fullmatch(texts[0]) or CLOSER.fullmatch(texts[0]):
        return 0, ""  # (a box, or a note closing the text above: 献礼图书撷萃's points)
    m = next((t for t, x in enumerate(texts) if x.startswith(_POINT)), 0)
    if 0 < m <= min(j - i, MAX_HEAD) and texts[m + 1 : m + 2] and texts[m + 1][0] == _POINT:
        return i + m, _POINTS
    dated = next(
        (t for t, x in enumerate(texts) if t and x[0] in "（(" and _DOC_DATE.fullmatch(x)), 0
    )
    if 0 < dated <= min(j - i, MAX_HEAD - 1) and not _IN_FULL.fullmatch(body[i - 1].text):
        return i + dated + 1, _DATED
    if j - i >= 2 and _LEAD_IN.fullmatch(texts[0]) and texts[1][0] not in BOX:
        if not ended(body[i - 1].text) or len(texts) > 2 and is_cut_piece(*texts[1:3]):
            # (the end of the paragraph above, cut by the column: …在刘智明 / 工作时间表…——;
            # or a list's lead-in over its first item, cut: …不符合标准 / 的不允许进店；)
            return 0, ""
        # (a series' lead-ins, 关键词1—— / 美国——, are its subheads: the lone one is a kicker)
        if sum(s.text.endswith("——") for s in body) == 1:
            return i + 2, _LEAD
    if j - i >= 2 and ended(body[i - 1].text):
        if texts[0][-1] in "）)" and _deck(texts[1]) and column_title(texts[0]):
            return i + 2, _LABELLED
        # (a kicker over a column's title, the run no longer than the head and the body's first
        # line the column cut: 湖北武汉 / 发热筛查前移 帮助预约就诊（社区防控，我们在行动）)
        alone = j - i == 2 or j - i == 3 and len(texts) > 3 and cut_opening(texts[2], texts[3])
        if alone and texts[1][-1] in "）)" and column_title(texts[1]):
            if not (closes_on_label(texts[0]) or ends_paragraph(texts[0])):
                return i + 2, _LABELLED if j - i == 2 else _CUT_UNDER
    above = body[i - 1].text
    if j - i == 1 and len(texts) > 1 and running(texts[1]) and not is_cut_piece(above, texts[0]):
        # (a column's title alone over its text: 667 heads under a closed paragraph on the
        # development months; in bodies two documents printed in full under …全文如下。)
        if texts[0][-1] in "）)" and column_title(texts[0]) and texts[1][0] not in "（(":
            if not _IN_FULL.fullmatch(above):
                return i + 1, _LABELLED
    att = next((t for t in (1, 2) if t < j - i and _MEETING_DECK.fullmatch(texts[t])), 0)
    if att and ended(body[i - 1].text):
        return i + att + 1, _ATTEND
    return 0, ""


def _photo(d, i: int, j: int):
    """A photo's title (maybe under its kicker), `body[i:j]`, over its caption and the credit
    closing the body: the new draft, else None. On the development months 159 titles stand alone
    over one or two captions ending a sentence and a credit (…摄, …供图) under a closed paragraph,
    10 under a kicker; no body line (a picture inside an article has no head of its own)."""
    body, kinds = d.body, d.kinds
    if j < len(kinds) and kinds[j] == SHORT:
        return None  # (a run of more than two lines)
    c = j + 1  # (the credit: under one caption, or two, either maybe cut by the column)
    while c < len(kinds) and c <= j + 3 and kinds[c] in (PARA, SHORT):
        c += 1
    if c >= len(kinds) or kinds[c] != BYLINE_END or kinds[j] != PARA:
        return None
    credit = body[c].text
    if "摄" not in credit and "供图" not in credit or not ends_paragraph(body[c - 1].text):
        return None
    if any(k in (PARA, SHORT) for k in kinds[c + 1 :]) or not ended(body[i - 1].text):
        return None  # (the credit closes the body: what the pass glued above it ends there)
    if is_cut_piece(body[j - 1].text, body[j].text):
        return None  # (a caption's first piece the column cut: 近日，连云港沿 / 海40多万亩…)
    for s in body[i:j]:
        t = s.text
        if t[0] in BOX or t[0] in "（(" or ends_paragraph(t) or CLOSER.fullmatch(t):
            return None
        if AGENCY.search(t):
            return None  # (a credit's piece the column cut: 陈运锋摄（ / 影像中国）)
    # (a photo's own captions run to 282 characters at most on the development months: a
    # caption's first piece the column cut under a caption is no title)
    if sum(len(s.text) for s in body[:i]) <= _CAPTIONS:
        return None
    return split_at(d, i, j, _PHOTO)


def column_title(line: str) -> bool:
    """A title closing on a column label; a writer's name and post (唐家三少（网络文学作家）) is
    none: every labelled title over a deck or under a kicker on the development months holds six
    characters or more before its label. A label's numbered part in brackets of its own
    (…（长三角见证高质量发展·江苏篇（上））: 19 printed titles, no other line) is left out."""
    line = _NESTED_PART.sub("", line)
    named = len("".join(re.split(r"[（(]", line, maxsplit=1)[0].split())) < 6
    labelled = closes_on_label(line) or bool(_COMMA_LABEL.fullmatch(line))
    return not named and labelled and not COMPANION.search(line)


_NESTED_PART = re.compile(r"[（(][^（）()]{1,6}[）)](?=[）)]$)")


def cut_opening(line: str, nxt: str) -> bool:
    """The body's first line cut by the column under a head: it reads on (`is_cut_piece`) or
    holds a clause mark before its end, ending none (1月28日一大早，…对办公室进行消毒 / 以后，…;
    of 808 printed kicker + labelled title heads, 2 carry a subtitle so set)."""
    if is_cut_piece(line, nxt):
        return True
    return (
        not line.startswith("——")
        and not ends_paragraph(line)
        and bool(_CLAUSE_MARK.search(line[:-1]))
    )


_CLAUSE_MARK = re.compile(r"[，,。！？!?]")


# A column label in two parts set apart by a comma (…（社区防控，我们在行动）, …（全面小康，“三农”
# 怎么干①）): 31 heads on the development months' printed articles, no body line (one note in
# brackets closing an e-mail address, a colon before it).
_PART = r"[^（）()。；;：:，,]{2,}"
_COMMA_LABEL = re.compile(rf"[^：:]{{4,}}[（(]{_PART}[，,]{_PART}[）)]")


def _deck(line: str) -> bool:
    """A deck under its title: a clause or two, no sentence ended, no note in brackets."""
    return ("，" in line or "," in line) and line[0] not in "（(" and not ends_paragraph(line)


def split_at(d, i: int, k: int, form: str):
    """Draft `d` split at the head `body[i:k]` read as `form`: the new draft, `d` left with what
    stood above; None (and `d` untouched) when the head gives no title."""
    body, kinds, values = d.body, d.kinds, d.values
    if form == _DATED:  # (the line over the date is the title: 36 of 36 such heads)
        title, kicker, subtitle, rest = body[k - 2 : k - 1], body[i : k - 2], body[k - 1 : k], []
    elif form in (_PHOTO, PLACED):  # (the last line the title, a line over it its kicker)
        title, kicker, subtitle, rest = body[k - 1 : k], body[i : k - 1], [], []
    elif form == _BRIEFS:  # (the label's box mark is the page's furniture)
        title, mark = unbox(d, i)
        kicker, subtitle, rest = [], [], [mark]
    elif form == _LEAD:  # (no title closes on a lead-in dash: i54)
        title, kicker, subtitle, rest = body[i + 1 : k], body[i : i + 1], [], []
    else:  # (a column's title over its deck: the title, the deck its subtitle)
        title, kicker, subtitle, rest = parse_heads(body[i:k])
    if not title:
        return None
    new = type(d)(title, kicker, subtitle)
    new.heads, new.end = body[i:k], d.end
    new.body = rest + body[k:]
    new.kinds = [SHORT] * len(rest) + kinds[k:]
    new.values = [""] * len(rest) + values[k:]
    if form == _CUT_UNDER:
        new.kinds[0] = PARA  # (running text, as printed: no subtitle, joined to the line below)
    elif form == _BRIEFS:
        new.kinds[0] = FURNITURE
    new.has_para = PARA in new.kinds
    dates = (v for kd, v in zip(new.kinds, new.values, strict=True) if kd == PARA)
    new.dated = bool(next(dates, ""))
    del body[i:], kinds[i:], values[i:]
    d.end = body[-1].end
    return new
