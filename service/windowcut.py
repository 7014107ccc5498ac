"""Cut a short window of text exactly as rjieba's engine would, without building the engine.

Building rjieba's engine reads its whole dictionary (0.09 s: an eighth of a 5,000-record
`newsdesk classify`, and paid again in every worker), while a record asks at most a few
column-seam questions about 16 characters (`text.cuts_word`). An empty engine holding only the
dictionary words inside the window, at their frequencies, plus one stand-in word that brings
the dictionary's total frequency (every route is scored against it) to the full engine's,
cuts the window the same way: its DAG, routes and HMM step see the same words. The words are
looked up in `data/jieba_words.npz`: jieba's dict.txt and our user dictionary as sorted 64-bit
hashes with frequencies, the total as the engine sums it (`training.jieba_words` writes it;
tests check it against both and against the full engine). The file also holds a filter of the
character pairs inside words (`WordTable.may_hold_pair`): a seam whose two characters stand
together in no word needs no cut at all (most column seams).
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

__all__ = ["FILE", "WordTable", "word_hashes"]

FILE = Path(__file__).resolve().parent / "data" / "jieba_words.npz"
# Bits of the table's pair filter (`WordTable.may_hold_pair`): 2**23 bits, 1 MiB, ~300,000 pairs
# (3.5% of the bits) set.
PAIR_BITS = 23


def _pair_slot(code: int) -> int:
    """A pair's bit: the top PAIR_BITS bits of a multiplicative hash of its 32-bit code."""
    return ((code * 2654435761) & 0xFFFFFFFF) >> (32 - PAIR_BITS)


# The stand-in word: private-use characters no dictionary holds. A window that holds it
# (a PDF's private glyphs) is left to the full engine.
FILLER = "\ue000\ue001"


def word_hashes(words: Iterable[str]) -> np.ndarray:
    """Each word's 64-bit BLAKE2b hash of its UTF-8 (a lone surrogate passes through)."""
    digests = b"".join(
        hashlib.blake2b(w.encode("utf-8", "surrogatepass"), digest_size=8).digest() for w in words
    )
    return np.frombuffer(digests, dtype="<u8")


@dataclass(frozen=True)
class WordTable:
    """Dictionary words as sorted hashes and their frequencies; `total` as the engine sums it."""

    keys: np.ndarray  # uint64, sorted, unique
    freqs: np.ndarray  # uint32, the frequency of each key's word
    total: int
    max_len: int  # the longest word, in characters
    userdict_sha256: str  # `tokenize.Segmenter.digest` of the user dictionary folded in
    # uint8, 2**PAIR_BITS bits: the bit of each two characters standing together in a word
    # (`may_hold_pair`) set
    pair_bits: np.ndarray

    @classmethod
    def build(
        cls,
        dictionary: Iterable[str],
        userdict: Iterable[tuple[str, int]],
        userdict_sha256: str,
    ) -> WordTable:
        """From dict.txt's lines (`word freq [tag]`) and the user words with the frequencies the
        engine gave them, folded in as rjieba does: a later line of a word replaces its
        frequency; the total is the sum of the words' last frequencies."""
        freq: dict[str, int] = {}
        for line in dictionary:
            parts = line.split()
            if parts:
                freq[parts[0]] = int(parts[1]) if len(parts) > 1 else 0
        for word, f in userdict:
            freq[word] = f
        words = list(freq)
        keys = word_hashes(words)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        if len(np.unique(keys)) != len(keys):  # two words, one hash: never seen; refuse
            raise ValueError("two dictionary words share a 64-bit hash")
        freqs = np.fromiter((freq[w] for w in words), np.uint32, len(words))[order]
        pairs = [
            _pair_slot((ord(a) << 16) | ord(b))
            for w in words
            for a, b in zip(w, w[1:], strict=False)
            if a <= "\uffff" and b <= "\uffff"
        ]
        bits = np.zeros(1 << PAIR_BITS, dtype=bool)
        bits[pairs] = True
        return cls(
            keys,
            freqs,
            sum(freq.values()),
            max(map(len, words)),
            userdict_sha256,
            np.packbits(bits, bitorder="little"),
        )

    def save(self, path: Path) -> None:
        np.savez(
            path,
            keys=self.keys,
            freqs=self.freqs,
            total=np.int64(self.total),
            max_len=np.int64(self.max_len),
            userdict_sha256=np.str_(self.userdict_sha256),
            pair_bits=self.pair_bits,
        )

    @classmethod
    def load(cls, path: Path = FILE) -> WordTable:
        """The table in `path`; ValueError when it is missing or damaged."""
        try:
            with np.load(path, allow_pickle=False) as f:
                return cls(
                    f["keys"],
                    f["freqs"],
                    int(f["total"]),
                    int(f["max_len"]),
                    str(f["userdict_sha256"]),
                    f["pair_bits"],
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise ValueError(f"word table {path} cannot be read: {exc}") from exc

    def may_hold_pair(self, a: str, b: str) -> bool:
        """False only where no word holds character `a` right before `b`: the pair's bit is
        clear (a set bit may be another pair's, ~3.5% of pairs no word holds; outside the BMP,
        True). A word across a column seam holds the seam's two characters: where none does,
        no dictionary word stands across it, and the seam needs no cut."""
        if a > "\uffff" or b > "\uffff":
            return True
        slot = _pair_slot((ord(a) << 16) | ord(b))
        return bool(self._pair_bytes[slot >> 3] >> (slot & 7) & 1)

    @cached_property
    def _pair_bytes(self) -> bytes:
        # (a bit read from bytes: ~0.2 µs a pair; a sorted array's bisect touched ~19 places
        # in 1.2 MB, and a set of the 300,000 pairs would cost 35 ms and 20 MB to make)
        return self.pair_bits.tobytes()

    def words_in(self, text: str) -> list[tuple[str, int]]:
        """Every dictionary word that is a substring of `text`, with its frequency."""
        n = len(text)
        # Only substrings whose every two neighbours pass the pair filter can be words (every
        # pair inside a word does): the others are not hashed. (A 16-character window has ~125
        # substrings and their hashes cost most of its engine; ~35 are left, the same words found.)
        held = list(map(self.may_hold_pair, text, text[1:]))
        subs = []
        for i in range(n):
            subs.append(text[i])
            for j in range(i + 2, min(n, i + self.max_len) + 1):
                if not held[j - 2]:  # (text[j - 2 : j], and every longer substring from i)
                    break
                subs.append(text[i:j])
        hashes = word_hashes(subs)
        at = np.searchsorted(self.keys, hashes)
        at[at == len(self.keys)] = 0
        found = np.flatnonzero(self.keys[at] == hashes)
        freqs = self.freqs[at[found]].tolist()
        return [(subs[k], f) for k, f in zip(found.tolist(), freqs, strict=True)]

    def engine_for(self, text: str, jieba_class: type):
        """An rjieba engine that cuts `text` as the full one does; None where it cannot."""
        if FILLER in text:
            return None
        engine = jieba_class.empty()
        held = 0
        for word, f in dict(self.words_in(text)).items():
            engine.add_word(word, f, None)
            held += f
        engine.add_word(FILLER, self.total - held, None)
        return engine
