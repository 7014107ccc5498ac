"""Evidence: the words that moved a label's logit, with spans into the text the caller sent.

The desk model is linear: label y's logit is intercept[y] + Σ_f x_f · coef[y, f] over the
features of every block. Each feature's product is split evenly over the places the feature
occurs in the text the model read, and each place's share evenly over the code points it
covers; summing the shares per segmenter word gives each word its contribution. So a char
n-gram counts for the word(s) it lies in, never as a lone character, and nothing is lost: the
words' contributions, the fired cues' and the intercept sum to the model's decision value (the
logit, not the calibrated probability). The blocks, their heads and their weights are read from
the model, so a model that reads more (other fields, longer heads) is explained the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .documents import Article, Span, Term
from .errors import ModelError
from .model import (
    CUE_NAMES,
    CharTfidf,
    CueBlock,
    DeskModel,
    TermMatrix,
    WordTfidf,
    compose,
    cue_spans,
    head,
    prepared_positions,
)

__all__ = ["Attribution", "Reading", "attribute", "evidence", "locate", "read", "readable"]

_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")  # a term shows at least one letter, digit or hanzi


def readable(word: str) -> bool:
    """A term a person reads as a word: two or more characters, not punctuation or space."""
    return len(word.strip()) >= 2 and bool(_WORDLIKE.search(word))


def locate(title: str, source: str, start: int = 0) -> np.ndarray:
    """Where each code point of a tidied title (space-joined pieces) sits in `source`, found
    from `start` on; -1 for the spaces that stand for line breaks, and all -1 when not found."""
    index = np.full(len(title), -1, dtype=np.int64)
    pieces = title.split()
    if not pieces:
        return index
    found = re.compile(r"\s+".join(map(re.escape, pieces))).search(source, start)
    if found is None:
        return index
    at, t = found.start(), 0
    for piece in pieces:
        at = source.index(piece, at)
        index[t : t + len(piece)] = np.arange(at, at + len(piece))
        at, t = at + len(piece), t + len(piece) + 1
    return index


@dataclass(frozen=True, eq=False)
class _Part:
    """One field of the composed text: where it starts there, and its code points' sources."""

    field: str
    offset: int
    index: np.ndarray  # per code point of the field, its offset in `source` (-1: none)
    source: str


@dataclass(frozen=True, eq=False)
class Reading:
    """One article as the model reads it: the composed text, its words and where they came from."""

    text: str  # compose(title, body): what every feature block reads a head of
    starts: np.ndarray  # each word's start in `text`, then the end of the last
    read_until: int  # the end of the longest head any block reads
    parts: tuple[_Part, ...]

    @property
    def words(self) -> list[str]:
        s = self.starts.tolist()
        return [self.text[a:b] for a, b in zip(s[:-1], s[1:], strict=True)]

    def spans(self, start: int, end: int) -> tuple[str, tuple[Span, ...]]:
        """The field holding text[start:end] and its range in the caller's text: one span that
        slices it exactly, or none (a word the layout broke over a column, an unplaced title)."""
        for part in self.parts:
            lo, hi = start - part.offset, end - part.offset
            if 0 <= lo and hi <= len(part.index):
                idx = part.index[lo:hi]
                if len(idx) == 0 or idx[0] < 0 or idx[-1] - idx[0] != len(idx) - 1:
                    return part.field, ()
                a, b = int(idx[0]), int(idx[-1]) + 1
                return part.field, (Span(a, b, part.source[a:b]),)
        return "", ()


def _segmenter(model: DeskModel):
    for block in model.blocks:
        segment = getattr(getattr(block, "tokenizer", None), "segment", None)
        if segment is not None:
            return segment
    from .tokenize import default_segmenter

    return default_segmenter()


def _read_until(model: DeskModel, text: str) -> int:
    """The end of the longest head a block reads (a block of unknown kind: all of the text)."""
    heads = []
    for block in model.blocks:
        if isinstance(block, CharTfidf):
            heads.append(block.head_chars)
        elif isinstance(block, WordTfidf):
            heads.append(getattr(block.tokenizer, "chars", 0))
        elif not isinstance(block, CueBlock):  # the cues read the title and the body's opening
            heads.append(0)
    if not heads or any(h <= 0 for h in heads):  # a block that reads everything
        return len(text)
    return len(head(text, max(heads)))


def read(
    model: DeskModel,
    article: Article,
    title_source: str | None = None,
    text_source: str | None = None,
    *,
    whole: bool = False,
) -> Reading:
    """Segment what the model reads of `article` (`whole`: all of it, for keywords); spans will
    point into `title_source`/`text_source` (default: the article's own title and text)."""
    text = compose(article.title, article.text)
    until = _read_until(model, text)
    words = _segmenter(model)(text if whole else text[:until])
    starts = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum([len(w) for w in words], out=starts[1:])
    title_index = (
        locate(article.title, title_source, article.start)
        if title_source is not None
        else np.arange(len(article.title), dtype=np.int64)
    )
    parts = (
        _Part("title", 0, title_index, title_source or article.title),
        _Part("text", len(article.title) + 1, article.body.index, text_source or article.text),
    )
    if compose(article.title, "") != article.title + "\n":  # one home for composing: model.py
        raise ModelError("the model composes texts in a way evidence cannot place", field="model")
    return Reading(text, starts, until, parts)


@dataclass(frozen=True, eq=False)
class Attribution:
    """Every part of one label's logit for one article; they sum to `logit`."""

    label: str
    logit: float  # the model's decision value for `label`: intercept + words + cues + rest
    intercept: float
    words: np.ndarray  # per word of the reading, its contribution
    cues: tuple[tuple[str, int, int, float], ...]  # (cue, start, end in the text, contribution)
    rest: float  # features of blocks with no place in the text (none in today's blocks)


def _rows(terms: TermMatrix) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per text of a CSC batch: its nonzero columns (sorted) and their values."""
    n_docs, n_features = terms.shape
    feature = np.repeat(np.arange(n_features, dtype=np.int64), np.diff(terms.indptr))
    docs = np.asarray(terms.indices, dtype=np.int64)
    order = np.lexsort((feature, docs))
    docs, feature = docs[order], feature[order]
    data = np.asarray(terms.data, dtype=np.float64)[order]
    cuts = np.searchsorted(docs, np.arange(n_docs + 1)).tolist()
    return [(feature[a:b], data[a:b]) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


def _shares(columns, row, weights, places, n_words, word_of) -> np.ndarray:
    """Spread value × weight of each column over its places, and each place over its chars.

    `places` is (occurrences × chars) of positions in the text; returns per-word sums."""
    known, values = row
    at = np.searchsorted(known, columns)
    if (at >= len(known)).any() or not np.array_equal(known[at], columns):
        raise ModelError("a feature of the text is missing from the model's row", field="model")
    _, inverse, counts = np.unique(columns, return_inverse=True, return_counts=True)
    each = values[at] * weights[columns] / counts[inverse] / places.shape[1]
    chars = places.ravel()
    return np.bincount(word_of(chars), weights=np.repeat(each, places.shape[1]), minlength=n_words)


def _char_places(block: CharTfidf, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
    _, origin = prepared_positions(head(text, block.head_chars), block.lowercase)
    out = []
    for n, columns in block.ngram_columns(text):
        at = np.flatnonzero(columns >= 0)
        places = origin[at[:, None] + np.arange(n)[None, :]]
        out.append((columns[at].astype(np.int64), places))
    return out


def _word_places(block: WordTfidf, text: str) -> list[tuple[np.ndarray, np.ndarray]]:
    seen = text.lower() if block.lowercase else text
    origin = np.arange(len(text), dtype=np.int64)
    if len(seen) != len(text):
        origin = np.repeat(origin, [len(c.lower()) for c in text])
    tokens = block.tokenizer(seen)
    if not seen.startswith("".join(tokens)):
        raise ModelError("the word block's tokens do not rebuild the text", field="model")
    ends = np.cumsum([len(t) for t in tokens], dtype=np.int64)
    columns = np.fromiter((block.vocabulary_.get(t, -1) for t in tokens), np.int64, len(tokens))
    out = []
    lengths = np.diff(ends, prepend=0)
    for n in np.unique(lengths[columns >= 0]).tolist():  # grouped by length: rectangular places
        at = np.flatnonzero((columns >= 0) & (lengths == n))
        places = origin[(ends[at] - n)[:, None] + np.arange(n)[None, :]]
        out.append((columns[at], places))
    return out


def attribute(model: DeskModel, readings: Sequence[Reading], labels: Sequence[int]) -> list:
    """The Attribution of `labels[i]` (an index into classes_) for each reading, one batch."""
    texts = [r.text for r in readings]
    two_class = model.coef_.shape[0] == 1  # binary LogisticRegression: one row, for class 1
    rows = [0 if two_class else y for y in labels]
    signs = [(1.0 if y == 1 else -1.0) if two_class else 1.0 for y in labels]
    words = [np.zeros(len(r.starts) - 1) for r in readings]
    cues: list[list] = [[] for _ in readings]
    rest = [0.0] * len(readings)
    lo = 0
    for block in model.blocks:
        hi = lo + block.n_features
        coef = model.coef_[:, lo:hi]
        lo = hi
        if isinstance(block, CueBlock):
            values = block.terms(texts)
            for i, r in enumerate(readings):
                for j, where in enumerate(cue_spans(r.text)):
                    c = float(values[i, j] * coef[rows[i], j]) * signs[i]
                    if where is not None and c:
                        cues[i].append((CUE_NAMES[j], where[0], where[1], c))
                    elif c:
                        rest[i] += c
            continue
        if not isinstance(block, CharTfidf | WordTfidf):  # a block evidence cannot place
            terms = block.terms(texts)
            dense = terms if isinstance(terms, np.ndarray) else terms.to_scipy()
            part = np.asarray(dense @ np.ascontiguousarray(coef.T))
            for i in range(len(readings)):
                rest[i] += float(part[i, rows[i]]) * signs[i]
            continue
        batch = _rows(block.terms(texts))
        places_of = _char_places if isinstance(block, CharTfidf) else _word_places
        for i, r in enumerate(readings):
            weights = coef[rows[i]] * signs[i]

            def word_of(chars, starts=r.starts):
                return np.searchsorted(starts, chars, side="right") - 1

            for columns, places in places_of(block, r.text):
                if len(columns):
                    words[i] += _shares(columns, batch[i], weights, places, len(words[i]), word_of)
    out = []
    for i, y in enumerate(labels):
        intercept = float(model.intercept_[rows[i]]) * signs[i]
        total = intercept + float(words[i].sum()) + sum(c[3] for c in cues[i]) + rest[i]
        label = str(model.classes_[y])
        out.append(Attribution(label, total, intercept, words[i], tuple(cues[i]), rest[i]))
    return out


def evidence(reading: Reading, attribution: Attribution, k: int) -> tuple[Term, ...]:
    """The k readable terms that added most to the label's logit, each with its spans: one
    Term per field a term occurs in (its weight the sum of its occurrences there)."""
    if k <= 0:
        return ()
    starts = reading.starts.tolist()
    places: dict[str, list[tuple[int, int, float]]] = {}
    shares = attribution.words.tolist()
    for i, (a, b) in enumerate(zip(starts[:-1], starts[1:], strict=True)):
        if a >= reading.read_until:
            break
        word = reading.text[a:b]
        if readable(word):
            places.setdefault(word, []).append((a, b, shares[i]))
    for _cue, a, b, c in attribution.cues:  # a fired cue shows as the phrase that fired it
        places.setdefault(reading.text[a:b], []).append((a, b, c))
    ranked = sorted(((sum(p[2] for p in found), word) for word, found in places.items()),
                    key=lambda x: (-x[0], x[1]))  # fmt: skip
    out: list[Term] = []
    for total, word in ranked[:k]:
        if total <= 0:
            break
        fields: dict[str, tuple[float, dict[Span, None]]] = {}
        for a, b, weight in sorted(places[word]):
            field, spans = reading.spans(a, b)
            old, seen = fields.get(field, (0.0, {}))
            fields[field] = (old + weight, {**seen, **dict.fromkeys(spans)})  # a cue's = a word's
        for field, (weight, spans) in fields.items():
            out.append(Term(word, weight, field, tuple(spans), attribution.label))
    return tuple(out)
