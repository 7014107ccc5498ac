"""Pages extracted one printed line a line: a narrow column's paragraphs joined again.

pdftotext's default layout and OCR give each printed line of a column as a line of its own: a
paragraph becomes lines of one width (14–24 characters in a newspaper column), each ending
mid-word, and the page pass reads them as short head lines. `unwrap` finds such runs and joins
their lines before the pass; `Unwrapped.restore` maps what the pass found back to the caller's
text, so every offset still indexes the page as sent.

A run opens where two lines in a row of running text have one width (10–30) and the first reads on
(no sentence end); a line inside it at least as wide as the run less one (wider: half-width digits
and letters put more characters on a printed line, and a cut skipped after a sentence end makes a
line of two) that reads on is joined to the line below. A shorter line, or one ending a sentence,
ends the paragraph; so does a line below that is indented or opens on a dateline. The run's first
line is joined as well: a head exactly as wide as the column under it is much rarer than a
paragraph's first printed line with no comma in it (docs/pages.md has both readings' figures). On a
page of such runs, a paragraph of two printed lines is joined when the first is as wide as a run
and reads as running text (`_two_lines`). Runs of lines with hardly a comma or full stop (a table,
a list, a table of contents) are left as they are, and so is a page with few runs: pages set one
paragraph a line pay one pass over their lines' lengths.
"""

from __future__ import annotations

__all__ = ["Unwrapped", "unwrap", "page_lines"]

import re
from bisect import bisect_right
from dataclasses import replace
from functools import partial

import numpy as np

from service.documents import Body, Span
from service.lines import PARA, SHORT, classify, lines

MIN_WIDTH, MAX_WIDTH = 10, 30  # a printed column's width in characters
MIN_RUNS = 1  # three lines in a row of one width somewhere on the page: else no pass
MIN_SHARE = 0.2  # nor under this share of its lines (heads of one width by chance)
MIN_JOINS = 3  # fewer joins than this on a page: its lines are read as they are
_ENDS = frozenset("。！？!?；;：:…”’」』）)")  # a line ending on one of these may end its paragraph
_RUNNING = re.compile(r"[，,。；;]")  # running text: a clause or a sentence ends inside
_INSIDE = re.compile(r"[，,。；;、]")
_NON_INITIAL = frozenset("，,、。．；;：:！？!?）)」』”’】》.的")  # no paragraph opens on these
_INDENT = frozenset(" \t\u3000")  # a line indented in the text opens a paragraph


class Unwrapped:
    """A page's text with its printed lines joined, and where characters were taken out."""

    __slots__ = ("text", "at", "gone")

    def __init__(self, text: str, at: list[int], gone: list[int]) -> None:
        self.text = text
        self.at = at  # the joined text's positions right after each seam, increasing
        self.gone = gone  # characters taken out up to and with each seam (the whitespace)

    def pos(self, p: int) -> int:
        """The caller's offset of the joined text's position `p`."""
        k = bisect_right(self.at, p)
        return p + (self.gone[k - 1] if k else 0)

    def end(self, e: int, start: int) -> int:
        # An end at a seam is where the line above ended, not past the whitespace taken out.
        return self.pos(e - 1) + 1 if e > start else self.pos(e)

    def spans(self, spans: tuple[Span, ...]) -> tuple[Span, ...]:
        """Spans of the joined text as spans of the caller's: one cut at each seam inside."""
        out = []
        for s in spans:
            a = s.start
            k = bisect_right(self.at, a)
            while k < len(self.at) and self.at[k] < s.end:
                b = self.at[k]
                out.append(Span(self.pos(a), self.end(b, a), self.text[a:b]))
                a, k = b, k + 1
            out.append(Span(self.pos(a), self.end(s.end, a), self.text[a : s.end]))
        return tuple(out)

    def body(self, body: Body) -> Body:
        return Body.of_runs(body.text, partial(_runs, body, np.array(self.at), self.gone))

    def restore(self, page):
        """The page the pass read from the joined text, its offsets the caller's."""
        articles = tuple(
            replace(
                a, body=self.body(a.body), start=self.pos(a.start), end=self.end(a.end, a.start)
            )
            for a in page.articles
        )
        parts = tuple({k: self.spans(v) for k, v in p.items()} for p in page.parts)
        return type(page)(articles, self.spans(page.furniture), parts, page.warnings)


def _runs(body: Body, at: np.ndarray, gone: list[int]) -> tuple[list[int], list[int]]:
    # (`Body.of_runs`: one run a code point, read only when a caller asks for offsets)
    idx = body.index
    shift = np.concatenate(([0], np.array(gone, dtype=np.int64)))[np.searchsorted(at, idx, "right")]
    return (idx + shift - np.arange(len(idx))).tolist(), [1] * len(idx)


def _runs_of_one_width(lens: list[int]) -> int:
    return sum(
        1
        for a, b, c in zip(lens, lens[1:], lens[2:], strict=False)
        if a == b == c and MIN_WIDTH <= a <= MAX_WIDTH
    )


def unwrap(raw: str, spans: list[Span]) -> Unwrapped | None:
    """`raw` with the printed lines of its paragraphs joined, or None when its lines are its
    paragraphs (most pages: one pass over the lines' lengths)."""
    lens = [s.end - s.start for s in spans]
    if _runs_of_one_width(lens) < MIN_RUNS:
        return None
    joins = []
    widths = set()  # the widths runs opened at
    width = 0  # the width of the run being read, 0 outside one
    for i in range(len(spans) - 1):
        n, line, below = lens[i], spans[i], spans[i + 1]
        reads_on = line.text[-1] not in _ENDS
        at_width = width and width - 1 <= n <= 3 * width + 1
        if reads_on and at_width and _continues(raw, line, below):
            joins.append(i)
            continue
        # A run opens (its first line joined too: a head as wide as the run is seldom).
        width = n if reads_on and MIN_WIDTH <= n <= MAX_WIDTH and lens[i + 1] == n else 0
        if width and _continues(raw, line, below):
            widths.add(width)
            joins.append(i)
        else:
            width = 0
    joins = _running_text(spans, joins)
    if len(joins) < max(MIN_JOINS, MIN_SHARE * len(spans)):
        return None
    joins = sorted(joins + _two_lines(raw, spans, lens, set(joins), widths))
    parts, at, gone = [], [], []
    pos = taken = 0
    for i in joins:
        a, b = spans[i].end, spans[i + 1].start
        parts.append(raw[pos:a])
        taken += b - a
        pos = b
        at.append(b - taken)
        gone.append(taken)
    parts.append(raw[pos:])
    return Unwrapped("".join(parts), at, gone)


def page_lines(raw: str) -> tuple[str, list[Span], Unwrapped | None]:
    """The text the page pass reads (`raw`, or its printed lines joined), its lines, and the
    `Unwrapped` that maps offsets back (None: the text is `raw`)."""
    spans = lines(raw)
    wrapped = unwrap(raw, spans)
    return (raw, spans, None) if wrapped is None else (wrapped.text, lines(wrapped.text), wrapped)


def _first_line(text: str, below: str) -> bool:
    """A line that is no head but its paragraph's first printed line: it opens on a dateline,
    holds a clause mark (a head seldom does, a printed line of running text most often), or the
    line below opens on a mark no line opens with."""
    return below[0] in _NON_INITIAL or bool(_INSIDE.search(text)) or bool(classify(text)[1])


def _two_lines(
    raw: str, spans: list[Span], lens: list[int], joined: set[int], widths: set[int]
) -> list[int]:
    """On a page of printed lines, a paragraph of two: a first line as wide as a run on the
    page that reads on (`_first_line`), over a last no wider that ends a sentence."""
    out = []
    for i in range(len(spans) - 1):
        if lens[i] not in widths or i in joined or i - 1 in joined or i + 1 in joined:
            continue
        line, below = spans[i], spans[i + 1]
        if line.text[-1] in _ENDS or below.text[-1] not in _ENDS or lens[i + 1] > lens[i] + 2:
            continue
        if _first_line(line.text, below.text) and _continues(raw, line, below):
            out.append(i)
    return out


def _running_text(spans: list[Span], joins: list[int]) -> list[int]:
    """The joins of paragraphs that read as running text: in at least a third of their lines a
    comma or a full stop (a table, a list or a table of contents set one item a line has none)."""
    kept: list[int] = []
    group: list[int] = []
    for i in [*joins, -2]:
        if group and i != group[-1] + 1:
            held = [spans[k].text for k in range(group[0], group[-1] + 2)]
            if 3 * sum(bool(_RUNNING.search(t)) for t in held) >= len(held):
                kept += group
            group = []
        group.append(i)
    return kept


def _continues(raw: str, line: Span, below: Span) -> bool:
    """The line below can be the next printed line of `line`'s paragraph: only whitespace
    between them, not indented, both running text or short lines (no header, credit, jump or
    heading), and the line below opens on no dateline (a paragraph's first line)."""
    gap = raw[line.end : below.start]
    if not gap.isspace() or gap[-1] in _INDENT:
        return False
    kind, dateline = classify(below.text)
    return kind in (PARA, SHORT) and not dateline and classify(line.text)[0] in (PARA, SHORT)
