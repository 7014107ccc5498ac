"""Paragraph indentation as a page's own sign of where its paragraphs open.

E-papers, news sites and many PDF extractions open each paragraph on an indent (two ideographic
spaces, a few spaces, a tab); a column cut inside a paragraph leaves the line it carries over
unindented, and heads stand unindented too. Where the text around a body shows that habit
(`habit`), body cleaning's join (`service.text`) reads it before the words: an indented line
opens a paragraph, and an unindented line under an indented paragraph that ended on no sentence
end carries that paragraph on (a column cut, whatever its words). Every other seam (an
unindented line after a sentence end, head material) reads as without indentation, and a text
with no indented line reads exactly as before. The indent is whitespace the body does not keep:
lines are stripped spans, so offsets still index the input.
"""

from __future__ import annotations

__all__ = [
    "AROUND",
    "MIN_OPENS",
    "OPENS_SHARE",
    "CARRIED_SHARE",
    "CUT_SHARE",
    "LONG",
    "habit",
    "page_items",
    "reader",
]

from collections.abc import Callable, Sequence

from service.documents import Span
from service.lines import HEADING_MARKS, PARA, SHORT, classify

_INDENT = " \t\u3000"
AROUND = 4000  # characters each side of a body read for the habit (bounded: a long text's
# bodies each read their neighbourhood, never the whole text)
# Chosen on the first 2,000 development pages (`training.pages_eval --indent ideographic`): 87%
# of them show the habit; of the same pages unindented with a random 30%, 60% or 80% of lines
# indented 0.1%, 0.8%, 1.6% do, and 12% of the indented pages with 30% more lines indented.
MIN_OPENS = 3  # indented lines after a sentence end, at the least
OPENS_SHARE = 0.7  # of the lines after a sentence end, at least this share indented
CARRIED_SHARE = 0.2  # of the lines under a long line ending on no sentence end, at most this
CUT_SHARE = 0.05  # and of those, at most this share indented where the seam cuts (`_cut`)
LONG = 30  # a line longer than a head: unfinished, most often a cut paragraph's first piece
_ENDS = "。！？!?…；;：:"
_CLOSERS = "”’」』）)】》\"'"
# What no paragraph opens on (service.text's marks and particles): such a line carries one on.
_NON_INITIAL = frozenset("，,、。．；;：:！？!?）)」』”’】》.的们吗呢吧么")


def _ends(line: str) -> bool:
    core = line.rstrip(_CLOSERS)
    return bool(core) and core[-1] in _ENDS


def _cut(prev: str, nxt: str) -> bool:
    """The seam shows a column cut whatever the indent says: the line above ends on a comma or
    、, or a dictionary word runs across (招商引|资)."""
    from service.text import cuts_word  # (text imports this module)

    return prev[-1] in "，,、" or cuts_word(prev, nxt)


def habit(text: str) -> bool:
    """True when `text`'s lines are indented as paragraphs are: at least MIN_OPENS lines after
    a sentence end indented, OPENS_SHARE of them or more; of the lines under a LONG line ending
    on no sentence end (a cut paragraph's first piece, most often), at most CARRIED_SHARE
    indented, and at most CUT_SHARE indented where the seam shows a cut (a stray indent)."""
    opens = opened = runs = carried = cut = 0
    prev = ""
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        indented = line[0] in _INDENT
        if prev:
            if _ends(prev):
                opens += 1
                opened += indented
            elif len(prev) > LONG:
                runs += 1
                carried += indented
                cut += indented and _cut(prev, stripped)
        prev = stripped
    return (
        opened >= MIN_OPENS
        and opened >= OPENS_SHARE * opens
        and carried <= CARRIED_SHARE * runs
        and cut <= CUT_SHARE * runs
    )


def page_items(raw: str, spans: Sequence[Span]) -> list[tuple[Span, str, str]]:
    """A page's lines with their kinds (`service.lines.classify`). On a page with the indenting
    habit, a short line indented, ending on no sentence end, over an unindented line of running
    text is a cut paragraph's first piece (几内亚总统 / 孔戴表示，…), not a head: running text
    too. (Only there: an indented head over an indented line, as a converter's stray indent
    leaves it, stays a head.)"""
    items = [(s,) + classify(s.text) for s in spans]
    # (a first look in C: most pages have no line opening on whitespace, and read as before)
    if not (raw[:1] in _INDENT or any(f"\n{c}" in raw for c in _INDENT)) or not habit(raw):
        return items
    for i in range(len(items) - 1):
        s, kind, _ = items[i]
        if (
            kind == SHORT
            and items[i + 1][1] == PARA
            and not _ends(s.text)
            and _indented(raw, s)
            and not _indented(raw, items[i + 1][0])
        ):
            items[i] = (s, PARA, "")
    return items


def _indented(raw: str, s: Span) -> bool:
    # (the line's first character: spans are stripped, a dateline cut keeps its line's start)
    start = raw.rfind("\n", 0, s.start) + 1
    return start < s.start and raw[start] in _INDENT


def reader(raw: str, lines: Sequence[Span]) -> Callable[[int], bool | None] | None:
    """For a body's lines (spans into `raw`, asked about seams 1, 2, … in order): True where
    line i opens a paragraph by its indent, False where it carries an indented paragraph on,
    None where indentation says nothing. None when the text around shows no indenting habit."""
    # (no line of the body indented, most bodies: nothing to read, one character a line looked at)
    if len(lines) < 2 or not (
        _indented(raw, lines[0]) or any(raw[s.start - 1] in _INDENT for s in lines[1:])
    ):
        return None
    lo, hi = max(0, lines[0].start - AROUND), lines[-1].end + AROUND
    if not habit(raw[raw.rfind("\n", 0, lo) + 1 : hi]):
        return None
    marks = [_indented(raw, s) for s in lines]
    state = [marks[0]]  # whether the paragraph being read opened on an indent

    def says(i: int) -> bool | None:
        text = lines[i].text
        if text[0] == "#" and HEADING_MARKS.match(text):
            state[0] = False
            return None  # (a markdown heading: its marks say more)
        prev = lines[i - 1].text
        if marks[i]:
            if text[0] in _NON_INITIAL or (not _ends(prev) and _cut(prev, text)):
                return None  # (an indent where the seam shows a cut: a stray one)
            state[0] = True
            return True
        if state[0] and not _ends(prev):
            return False
        state[0] = False  # (an unindented line after a sentence end: read as without indents)
        return None

    return says
