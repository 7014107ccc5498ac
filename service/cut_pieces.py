"""Short lines that are pieces of a paragraph a column cut, not heads.

A column break leaves the end of a line, or a line's first word, on a line of its own; these
tests tell such a piece from a head by the seam: a mark that cannot end or open a line, an open
quote or bracket, a number cut from its unit, or a word across it (the segmenter's, asked last).
"""

from __future__ import annotations

import re

from service.text import (
    _CLAUSE,
    _MARKDOWN_HEADING,
    _NON_INITIAL,
    _PARTICLES,
    cuts_word,
    ends_paragraph,
)

__all__ = ["is_cut_piece", "joins_cut", "cuts_number"]


def is_cut_piece(line: str, nxt: str) -> bool:
    """A piece of the paragraph below that a column cut off: the two read on as one.

    (`is_column_break(line, nxt)` with a mark at the seam or a word across it, tested in the
    order that settles most lines without the segmenter.)"""
    seam = _seam(line, nxt)
    if seam is None:
        return False
    last, first = seam
    if first in _NON_INITIAL or last in _CLAUSE or _left_open(line, last, first):
        return True
    if ends_paragraph(line):
        return False
    return first in _PARTICLES or bool(_CLOSED_STUB.match(nxt)) or cuts_word(line, nxt)


# A line opening on a sentence's last word or two, closed at once (工作。会议要求…): the line
# above was cut from it between words, where no word test reads the seam. Printed paragraphs
# almost never open so: 30 of 76,524 in the development months' corpus, none opening a body
# (the rest sit under a subhead in a run of them: 控尘。 / 控车。).
_CLOSED_STUB = re.compile(r"[^\s，。！？；：、“”（）《》\d]{1,3}。")


def _left_open(line: str, last: str, first: str) -> bool:
    """The line leaves a quote or bracket open (heads close theirs: “培养担当民族复兴大任), or
    a number runs on into the next line or its unit (张闻天，190 / 0年出生, 1926 / 万公顷):
    `last` is the line's last character, `first` the next line's first. (Any digit, ① too:
    bodies' `cuts_number` reads Arabic ones only; read so here it lowered month out by 9.)"""
    if last.isdigit() and (first.isdigit() or first in _UNITS):
        return True
    # (a paragraph may leave a quote open: a quotation runs over several paragraphs)
    if len(line) > 40:
        return False
    if not _OPENS.search(line):
        return False  # (most lines open nothing: no counting)
    opened = line.count("“") + line.count("《") + line.count("（") + line.count("(")
    return opened > line.count("”") + line.count("》") + line.count("）") + line.count(")")


_OPENS = re.compile(r"[“《（(]")
# What follows a number in running text (the commonest after a digit on the development months:
# 10月, 70周年, 300余, 5个): a line ending on a digit over one opening with these is one number
# cut from its unit (进入10 / 月，). No head or paragraph there ending on a digit has a line
# opening with one under it (they open 问, 副, 主, “, 中…).
_UNITS = frozenset("万亿%％年月日个多名岁周余家元分点时天米例项次位条吨户件亩号倍秒")
_DIGITS = frozenset("0123456789０１２３４５６７８９")


def cuts_number(last: str, first: str) -> bool:
    """A number cut from its unit across the seam (当地时间22 / 日晚，…): `last` is the line's
    last character, `first` the next line's first. Arabic digits only: str.isdigit takes a
    series' ① (…之际① / 2016年…) for one. (Digit over digit is a table's rows in a body.)"""
    return last in _DIGITS and first in _UNITS


def joins_cut(line: str, nxt: str) -> bool:
    """Two short lines that are one cut line: mid-clause, or a word across the seam (a dash
    closing a kicker does not count)."""
    seam = _seam(line, nxt)
    if seam is None:
        return False
    last, first = seam
    if first in _NON_INITIAL or last in "，,、":
        return True
    return not ends_paragraph(line) and cuts_word(line, nxt)


def _seam(line: str, nxt: str) -> tuple[str, str] | None:
    """The seam's two characters, the line's last and the next line's first, where the two may
    read on (neither is a markdown heading), else None. (Each read once: each read of a Han
    character makes a string.)"""
    if not line or not nxt:
        return None
    first = nxt[0]
    if (line[0] == "#" and _MARKDOWN_HEADING.match(line)) or (
        first == "#" and _MARKDOWN_HEADING.match(nxt)
    ):
        return None
    return line[-1], first
