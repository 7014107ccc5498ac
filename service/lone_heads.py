"""Lone heads the splitting pass left inside a body, found once the page is read: where a run
of short lines stands in a draft's body (`service.glued` splits the draft there).

- a lone pair of plain head lines (湖北武汉 / …, 江苏省徐州市铜山区乡村游火了 / 好风景变成好“产品”)
  in a body holding no other short line but the column's cut pieces: `lone_head` (stop 31, i83);
  and a lone single line so when its words recur below it rather than above (`_names_below`: a
  title names its article; the column's cut first piece shares its article's words both ways).
- head lines under a report's closing line, who attended or the meeting's other business
  (王毅、何立峰参加会见。 / 会议还研究了其他事项。), and a kicker closing on a reporting verb
  over its title (…习近平签署通令 / 嘉奖…): `after_report` (stop 33, i98; `service.report_ends`).
"""

from __future__ import annotations

import re

from service.body_runs import AGENCY, BOX, MAX_HEAD, SHORT_MAX, ended, running, shorts
from service.composite import NOTE
from service.cut_pieces import is_cut_piece
from service.heads import CLOSER
from service.lines import PARA, SHORT
from service.report_ends import TOLD, report_end
from service.text import ends_paragraph, split_dateline

__all__ = ["after_report", "lone_head"]

# A head line with no running punctuation, mark or bracket (subheads over a summing-up deck
# carry commas; a writer's name and post is spaced: 阿里巴巴集团副总裁  刘  松).
_NOT_PLAIN = re.compile(r"[，,：:；;（）()■●◆▲◎【】]|——|^—|\s\s")
# A reader's letter signed with a place and a name (江西新余市 廖海金): 26 body lines of the
# development months, no head.
_SIGNED = re.compile(r"\S*[省市县区州镇乡村]\s+\S(?:\s?\S){1,2}")


def lone_head(d) -> tuple[int, int] | None:
    """Where `d`'s body holds the one run of one or two plain head lines (`_plain`), as
    `body[i:j]`, and no other short line but the column's cut pieces, under a closed paragraph
    and over running text: a title (maybe under its kicker, or over its deck) the score turned
    down. Subheads come in
    series: on the development months' printed articles 643 lone titles and 378 two-line heads
    stand so (the article above and their own holding no short paragraph), against 4 and 3
    body lines (a label 亲历者说, two credits, a document's title over its writer)."""
    body, kinds = d.body, d.kinds
    n = len(body)
    # (the pair or single line first, by its kinds and shape: most bodies hold none, and the
    # column's cut pieces, which may need the segmenter, are read only where one stands)
    for i in shorts(kinds):
        j = i + 2
        if j < n and kinds[i + 1] == SHORT and kinds[j] == PARA == kinds[i - 1]:
            if all(_plain(s.text) and not ends_paragraph(s.text) for s in body[i:j]):
                break
        if i + 1 < n and kinds[i + 1] == PARA == kinds[i - 1] and _names_below(body, i):
            j = i + 1  # (a lone single line: `_names_below`)
            break
    else:
        return None
    if not ended(body[i - 1].text) or not running(body[j].text):
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
    return i, j


def after_report(d) -> tuple[int, int] | None:
    """A run of one to three head lines right under a report's closing line (`report_end`), or
    of two or three opening on a kicker that closes on a reporting verb (`TOLD`) under a closed
    paragraph, over running text, as `body[i:j]`: the head of the next article, which the score
    turned down."""
    body, kinds = d.body, d.kinds
    n = len(body)
    for i in shorts(kinds):
        if kinds[i - 1] != PARA:
            continue
        # (the closing line or the kicker first: most short lines stand under neither)
        report, told = report_end(body, i - 1), body[i].text.endswith(TOLD)
        if not (report or told):
            continue
        j = i
        while j < n and kinds[j] == SHORT:
            j += 1
        if j - i > MAX_HEAD or j == n or kinds[j] != PARA:
            continue
        below = body[j].text + (body[j + 1].text if j + 1 < n else "")
        dated = told and bool(split_dateline(below)[0])
        if not (dated or running(body[j].text)):
            continue  # (a dateline the column cut opens the report under a reporting kicker)
        first = body[i].text
        if first[0] in BOX + "（(" or NOTE.fullmatch(first) or CLOSER.fullmatch(first):
            continue
        if any(ends_paragraph(t := s.text) or _cut_like(t) for s in body[i:j]):
            continue  # (the column's first piece of a paragraph: 班达里发表热情洋溢的)
        if not dated and is_cut_piece(body[j - 1].text, body[j].text):
            continue  # (the last line the column's cut piece of the paragraph under it)
        if report or told and j - i >= 2 and ended(body[i - 1].text):
            return i, j
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
    if t[-1] in _FUNCTION_END or not ended(body[i - 1].text) or not running(body[i + 1].text):
        return False  # (the last two tested again for a pair: cheap, and most lone lines stop here)
    if not _plain(t) or ends_paragraph(t) or AGENCY.search(t):
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
