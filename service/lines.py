"""The lines of a page and what each line is: decided once, from the line alone.

`classify` gives each line its kind and what the deciding check found (the credit of a byline
line, the page of a 下转 jump, the dateline opening a paragraph). `service.pages` and
`service.text.clean_body` hand both to `service.text.clean_lines`, which tests no line again:
each rule (furniture, a credit, a jump, a dateline) runs once per line, here.
"""

from __future__ import annotations

__all__ = [
    "HEADING",
    "FURNITURE",
    "CONTINUES",
    "BYLINE_END",
    "BYLINE_START",
    "SHORT",
    "PARA",
    "lines",
    "line_kind",
    "classify",
    "heading_text",
    "HEADING_MARKS",
]

import re

from service.credits import (
    CREDIT_LAST,
    DATELINE_FIRST,
    byline_end,
    byline_start,
    read_dateline,
)
from service.documents import _SET_END, _SET_START, _SET_TEXT, Span
from service.furniture import (
    FURNITURE_MAX,
    JUMP_MARK,
    continues_to,
    furniture_line,
    is_furniture,
)

HEADING = "heading"  # a markdown heading: always opens an article
FURNITURE = "furniture"  # headers, digests, 版次 markers, mastheads, editor credits, 上接
CONTINUES = "continues"  # 下转N版: closes an article
BYLINE_END = "byline_end"  # (贵阳日报融媒体中心 代晓龙): closes an article
BYLINE_START = "byline_start"  # 本报评论员 / 新华社记者 周芷若: opens a body, or closes one
SHORT = "short"  # a bare short line: a title, kicker, subtitle, subhead, or a column-cut piece
PARA = "para"  # running text

# A markdown heading's marks: 1–6 `#` and a space (`## 标题`). Text pasted from an extractor
# often drops the space (`##标题`): read as the same heading when two or more marks stand right
# before the text; one `#` so (`#话题#`, a hashtag) stays text. Any space counts: a no-break
# space (`##&nbsp;标题` from HTML) as well as a plain or ideographic one. The one home of the rule.
HEADING_MARKS = re.compile(r"#{1,6}(?=\s)|#{2,6}(?=[^#\s])")
_HEADING = re.compile(rf"(?P<marks>{HEADING_MARKS.pattern})\s*(?P<text>.*)")
_SHORT_MAX = 40  # most headlines; a longer one with no comma at all is short too (≤ 64)
_LONG_HEAD_MAX = 64
_OPEN_END = set("。，,、；;：:…")  # a line ending in one of these is running text
_RUNNING = re.compile(r"[，,。；;]")
# A full stop inside a line, text after it: a sentence ended and another began (内容。新法案),
# which no head does; the line is running text the column cut.
_INNER_STOP = re.compile(r"。[^”’」』）)]")
# A column label closing a title: no sentence punctuation inside, set off with a space or a
# middle dot when it runs long (（新春走基层·脱贫攻坚一线见闻）, （守初心 担使命 找差距 抓落实）).
_TRAILING_LABEL = re.compile(r"[（(][^（）()。；;，,：:]*[\s·][^（）()。；;，,：:]*[）)]$")


def lines(raw: str, offset: int = 0) -> list[Span]:
    """The non-blank lines of `raw`, stripped, as spans into `raw` shifted by `offset`. (Pages
    and records come here without their zero-width marks: `service.invisible`.)"""
    out = []
    pos = offset
    put = out.append
    for s in raw.split("\n"):
        text = s.strip()
        if text:
            # (only whitespace before it: its first occurrence; strip gives the line itself
            # back when it has none around it, most lines: no search)
            a = pos if text is s else pos + s.find(text)
            # (Span(a, a + len(text), text) without its __init__'s frame: a Span a line)
            span = _NEW(Span)
            _SET_START(span, a)
            _SET_END(span, a + len(text))
            _SET_TEXT(span, text)
            put(span)
        pos += len(s) + 1
    return out


_NEW = object.__new__


def heading_text(line: Span) -> tuple[Span, Span] | None:
    """A markdown heading's marks (`##`) and its text, as spans; None for any other line."""
    m = _HEADING.fullmatch(line.text)
    if not m:
        return None
    text = m.group("text").strip()
    lead = m.group("text").find(text[:1]) if text else 0
    a = line.start + m.start("text") + lead
    return Span(line.start, line.start + m.end("marks"), m.group("marks")), Span(
        a, a + len(text), text
    )


def line_kind(line: str) -> str:
    """Classify one stripped line of a page (see the kind constants above)."""
    return classify(line)[0]


# The checks below need short lines: furniture and jumps ≤ 60 characters (FURNITURE_MAX),
# an opening credit ≤ 40, a closing one ≤ 80. Longer text is running text, told only by its
# dateline, and most lines of a page are such paragraphs.
_LONG = 80
# The kinds that carry no value, made once: most lines are one of these, and a tuple built per
# line is an allocation per line (what classify returns is only read).
_PARA, _SHORT, _FURNITURE = (PARA, ""), (SHORT, ""), (FURNITURE, "")


def classify(line: str) -> tuple[str, str]:
    """A stripped line's kind and what decided it: the tidied credit of a BYLINE_START or
    BYLINE_END line, the page of a CONTINUES jump ("3版"), the dateline opening a PARA line as
    printed with what separates it from the text ("本报讯　"), else ""."""
    n = len(line)
    # (each check's own first test asked here, ahead of its call: every line of a page is
    # classified, and most open and end on characters none of the checks can match)
    first = line[0]
    if n > _LONG and first != "#":
        # (`credits.may_open_dateline` written out, on the first character read above: asked
        # of every line, it was a call and two new strings a line; one line in ten passes)
        if first in DATELINE_FIRST or line.find("报", 1, 9) >= 0:
            dl, cut = read_dateline(line)
            if dl:
                return PARA, line[:cut]
        return _PARA
    last = line[-1]  # (read past the paragraphs: a third of a page's lines)
    m = _HEADING.fullmatch(line) if first == "#" else None
    if m:
        text = m.group("text").strip()
        return (FURNITURE if not text or is_furniture(text) else HEADING), ""
    if n <= FURNITURE_MAX:
        page = continues_to(line) if JUMP_MARK in line else ""
        if page:
            return CONTINUES, page
        if furniture_line(line):  # (stripped, at most FURNITURE_MAX long)
            return _FURNITURE
    credit = byline_end(line) if last in CREDIT_LAST else ""  # (stripped, at most _LONG)
    if credit:
        return BYLINE_END, credit
    credit = byline_start(line) if n <= 40 else ""
    if credit:
        return BYLINE_START, credit
    if first in DATELINE_FIRST or line.find("报", 1, 9) >= 0:  # (as above)
        dl, cut = read_dateline(line)
        if dl:
            return PARA, line[:cut]
    if last in _OPEN_END or "。" in line and _INNER_STOP.search(line):
        return _PARA
    # A long line may still be a head: one with no running punctuation, or a kicker leading in
    # to the title with a dash (…平均年龄…完成太空之旅——), or a title whose column label
    # runs long (扎实整改，让群众有更多获得感（守初心 担使命…·深入开展…主题教育）).
    head = line
    if len(line) > _SHORT_MAX and last in "）)":
        m = _TRAILING_LABEL.search(line)
        head = line[: m.start()] if m else line
    if len(head) <= _SHORT_MAX or (
        len(head) <= _LONG_HEAD_MAX and (not _RUNNING.search(head) or head.endswith("——"))
    ):
        return _SHORT
    return _PARA
