"""Features of the candidate units: position, length, the headline, centrality (numpy only).

Vectors are character-bigram TF-IDF (no segmenter needed; measured as good as jieba words at
twice the speed), counted for the title, every sentence and every unit in one `bincount`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.documents import Span
from service.lead_units import Units, lead_sentences

__all__ = ["FEATURES", "Candidates", "candidates"]

# The columns of the candidate feature matrix, in order.
FEATURES = (
    "first_sentence",
    "second_sentence",
    "position",  # sentence index / 10, capped at 1
    "title_cosine",  # TF-IDF cosine of the unit with the title
    "title_chars",  # character-bigram overlap F1 with the title (names, numbers)
    "centrality",  # LexRank score of the unit's sentence, max-normalised
    "length_gap",  # |length - target| / target
    "length",  # characters / 100
    "framed",  # its opening frame (time, source, attribution) dropped
    "opens_quote",  # the sentence opens with a quotation mark: a voice, rarely the news
    "title_cosine_first",  # title_cosine, in the first sentence only
)
_QUOTES = ("“", "「", '"', "‘")


# Sums as the ufunc's own reduce: ndarray.sum and np.cumsum-style functions go through Python
# wrappers that cost about a microsecond a call, a tenth of a lead's array work here.
_add = np.add.reduce


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)


def _word_table() -> np.ndarray:
    """Han characters (basic, extension A), ASCII and full-width letters and digits in the BMP."""
    cp = np.arange(0x10000)
    return (
        ((cp >= 0x4E00) & (cp <= 0x9FFF))
        | ((cp >= 0x3400) & (cp <= 0x4DBF))
        | ((cp >= 0x30) & (cp <= 0x39))
        | ((cp >= 0x41) & (cp <= 0x5A))
        | ((cp >= 0x61) & (cp <= 0x7A))
        | ((cp >= 0xFF10) & (cp <= 0xFF5A))
    )


_WORD_TABLE = _word_table()  # 64 KB, one lookup per character instead of six comparisons


def _is_word(cp: np.ndarray) -> np.ndarray:
    """Word characters, as `_word_table`, plus the Han extensions beyond the BMP."""
    return _WORD_TABLE[np.minimum(cp, 0xFFFF)] | (cp >= 0x20000)


def _bigrams(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Character bigrams of word characters as int64 keys, with their offsets in `text`."""
    cp = _codepoints(text)
    if len(cp) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ok = _is_word(cp)
    pos = (ok[:-1] & ok[1:]).nonzero()[0]
    return (cp[pos] << 21) | cp[pos + 1], pos


def _term_ids(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """Each key's rank among the distinct keys, and their number: np.unique's inverse, cheaper."""
    order = keys.argsort()
    ordered = keys[order]
    new = np.empty(len(keys), dtype=bool)  # where a sorted key differs from the one before
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    rank = new.cumsum()
    ids = np.empty(len(keys), dtype=np.int64)
    ids[order] = rank - 1
    return ids, max(int(rank[-1]) if len(rank) else 0, 1)


def _range_counts(
    text: str, spans: list[Span], title: str, first: list[int], last: list[int]
) -> np.ndarray:
    """Character-bigram counts of runs of the rows [title, *spans]: run i is rows [first[i],
    last[i]). No segmenter, a few array ops whatever the number of runs.
    """
    lo, hi = spans[0].start, spans[-1].end
    # The title and the text in one pass; the line break between them is no word character,
    # so no bigram crosses it.
    shift = len(title) + 1 - lo
    keys, pos = _bigrams(f"{title}\n{text[lo:hi]}")
    ids, v = _term_ids(keys)
    starts = np.array([0, *(s.start + shift for s in spans)])
    ends = np.array([len(title), *(s.end + shift for s in spans)])
    row = starts.searchsorted(pos, side="right") - 1
    inside = pos + 1 < ends[row]  # not across two spans, nor in the gap between them
    ids, row = ids[inside], row[inside]
    # Bigrams come in text order, so a run of rows owns a slice of them: gather each run's
    # slice under the run's number, and count all runs in one bincount.
    at = row.searchsorted(np.arange(len(starts) + 1))  # row r owns [at[r], at[r + 1])
    begin, size = at[first], at[last] - at[first]
    total = size.cumsum()
    take = np.arange(total[-1]) + (begin - total + size).repeat(size)
    runs = (np.arange(len(first)) * v).repeat(size)
    return np.bincount(runs + ids[take], minlength=len(first) * v).reshape(len(first), v)


def _lexrank(sim: np.ndarray, damping: float = 0.85, squarings: int = 5) -> np.ndarray:
    """Stationary distribution of the similarity graph by power iteration, max-normalised.

    The iteration p <- p G runs 2**squarings steps as `squarings` squarings of G (32 steps:
    the error shrinks by damping**32 < 0.6%), a handful of small matrix products.
    """
    n = sim.shape[0]
    if n == 1:
        return np.ones(1)
    w = sim.copy()
    w.flat[:: n + 1] = 0.0  # no self-links
    rows = _add(w, axis=1, keepdims=True)
    linked = rows > 0
    if np.logical_and.reduce(linked, axis=None):
        g = damping * (w / rows)
    else:
        # A sentence sharing no term with any other links uniformly: the chain stays ergodic.
        g = damping * np.where(linked, w / np.where(linked, rows, 1.0), 1.0 / n)
    g += (1 - damping) / n
    for _ in range(squarings):
        g = g @ g
    p = _add(g, axis=0) / n  # the mean of the rows, without np.mean's overhead
    return p / np.maximum.reduce(p)


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.sqrt(_add(m * m, axis=1, keepdims=True))
    return m / np.where(norms > 0, norms, 1.0)


@dataclass(frozen=True, eq=False)
class Candidates:
    """Every unit that could open the lead, with its features (rows) and TF-IDF vectors."""

    text: str
    units: Units | None
    sentence: np.ndarray  # index of the unit's sentence among the candidates
    length: np.ndarray  # characters
    features: np.ndarray  # columns as FEATURES
    vectors: np.ndarray  # L2-normalised TF-IDF rows, for redundancy
    partial: np.ndarray | None = None  # inside a quotation (lead_units): a last resort

    def __len__(self) -> int:
        return len(self.length)

    def pieces(self, i: int) -> list[tuple[int, int]]:
        """The [start, end) ranges of the input that unit `i` keeps."""
        return self.units.pieces(i) if self.units is not None else []

    def unit_text(self, i: int) -> str:
        """Unit `i` as the lead would print it."""
        return "".join(self.text[a:b] for a, b in self.pieces(i))


def _headline(title: str) -> str:
    """The title without its series line ("——九论…"): it names the series, not the piece."""
    main, dash, _ = title.partition("——")
    return main if dash and len(main.strip()) >= 4 else title


def candidates(text: str, title: str = "", *, target: int = 40) -> Candidates:
    """All candidate units of `text` with their features; the tuner and `lead` share this.

    `target` is the length (characters) the `length_gap` feature measures from.
    """
    title = _headline(title)
    sentences = lead_sentences(text)
    units = Units(text, sentences) if sentences else None
    if units is None or not len(units.rows):
        empty = np.zeros(0)
        return Candidates(
            text, None, empty.astype(np.int64), empty, np.zeros((0, len(FEATURES))), empty
        )
    # Every vector counts a run of the rows [title, *parts]: the title, each sentence, then
    # each unit (part p is row p + 1).
    ends = [r + 1 for r in units.first_row]  # sentence n is rows [ends[n], ends[n + 1])
    counts = _range_counts(
        text,
        units.parts,
        title,
        [0, *ends[:-1], *(r[1] + 1 for r in units.rows)],
        [1, *ends[1:], *(r[2] + 1 for r in units.rows)],
    )
    n = len(sentences)
    title_vec, sent_counts, unit_counts = counts[0], counts[1 : n + 1], counts[n + 1 :]
    # Inverse sentence frequency: terms in every sentence say nothing about any one of them.
    df = _add(sent_counts > 0, axis=0)
    idf = np.log((1 + n) / (1 + df)) + 1.0
    vecs = _normalise(counts * idf)
    sent_vecs, unit_vecs = vecs[1 : n + 1], vecs[n + 1 :]
    centrality = _lexrank(sent_vecs @ sent_vecs.T)
    title_sim = unit_vecs @ vecs[0]
    k = units.k
    lengths = units.length
    # Bigram-overlap F1 with the title (clipped, as ROUGE-2): names and numbers in common.
    overlap = _add(np.minimum(unit_counts, title_vec), axis=1)
    title_f = 2 * overlap / np.maximum(_add(unit_counts, axis=1) + _add(title_vec), 1.0)
    quoted = np.array([sentences[i].text.startswith(_QUOTES) for i in k], dtype=bool)
    features = np.empty((len(k), len(FEATURES)))
    features[:, 0] = k == 0
    features[:, 1] = k == 1
    features[:, 2] = np.minimum(k, 10) / 10
    features[:, 3] = title_sim
    features[:, 4] = title_f
    features[:, 5] = centrality[k]
    features[:, 6] = np.abs(lengths - target) / target
    features[:, 7] = np.minimum(lengths, 300) / 100
    features[:, 8] = units.framed
    features[:, 9] = quoted
    features[:, 10] = title_sim * features[:, 0]
    return Candidates(text, units, k, lengths, features, unit_vecs, units.partial)
