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
- a lone pair of plain head lines (湖北武汉 / …, 江苏省徐州市铜山区乡村游火了 / 好风景变成好“产品”)
  in a body holding no other short line but the column's cut pieces: `_lone_head` (stop 31, i83);
  and a lone single line so when its words recur below it rather than above (`_names_below`: a
  title names its article; the column's cut first piece shares its article's words both ways).
- head lines under a report's closing line, who attended or the meeting's other business
  (王毅、何立峰参加会见。 / 会议还研究了其他事项。), and a kicker closing on a reporting verb
  over its title (…习近平签署通令 / 嘉奖…): `_after_report` (stop 33, i98; `service.report_ends`).
"""

from __future__ import annotations

import re

from service.composite import NOTE
from service.head_parts import parse_heads
from service.heads import CLOSER, COMPANION, closes_on_label, is_cut_piece
from service.lines import BYLINE_END, PARA, SHORT
from service.report_ends import TOLD, report_end
from service.text import ends_paragraph, split_dateline

__all__ = ["split_glued", "column_title"]

_POINT = "●"
_BOX = "■●◆▲◎"
# A document's date (and where or by whom it was passed) in brackets, or its number.
_YEAR = r"(?:\d{4}|[〇○零一二三四五六七八九]{4})年"
_MONTH = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月"
_DOC_DATE = re.compile(
    rf"[（(]{_YEAR}{_MONTH}[^（）()]{{0,80}}[）)]|[（(]第[一二三四五六七八九十\d]{{1,4}}号[）)]"
)
# A document printed in full under the article announcing it: its title and date are body.
_IN_FULL = re.compile(r".*如下[。：:]")
_MAX_HEAD = 3
SHORT_MAX = 40  # (service.lines: a longer line is running text)
# A lead-in kicker closing on a dash (山东医疗队先后派出十二批医护疾控人员驰援湖北——).
_LEAD_IN = re.compile(r"[^。]{8,}——")
# A meeting's deck naming who chaired or attended it (中共中央总书记习近平主持会议,
# 李克强主持 栗战书…出席).
_MEETING_DECK = re.compile(
    r"[^，,。；;！？!?]{2,60}(?:主持会议|主持|出席|出席会议|出席并讲话|讲话|致辞)"
)
_POINTS, _DATED, _LEAD, _ATTEND, _LABELLED = "points", "dated", "lead-in", "attended", "labelled"
_PHOTO, _LONE, _REPORTED = "photo", "lone", "after a report"
PLACED = "a place over its title"  # (service.place_heads: the place its kicker)
_CUT_UNDER = "labelled over a cut line"  # (its first body line the column's cut piece)
_AGENCY = re.compile(r"影像中国|人民视觉|视觉中国|新华社发")
_CAPTIONS = 300
_UNDER_CLOSE = (_ATTEND, _LABELLED, _CUT_UNDER)
_NEAR = frozenset("●（(")  # what opens a line near the top of a run the shapes read
_DECK_END = frozenset("持席话辞议")  # (and how an attendees' deck ends)


def split_glued(d):
    """A new article inside draft `d`'s body, where a run of short lines under running text is
    a head by its shape (module docstring): the new draft, its body what followed; else None."""
    if d.composite or d.marked or SHORT not in d.kinds:  # (most bodies hold no short line)
        return None
    return _by_shape(d) or _after_report(d) or _lone_head(d)


def _shorts(kinds):
    """Each short line's index below a body's first line, found by list.index (most body lines
    are running text)."""
    i = 0
    while True:
        try:
            i = kinds.index(SHORT, i + 1)
        except ValueError:
            return
        yield i


def _by_shape(d):
    body, kinds = d.body, d.kinds
    n = len(body)
    # (a run under running text: only those with a point, a bracket or a dash near its top are
    # read further, most runs being a paragraph's piece the column cut)
    read = 0  # (short lines a head under closing lines took in: not read again)
    for i in _shorts(kinds):
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
        near = body[i + 1 : i + _MAX_HEAD + 1]
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
        if k and (new := _split(d, i, k, form)) is not None:
            return new


def _head_end(body, i: int, j: int) -> tuple[int, str]:
    """Where the head starting the run `body[i:j]` ends, when its shape says it is one (else 0),
    and which shape it is."""
    # (the lines under the head may be running text: a point or a date past 40 characters)
    texts = [s.text for s in body[i : i + _MAX_HEAD + 2]]
    if texts[0][0] in _BOX or NOTE.fullmatch(texts[0]) or CLOSER.fullmatch(texts[0]):
        return 0, ""  # (a box, or a note closing the text above: 献礼图书撷萃's points)
    m = next((t for t, x in enumerate(texts) if x.startswith(_POINT)), 0)
    if 0 < m <= min(j - i, _MAX_HEAD) and texts[m + 1 : m + 2] and texts[m + 1][0] == _POINT:
        return i + m, _POINTS
    dated = next(
        (t for t, x in enumerate(texts) if t and x[0] in "（(" and _DOC_DATE.fullmatch(x)), 0
    )
    if 0 < dated <= min(j - i, _MAX_HEAD - 1) and not _IN_FULL.fullmatch(body[i - 1].text):
        return i + dated + 1, _DATED
    if j - i >= 2 and _LEAD_IN.fullmatch(texts[0]) and texts[1][0] not in _BOX:
        if not _ended(body[i - 1].text) or len(texts) > 2 and is_cut_piece(*texts[1:3]):
            # (the end of the paragraph above, cut by the column: …在刘智明 / 工作时间表…——;
            # or a list's lead-in over its first item, cut: …不符合标准 / 的不允许进店；)
            return 0, ""
        # (a series' lead-ins, 关键词1—— / 美国——, are its subheads: the lone one is a kicker)
        if sum(s.text.endswith("——") for s in body) == 1:
            return i + 2, _LEAD
    if j - i >= 2 and _ended(body[i - 1].text):
        if texts[0][-1] in "）)" and _deck(texts[1]) and column_title(texts[0]):
            return i + 2, _LABELLED
        # (a kicker over a column's title, the run no longer than the head and the body's first
        # line the column cut: 湖北武汉 / 发热筛查前移 帮助预约就诊（社区防控，我们在行动）)
        alone = j - i == 2 or j - i == 3 and len(texts) > 3 and _cut_opening(texts[2], texts[3])
        if alone and texts[1][-1] in "）)" and column_title(texts[1]):
            if not (closes_on_label(texts[0]) or ends_paragraph(texts[0])):
                return i + 2, _LABELLED if j - i == 2 else _CUT_UNDER
    above = body[i - 1].text
    if j - i == 1 and len(texts) > 1 and _running(texts[1]) and not is_cut_piece(above, texts[0]):
        # (a column's title alone over its text: 667 heads under a closed paragraph on the
        # development months; in bodies two documents printed in full under …全文如下。)
        if texts[0][-1] in "）)" and column_title(texts[0]) and texts[1][0] not in "（(":
            if not _IN_FULL.fullmatch(above):
                return i + 1, _LABELLED
    att = next((t for t in (1, 2) if t < j - i and _MEETING_DECK.fullmatch(texts[t])), 0)
    if att and _ended(body[i - 1].text):
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
    if any(k in (PARA, SHORT) for k in kinds[c + 1 :]) or not _ended(body[i - 1].text):
        return None  # (the credit closes the body: what the pass glued above it ends there)
    if is_cut_piece(body[j - 1].text, body[j].text):
        return None  # (a caption's first piece the column cut: 近日，连云港沿 / 海40多万亩…)
    for s in body[i:j]:
        t = s.text
        if t[0] in _BOX or t[0] in "（(" or ends_paragraph(t) or CLOSER.fullmatch(t):
            return None
        if _AGENCY.search(t):
            return None  # (a credit's piece the column cut: 陈运锋摄（ / 影像中国）)
    # (a photo's own captions run to 282 characters at most on the development months: a
    # caption's first piece the column cut under a caption is no title)
    if sum(len(s.text) for s in body[:i]) <= _CAPTIONS:
        return None
    return _split(d, i, j, _PHOTO)


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


def _cut_opening(line: str, nxt: str) -> bool:
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


def _running(line: str) -> bool:
    """Running text: longer than a short line, or a sentence ended."""
    return len(line) > SHORT_MAX or ends_paragraph(line)


def _deck(line: str) -> bool:
    """A deck under its title: a clause or two, no sentence ended, no note in brackets."""
    return ("，" in line or "," in line) and line[0] not in "（(" and not ends_paragraph(line)


def _ended(above: str) -> bool:
    """The line above ends its paragraph: a sentence's end, a closing note (（综合…报道）) or a
    note wholly in brackets (（本系列评论到此结束）)."""
    return ends_paragraph(above) or bool(CLOSER.fullmatch(above) or NOTE.fullmatch(above))


def _split(d, i: int, k: int, form: str):
    body, kinds, values = d.body, d.kinds, d.values
    if form == _DATED:  # (the line over the date is the title: 36 of 36 such heads)
        title, kicker, subtitle, rest = body[k - 2 : k - 1], body[i : k - 2], body[k - 1 : k], []
    elif form in (_PHOTO, PLACED):  # (the last line the title, a line over it its kicker)
        title, kicker, subtitle, rest = body[k - 1 : k], body[i : k - 1], [], []
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
    new.has_para = PARA in new.kinds
    dates = (v for kd, v in zip(new.kinds, new.values, strict=True) if kd == PARA)
    new.dated = bool(next(dates, ""))
    del body[i:], kinds[i:], values[i:]
    d.end = body[-1].end
    return new


# A head line with no running punctuation, mark or bracket (subheads over a summing-up deck
# carry commas; a writer's name and post is spaced: 阿里巴巴集团副总裁  刘  松).
_NOT_PLAIN = re.compile(r"[，,：:；;（）()■●◆▲◎【】]|——|^—|\s\s")
# A reader's letter signed with a place and a name (江西新余市 廖海金): 26 body lines of the
# development months, no head.
_SIGNED = re.compile(r"\S*[省市县区州镇乡村]\s+\S(?:\s?\S){1,2}")


def _lone_head(d):
    """The one run of one or two plain head lines (`_plain`) in a body that holds no other
    short line but the column's cut pieces, under a closed paragraph and over running text: a
    title (maybe under its kicker, or over its deck) the score turned down. Subheads come in
    series: on the development months' printed articles 643 lone titles and 378 two-line heads
    stand so (the article above and their own holding no short paragraph), against 4 and 3
    body lines (a label 亲历者说, two credits, a document's title over its writer)."""
    body, kinds = d.body, d.kinds
    n = len(body)
    # (the pair or single line first, by its kinds and shape: most bodies hold none, and the
    # column's cut pieces, which may need the segmenter, are read only where one stands)
    for i in _shorts(kinds):
        j = i + 2
        if j < n and kinds[i + 1] == SHORT and kinds[j] == PARA == kinds[i - 1]:
            if all(_plain(s.text) and not ends_paragraph(s.text) for s in body[i:j]):
                break
        if i + 1 < n and kinds[i + 1] == PARA == kinds[i - 1] and _names_below(body, i):
            j = i + 1  # (a lone single line: `_names_below`)
            break
    else:
        return None
    if not _ended(body[i - 1].text) or not _running(body[j].text):
        return None
    if split_dateline(body[j - 1].text + body[j].text)[0] or _SIGNED.fullmatch(body[i].text):
        return None  # (a dateline the column cut: 本报北京10月 / 7日电; a reader's signature)
    for k in range(1, n - 1):
        t = body[k].text
        if kinds[k] != SHORT or ends_paragraph(t):
            continue
        cut = is_cut_piece(t, body[k + 1].text) or is_cut_piece(body[k - 1].text, t)
        if cut == (i <= k < j):
            return None  # (a piece of the pair the column cut, or another short line)
    return _split(d, i, j, _LONE)


def _after_report(d):
    """A run of one to three head lines right under a report's closing line (`report_end`), or
    of two or three opening on a kicker that closes on a reporting verb (`TOLD`) under a closed
    paragraph, over running text: the head of the next article, which the score turned down."""
    body, kinds = d.body, d.kinds
    n = len(body)
    for i in _shorts(kinds):
        if kinds[i - 1] != PARA:
            continue
        report, told = body[i - 1].text.endswith("。"), body[i].text.endswith(TOLD)
        if not (report or told):
            continue  # (most short lines stand under text ending no sentence: read no further)
        j = i
        while j < n and kinds[j] == SHORT:
            j += 1
        if j - i > _MAX_HEAD or j == n or kinds[j] != PARA:
            continue
        below = body[j].text + (body[j + 1].text if j + 1 < n else "")
        dated = told and bool(split_dateline(below)[0])
        if not (dated or _running(body[j].text)):
            continue  # (a dateline the column cut opens the report under a reporting kicker)
        first = body[i].text
        if first[0] in _BOX + "（(" or NOTE.fullmatch(first) or CLOSER.fullmatch(first):
            continue
        if any(ends_paragraph(t := s.text) or _cut_like(t) for s in body[i:j]):
            continue  # (the column's first piece of a paragraph: 班达里发表热情洋溢的)
        if not dated and is_cut_piece(body[j - 1].text, body[j].text):
            continue  # (the last line the column's cut piece of the paragraph under it)
        if report and report_end(body, i - 1) or told and j - i >= 2 and _ended(body[i - 1].text):
            return _split(d, i, j, _REPORTED)
    return None


def _cut_like(line: str) -> bool:
    """A line ending on a function character or holding two commas (44 and 5 of 6,224 printed
    titles; 1 of the 141 heads under a report's closing line): a piece of a sentence."""
    return line[-1] in _FUNCTION_END or line.count("，") + line.count(",") >= 2


def _plain(line: str) -> bool:
    return 4 <= len(line) <= SHORT_MAX and not _NOT_PLAIN.search(line)


# Characters a title never ends on and a piece of a sentence often does (的, 是, 在…): 3 of 648
# lone printed titles, 22.6 of 130.7 cut first pieces per rendering.
_FUNCTION_END = frozenset("的了是在中为由于对和与及从把将向被给以等着过地得之其这那有")


_HAN_PAIRS = re.compile(r"(?=([\u4e00-\u9fff]{2}))")  # (overlapping pairs of Han characters)


def _names_below(body, i: int) -> bool:
    """A lone plain line whose character pairs recur in the 300 characters below it more than in
    the 300 above (by half its pairs or more): a title names its own article; a piece the column
    cut from a paragraph shares its article's words both ways. 538 of 648 lone printed titles,
    5.4 of 130.7 cut first pieces that `is_cut_piece` misses."""
    t = body[i].text
    if t[-1] in _FUNCTION_END or not _ended(body[i - 1].text) or not _running(body[i + 1].text):
        return False  # (the last two tested again for a pair: cheap, and most lone lines stop here)
    if not _plain(t) or ends_paragraph(t) or _AGENCY.search(t):
        return False  # (and a credit's piece the column cut: 影像中国)
    own = set(_HAN_PAIRS.findall(t))
    if not own:
        return False
    below = "".join([s.text for s in body[i + 1 : i + 13]])[:300]
    down = len([p for p in own if p in below]) - len(own) / 2
    if down < 0:
        return False  # (the pairs above can only lower the count)
    above = "".join([s.text for s in body[max(0, i - 12) : i]])[-300:]
    return len([p for p in own if p in above]) <= down
