"""Where a batch's chosen terms stand in the caller's text: fields, weights and spans in numpy.

Evidence and keywords pick a few words per article; each word has places (its occurrences in
the composed text). A place counts for the field its first code point lies in, and gives a span
when the whole word lies in that field and the caller's text holds the word exactly there. This
is `Reading.spans` and `Reading.field_of` for every place of a batch at once: one table of the
readings' fields (where each starts and ends, and where its code points came from), and the
code points of the texts and the sources compared as arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .documents import Span, Term
from .termjson import objects_text, spans_text

__all__ = ["Layout", "Placed", "per_reading", "terms_json", "terms_of"]

FIELDS = ("kicker", "title", "subtitle", "text")  # the order of a reading's parts


def _points(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of `texts` joined, and each text's start in them."""
    # surrogatepass: a lone surrogate (from a JSON "\ud800") is a code point like any other.
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    base = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)), out=base[1:])
    return np.frombuffer(joined, dtype="<u4"), base


@dataclass(frozen=True, eq=False)
class Layout:
    """The parts of a batch's readings: per reading and part, where it lies in the reading's
    text (`lo`, `hi`; an empty part has lo == hi), where its code points' offsets start in
    `index`, and where its source starts in `source` and how long it is."""

    lo: np.ndarray  # (readings, 4)
    hi: np.ndarray
    index_base: np.ndarray
    index: np.ndarray  # every part's offsets into its source, joined (-1: from nowhere)
    source_base: np.ndarray
    source_len: np.ndarray
    source: np.ndarray  # the code points of the distinct sources, joined
    text: np.ndarray  # the code points of the readings' texts, joined
    text_base: np.ndarray  # each reading's start in `text`

    @classmethod
    def of(cls, readings: Sequence) -> Layout:
        shape = (len(readings), len(FIELDS))
        lo = np.zeros(shape, dtype=np.int64)
        size = np.zeros(shape, dtype=np.int64)
        source_of = np.zeros(shape, dtype=np.int64)
        sources: dict[int, int] = {}  # id → number: a page is the source of all its articles
        kept: list[str] = []
        indexes = []
        for i, reading in enumerate(readings):
            if len(reading.parts) != len(FIELDS):
                raise ValueError("a reading has the parts kicker, title, subtitle and text")
            for j, part in enumerate(reading.parts):
                lo[i, j], size[i, j] = part.offset, len(part.index)
                number = sources.setdefault(id(part.source), len(kept))
                if number == len(kept):
                    kept.append(part.source)
                source_of[i, j] = number
                indexes.append(part.index)
        index_base = np.cumsum(size.ravel()).reshape(shape) - size
        source, starts = _points(kept)
        text, text_base = _points([r.text for r in readings])
        return cls(
            lo,
            lo + size,
            index_base,
            np.concatenate(indexes + [np.zeros(0, np.int64)]).astype(np.int64, copy=False),
            starts[source_of],
            np.diff(starts)[source_of],
            source,
            text,
            text_base,
        )

    def place(
        self, docs: np.ndarray, starts: np.ndarray, sizes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For places (reading, start in its text, length): the part each starts in (-1: none),
        whether the whole word lies in that part, and where its span starts in the caller's
        text (-1: no span slices it exactly there)."""
        inside = (self.lo[docs] <= starts[:, None]) & (starts[:, None] < self.hi[docs])
        part = np.where(inside.any(axis=1), inside.argmax(axis=1), -1)
        at = np.flatnonzero(part >= 0)
        d, p, s, n = docs[at], part[at], starts[at], sizes[at]
        fits = s + n <= self.hi[d, p]
        at, d, p, s, n = at[fits], d[fits], p[fits], s[fits], n[fits]
        fit = np.zeros(len(docs), dtype=bool)
        fit[at] = True
        a = self.index[self.index_base[d, p] + s - self.lo[d, p]]
        ok = (a >= 0) & (a + n <= self.source_len[d, p])
        at, d, p, s, n, a = at[ok], d[ok], p[ok], s[ok], n[ok], a[ok]
        # The caller's text holds the word there: compare the code points one by one.
        inner = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
        src = self.source[np.repeat(self.source_base[d, p] + a, n) + inner]
        txt = self.text[np.repeat(self.text_base[d] + s, n) + inner]
        same = np.ones(len(at), dtype=bool)
        if len(inner):
            owner = np.repeat(np.arange(len(at)), n)
            # Repeated indices set the same False: no np.unique (which imports numpy.ma, 35 ms).
            same[owner[src != txt]] = False
        span = np.full(len(docs), -1, dtype=np.int64)
        span[at[same]] = a[same]
        return part, fit, span


@dataclass(frozen=True, eq=False)
class Placed:
    """The places of chosen terms, grouped: one group per term and field, in output order."""

    term: np.ndarray  # per group: the term's number among those chosen
    field: np.ndarray  # per group: its part (-1: none)
    weight: np.ndarray  # per group: the sum of its places' weights, in text order
    first_span: np.ndarray  # per group: its first span in `span_start`, then their number
    span_start: np.ndarray  # the spans' starts in the caller's text, group by group


def group(
    term: np.ndarray,
    part: np.ndarray,
    span: np.ndarray,
    weight: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> Placed:
    """Group places (sorted by term, each term's in text order) by term and field, the fields of
    a term in the order they first occur (`keep`: only these places count)."""
    if keep is not None:
        term, part, span = term[keep], part[keep], span[keep]
        weight = None if weight is None else weight[keep]
    key = term * (len(FIELDS) + 1) + part + 1
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(first, kind="stable")  # by term, then by first place
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    sums = np.zeros(len(keys))
    if weight is not None:  # bincount adds in array order: text order, as a loop would
        sums = np.bincount(inverse, weights=weight, minlength=len(keys))
    has = span >= 0
    spanned = rank[inverse[has]]
    by_group = np.lexsort((span[has], spanned))  # a field's spans in the order of the text
    counts = np.bincount(spanned, minlength=len(keys))
    first_span = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(counts, out=first_span[1:])
    keys = keys[order]
    return Placed(
        keys // (len(FIELDS) + 1),
        keys % (len(FIELDS) + 1) - 1,
        sums[order],
        first_span,
        span[has][by_group],
    )


# A batch's many Terms are made without the frozen dataclass's generated __init__, which sets
# each field through object.__setattr__ (twice the cost): the same fields in the instance
# dict, so equal, hashable and picklable alike (it has no __post_init__). A Span's own
# __init__ does so already (its fields are slots).
_new = object.__new__
_span = Span


def _term(text: str, weight: float, field: str, spans: tuple, label: str) -> Term:
    made = _new(Term)
    fields = made.__dict__
    fields["text"], fields["weight"], fields["field"] = text, weight, field
    fields["spans"], fields["label"] = spans, label
    return made


def terms_of(
    placed: Placed,
    words: Sequence[str],
    weights: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
) -> list[Term]:
    """Terms of the groups: `words[t]` for term t, labelled `labels[t]`; weight `weights[t]` for
    each of its fields (keywords), else the group's own sum (evidence)."""
    names = ("",) + FIELDS
    terms = placed.term.tolist()
    bounds = placed.first_span.tolist()
    # Every span of the batch in one pass (no loop per term): its word is its group's term's.
    counts = np.diff(placed.first_span)
    by_span = placed.term[np.repeat(np.arange(len(terms)), counts)].tolist()
    span_words = [words[t] for t in by_span]
    sizes = np.fromiter(map(len, span_words), np.int64, len(span_words))
    spans = list(map(_span, placed.span_start.tolist(), (placed.span_start + sizes).tolist(),
                     span_words))  # fmt: skip
    weights = placed.weight.tolist() if weights is None else [weights[t] for t in terms]
    labels = [labels[t] for t in terms] if labels else [""] * len(terms)
    return [
        _term(words[t], w, names[f + 1], tuple(spans[a:b]), label)
        for t, w, f, a, b, label in zip(
            terms, weights, placed.field.tolist(), bounds[:-1], bounds[1:], labels, strict=True
        )
    ]


def terms_json(
    placed: Placed,
    words: Sequence[str],
    weights: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
) -> list[str]:
    """What `terms_of` gives, as each Term's JSON text (`termjson`), made from the groups'
    arrays without the Terms and Spans: for the CLI, which writes nothing else of them."""
    names = ("",) + FIELDS
    terms = placed.term.tolist()
    lengths = np.fromiter((len(words[t]) for t in terms), np.int64, len(terms))
    ends = placed.span_start + np.repeat(lengths, np.diff(placed.first_span))
    spans = spans_text(placed.span_start.tolist(), ends.tolist(), placed.first_span.tolist())
    weights = placed.weight.tolist() if weights is None else [weights[t] for t in terms]
    labels = [labels[t] for t in terms] if labels else [""] * len(terms)
    fields = [names[f + 1] for f in placed.field.tolist()]
    return objects_text([words[t] for t in terms], weights, fields, spans, labels)


def per_reading(made: list, bounds: Sequence[int], render: bool) -> list:
    """Each reading's share of `made` (bounds[i]:bounds[i + 1]): a tuple of Terms, or with
    `render` the JSON text of its list."""
    pieces = [made[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=False)]
    return ["[" + ", ".join(p) + "]" for p in pieces] if render else list(map(tuple, pieces))
