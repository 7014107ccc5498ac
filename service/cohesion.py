"""How much the text after a bare head goes on with the text before it: the bigram overlaps of
the head score (`service.heads`), kept apart because they cost most of its time.
"""

from __future__ import annotations

__all__ = [
    "WINDOW",
    "cohesion",
    "codes",
    "lines_after",
    "overlap",
    "shared",
    "short_overlap",
    "window_codes",
    "window_text",
]

import numpy as np

from service.documents import Span
from service.lines import PARA, SHORT

WINDOW = 240  # characters each side compared
_CJK_FIRST, _CJK_LAST = 0x4E00, 0x9FFF  # the CJK unified ideographs a bigram is made of
_SHORT = 40  # texts up to this long are read as a set (a head), longer ones as arrays


def codes(text: str) -> np.ndarray:
    """The text's distinct bigrams of CJK characters, as sorted integer codes (the first
    character's code point in the high half): a few array passes, five times faster than a
    set of two-character strings on a window of 240 characters."""
    if len(text) <= _SHORT:
        # (a head's few characters: the array passes cost more than a set)
        return np.array(
            sorted(
                {
                    (ord(x) << 16) | ord(y)
                    for x, y in zip(text, text[1:], strict=False)
                    if "\u4e00" <= x <= "\u9fff" and "\u4e00" <= y <= "\u9fff"
                }
            ),
            dtype=np.uint32,
        )
    a = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    cjk = (a - _CJK_FIRST) <= _CJK_LAST - _CJK_FIRST  # (one compare: below the first wraps)
    # Every pair's code, then the CJK ones (a code past 16 bits comes from no CJK pair)
    pairs = ((a[:-1] << 16) | a[1:])[cjk[:-1] & cjk[1:]]
    pairs.sort()
    first = np.empty(len(pairs), dtype=bool)
    first[:1] = True
    np.not_equal(pairs[1:], pairs[:-1], out=first[1:])
    return pairs[first]


def window_codes(texts: list[str], from_end: bool) -> np.ndarray:
    """Bigrams of up to WINDOW characters of consecutive lines (no bigram across two lines)."""
    return codes(window_text(texts, from_end))


def window_text(texts: list[str], from_end: bool) -> str:
    """Up to WINDOW characters of consecutive lines, the lines set apart by a newline (what
    `window_codes` reads)."""
    keep: list[str] = []
    n = 0
    for t in reversed(texts) if from_end else texts:
        if n + len(t) > WINDOW:
            keep.append(t[len(t) - (WINDOW - n) :] if from_end else t[: WINDOW - n])
            break
        keep.append(t)
        n += len(t)
    # One pass over the window, lines set apart by a newline (no CJK pair crosses it): a page's
    # lines seldom sit in two windows, so bigrams kept per line were hardly ever reused.
    return "\n".join(keep)


def short_overlap(short: str, window: str, window_codes: np.ndarray) -> float:
    """`overlap(codes(short), window_codes)` for a short text (a head) and a window with its
    codes: the short text's few bigrams looked for in the window's text (a CJK pair found
    there is one of its codes), no array made."""
    mine = {
        x + y
        for x, y in zip(short, short[1:], strict=False)
        if "\u4e00" <= x <= "\u9fff" and "\u4e00" <= y <= "\u9fff"
    }
    if not mine or not len(window_codes):
        return 0.0
    return sum(map(window.__contains__, mine)) / min(len(mine), len(window_codes))


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Shared bigrams over the smaller set (`codes`: sorted, distinct)."""
    if not len(a) or not len(b):
        return 0.0
    return shared(a, b) / min(len(a), len(b))


def shared(a: np.ndarray, b: np.ndarray) -> int:
    """How many codes two `codes` arrays share: the smaller looked up in the larger (sorted
    and distinct, each is found at its place or not at all; intersect1d's merge of two
    windows costs twice as long at these sizes)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    return int(np.count_nonzero(b.take(b.searchsorted(a), mode="clip") == a))


def cohesion(before: str, after: str) -> float:
    """How much the text after a head goes on with the text before it: shared character
    bigrams over the smaller set (0 = a new topic, 1 = the same words)."""
    return overlap(codes(before[-WINDOW:]), codes(after[:WINDOW]))


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
