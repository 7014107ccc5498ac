"""Domain objects shared by every stage: frozen, with code-point offsets into the caller's input."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import FrozenInstanceError, dataclass, field
from itertools import chain

import numpy as np

__all__ = ["Span", "Body", "Article", "Prediction", "Lead", "Term", "Analysis", "article_record"]


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range [start, end) of code points in the caller's input, with its text."""

    start: int
    end: int
    text: str = ""

    def __init__(self, start: int, end: int, text: str = "") -> None:
        # The dataclass's own __init__, less its per-field object.__setattr__ (a frozen
        # dataclass's cost): a page makes a Span per line, and splitting is timed per page.
        # In slots, not an instance dict: the splitter reads a line's text, start and end
        # some thirty times a line, and a slot reads in a quarter of a materialised dict's time.
        _SET_START(self, start)
        _SET_END(self, end)
        _SET_TEXT(self, text)


# (the slots' own setters: what object.__setattr__ ends in, without a frozen class's check)
_SET_START, _SET_END, _SET_TEXT = Span.start.__set__, Span.end.__set__, Span.text.__set__


class Body:
    """Cleaned text plus, for each of its code points, the offset it came from in the input.

    Cleaning joins column breaks and drops furniture, so offsets stop being contiguous;
    `index` lets any range of the cleaned text be mapped back to the caller's input. Frozen,
    compared by identity. A body cleaning makes keeps its runs of consecutive offsets and
    makes `index` from them when it is first read: labelling alone never reads it.
    """

    __slots__ = ("text", "_index", "_runs")
    text: str

    def __init__(self, text: str, index: np.ndarray) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "_index", index)  # int64, len(text), strictly increasing
        object.__setattr__(self, "_runs", None)

    @classmethod
    def of_runs(cls, text: str, runs: Callable[[], tuple[list[int], list[int]]]) -> Body:
        """A body made of runs of consecutive input offsets, given by `runs()` as (shifts,
        sizes) when the index is first read (a split that reads no offsets sums none): run i
        is `sizes[i]` code points, in order (together as long as `text`), and code point k of
        the body, in run i, came from offset `shifts[i] + k`."""
        body = cls(text, None)  # type: ignore[arg-type]
        object.__setattr__(body, "_runs", runs)
        return body

    @classmethod
    def verbatim(cls, text: str, offset: int = 0) -> Body:
        """A body that is the input itself (no cleaning), starting at `offset`."""
        return cls(text, np.arange(offset, offset + len(text), dtype=np.int64))

    @property
    def index(self) -> np.ndarray:
        """The input offset of each code point of `text` (int64, strictly increasing)."""
        if self._index is None:
            Body.index_all((self,))
        return self._index

    @staticmethod
    def index_all(bodies: Sequence[Body]) -> None:
        """Make the `index` of each body not yet read, for the batch at once (numpy's per-call
        cost outweighs a body's few dozen runs): each body's a slice of one array."""
        todo = [b for b in bodies if b._index is None]
        if not todo:
            return
        runs = [b._runs() for b in todo]
        shifts = np.fromiter(chain.from_iterable(s for s, _ in runs), np.int64)
        sizes = np.fromiter(chain.from_iterable(z for _, z in runs), np.int64)
        count = np.fromiter((len(z) for _, z in runs), np.int64, len(runs))
        lengths = np.fromiter((len(b.text) for b in todo), np.int64, len(todo))
        owner = np.repeat(np.arange(len(todo)), count)
        if not np.array_equal(np.bincount(owner, sizes, len(todo)), lengths):
            raise ValueError("a body's runs do not cover its text")
        ends = np.cumsum(lengths)
        # Code point k of a body, in its run i: shift i + k (k counted from the body's start).
        index = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(shifts, sizes)
        index -= np.repeat(ends - lengths, lengths)
        for body, a, b in zip(todo, (ends - lengths).tolist(), ends.tolist(), strict=True):
            # (the same array whoever asks first; a copy, not a view: a body kept in the page
            # cache must not hold its whole batch's array)
            object.__setattr__(body, "_index", index[a:b].copy())

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple:
        return (Body, (self.text, self.index))

    def __repr__(self) -> str:
        return f"Body(text={self.text!r}, index={self.index!r})"

    def source_spans(self, start: int, end: int, source: str) -> tuple[Span, ...]:
        """Map cleaned [start, end) to maximal contiguous input ranges, each with its text.

        A range that crosses a repaired column break becomes two spans, so that
        `source[s.start:s.end] == s.text` holds for every span.
        """
        if end <= start:
            return ()
        idx = self.index[start:end]
        first, last = int(idx[0]), int(idx[-1])
        if last - first == end - start - 1:  # strictly increasing: no break (most leads)
            return (Span(first, last + 1, source[first : last + 1]),)
        cuts = ((idx[1:] - idx[:-1]) != 1).nonzero()[0].tolist()
        spans = []
        for i, j in zip([0, *(c + 1 for c in cuts)], [*cuts, len(idx) - 1], strict=True):
            a, b = int(idx[i]), int(idx[j]) + 1
            spans.append(Span(a, b, source[a:b]))
        return tuple(spans)


@dataclass(frozen=True, eq=False)
class Article:
    """One article: its parts as found on the page, and its cleaned body with offsets."""

    title: str
    body: Body
    kicker: str = ""
    subtitle: str = ""
    byline: str = ""
    dateline: str = ""
    continues: str = ""  # e.g. "3版" for 下转3版
    start: int = 0  # the whole article's range in the input
    end: int = 0
    id: str = ""

    def __init__(
        self,
        title: str,
        body: Body,
        kicker: str = "",
        subtitle: str = "",
        byline: str = "",
        dateline: str = "",
        continues: str = "",
        start: int = 0,
        end: int = 0,
        id: str = "",
    ) -> None:
        # (as Span's: the fields set without a frozen dataclass's object.__setattr__ each; a
        # page makes an Article per article, and splitting is timed per page)
        self.__dict__.update(
            title=title,
            body=body,
            kicker=kicker,
            subtitle=subtitle,
            byline=byline,
            dateline=dateline,
            continues=continues,
            start=start,
            end=end,
            id=id,
        )

    @property
    def text(self) -> str:
        return self.body.text


def article_record(article: Article) -> dict:
    """The JSON record `newsdesk split` prints for one article."""
    names = ("title", "kicker", "subtitle", "byline", "dateline", "text", "start", "end")
    return {name: getattr(article, name) for name in (*names, "continues")}


@dataclass(frozen=True)
class Prediction:
    """A desk label and calibrated probabilities for every label, highest first.

    `review`: a desk editor should look at it (top probability under the label's threshold,
    or text too short or too foreign to file; the label is still the model's best guess);
    `review_reasons` says which (service.review: "low_score", "thin_text"), () when not flagged.
    """

    label: str
    scores: tuple[tuple[str, float], ...]
    review: bool = False
    review_reasons: tuple[str, ...] = ()

    @property
    def confidence(self) -> float:
        return self.scores[0][1]


@dataclass(frozen=True)
class Lead:
    """An extractive lead: its text and the input ranges it was cut from, in order.

    An empty lead carries a warning saying why none could be made (no whole sentence fits).
    """

    text: str
    spans: tuple[Span, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Term:
    """A word of an article with a weight and the places it occurs in one of its fields.

    Evidence: `weight` is what these occurrences added to `label`'s logit. Keywords: the word's
    TF-IDF weight, and `label` is empty. `field` names the article part the spans cover
    ("title", "text", "kicker", "subtitle"); the spans point into the text the caller sent (in a
    page: the page).
    """

    text: str
    weight: float
    field: str
    spans: tuple[Span, ...]
    label: str = ""

    @property
    def term(self) -> str:
        """The word, under the name the proto and JSON give it (`Evidence.term`, `"term"`)."""
        return self.text


@dataclass(frozen=True)
class Analysis:
    """Everything newsdesk says about one article."""

    article: Article
    prediction: Prediction | None = None
    lead: Lead | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    evidence: tuple[Term, ...] | None = None  # None: not asked for (`explain` = 0)
    keywords: tuple[Term, ...] | None = None
