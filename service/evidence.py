"""Evidence: the words that moved a label's logit, with spans into the text the caller sent.

The desk model is linear: label y's logit is intercept[y] + Σ_f x_f · coef[y, f] over the
features of every block. Each feature's product is split evenly over the places the feature
occurs in the text the model read, and each place's share evenly over the code points it
covers; summing the shares per segmenter word gives each word its contribution. So a char
n-gram counts for the word(s) it lies in, never as a lone character, and nothing is lost: the
words' contributions, the fired cues' and the intercept sum to the model's decision value (the
logit, not the calibrated probability). The blocks, their heads and their weights are read from
the model, so a model that reads more (other fields, longer heads) is explained the same way.

Cost: the rows that give the labels are made once and reused; each place finds its value with
the counting sort that made the rows (`termrows.tfidf_entries`), the shares reach words
through one code point → word table, and spans are looked up only for the k terms chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .cued_evidence import cued_evidence
from .documents import Term
from .errors import ModelError
from .model import CharTfidf, CueBlock, DeskModel, WordTfidf, cue_spans, head
from .ngrams import flat_ranges as _flat
from .ngrams import prepared_origins
from .placing import group, per_reading, terms_json, terms_of
from .reading import (
    Reading,
    WordBatch,
    is_readable,
    locate,
    read,
    readable,
    segmenter,
    shared_block,
)
from .termrows import TermMatrix, tfidf_entries

__all__ = [
    "Attribution",
    "Features",
    "Reading",
    "attribute",
    "evidence",
    "evidence_all",
    "featurize",
    "locate",
    "read",
    "readable",
]


@dataclass(frozen=True, eq=False)
class Attribution:
    """Every part of one label's logit for one article; they sum to `logit`."""

    label: str
    logit: float  # the model's decision value for `label`: intercept + words + cues + rest
    intercept: float
    words: np.ndarray  # per word of the reading, its contribution
    cues: tuple[tuple[str, int, int, float], ...]  # (cue, start, end in the text, contribution)
    rest: float  # features of blocks with no place in the text (none in today's blocks)


@dataclass(frozen=True, eq=False)
class _Places:
    """Where a TF-IDF block's features occur in a batch, one entry per hit of its rows: text,
    column, start in the block's prepared texts joined, length; and `origin`, each prepared
    code point's position in the readings' texts joined."""

    docs: np.ndarray
    columns: np.ndarray
    starts: np.ndarray
    sizes: np.ndarray
    origin: np.ndarray
    entry: np.ndarray  # per hit: its value in the rows' data (`termrows.tfidf_entries`)
    counts: np.ndarray  # per value: how many hits make it
    runs: np.ndarray | None = None  # where `sizes` changes, when known (n-grams: by length)


@dataclass(frozen=True, eq=False)
class Features:
    """One batch as the model reads it: each block's rows (`terms`) and, for a TF-IDF block,
    where its features occur (`_Places`), kept for attribution."""

    terms: list
    places: list
    base: np.ndarray  # each text's start in the texts joined


def _rows(block, columns: np.ndarray, docs: np.ndarray, n_texts: int):
    """The block's rows (as `block.rows` makes them) and, from the same sort, each hit's value."""
    return tfidf_entries(columns, docs, n_texts, block.idf_, block.sublinear_tf, block.norm)


def _char_places(block: CharTfidf, texts: list[str], base: np.ndarray):
    # Which texts prepare to other positions, told by the pass that prepares them for the
    # n-grams (a masked block reads other texts: its origins find their own).
    odd = np.zeros(len(texts), dtype=bool) if block.mask is None else None
    columns, docs, starts, sizes = block.hits(texts, positions=True, odd=odd)
    heads = [head(t, block.head_chars) for t in texts]
    origin = prepared_origins(heads, block.lowercase, base, odd)
    matrix, entry, counts = _rows(block, columns, docs, len(texts))
    # The hits come length by length (`hits`): where each length starts, without a pass over
    # every hit (an absent length gives an empty run, which `_spread` skips).
    runs = np.searchsorted(sizes, np.arange(block.ngram_range[0] + 1, block.ngram_range[1] + 1))
    return matrix, _Places(docs, columns, starts, sizes, origin, entry, counts, runs)


def _word_places(model, block: WordTfidf, readings: Sequence[Reading], base: np.ndarray):
    """The word block's rows and places: its tokens shared with the readings' when they are."""
    shared = block is shared_block(model, segmenter(model))
    if shared and all(r.shared >= 0 for r in readings):
        tokens = [r.words[: r.shared] for r in readings]
        origins = [np.arange(len(r.text), dtype=np.int64) for r in readings]
    else:
        tokens, origins = [], []
        for r in readings:
            seen = r.text.lower() if block.lowercase else r.text
            origin = np.arange(len(r.text), dtype=np.int64)
            if len(seen) != len(r.text):
                origin = np.repeat(origin, [len(c.lower()) for c in r.text])
            tokens.append(block.tokenizer(seen))
            if not seen.startswith("".join(tokens[-1])):
                raise ModelError("the word block's tokens do not rebuild the text", field="model")
            origins.append(origin)
    columns, docs, known = block.hits(tokens)
    matrix, entry, hits = _rows(block, columns, docs, len(tokens))
    origin = np.concatenate([o + base[i] for i, o in enumerate(origins)] + [np.zeros(0, int)])
    seen_base = np.cumsum([0] + [len(o) for o in origins])
    counts = np.fromiter(map(len, tokens), np.int64, len(tokens))
    flat = [t for ts in tokens for t in ts]
    sizes = np.fromiter(map(len, flat), np.int64, len(flat))
    owner = np.repeat(np.arange(len(tokens), dtype=np.int64), counts)
    totals = np.bincount(owner, weights=sizes, minlength=len(tokens)).astype(np.int64)
    before = np.cumsum(totals) - totals  # the joined tokens' length before each text's first
    starts = np.cumsum(sizes) - sizes - before[owner] + seen_base[owner]
    return matrix, _Places(docs, columns, starts[known], sizes[known], origin, entry, hits)


def featurize(model: DeskModel, readings: Sequence[Reading]) -> Features:
    """Every block's rows of the readings' texts, the word block's from their own tokens."""
    texts = [r.text for r in readings]
    base = np.cumsum([0] + [len(t) for t in texts])
    terms, places = [], []
    for block in model.blocks:
        if isinstance(block, CharTfidf):
            matrix, found = _char_places(block, texts, base)
        elif isinstance(block, WordTfidf):
            matrix, found = _word_places(model, block, readings, base)
        else:
            matrix, found = block.terms(texts), None
        terms.append(matrix)
        places.append(found)
    return Features(terms, places, base)


def _spread(matrix: TermMatrix, places: _Places, weights, rows, signs, word_of, n_words):
    """Each place's share of its feature's value × weight, spread over its code points and
    summed per word of the batch (`weights`: the block's coef, features × labels, C order)."""
    sizes, entry, counts = places.sizes, places.entry, places.counts
    # Per value of the rows (fewer than places, and in column order: the weights are read
    # nearly in order), then per place: the same operations on the same numbers as
    # data[entry] / counts[entry] * coef[rows[docs], columns] * signs[docs] / sizes.
    on, at, data = matrix.entries()
    data = np.asarray(data, dtype=np.float64)
    # weights[column, label]: the lines `scores_of` has just read, not a stride through
    # coef's rows (the same numbers).
    value = data / counts * weights[at, rows[on]]
    if (signs != 1.0).any():  # × 1.0 changes no bit: skipped for the usual many-label model
        value *= signs[on]
    owner = word_of[places.origin]  # each prepared code point's word
    runs = places.runs if places.runs is not None else np.flatnonzero(np.diff(sizes)) + 1
    if len(runs) > 8:  # places of many lengths (words): code point by code point
        each = value[entry] / sizes
        words = owner[_flat(places.starts, sizes)]
        return np.bincount(words, weights=np.repeat(each, sizes), minlength=n_words)
    # n-grams come length by length, and a place of length n gives its share to the code
    # points it starts at and the n − 1 after: per length, the shares by start (one place of a
    # length a start), then each code point's sum as a box of width n over them. Summed per
    # code point first, then per word: a sequential pass over the text, not one per place's
    # code point (the same sums, added in another order: equal to about 1e-15).
    total = len(owner)
    at_start: list[np.ndarray] = []  # at_start[j]: shares of places longer than j, by start
    for a, b in zip([0, *runs.tolist()], [*runs.tolist(), len(sizes)], strict=True):
        if b > a:
            # (a run's shares over its one length: a scalar division, the same quotients)
            each = value.take(entry[a:b])
            each /= int(sizes[a])
            by_start = np.bincount(places.starts[a:b], weights=each, minlength=total)
            kept = False  # a run's sums kept as they are once, copied for any later length
            for j in range(int(sizes[a])):
                if j < len(at_start):
                    at_start[j] += by_start
                else:
                    at_start.append(by_start.copy() if kept else by_start)
                    kept = True
    if not at_start:
        return np.zeros(n_words)
    point = at_start[0]
    for j, shares in enumerate(at_start[1:], start=1):
        point[j:] += shares[: total - j]  # a place starting at c reaches c + j
    return np.bincount(owner, weights=point, minlength=n_words)


def _word_of(readings: Sequence[Reading], n_words: np.ndarray) -> np.ndarray:
    """For each code point of the texts joined, the batch number of the word it lies in (past
    the last word read: the last word; the blocks read no further)."""
    # Each reading's word starts, then its text's length in place of its words' end: their
    # differences within a reading are its words' lengths (the last one's to the text's end).
    bounds = np.concatenate([r.starts for r in readings] + [np.zeros(0, dtype=np.int64)])
    ends = n_words[1:] + np.arange(len(readings))  # each reading's last entry in `bounds`
    bounds[ends] = np.fromiter((len(r.text) for r in readings), np.int64, len(readings))
    lengths = np.delete(np.diff(bounds), ends[:-1])  # not from one reading's end to the next
    return np.repeat(np.arange(int(n_words[-1]), dtype=np.int64), lengths)


def attribute(
    model: DeskModel,
    readings: Sequence[Reading],
    labels: Sequence[int],
    features: Features | None = None,
) -> list[Attribution]:
    """The Attribution of `labels[i]` (an index into classes_) for each reading, one batch."""
    if features is None:
        features = featurize(model, readings)
    two_class = model.coef_.shape[0] == 1  # binary LogisticRegression: one row, for class 1
    rows = np.asarray([0 if two_class else y for y in labels], dtype=np.int64)
    signs = np.asarray([(1.0 if y == 1 else -1.0) if two_class else 1.0 for y in labels])
    n_words = np.cumsum([0] + [len(r.starts) - 1 for r in readings])
    word_of = _word_of(readings, n_words)
    sums = np.zeros(int(n_words[-1]))
    cues: list[list] = [[] for _ in readings]
    rest = [0.0] * len(readings)
    lo = 0
    blocks = zip(model.blocks, features.terms, features.places, model._weights(), strict=True)
    for block, terms, found, weights in blocks:
        hi = lo + block.n_features
        coef = model.coef_[:, lo:hi]
        lo = hi
        if found is not None:
            sums += _spread(terms, found, weights, rows, signs, word_of, len(sums))
        elif isinstance(block, CueBlock):
            # Only a reading with a cue of nonzero part needs its cues' places (most have none).
            fired = np.flatnonzero((np.asarray(terms) * coef[rows]).any(axis=1))
            for i in fired.tolist():
                for j, where in enumerate(cue_spans(readings[i].text, block.names)):
                    c = float(terms[i, j] * coef[rows[i], j]) * signs[i]
                    if where is not None and c:
                        cues[i].append((block.names[j], where[0], where[1], c))
                    elif c:
                        rest[i] += c
        else:  # a block evidence cannot place: its part of the logit is counted, unplaced
            dense = terms if isinstance(terms, np.ndarray) else terms.to_scipy()
            part = np.asarray(dense @ np.ascontiguousarray(coef.T))
            for i in range(len(readings)):
                rest[i] += float(part[i, rows[i]]) * signs[i]
    out = []
    for i, y in enumerate(labels):
        words = sums[n_words[i] : n_words[i + 1]]
        intercept = float(model.intercept_[rows[i]]) * signs[i]
        total = intercept + float(words.sum()) + sum(c[3] for c in cues[i]) + rest[i]
        label = str(model.classes_[y])
        out.append(Attribution(label, total, intercept, words, tuple(cues[i]), rest[i]))
    return out


def evidence(reading: Reading, attribution: Attribution, k: int) -> tuple[Term, ...]:
    """The k readable terms that added most to the label's logit, each with its spans: one
    Term per field a term occurs in (its weight the sum of its occurrences there)."""
    if k <= 0:
        return ()
    n = int(np.searchsorted(reading.starts[:-1], reading.read_until))  # words the model read
    index, ids = reading.vocabulary
    ids = ids[:n]
    sums = np.bincount(ids, weights=attribution.words[:n], minlength=len(index))
    extra: dict[str, list[tuple[int, float]]] = {}
    added: dict[str, int] = {}
    for _cue, a, b, c in attribution.cues:  # a fired cue shows as the phrase that fired it
        phrase = reading.text[a:b]
        at = index.get(phrase)
        if at is None:
            at = added.setdefault(phrase, len(index) + len(added))
        extra.setdefault(phrase, []).append((a, c))
    if added:
        sums = np.append(sums, np.zeros(len(added)))
    for phrase, places in extra.items():
        sums[index.get(phrase, added.get(phrase))] += sum(c for _, c in places)
    names = None
    order = np.flatnonzero(sums > 0)
    order = order[np.argsort(-sums[order], kind="stable")]  # largest first, ties in text order
    chosen = []
    for i in order.tolist():
        if names is None:
            names = list(index) + list(added)
        if readable(names[i]):
            chosen.append(names[i])
            if len(chosen) == k:
                break
    starts = reading.starts
    out: list[Term] = []
    for word in chosen:
        at = np.flatnonzero(ids == index[word]) if word in index else np.zeros(0, np.int64)
        places = list(zip(starts[at].tolist(), attribution.words[at].tolist(), strict=True))
        weights: dict[str, float] = {}
        for a, weight in places + extra.get(word, []):  # a cue's phrase may be a word's too
            field = reading.field_of(a)
            weights[field] = weights.get(field, 0.0) + weight
        spans = reading.spans(word, sorted({a for a, _ in places + extra.get(word, [])}))
        for field, weight in weights.items():
            out.append(Term(word, weight, field, tuple(spans.get(field, ())), attribution.label))
    return tuple(out)


def evidence_all(
    readings: Sequence[Reading],
    attributions: Sequence[Attribution],
    k: int,
    batch: WordBatch | None = None,
    render: bool = False,
) -> list:
    """`evidence` of each reading, chosen for the whole batch at once (`batch`: the readings'
    WordBatch, when the caller has it already; `render`: each reading's as its JSON text)."""
    if k <= 0 or not readings:
        return ["[]" if render else () for _ in readings]
    batch = batch or WordBatch.of(readings)
    words = np.concatenate([a.words for a in attributions])
    # The words the model read: those starting before their reading's `read_until` (a word's
    # starts ascend), for the whole batch in one comparison.
    until = np.fromiter((r.read_until for r in readings), np.int64, len(readings))
    read = batch.starts < until[batch.doc]
    sums = np.bincount(batch.pair[read], weights=words[read], minlength=len(batch.pair_id))
    ok = batch.judged(is_readable, bool)
    cued = np.fromiter((bool(a.cues) for a in attributions), bool, len(attributions))
    best = batch.top(np.where(ok[batch.pair_id] & ~cued[batch.pair_doc], sums, 0.0), k)
    at, term = batch.grouped(best, read)
    part, _, span = batch.layout.place(batch.doc[at], batch.starts[at], batch.sizes[at])
    placed = group(term, part, span, words[at])
    docs = batch.pair_doc[best]
    names = [batch.names[g] for g in batch.pair_id[best].tolist()]
    make = terms_json if render else terms_of
    terms = make(placed, names, labels=[attributions[i].label for i in docs.tolist()])
    bounds = np.searchsorted(docs[placed.term], np.arange(len(readings) + 1)).tolist()
    out = per_reading(terms, bounds, render)
    if cued.any():
        which = np.flatnonzero(cued)
        for i, found in cued_evidence(batch, attributions, words, sums, read, ok, k, which, render):
            out[i] = found
    return out
