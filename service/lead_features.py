"""Features of the candidate units: position, length, the headline, centrality (numpy only).

Vectors are character-bigram TF-IDF (no segmenter needed; measured as good as jieba words at
twice the speed), counted for the titles, sentences and units of a batch of articles in one
`bincount` (`candidates_all`; `newsdesk summarise` and the server write leads by the batch).
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
_BATCH = 64  # articles whose bigrams are counted together


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


def _range_counts(jobs: list[tuple[str, list[Span], str, list[int], list[int]]]) -> list:
    """Character-bigram counts of runs of rows, for each job (text, spans, title, first, last)
    of a batch: run i of a job is its rows [first[i], last[i]) of [title, *spans]. No
    segmenter, and a few array ops for the whole batch, where one article's cost thirty.

    Terms are numbered per job, in the order of their keys (as np.unique numbers them), over
    every bigram of the job's title and text from its first span to its last.
    """
    texts, starts, ends, bases, firsts, lasts = [], [], [], [], [], []
    base = rows = 0
    for text, spans, title, first, last in jobs:
        # The title and the text in one string, jobs joined by line breaks: no word
        # characters, so no bigram crosses them.
        lo, hi = spans[0].start, spans[-1].end
        shift = base + len(title) + 1 - lo
        texts.append(f"{title}\n{text[lo:hi]}")
        bases.append(base)
        starts += [base, *(s.start + shift for s in spans)]
        ends += [base + len(title), *(s.end + shift for s in spans)]
        firsts += [rows + f for f in first]
        lasts += [rows + f for f in last]
        base += len(texts[-1]) + 1
        rows += len(spans) + 1
    keys, pos = _bigrams("\n".join(texts))
    if len(jobs) > 1:  # (a key is two 21-bit code points: its job's number goes above them)
        job = np.array(bases).searchsorted(pos, side="right") - 1
        keys |= job << 42
    # Each key's rank among the batch's distinct keys (np.unique's inverse, cheaper); a job's
    # keys rank after every earlier job's, so its own numbers are its ranks less theirs.
    order = keys.argsort()
    ordered = keys[order]
    new = np.empty(len(keys), dtype=bool)  # where a sorted key differs from the one before
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    ids = np.empty(len(keys), dtype=np.int64)
    ids[order] = new.cumsum() - 1
    # A job's numbers are its ranks less the distinct keys of the jobs before it; its runs'
    # counts a block of the batch's, run i of the job at `offsets` + i * its `width` terms.
    distinct = np.bincount(ordered[new] >> 42, minlength=len(jobs)).tolist()
    before, offsets, blocks, o, ranked = [], [], [], 0, 0
    for (*_, first, _), d in zip(jobs, distinct, strict=True):
        width = max(d, 1)  # (a job without a bigram: one column of zeros)
        before.append(ranked)
        offsets += range(o, o + len(first) * width, width)
        blocks.append((o, len(first), width))
        o += len(first) * width
        ranked += d
    if len(jobs) > 1:
        ids -= np.array(before)[job]
    starts, ends = np.array(starts), np.array(ends)
    row = starts.searchsorted(pos, side="right") - 1
    inside = pos + 1 < ends[row]  # not across two spans, nor in the gap between them
    ids, row = ids[inside], row[inside]
    # Bigrams come in text order, so a run of rows owns a slice of them: gather each run's
    # slice under the run's place, and count all runs of the batch in one bincount.
    at = row.searchsorted(np.arange(rows + 1))  # row r owns [at[r], at[r + 1])
    begin, size = at[firsts], at[lasts] - at[firsts]
    total = size.cumsum()
    take = np.arange(total[-1]) + (begin - total + size).repeat(size)
    flat = np.bincount(np.array(offsets).repeat(size) + ids[take], minlength=o)
    return [flat[o : o + n * width].reshape(n, width) for o, n, width in blocks]


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
    return candidates_all([(text, title, target)])[0]


def candidates_all(items: list[tuple[str, str, int]]) -> list[Candidates]:
    """`candidates(text, title, target=target)` of each item, their counts made at once."""
    found = [_units(text, title) for text, title, _ in items]
    jobs = [(text, *f[2]) for (text, _, _), f in zip(items, found, strict=True) if f]
    # (by _BATCH articles: a batch's counts are one array, some runs by some terms each)
    counts = (
        c for at in range(0, len(jobs), _BATCH) for c in _range_counts(jobs[at : at + _BATCH])
    )
    return [
        _features(text, target, f[0], f[1], next(counts)) if f else _none(text)
        for (text, _, target), f in zip(items, found, strict=True)
    ]


def _none(text: str) -> Candidates:
    empty = np.zeros(0)
    return Candidates(
        text, None, empty.astype(np.int64), empty, np.zeros((0, len(FEATURES))), empty
    )


def _units(text: str, title: str) -> tuple | None:
    """(sentences, units, (parts, title, first rows, last rows) of the vectors to count) of
    `text`, or None when it has no candidate."""
    sentences = lead_sentences(text)
    units = Units(text, sentences) if sentences else None
    if units is None or not len(units.rows):
        return None
    # Every vector counts a run of the rows [title, *parts]: the title, each sentence, then
    # each unit (part p is row p + 1).
    ends = [r + 1 for r in units.first_row]  # sentence n is rows [ends[n], ends[n + 1])
    first = [0, *ends[:-1], *(r[1] + 1 for r in units.rows)]
    last = [1, *ends[1:], *(r[2] + 1 for r in units.rows)]
    return sentences, units, (units.parts, _headline(title), first, last)


def _features(text: str, target: int, sentences, units: Units, counts) -> Candidates:
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
