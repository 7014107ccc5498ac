"""Character n-grams as int64 codes, and the hash table that maps codes to feature columns.

scikit-learn's char analyzer gives each n-gram as a string and looks it up in a dict; here
every n-gram of a batch becomes one int64 (its code points packed 21 bits each) in a few
vectorised passes, and `TermTable` looks a whole array of codes up at once.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence

import numpy as np

__all__ = [
    "BITS",
    "WHITE_SPACES",
    "MAX_N",
    "TermTable",
    "char_ngram_codes",
    "char_ngrams",
    "flat_ranges",
    "known_ngrams",
    "ngram_code",
    "ngrams_at_every_start",
    "prepared_origins",
    "prepared_points",
    "prepared_positions",
]

# scikit-learn's char analyzer squeezes runs of two or more whitespace characters to one space
# (`_VectorizerMixin._white_spaces`); a single "\n" stays as it is.
WHITE_SPACES = re.compile(r"\s\s+")
# A code point is < 0x110000 < 2**21; stored +1 so no n-gram code is 0 (the empty slot) and an
# n-gram never shares a code with a shorter one. Three 21-bit characters fit in an int64.
BITS = 21
MAX_N = 3
_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: golden-ratio multiplier

try:  # (optional: a checkout or install without a C compiler has the numpy passes alone)
    from service._kernels import ngram_hits as _ngram_hits
    from service._kernels import prepared as _prepared
except ImportError:
    _ngram_hits = _prepared = None


class TermTable:
    """A hash table from nonzero int64 codes to int32 columns, looked up a whole array at a time.

    Open addressing with linear probing, sized for a load of at most a third, so almost every
    key is settled by the first gather; the few collisions are probed on shrinking subsets.
    """

    def __init__(self, keys_: np.ndarray, values_: np.ndarray) -> None:
        self.keys_ = keys_
        self.values_ = values_

    @classmethod
    def build(cls, keys: np.ndarray, values: np.ndarray) -> TermTable:
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        values = np.ascontiguousarray(values, dtype=np.int32)
        if len(keys) != len(values) or (keys == 0).any() or len(np.unique(keys)) != len(keys):
            raise ValueError("a TermTable needs as many values as keys, keys unique and nonzero")
        bits = max(4, int(3 * max(len(keys), 1) - 1).bit_length())
        size = 1 << bits
        table_keys = np.zeros(size, dtype=np.int64)
        table_values = np.full(size, -1, dtype=np.int32)
        slot = _slots(keys, bits)
        pending = np.arange(len(keys))
        while pending.size:
            # Each free slot goes to the first pending key that wants it; the rest move on.
            free = table_keys[slot[pending]] == 0
            _, first = np.unique(slot[pending[free]], return_index=True)
            won = pending[free][first]
            table_keys[slot[won]] = keys[won]
            table_values[slot[won]] = values[won]
            placed = np.zeros(len(keys), dtype=bool)
            placed[won] = True
            pending = pending[~placed[pending]]
            slot[pending] = (slot[pending] + 1) & (size - 1)
        return cls(table_keys, table_values)

    def __len__(self) -> int:
        return int(np.count_nonzero(self.keys_))

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """The column of every code, -1 where a code is not in the table."""
        pairs = self._pairs()
        mask = len(pairs) - 1
        slot = _slots(codes, mask.bit_length())
        got = pairs.take(slot).view(np.int64)  # one 16-byte gather per code: key and column
        found = got[0::2]
        out = got[1::2].astype(np.int32)  # an empty slot holds -1: only another key's is wrong
        todo = np.flatnonzero((found != codes) & (found != 0))  # landed on another key: probe on
        out[todo] = -1
        slot = slot[todo]
        while todo.size:
            slot = (slot + 1) & mask
            found = self.keys_[slot]
            hit = found == codes[todo]
            out[todo[hit]] = self.values_[slot[hit]]
            more = ~hit & (found != 0)
            todo, slot = todo[more], slot[more]
        return out

    def _pairs(self) -> np.ndarray:
        """Each slot's key and column side by side in 16 bytes (one complex128, moved as bytes):
        a lookup's random reads then touch one cache line per code, not two (−10% on a batch's
        predict). `keys_` and `values_` become views of it: the same numbers, saved as the same
        bytes, and ~2 MB more per table instead of a second copy."""
        pairs = self.__dict__.get("_paired")
        if pairs is None:
            ints = np.empty((len(self.keys_), 2), dtype=np.int64)
            ints[:, 0] = self.keys_
            ints[:, 1] = self.values_
            self.keys_ = ints[:, 0]
            self.values_ = ints.view(np.int32)[:, 2 if sys.byteorder == "little" else 3]
            pairs = self._paired = ints.reshape(-1).view(np.complex128)
        return pairs

    def __getstate__(self) -> dict:
        return {"keys_": self.keys_, "values_": self.values_}  # the pairs are made on use


def _slots(codes: np.ndarray, bits: int) -> np.ndarray:
    hashed = np.ascontiguousarray(codes, dtype=np.int64).view(np.uint64) * _MULT
    return (hashed >> np.uint64(64 - bits)).view(np.int64)


def char_ngrams(
    texts: Sequence[str],
    ngram_range: tuple[int, int],
    lowercase: bool = True,
    *,
    positions: bool = False,
) -> Iterator[tuple]:
    """For each n: every character n-gram of `texts` as one int64 code, and its text's index
    (`positions`: and where it starts in the prepared texts, joined in order).

    The texts are prepared as scikit-learn's char analyzer prepares them (lower-cased, runs of
    whitespace squeezed to one space); an n-gram never spans two texts.
    """
    for n, code, doc, ok in ngrams_at_every_start(texts, ngram_range, lowercase):
        if ok is None:
            yield (n, code, doc, np.arange(len(code))) if positions else (n, code, doc)
        elif positions:
            yield n, code[ok], doc[ok], np.flatnonzero(ok)
        else:
            yield n, code[ok], doc[ok]


def ngrams_at_every_start(
    texts: Sequence[str],
    ngram_range: tuple[int, int],
    lowercase: bool = True,
    odd: np.ndarray | None = None,
) -> Iterator[tuple]:
    """`char_ngrams` before the n-grams that span two texts are dropped: for each n, the code
    and text of the n-gram at every start in the prepared texts, joined, and which of them are
    whole n-grams of one text (None: all). A caller that filters anyway filters once. `odd`:
    as `prepared_points` fills it."""
    low, high = ngram_range
    points, doc, ends = prepared_points(texts, lowercase, odd)
    for n in range(low, high + 1):
        m = len(points) - n + 1
        if m <= 0:
            break
        code = points[:m].copy()
        for j in range(1, n):
            code <<= BITS
            code |= points[j : j + m]
        if n == 1:
            yield n, code, doc, None
            continue
        # The last n-1 positions of each text start no n-gram. (Where a text is shorter, the
        # positions this reaches back into the text before are too close to its end as well.)
        ok = np.ones(m, dtype=bool)
        for k in range(1, n):
            stop = ends - k
            ok[stop[(stop >= 0) & (stop < m)]] = False
        yield n, code, doc[:m], ok


def prepared_points(
    texts: Sequence[str], lowercase: bool, odd: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The prepared texts (as `char_ngrams` prepares them) joined: each code point + 1 (int64),
    the index of its text (int32), and where each text ends; `odd` (bool, one per text) filled
    with whether a text prepares to positions other than its own (`prepared_origins`). In one
    C pass per text where the extension is built (service/_kernels.c: the same str.lower, −60 %)."""
    if _prepared is not None and isinstance(texts, list):
        room = sum(map(len, texts))  # (a text that lowers longer: the C pass declines)
        points, doc = np.empty(room, np.int64), np.empty(room, np.int32)
        ends = np.empty(len(texts), np.int64)
        more = () if odd is None else (odd,)
        if (made := _prepared(texts, lowercase, points, doc, ends, *more)) is not None:
            return points[:made], doc[:made], ends
    lowered = [t.lower() for t in texts] if lowercase else list(texts)
    squeezed = [WHITE_SPACES.subn(" ", t) for t in lowered]
    if odd is not None:
        odd[:] = [
            k > 0 or len(a) != len(b) for (_, k), a, b in zip(squeezed, lowered, texts, strict=True)
        ]
    docs = [d for d, _ in squeezed]
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    # surrogatepass: a lone surrogate (from a JSON "\ud800") is a code point like any other.
    joined = "".join(docs).encode("utf-32-le", "surrogatepass")
    points = np.frombuffer(joined, dtype="<u4").astype(np.int64) + 1
    doc = np.repeat(np.arange(len(docs), dtype=np.int32), lengths)
    return points, doc, np.cumsum(lengths)


def known_ngrams(
    texts: Sequence[str],
    ngram_range: tuple[int, int],
    lowercase: bool,
    unigrams: np.ndarray,
    table: TermTable,
    odd: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The n-grams of `texts` a char block knows, n by n, each n's in order of start: their
    columns, texts, starts and lengths (as `CharTfidf.hits` finds them with numpy, which defines
    the values); `unigrams` is the block's flat column array of single characters. Found in one
    C pass per n (service/_kernels.c: ~15 array passes less, −40 % of `hits`), written where
    they end up (no arrays per n joined after); None where the extension is not built or does
    not take the arrays: the caller's numpy passes answer. `odd`: as `prepared_points` fills it."""
    if _ngram_hits is None:
        return None
    low, high = ngram_range
    points, doc, _ = prepared_points(texts, lowercase, odd)
    ns = [n for n in range(low, high + 1) if len(points) - n + 1 > 0]
    room = sum(len(points) - n + 1 for n in ns)
    columns, starts = np.empty(room, np.int32), np.empty(room, np.int64)
    counts, at = [], 0
    for n in ns:
        lookup = unigrams if n == 1 else table._pairs().view(np.int64)
        found = _ngram_hits(points, doc, n, lookup, columns[at:], starts[at:])
        if found is None:
            return None
        counts.append(found)
        at += found
    starts = starts[:at]
    sizes = np.repeat(np.asarray(ns, dtype=np.int64), counts)
    return columns[:at], doc[starts], starts, sizes


def prepared_positions(text: str, lowercase: bool = True) -> tuple[str, np.ndarray]:
    """The text `char_ngrams` reads (lower-cased, whitespace runs squeezed) and, for each of its
    code points, the position in `text` it came from (a squeezed run: the run's first)."""
    starts = np.arange(len(text), dtype=np.int64)
    if lowercase:
        lowered = text.lower()  # whole-string, as char_ngrams does (a final Σ lowers to ς)
        if len(lowered) != len(text):  # a few characters lower to two ("İ" → "i̇")
            starts = np.repeat(starts, [len(c.lower()) for c in text])
        text = lowered
    keep = np.ones(len(text), dtype=bool)
    for m in WHITE_SPACES.finditer(text):
        keep[m.start() + 1 : m.end()] = False
    squeezed = WHITE_SPACES.sub(" ", text)
    return squeezed, starts[keep]


def flat_ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The code points start, start+1, … of each (start, size), one after the other."""
    inner = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(starts, sizes) + inner


def prepared_origins(
    texts: list[str], lowercase: bool, base: np.ndarray, odd: np.ndarray | None = None
) -> np.ndarray:
    """`prepared_positions` of each text, shifted by its `base`, joined. Most texts prepare to
    themselves (no whitespace run to squeeze, no character that lowers to two): for those the
    positions are 0, 1, …, found for the batch at once; only the others are prepared one by one.
    `odd`: which texts those others are, when `prepared_points` has said so (else found here)."""
    sizes = np.fromiter(map(len, texts), np.int64, len(texts))
    if odd is None:
        joined = "".join(texts)
        ends = np.cumsum(sizes)
        odd = np.zeros(len(texts), dtype=bool)
        if lowercase and len(joined.lower()) != len(joined):  # lowering changes a length
            odd[[i for i, t in enumerate(texts) if len(t.lower()) != len(t)]] = True
        for m in WHITE_SPACES.finditer(joined):  # a run (maybe across two texts): those texts
            lo, hi = np.searchsorted(ends, [m.start(), m.end() - 1], "right")
            odd[lo : hi + 1] = True
    if not odd.any():
        return flat_ranges(base[: len(texts)], sizes)
    pieces = [
        prepared_positions(t, lowercase)[1] + base[i] if odd[i] else None
        for i, t in enumerate(texts)
    ]
    sizes = np.asarray(
        [len(p) if p is not None else n for p, n in zip(pieces, sizes.tolist(), strict=True)],
        np.int64,
    )
    origin = flat_ranges(base[: len(texts)], sizes)
    at = np.cumsum(sizes) - sizes
    for i in np.flatnonzero(odd).tolist():
        origin[at[i] : at[i] + sizes[i]] = pieces[i]
    return origin


def char_ngram_codes(
    texts: Sequence[str], ngram_range: tuple[int, int], lowercase: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """All of `char_ngrams` in one pair of arrays: codes, and the index of each code's text."""
    parts = list(char_ngrams(texts, ngram_range, lowercase))
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    return np.concatenate([c for _, c, _ in parts]), np.concatenate([o for _, _, o in parts])


def ngram_code(term: str) -> int:
    """The code `char_ngram_codes` gives the n-gram `term` (1 to 3 characters)."""
    code = 0
    for ch in term:
        code = (code << BITS) | (ord(ch) + 1)
    return code
