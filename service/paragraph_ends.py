"""Paragraph ends the column-break test reads as cuts: kept apart when a body's lines are joined.

`text.is_column_break` joins a line not ending a sentence to the next. Printed bodies end some
paragraphs so: a pull quotation standing as its own paragraph (“不为名来、不为利去”), a note
closing a paragraph after its last sentence (…增长6.5%。（见表3）), and in-body subheads in a
series of like lines (耐心倾听，分类关怀 … 基层历练，打牢根基). Read in body cleaning's join
only (after the pass: the heads the pass reads, and so the fitted parts, stay as they were).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.documents import Span
from service.seams import ends_printed, reads

__all__ = ["kept_apart"]

_ENDS = "。！？!?…"
_OPEN_QUOTES, _CLOSE_QUOTES = "“「『", "”」』"
_SUBHEAD = 30  # the longest subhead closing on a quotation kept apart
_NOTES = re.compile(r"[。！？!?…](?:[（(][^（）()]*[）)])+$")
# An in-body subhead of two halves of one length about a comma or colon (耐心倾听，分类关怀).
# (Han only: a figure at a cut, 据海关统计，1月24日, has no word to cross the seam)
_PAIRED = re.compile(r"([\u4e00-\u9fff“”‘’《》·]{2,14})[，,：:、]([\u4e00-\u9fff“”‘’《》· ]{2,14})")
# A numbered subhead (一、中小城市的地位): its 、 makes it running text to is_heading_like.
_NUMBERED = re.compile(r"[一二三四五六七八九十]{1,3}、[^，。！？；：,;:!?、]{1,20}")
_SERIES = 2  # other such lines in the body: subheads set in a series, not a chance cut
_LEAD_IN = 20  # a line ending on —— longer than this leads into a paragraph
_SHORT = 29  # the longest line _NUMBERED or _PAIRED matches


def _paired(line: str) -> bool:
    m = _PAIRED.fullmatch(line)
    return m is not None and len(m.group(1)) == len(m.group(2))


def kept_apart(lines: Sequence[Span], i: int) -> bool:
    """True when line i - 1 of a body's lines ends a printed paragraph though it ends on no
    sentence end (called only where the column-break test would join it to line i)."""
    prev = lines[i - 1].text
    last = prev[-1]
    if last in _CLOSE_QUOTES:
        # A whole line in quotation marks: a quoted sentence set as a paragraph of its own; or
        # a subhead closing on a quoted phrase (分类有序复工，开设“绿色通道”) over a paragraph.
        if prev[0] in _OPEN_QUOTES and len(prev) <= 60:
            return True
        from service.text import ends_paragraph  # (text imports this module)

        return len(prev) <= _SUBHEAD and ends_paragraph(lines[i].text)
    if last in "）)":
        # Notes after the paragraph's last sentence (。（见表3）（见表4）), or a line wholly in
        # brackets (（作者为…，本报记者…采访整理）).
        return bool(_NOTES.search(prev)) or (
            prev[0] in "（("
            and prev.count("（") + prev.count("(") == prev.count("）") + prev.count(")")
        )
    if last == "—":
        # A sentence leading into the next paragraph (有些镜头，将永远铭刻在人们的记忆中——);
        # a subhead's two parts across a dash (上海中共一大会址——) are short, left joined.
        if len(prev) <= _LEAD_IN or not prev.endswith("——") or prev.endswith("———"):
            return False
        if prev.count("“") > prev.count("”"):
            return False  # (a dash inside an open quotation: 将推出“戏韵动京城——)
        from service.text import ends_paragraph  # (text imports this module)

        return ends_paragraph(lines[i].text)
    nxt = lines[i].text
    if reads(prev, nxt, i == 1) and ends_printed(prev, nxt, i == 1):
        return True  # (a deck, a subhead with a comma: the seam's words read, service.seams)
    if len(prev) > _SHORT:
        return False  # (most lines the test joins: no subhead below, no pattern read)
    numbered = _NUMBERED.fullmatch(prev) is not None
    if numbered or _paired(prev):
        from service.text import cuts_word, ends_paragraph  # (text imports this module)

        # (a word across the seam says the column cut it: 招商引|资)
        if nxt[0] == "—" or not ends_paragraph(nxt) or cuts_word(prev, nxt):
            return False
        return numbered or sum(_paired(s.text) for s in lines) > _SERIES
    return False
