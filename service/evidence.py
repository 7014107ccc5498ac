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
from functools import lru_cache
from itertools import repeat

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
    headline,
    prepared_positions,
)

__all__ = [
    "Attribution",
    "Features",
    "Reading",
    "attribute",
    "evidence",
    "featurize",
    "locate",
    "read",
    "readable",
]

_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")  # a term shows at least one letter, digit or hanzi


@lru_cache(maxsize=1 << 16)
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
    at = source.find(title, start)
    if at >= 0:  # most titles stand on the page as they are
        index[:] = np.arange(at, at + len(title))
        if len(pieces) == 1:
            return index
        index[np.fromiter(map(str.isspace, title), bool, len(title))] = -1
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
    index: list[int]  # per code point of the field, its offset in `source` (-1: none)
    source: str


@dataclass(frozen=True, eq=False)
class Reading:
    """One article as the model reads it: the composed text, its words and where they came from."""

    text: str  # compose(title, body): what every feature block reads a head of
    words: list[str]  # segmenter words of the text read, in order
    starts: np.ndarray  # each word's start in `text`, then the end of the last
    read_until: int  # the end of the longest head any block reads
    parts: tuple[_Part, ...]
    shared: int = -1  # the first `shared` words are the word block's own tokens (-1: not so)

    def field_of(self, start: int) -> str:
        """The field that text[start] lies in ("" for the line between title and body)."""
        for part in self.parts:
            if 0 <= start - part.offset < len(part.index):
                return part.field
        return ""

    def spans(self, word: str, starts: Sequence[int]) -> dict[str, list[Span]]:
        """Per field, the ranges of the caller's text holding `word` where it starts at each of
        `starts` in `text`: only ranges that slice it exactly (a word the layout broke over a
        column, or a title not found in the text sent, has none)."""
        out: dict[str, list[Span]] = {}
        n = len(word)
        for start in starts:
            for part in self.parts:
                lo = start - part.offset
                if 0 <= lo and lo + n <= len(part.index):
                    found = out.setdefault(part.field, [])
                    a = part.index[lo]
                    if a >= 0 and part.source.startswith(word, a):
                        found.append(Span(a, a + n, word))
                    break
        return out


def _segmenter(model: DeskModel):
    for block in model.blocks:
        segment = getattr(getattr(block, "tokenizer", None), "segment", None)
        if segment is not None:
            return segment
    from .tokenize import default_segmenter

    return default_segmenter()


def _shared_block(model: DeskModel, segment) -> WordTfidf | None:
    """The word block whose tokens are `segment(head(text, chars))`, which a reading can share."""
    for block in model.blocks:
        if isinstance(block, WordTfidf) and not block.lowercase:
            tokenizer = block.tokenizer
            if getattr(tokenizer, "segment", None) is segment and hasattr(tokenizer, "chars"):
                return block
    return None


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
    # The title line as the model reads it (引题 title 副题, service.model.headline); spans
    # are given for the title's own part, the kicker's and subtitle's words still count.
    line = headline(article.title, article.kicker, article.subtitle)
    text = compose(line, article.text)
    until = _read_until(model, text)
    end = len(text) if whole else until
    segment = _segmenter(model)
    block = _shared_block(model, segment)
    shared = -1
    if block is not None:  # the word block's tokens first, so attribute need not cut them again
        first = head(text, block.tokenizer.chars)
        words = segment(first) if first else []
        shared = len(words)
        if end > len(first):
            words += segment(text[len(first) : end])
    else:
        words = segment(text[:end]) if end else []
    starts = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, words), np.int64, len(words)), out=starts[1:])

    def placed(part: str, field: str, offset: int) -> _Part:
        # Into the page (title_source) when there is one, else into the record's own field.
        tidy = " ".join(part.split())
        if title_source is not None:
            index = locate(tidy, title_source, article.start)
        else:
            index = locate(tidy, part)
        return _Part(field, offset, index.tolist(), title_source or part)

    kicker = " ".join(article.kicker.split())
    at = len(kicker) + 1 if kicker else 0
    title = " ".join(article.title.split())
    parts = (
        placed(article.kicker, "kicker", 0),
        placed(article.title, "title", at),
        placed(article.subtitle, "subtitle", at + len(title) + 1),
        _Part("text", len(line) + 1, article.body.index.tolist(), text_source or article.text),
    )
    if compose(line, "") != line + "\n":  # one home for composing: model.py
        raise ModelError("the model composes texts in a way evidence cannot place", field="model")
    return Reading(text, words, starts, until, parts, shared)


@dataclass(frozen=True, eq=False)
class Attribution:
    """Every part of one label's logit for one article; they sum to `logit`."""

    label: str
    logit: float  # the model's decision value for `label`: intercept + words + cues + rest
    intercept: float
    words: np.ndarray  # per word of the reading, its contribution
    cues: tuple[tuple[str, int, int, float], ...]  # (cue, start, end in the text, contribution)
    rest: float  # features of blocks with no place in the text (none in today's blocks)


def _spread(matrix: TermMatrix, occurrences, coef, rows, signs, word_starts, n_words):
    """Each occurrence's share of its feature's value × weight, spread over its code points and
    summed per word of the batch. `occurrences`: (text, column, size, code points) arrays."""
    docs, columns, sizes, chars = occurrences
    n_docs = matrix.shape[0]
    texts, features, data = matrix.entries()
    keys = features * n_docs + texts  # sorted when the rows are laid out by feature
    data = np.asarray(data, dtype=np.float64)
    if len(keys) > 1 and not (keys[1:] > keys[:-1]).all():
        order = np.argsort(keys, kind="stable")
        keys, data = keys[order], data[order]
    wanted, inverse, counts = np.unique(
        columns * n_docs + docs, return_inverse=True, return_counts=True
    )
    at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    if len(wanted) and (not len(keys) or not np.array_equal(keys[at], wanted)):
        raise ModelError("a feature of the text is missing from the model's row", field="model")
    per = (data[at] / counts)[inverse]
    each = per * coef[rows[docs], columns] * signs[docs] / sizes
    word = np.searchsorted(word_starts, chars, side="right") - 1
    return np.bincount(word, weights=np.repeat(each, sizes), minlength=n_words)


def _flat(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The code points start, start+1, … of each (start, size), one after the other."""
    inner = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(starts, sizes) + inner


def _char_occurrences(block: CharTfidf, texts: list[str], base: np.ndarray):
    origin = np.concatenate(
        [prepared_positions(head(t, block.head_chars), block.lowercase)[1] + base[i]
         for i, t in enumerate(texts)] + [np.zeros(0, dtype=np.int64)]
    )  # fmt: skip
    parts = []
    for n, columns, docs, starts in block.ngram_columns(texts):
        known = columns >= 0
        sizes = np.full(int(known.sum()), n, dtype=np.int64)
        chars = origin[_flat(starts[known], sizes)]
        parts.append((docs[known].astype(np.int64), columns[known].astype(np.int64), sizes, chars))
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))


def _word_occurrences(model, block: WordTfidf, readings: Sequence[Reading], base: np.ndarray):
    """The word block's rows and token occurrences: its tokens shared with the readings'."""
    shared = block is _shared_block(model, _segmenter(model))
    if shared and all(r.shared >= 0 for r in readings):
        tokens = [r.words[: r.shared] for r in readings]
        matrix = block.counted(tokens)
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
        matrix = block.counted(tokens)
    origin = np.concatenate([o + base[i] for i, o in enumerate(origins)] + [np.zeros(0, int)])
    seen_base = np.cumsum([0] + [len(o) for o in origins])
    counts = np.fromiter(map(len, tokens), np.int64, len(tokens))
    flat = [t for ts in tokens for t in ts]
    sizes = np.fromiter(map(len, flat), np.int64, len(flat))
    columns = np.fromiter(map(block.vocabulary_.get, flat, repeat(-1)), np.int64, len(flat))
    docs = np.repeat(np.arange(len(tokens), dtype=np.int64), counts)
    totals = np.bincount(docs, weights=sizes, minlength=len(tokens)).astype(np.int64)
    before = np.cumsum(totals) - totals  # the joined tokens' length before each text's first
    firsts = np.cumsum(sizes) - sizes - before[docs] + seen_base[docs]
    known = columns >= 0
    chars = origin[_flat(firsts[known], sizes[known])]
    return matrix, (docs[known], columns[known], sizes[known], chars)


@dataclass(frozen=True, eq=False)
class Features:
    """One batch as the model reads it: each block's rows (`terms`) and, for a TF-IDF block,
    where its features occur (text, column, size, code points), kept for attribution."""

    terms: list
    places: list
    base: np.ndarray  # each text's start in the texts joined


def featurize(model: DeskModel, readings: Sequence[Reading]) -> Features:
    """Every block's rows of the readings' texts, the word block's from their own tokens."""
    texts = [r.text for r in readings]
    base = np.cumsum([0] + [len(t) for t in texts])
    terms, places = [], []
    for block in model.blocks:
        if isinstance(block, CharTfidf):
            terms.append(block.terms(texts))
            places.append(_char_occurrences(block, texts, base))
        elif isinstance(block, WordTfidf):
            matrix, found = _word_occurrences(model, block, readings, base)
            terms.append(matrix)
            places.append(found)
        else:
            terms.append(block.terms(texts))
            places.append(None)
    return Features(terms, places, base)


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
    word_starts = np.concatenate(
        [r.starts[:-1] + features.base[i] for i, r in enumerate(readings)] + [np.zeros(0, np.int64)]
    )
    sums = np.zeros(int(n_words[-1]))
    cues: list[list] = [[] for _ in readings]
    rest = [0.0] * len(readings)
    lo = 0
    for block, terms, found in zip(model.blocks, features.terms, features.places, strict=True):
        hi = lo + block.n_features
        coef = model.coef_[:, lo:hi]
        lo = hi
        if found is not None:
            sums += _spread(terms, found, coef, rows, signs, word_starts, len(sums))
        elif isinstance(block, CueBlock):
            for i, r in enumerate(readings):
                for j, where in enumerate(cue_spans(r.text)):
                    c = float(terms[i, j] * coef[rows[i], j]) * signs[i]
                    if where is not None and c:
                        cues[i].append((CUE_NAMES[j], where[0], where[1], c))
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
    read = reading.words[:n]
    index = {w: i for i, w in enumerate(dict.fromkeys(read))}
    ids = np.fromiter(map(index.__getitem__, read), np.int64, n)
    sums = np.bincount(ids, weights=attribution.words[:n], minlength=len(index)).tolist()
    extra: dict[str, list[tuple[int, float]]] = {}
    for _cue, a, b, c in attribution.cues:  # a fired cue shows as the phrase that fired it
        phrase = reading.text[a:b]
        if phrase not in index:
            index[phrase] = len(index)
            sums.append(0.0)
        sums[index[phrase]] += c
        extra.setdefault(phrase, []).append((a, c))
    totals = np.asarray(sums)
    names = list(index)
    order = np.flatnonzero(totals > 0)
    order = order[np.argsort(-totals[order], kind="stable")]  # largest first, ties in text order
    chosen = []
    for i in order.tolist():
        if readable(names[i]):
            chosen.append(names[i])
            if len(chosen) == k:
                break
    starts = reading.starts
    out: list[Term] = []
    for word in chosen:
        at = np.flatnonzero(ids == index[word])
        places = list(zip(starts[at].tolist(), attribution.words[at].tolist(), strict=True))
        weights: dict[str, float] = {}
        for a, weight in places + extra.get(word, []):  # a cue's phrase may be a word's too
            field = reading.field_of(a)
            weights[field] = weights.get(field, 0.0) + weight
        spans = reading.spans(word, sorted({a for a, _ in places + extra.get(word, [])}))
        for field, weight in weights.items():
            out.append(Term(word, weight, field, tuple(spans.get(field, ())), attribution.label))
    return tuple(out)
