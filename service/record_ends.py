"""Paragraph ends a record keeps: a text sent on its own whose lines show no column cut.

A record (`text.single_article`: classify, summarise, the servers' article calls) usually holds
an article as an archive stores it, whole paragraphs one a line. Body cleaning's join reads a
line ending on no sentence end as a paragraph a column cut, and joins it to the next: right for
text pasted from a page, but in a record of whole paragraphs it glued a deck or subhead to the
story, and the lead opened on both (…有助于数字经济的长远发展随着“互联网+”…). Such a record shows
no sign of a cut on any seam (`cut_pieces.is_cut_piece`: no mark that cannot end or open a line,
no quote or bracket left open, no number cut from its unit, no word across), where a page's cut
paragraphs nearly always show one. In it the fitted reading of the seam (`service.seams`) is
asked about a line of any length and trusted from SURE up, where the line holds no sentence end
or ； (a cut paragraph's first piece often does: …在不断增加。日本厚生劳动省 / 9月26日…) and is
not the rest of a line a dateline opened. Pages and training texts keep their reading (only
`single_article` asks for it).
"""

from __future__ import annotations

__all__ = ["SURE", "SURE_MID", "keeps_end", "off", "reader", "whole_paragraphs"]

from collections.abc import Callable, Sequence
from contextlib import contextmanager

from service.documents import Span
from service.seams import ends_printed, reads

# The seam reading's log-odds trusted in a record without cuts, where pages need 2.94 (p 0.95:
# a page's seams are mostly cuts): 2.0 (p 0.88) for the body's first line, where decks stand,
# 2.5 below it. Chosen on the development months' records and the same records cut as
# `training.pages_eval` cuts them, seeds 0-9: no break repaired is lost (2.0 below lost 2).
SURE = 2.0
SURE_MID = 2.5
_ANY_LENGTH = 1 << 30  # (`seams.reads`' length bound, lifted)
_ENDS = frozenset("。！？!?；;")
_OFF = [False]  # (set aside by `off`)


def whole_paragraphs(lines: Sequence[Span]) -> bool:
    """True when no seam between the lines shows a column cut: a record of whole paragraphs."""
    if _OFF[0] or len(lines) < 2:
        return False
    from service.cut_pieces import is_cut_piece  # (it imports service.text, which imports us)

    texts = [s.text for s in lines]
    return not any(map(is_cut_piece, texts, texts[1:]))


def reader(raw: str, lines: Sequence[Span]) -> Callable[[int], bool]:
    """`keeps_end` for one record's lines (spans into `raw`); whether they show a cut is read
    once, at the first seam that asks (most records' lines all end sentences: none asks)."""
    whole: list[bool] = []

    def keeps(i: int) -> bool:
        return keeps_end(raw, lines, i, whole)

    return keeps


def keeps_end(raw: str, lines: Sequence[Span], i: int, whole: list[bool]) -> bool:
    """True when line i - 1 of a record of whole paragraphs ends a printed paragraph though it
    ends on no sentence end (asked where the column-break test would join it to line i);
    `whole` holds whether the lines show no cut once read."""
    prev, nxt = lines[i - 1].text, lines[i].text
    first = i == 1
    if not reads(prev, nxt, first, _ANY_LENGTH) or not _ENDS.isdisjoint(prev):
        return False
    if first and raw[raw.rfind("\n", 0, lines[0].start) + 1 : lines[0].start].strip():
        return False  # (the rest of a line a dateline opened: the story, never a deck over it)
    if not whole:
        whole.append(whole_paragraphs(lines))
    return whole[0] and ends_printed(prev, nxt, first, SURE if first else SURE_MID)


@contextmanager
def off():
    """Records read as pages are, for the block's length (a before for measuring)."""
    _OFF[0] = True
    try:
        yield
    finally:
        _OFF[0] = False
