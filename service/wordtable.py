"""The words a process has read, numbered once (`Words`); short words found by exact codes.

A batch of readings holds ~75k words, ~93% of them one to three code points long. Such a word
packs exactly into one int64 (each code point + 1 in 21 bits; 0 where the word has ended), so
two short words share a code only when they are the same word: no collision can give a wrong
number. The codes of a batch come from its texts' code points in a few numpy passes, and an
open-addressing table finds their numbers in a few vectorised probes, where a dict lookup per
word string cost ~150 ns (cache misses in a table of 50-100k words: i119, i154).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from itertools import repeat

import numpy as np

__all__ = [
    "MAX_CHARS",
    "CodeTable",
    "Words",
    "pair_numbers",
    "top_pairs",
    "word_codes",
    "words_table",
]

MAX_CHARS = 3  # code points a code holds: 3 × 21 bits
_BITS = 21  # a code point is < 0x110000 < 2**21; stored + 1 so that 0 means "no code point"
_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of code × this


def word_codes(
    texts: list[str], starts: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each word's codes, word i being `joined[starts[i] : starts[i] + sizes[i]]` of the texts
    joined: of one to MAX_CHARS code points (each + 1 in 21 bits), else 0; and of four code
    points below U+10000 (16 bits each, for a table of their own: 6% of the words), else 0."""
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")  # a lone surrogate too
    points = np.zeros(len(joined) // 4 + 1, dtype=np.int64)  # + a 0 past the end
    points[:-1] = np.frombuffer(joined, dtype=np.uint32)
    points[:-1] += 1
    end = len(points) - 1  # the 0: where a word has no j-th code point
    short = (sizes <= MAX_CHARS) & (sizes > 0)
    codes = points[np.where(short, starts, end)]
    for j in range(1, MAX_CHARS):
        codes <<= _BITS
        codes |= points[np.where(short & (sizes > j), starts + j, end)]
    fours = np.zeros(len(sizes), dtype=np.uint64)
    at = np.flatnonzero(sizes == 4)
    quad = (points[starts[at, None] + np.arange(4)] - 1).astype(np.uint64)
    bmp = (quad < 0x10000).all(axis=1)
    quad, at = quad[bmp], at[bmp]
    fours[at] = (quad[:, 0] << 48) | (quad[:, 1] << 32) | (quad[:, 2] << 16) | quad[:, 3]
    return codes, fours.view(np.int64)  # (four U+0000: 0, left to the strings)


class CodeTable:
    """code (≠ 0) → number, in open addressing with linear probing; at most half full."""

    def __init__(self, bits: int = 14) -> None:
        self.keys = np.zeros(1 << bits, dtype=np.int64)  # 0: an empty slot
        self.values = np.zeros(1 << bits, dtype=np.int64)
        self.bits = bits
        self.count = 0

    def _slots(self, codes: np.ndarray) -> np.ndarray:
        return ((codes.view(np.uint64) * _SPREAD) >> np.uint64(64 - self.bits)).astype(np.int64)

    def get(self, codes: np.ndarray) -> np.ndarray:
        """Each code's number, -1 where the table has none (and for code 0)."""
        out = np.full(len(codes), -1, dtype=np.int64)
        keys, values, mask = self.keys, self.values, len(self.keys) - 1
        pending = np.flatnonzero(codes != 0)
        slots = self._slots(codes[pending])
        while len(pending):
            found = keys[slots]
            want = codes[pending]
            hit = found == want
            out[pending[hit]] = values[slots[hit]]
            on = (found != 0) & ~hit  # a slot another code holds: look in the next
            pending, slots = pending[on], (slots[on] + 1) & mask
        return out

    def add(self, codes: np.ndarray, numbers: np.ndarray) -> None:
        """Enter distinct codes (≠ 0) the table does not hold, with their numbers."""
        if 2 * (self.count + len(codes)) > len(self.keys):
            bits = self.bits
            while 2 * (self.count + len(codes)) > 1 << bits:
                bits += 1
            held = np.flatnonzero(self.keys)
            old_codes, old_numbers = self.keys[held], self.values[held]
            self.__init__(bits)
            self._place(old_codes, old_numbers)
        self._place(codes, numbers)

    def _place(self, codes: np.ndarray, numbers: np.ndarray) -> None:
        keys, values, mask = self.keys, self.values, len(self.keys) - 1
        pending, slots = np.arange(len(codes)), self._slots(codes)
        while len(pending):
            free = np.flatnonzero(keys[slots] == 0)
            # Of the codes probing one free slot, the first takes it; every other code's slot
            # is now held, so it probes the next.
            _, first = np.unique(slots[free], return_index=True)
            won = free[first]
            keys[slots[won]] = codes[pending[won]]
            values[slots[won]] = numbers[pending[won]]
            on = np.ones(len(pending), dtype=bool)
            on[won] = False
            pending, slots = pending[on], (slots[on] + 1) & mask
        self.count += len(codes)


class Words:
    """The words this process has read, numbered as they come, and per judge (a function of a
    word) its answer for each as an array. A batch's words are mostly words earlier batches had,
    so numbering them is one dict pass in C, and judging them (readable? a keyword's idf?) an
    array lookup and a call per new word."""

    LIMIT = 1 << 20  # then a new table (a server reads words without end)

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []  # only ever appended to: a batch's numbers stay valid
        self._answers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()  # a server's threads may add words at once
        self._coded = CodeTable()  # short words' codes → numbers (`ids_at`)
        self._fours = CodeTable()  # and four-character words'
        self._coded_lock = threading.Lock()

    def ids(self, words: Sequence[str]) -> np.ndarray:
        """Each word's number, new words numbered as they come."""
        index = self.index
        ids = np.fromiter(map(index.get, words, repeat(-1)), np.int64, len(words))
        new = np.flatnonzero(ids < 0)  # after the first batches, a few words
        if len(new):
            # A first batch's words are mostly new (~10k): numbered in a few C passes, in the
            # order they first occur, not one Python step each.
            unseen = list(map(words.__getitem__, new.tolist()))
            with self._lock:
                fresh = [w for w in dict.fromkeys(unseen) if w not in index]
                start = len(self.names)
                self.names.extend(fresh)  # names first: a number read without the lock has one
                index.update(zip(fresh, range(start, start + len(fresh)), strict=True))
                ids[new] = np.fromiter(map(index.__getitem__, unseen), np.int64, len(unseen))
        return ids

    def ids_at(
        self, lists: Sequence[list[str]], texts: list[str], starts: np.ndarray, sizes: np.ndarray
    ) -> np.ndarray:
        """`ids` of the lists' words joined (`lists[t]`: the pieces of `texts[t]` in order),
        word i being `starts[i]:starts[i] + sizes[i]` of the texts joined: the words of up to
        four code points by their codes (`word_codes`), the rest and those the code tables
        have not met by `ids` (which stays the one place words are numbered). The words are
        not joined in one list (1.5 M references for 5,000 records): only the few missed."""
        ids = _coded_ids(texts, starts, sizes, self._coded, self._fours, self._coded_lock)
        if ids is None:
            codes, fours = word_codes(texts, starts, sizes)
            four = np.flatnonzero(fours)
            with self._coded_lock:
                ids = self._coded.get(codes)
                ids[four] = self._fours.get(fours[four])
        miss = np.flatnonzero(ids < 0)
        if len(miss):
            # The missed words' codes, for the tables to learn (those of five or more code
            # points, missed in every batch, have none).
            codes, fours = word_codes(texts, starts[miss], sizes[miss])
            counts = np.fromiter(map(len, lists), np.int64, len(lists))
            ends = np.cumsum(counts)
            of = np.searchsorted(ends, miss, side="right")  # each missed word's list
            at = miss - (ends - counts)[of]
            words = [lists[t][j] for t, j in zip(of.tolist(), at.tolist(), strict=True)]
            ids[miss] = self.ids(words)
            for table, keys in ((self._coded, codes), (self._fours, fours)):
                coded = miss[keys != 0]
                new, first = np.unique(keys[keys != 0], return_index=True)
                with self._coded_lock:  # another thread may have entered some meanwhile
                    fresh = table.get(new) < 0
                    table.add(new[fresh], ids[coded[first[fresh]]])
        return ids

    def judged(self, judge, dtype) -> np.ndarray:
        """`judge(name)` of every word numbered so far, indexed by number: each word judged
        once per table."""
        have = self._answers.get(judge)
        if have is None or len(have) < len(self.names):
            with self._lock:
                have = self._answers.get(judge)
                start, end = (0 if have is None else len(have)), len(self.names)
                more = np.fromiter(map(judge, self.names[start:end]), dtype, end - start)
                have = more if have is None else np.concatenate([have, more])
                self._answers[judge] = have
        return have


def _coded_ids(texts, starts, sizes, coded: CodeTable, fours: CodeTable, lock) -> np.ndarray | None:
    """What `word_codes` and the two tables' `get` give (-1: neither holds the word), in one C
    pass (service/_kernels.c: −75 % of the numpy passes'); None where the extension is not built
    or does not take the arrays."""
    if _word_ids is None or starts.dtype != np.int64 or sizes.dtype != np.int64:
        return None
    points = "".join(texts).encode("utf-32-le", "surrogatepass")  # as `word_codes` reads them
    ids = np.empty(len(starts), dtype=np.int64)
    with lock:
        done = _word_ids(
            points, starts, sizes, coded.keys, coded.values, fours.keys, fours.values, ids
        )
    return ids if done else None


def pair_numbers(doc: np.ndarray, ids: np.ndarray, names: int) -> tuple | None:
    """`reading._pairs` of the keys doc · names + id (which define the values: each distinct
    (doc, id)'s first place, and each place's number), for docs ascending and ids below
    `names`, in one C pass without a sort (−80 %); None where the extension is not built or does
    not take the arrays."""
    if _pair_numbers is None or doc.dtype != np.int64 or ids.dtype != np.int64:
        return None
    pair, first = np.empty(len(doc), dtype=np.int64), np.empty(len(doc), dtype=np.int64)
    count = _pair_numbers(doc, ids, names, pair, first)
    return None if count is None else (first[:count].copy(), pair)


def top_pairs(score: np.ndarray, pair_doc: np.ndarray, k: int) -> np.ndarray | None:
    """`WordBatch.top` (whose numpy passes define it: per reading, its at most k pairs of
    highest score > 0, ties in text order) in one C pass, a reading's best kept in a small
    sorted run (−85 %); None where the extension is not built or does not take the arrays."""
    if _top_pairs is None or score.dtype != np.float64 or pair_doc.dtype != np.int64:
        return None
    chosen = np.empty(len(score), dtype=np.int64)
    count = _top_pairs(score, pair_doc, k, chosen)
    return None if count is None else chosen[:count].copy()


try:  # (optional: a checkout or install without a C compiler has the numpy passes alone)
    from service._kernels import pair_numbers as _pair_numbers
    from service._kernels import top_pairs as _top_pairs
    from service._kernels import word_ids as _word_ids
except ImportError:
    _pair_numbers = _top_pairs = _word_ids = None

_WORDS = [Words()]


def words_table() -> Words:
    """The process's word table (a new one once the last holds `Words.LIMIT` words)."""
    table = _WORDS[0]
    if len(table.names) >= Words.LIMIT:
        table = _WORDS[0] = Words()
    return table
