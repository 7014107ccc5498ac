"""How much the text after a bare head goes on with the text before it, and how much of the
head the article already holds: the bigram overlaps of the head score (`service.heads`), kept
apart because they cost most of its time.
"""

from __future__ import annotations

__all__ = [
    "WINDOW",
    "bigram_share",
    "body_overlaps",
    "body_parts",
    "body_text",
    "cohesion",
    "codes",
    "count_in",
    "head_bigrams",
    "overlap",
    "shared",
    "short_overlap",
    "short_share",
    "split_overlap",
    "array_overlap",
    "title_overlap",
    "window_after",
    "window_codes",
    "window_text",
]

import re
from functools import lru_cache

import numpy as np

from service.documents import Span
from service.lines import PARA, SHORT
from service.malloc import forget_on_trim

try:  # (optional: a checkout or install without a C compiler has the arrays alone)
    from service._kernels import counts as _counts
except ImportError:
    _counts = None

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
    a = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cjk = (a - _CJK_FIRST) <= _CJK_LAST - _CJK_FIRST  # (one compare: below the first wraps)
    # Every pair's code, then the CJK ones (a code past 16 bits comes from no CJK pair)
    pairs = ((a[:-1] << 16) | a[1:])[cjk[:-1] & cjk[1:]]
    pairs.sort()
    first = np.empty(len(pairs), dtype=bool)
    first[:1] = True
    np.not_equal(pairs[1:], pairs[:-1], out=first[1:])
    return pairs[first]


def split_overlap(before: str, after: str, head: str = "") -> tuple[float, int, float]:
    """`overlap(codes(before), codes(after))`, how many distinct codes `after` holds, and the
    head's share of them (`short_share(head, after, …)`): the C extension's counts where it is
    built (`service/_kernels.c`; a fifth of a bare page's time went to the array pass below,
    its ~17 numpy calls cold in the running splitter), else `array_overlap`, the same values."""
    got = _counts(before, after, head) if _counts is not None else None
    if got is None:
        return array_overlap(before, after, head)
    n_before, n_after, n_head, windows, heads = got
    if not n_after or not (n_before or n_head):
        return 0.0, n_after, 0.0
    return (
        windows / min(n_before, n_after) if n_before else 0.0,
        n_after,
        heads / min(n_head, n_after) if n_head else 0.0,
    )


def array_overlap(before: str, after: str, head: str = "") -> tuple[float, int, float]:
    """`split_overlap` in one numpy pass over the three texts (a head's two windows and the
    head): each pair's code tagged in its lowest bits by the text it is in, one sort of all.
    (The array passes cost per call far more than per character: two sorts and a lookup took
    a third longer, and the head's pairs looked for in the window's text apart cost the
    splitting pass 4% more.)"""
    fixed = len(before) <= _PAD and len(after) <= _PAD and len(head) <= _PAD
    if fixed:
        # Each text padded to a fixed place (newlines: no CJK pair), so one constant array
        # tags them all: an array call fewer a head than tagging each text's slice.
        pads = _PADS
        texts = (before, pads[_PAD - len(before)], after, pads[_PAD - len(after)], head)
        joined = "".join(texts)
    else:
        joined = "\n".join((before, after, head))
    d = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), _U32) - _U32_FIRST
    cjk = d <= _U32_SPAN  # (a lone surrogate: no CJK)
    both = cjk[:-1] & cjk[1:]  # (no pair across a newline)
    # (a pair of CJK characters less the first, as first * _ROW + second, fits in 29 bits:
    # its 3-bit tag, 4 before, 5 after, 6 the head, below it)
    tagged = d[:-1] * _U32_ROW + (d[1:] << _U32_3)
    if fixed:
        tagged += _TAGS[: len(tagged)]
    else:
        n_before, n_after = len(before), len(before) + 1 + len(after)
        tagged[:n_before] |= _U32_4
        tagged[n_before:n_after] |= _U32_5
        tagged[n_after:] |= _U32_6
    tagged = tagged[both]
    if not len(tagged):
        return 0.0, 0, 0.0
    tagged.sort()
    # Read off the sorted codes in one pass (each array call costs a few µs against a page's
    # other work, whatever its length): two neighbours' XOR is 0 for a repeat, their two tags'
    # XOR (1 before and after, 2 before and head, 3 after and head) where the code is the same,
    # past 7 for a new code. The least of it and the later one's tag: 0 to 3 for a code seen
    # just before (the later text: after for 1, the head for 2 and 3), 4 to 6 a new code's.
    seam = tagged[1:] ^ tagged[:-1]
    b = np.bincount(np.minimum(seam, tagged[1:] & _U32_7, out=seam), minlength=7).tolist()
    counts = [b[4], b[5] + b[1], b[6] + b[2] + b[3]]  # (each text's distinct codes)
    counts[(int(tagged[0]) & 7) - 4] += 1  # (the first code: new)
    if not counts[1] or not (counts[0] or counts[2]):
        return 0.0, counts[1], 0.0
    windows = b[1] / min(counts[0], counts[1]) if counts[0] else 0.0
    return windows, counts[1], b[3] / min(counts[2], counts[1]) if counts[2] else 0.0


# The constants of `split_overlap` as uint32 scalars, made once: a Python int beside a uint32
# array is converted on every call (~0.15 µs each, seven a head).
_U32 = np.dtype(np.uint32)
_U32_FIRST, _U32_SPAN = np.uint32(_CJK_FIRST), np.uint32(_CJK_LAST - _CJK_FIRST)
_U32_ROW = np.uint32((_CJK_LAST - _CJK_FIRST + 1) << 3)  # (20,992 * 20,992 * 8 < 2**32)
_U32_3, _U32_4, _U32_5, _U32_6, _U32_7 = (np.uint32(k) for k in (3, 4, 5, 6, 7))
# The fixed places: a window is WINDOW characters and the newlines between its lines (a head's
# window above holds at most six lines); a longer text is tagged by its slice.
_PAD = 256
_PADS = tuple("\n" * (k + 1) for k in range(_PAD + 1))  # (k to the place, and one after)
_TAGS = np.array([4] * (_PAD + 1) + [5] * (_PAD + 1) + [6] * _PAD, dtype=np.uint32)


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
    return short_share(short, window, len(window_codes))


def short_share(short: str, window: str, n_window: int) -> float:
    """`short_overlap`, given how many distinct codes the window holds (`split_overlap`)."""
    mine = set(_CJK_PAIRS.findall(short))
    if not mine or not n_window:
        return 0.0
    return sum(map(window.__contains__, mine)) / min(len(mine), n_window)


# Every pair of CJK characters in a text, overlapping (中国人: 中国, 国人), found in one C pass.
_CJK_PAIRS = re.compile(r"(?=([\u4e00-\u9fff]{2}))")


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


def window_after(items: list[tuple[Span, str, str]], at: int) -> str:
    """`window_text` of the page's lines from `items[at]` on while they are text (PARA or
    SHORT), up to WINDOW characters: the window below a head, read off the lines in one pass."""
    keep: list[str] = []
    n = 0
    # (by index, not items[at:]: a copy of the page's rest per head made a page of many short
    # lines quadratic, 100k one-character lines 4 s)
    for i in range(at, len(items)):
        span, kind, _ = items[i]
        if kind not in (PARA, SHORT):
            break
        t = span.text
        if n + len(t) > WINDOW:
            keep.append(t[: WINDOW - n])
            break
        keep.append(t)
        n += len(t)
        if n == WINDOW:
            break
    return "\n".join(keep)


# The head's own bigrams (any characters but punctuation and blanks) against the article's
# text: its head (title_overlap) and its body (body_overlaps). Found overlapping, in one pass.
_WORD_PAIRS = re.compile(r"(?=([^\s，,、：:“”‘’（）()《》·—…！？!?；;。]{2}))")


@forget_on_trim
@lru_cache(maxsize=256)  # (read again when the body overlaps are needed)
def head_bigrams(head: str) -> frozenset[str]:
    return frozenset(_WORD_PAIRS.findall(head))


def title_overlap(mine: frozenset[str], cur) -> float:
    return bigram_share(mine, "".join([s.text for s in cur.title + cur.kicker + cur.subtitle]))


def bigram_share(mine: frozenset[str], text: str) -> float:
    """The share of the head's character bigrams (punctuation left out) that `text` holds: a
    subhead takes up its article's words, in its title or in the lines just above it."""
    return sum(map(text.__contains__, mine)) / len(mine) if mine else 0.0


def body_overlaps(mine: frozenset[str], cur) -> tuple[float, float]:
    """The share of the head's bigrams that the article's last six lines hold, and that the
    whole article so far holds (the last lines are the whole text's tail)."""
    if not mine:
        return 0.0, 0.0
    above, before = body_parts(cur)
    missing = [g for g in mine if g not in above]
    near = len(mine) - len(missing)
    return near / len(mine), (near + count_in(missing, before)) / len(mine)


def body_parts(cur) -> tuple[str, str]:
    """The article's last six lines, and the text before them (a bigram not in the last lines
    is looked for there, one character into them for one across the seam)."""
    whole = body_text(cur)
    above = whole[len(whole) - sum(len(s.text) for s in cur.body[-6:]) :]
    return above, whole[: len(whole) - len(above) + 1]


def count_in(grams: list[str], text: str) -> int:
    return sum(map(text.__contains__, grams))  # (each a search of the text, none in Python)


def body_text(cur) -> str:
    """The article's body lines joined, kept on the draft and extended by the lines added
    since: while the page is read a body only grows at its end (drafts.Draft.add)."""
    done, whole = cur.joined
    body = cur.body
    if done != len(body):
        whole += "".join(s.text for s in body[done:])
        cur.joined = (len(body), whole)
    return whole
