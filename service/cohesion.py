"""How much the text after a bare head goes on with the text before it: the bigram overlaps of
the head score (`service.heads`), kept apart because they cost most of its time.
"""

from __future__ import annotations

__all__ = ["WINDOW", "cohesion", "grams", "lines_after", "overlap", "window_grams"]

import operator
import re

from service.documents import Span
from service.lines import PARA, SHORT

WINDOW = 240  # characters each side compared
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def grams(text: str) -> set[str]:
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        out.update(map(operator.add, run, run[1:]))
    return out


def window_grams(texts: list[str], from_end: bool) -> set[str]:
    """Bigrams of up to WINDOW characters of consecutive lines (no bigram across two lines)."""
    keep: list[str] = []
    n = 0
    for t in reversed(texts) if from_end else texts:
        if n + len(t) > WINDOW:
            keep.append(t[len(t) - (WINDOW - n) :] if from_end else t[: WINDOW - n])
            break
        keep.append(t)
        n += len(t)
    # One pass over the window, lines set apart by a newline (no CJK run crosses it): a page's
    # lines seldom sit in two windows, so bigrams kept per line were hardly ever reused.
    return grams("\n".join(keep))


def overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def cohesion(before: str, after: str) -> float:
    """How much the text after a head goes on with the text before it: shared character
    bigrams over the smaller set (0 = a new topic, 1 = the same words)."""
    return overlap(grams(before[-WINDOW:]), grams(after[:WINDOW]))


def lines_after(items: list[tuple[Span, str, str]], at: int) -> list[str]:
    out, n = [], 0
    for span, kind, _ in items[at:]:
        if kind not in (PARA, SHORT):
            break
        out.append(span.text)
        n += len(span.text)
        if n >= WINDOW:
            break
    return out
