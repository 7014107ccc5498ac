"""What a client gets back: frozen dataclasses read from newsdesk.v1 responses (spans as
code points into what was sent), and the Article messages a client builds from its input."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._proto.newsdesk.v1 import newsdesk_pb2 as pb
from ..documents import Prediction, Span, Term
from ..errors import InvalidInput, NewsdeskError
from .status import code_of, error_from_status
from .wire import ARTICLE_FIELDS, HEADLINE_PARTS

__all__ = [
    "Classified",
    "Summarised",
    "PageResult",
    "PageResults",
    "ModelInfo",
    "to_article",
    "classified",
    "summarised",
    "page_result",
    "model_info",
]


@dataclass(frozen=True)
class Classified:
    """The desk of one article; in a stream, `error` is set instead for an item that failed."""

    id: str
    label: str
    scores: tuple[tuple[str, float], ...]
    error: NewsdeskError | None = None
    review: bool = False
    evidence: tuple[Term, ...] = ()  # asked for with `explain`; spans slice the field sent
    keywords: tuple[Term, ...] = ()  # asked for with `keywords`
    review_reasons: tuple[str, ...] = ()  # why `review` is set (service.review)

    @property
    def prediction(self) -> Prediction:
        return Prediction(self.label, self.scores, self.review, self.review_reasons)


@dataclass(frozen=True)
class Summarised:
    """The lead of one article and its (start, end) code-point ranges in the text sent;
    `warnings` say why the lead is empty (e.g. no whole sentence fits max_chars)."""

    id: str
    lead: str
    spans: tuple[tuple[int, int], ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageResult:
    """One article found on a page: its parts, range in the page, label and lead."""

    title: str
    kicker: str
    byline: str
    dateline: str
    continues: str
    text: str
    start: int
    end: int
    label: str
    scores: tuple[tuple[str, float], ...]
    lead: str
    spans: tuple[tuple[int, int], ...]
    warnings: tuple[str, ...] = ()
    review: bool = False
    evidence: tuple[Term, ...] = ()  # spans point into the page sent
    keywords: tuple[Term, ...] = ()
    subtitle: str = ""  # the line under the headline (副题)
    review_reasons: tuple[str, ...] = ()  # why `review` is set (service.review)


@dataclass(frozen=True)
class ModelInfo:
    """The model a server is running, from its manifest."""

    name: str
    version: str
    labels: tuple[str, ...]
    sha256: str
    trained_at: str
    data_sha256: str
    metrics: dict[str, float] = field(default_factory=dict)
    loaded_at: str = ""
    path: str = ""


# Why a field of the wrong type is refused here, before the call: protobuf cannot carry it.
_UNSENDABLE = "the client cannot send it (in a stream, this ends the stream: check upstream)"


def to_article(item: Any) -> pb.Article:
    """Accept a pb.Article, a mapping or JSONL Record (id/title/text, optional kicker and
    subtitle), or (title, text) / (id, title, text) tuples; the id a string or an integer (as
    the CLI reads it), the rest strings, else InvalidInput naming the field."""
    if isinstance(item, pb.Article):
        return item
    data = getattr(item, "data", item)  # validation.Record carries the caller's JSON object
    heads: dict[str, Any] = {}
    if isinstance(data, Mapping):
        parts = (data.get("id"), data.get("title"), data.get("text"))
        heads = {k: data[k] for k in HEADLINE_PARTS if data.get(k) is not None}
    elif isinstance(data, tuple) and len(data) in (2, 3):
        parts = (None, *data) if len(data) == 2 else data
    else:
        parts = None
    if parts is not None:
        rid, title, text = parts
        if rid is not None and (isinstance(rid, bool) or not isinstance(rid, str | int)):
            # str() sent True as "True" and a dict as its Python repr; the CLI refuses them.
            raise InvalidInput(
                f"an article's id must be a string or an integer, got {type(rid).__name__}; "
                f"{_UNSENDABLE}",
                field="id",
            )
        for name, value in (("title", title), ("text", text), *heads.items()):
            if value is not None and not isinstance(value, str):
                raise InvalidInput(
                    f"an article's {name} must be a string, got {type(value).__name__}; "
                    f"{_UNSENDABLE}",
                    field=name,
                )
        try:
            return pb.Article(
                id="" if rid is None else str(rid), title=title or "", text=text or "", **heads
            )
        except (UnicodeError, ValueError) as exc:  # a lone surrogate cannot go out as UTF-8
            values = {"id": str(rid or ""), "title": title, "text": text, **heads}
            field = next((k for k, v in values.items() if v and not _utf8(v)), "text")
            raise InvalidInput(
                f"an article's {field} holds characters the client cannot send as UTF-8 ({exc}); "
                "fix its encoding upstream",
                field=field,
            ) from None
    raise TypeError(
        f"cannot send a {type(item).__name__} as an article: give a mapping with 'text' "
        "(and optional 'id', 'title'), or a (title, text) tuple"
    )


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeError:
        return False
    return True


def _scores(message: pb.Classification) -> tuple[tuple[str, float], ...]:
    return tuple((s.label, float(s.score)) for s in message.scores)


def _terms(items, text_of: Callable[[str], str]) -> tuple[Term, ...]:
    """Evidence or keyword messages as Terms; each span's text cut from the text it points
    into (`text_of`: field → the text sent)."""
    out = []
    for t in items:
        source = text_of(t.field)
        spans = tuple(Span(s.start, s.end, source[s.start : s.end]) for s in t.spans)
        out.append(Term(t.term, float(t.weight), t.field, spans, getattr(t, "label", "")))
    return tuple(out)


def classified(message: pb.Classification, sent: pb.Article | None = None) -> Classified:
    error = None
    if message.HasField("error"):
        code = code_of(message.error.code)
        error = error_from_status(code, message.error.message, message.error)
    fields = {name: getattr(sent, name) for name in ARTICLE_FIELDS} if sent is not None else {}

    def text_of(field: str) -> str:
        return fields.get(field, "")

    return Classified(
        message.id,
        message.label,
        _scores(message),
        error,
        message.review,
        _terms(message.evidence, text_of),
        _terms(message.keywords, text_of),
        tuple(message.review_reasons),
    )


def summarised(message: pb.Summary) -> Summarised:
    spans = tuple((s.start, s.end) for s in message.spans)
    return Summarised(message.id, message.lead, spans, tuple(message.warnings))


class PageResults(list):
    """`analyse_page`'s answer: a list of the page's articles (`PageResult`, in page order), and
    what the server says of the page as a whole: `warnings` (e.g. that it looks set in columns
    side by side, read as one column: its articles likely garbled) and `furniture` (`(start,
    end)` code points into the page), AnalysePageResponse's fields 3 and 2."""

    def __init__(self, articles=(), warnings=(), furniture=()) -> None:
        super().__init__(articles)
        self.warnings: tuple[str, ...] = tuple(warnings)
        self.furniture: tuple[tuple[int, int], ...] = tuple(furniture)


def page_results(message: pb.AnalysePageResponse, page: str) -> PageResults:
    articles = [page_result(a, page) for a in message.articles]
    spans = [(s.start, s.end) for s in message.furniture]
    return PageResults(articles, message.warnings, spans)


def page_result(message: pb.PageArticle, page: str = "") -> PageResult:
    return PageResult(
        title=message.title,
        kicker=message.kicker,
        byline=message.byline,
        dateline=message.dateline,
        continues=message.continues,
        text=message.text,
        start=message.span.start,
        end=message.span.end,
        label=message.classification.label,
        review=message.classification.review,
        scores=_scores(message.classification),
        lead=message.summary.lead,
        spans=tuple((s.start, s.end) for s in message.summary.spans),
        warnings=tuple(message.warnings),
        evidence=_terms(message.classification.evidence, lambda field: page),
        keywords=_terms(message.classification.keywords, lambda field: page),
        subtitle=message.subtitle,
        review_reasons=tuple(message.classification.review_reasons),
    )


def model_info(m: pb.ModelInfo) -> ModelInfo:
    return ModelInfo(
        name=m.name,
        version=m.version,
        labels=tuple(m.labels),
        sha256=m.sha256,
        trained_at=m.trained_at,
        data_sha256=m.data_sha256,
        metrics={x.name: x.value for x in m.metrics},
        loaded_at=m.loaded_at,
        path=m.path,
    )
