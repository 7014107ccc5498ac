"""A typed Python client for newsdesk.v1: deadlines, retries on UNAVAILABLE, errors as our types.

Callers get frozen dataclasses back and `service.errors` exceptions out (INVALID_ARGUMENT →
InvalidInput with the field and limit the server named), so code written against the local
pipeline handles a remote one the same way.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from ._proto.newsdesk.v1 import newsdesk_pb2 as pb
from ._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from .documents import Prediction, Span, Term
from .errors import InvalidInput, ModelError, ModelNotLoaded, NewsdeskError

__all__ = [
    "RemoteError",
    "Classified",
    "Summarised",
    "PageResult",
    "ModelInfo",
    "NewsdeskClient",
    "RemoteResult",
    "remote_results",
]

# Items per unary call when a long input is sent in batches (remote_results).
BATCH = 64


class RemoteError(NewsdeskError):
    """The server answered with a status our tree has no better class for (UNAVAILABLE, …)."""

    def __init__(self, message: str, *, code: grpc.StatusCode, field: str = "", limit=None):
        super().__init__(message, field=field, limit=limit)
        self.code = code


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

    @property
    def prediction(self) -> Prediction:
        return Prediction(self.label, self.scores, self.review)


@dataclass(frozen=True)
class Summarised:
    """The lead of one article and its (start, end) code-point ranges in the text sent."""

    id: str
    lead: str
    spans: tuple[tuple[int, int], ...]


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


def _error(code: grpc.StatusCode, message: str, status: status_pb2.Status | None):
    """Our exception for a status, with field and limit read from its details."""
    field_name, limit, reason = "", None, ""
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            if bad.field_violations:
                field_name = field_name or bad.field_violations[0].field
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
            field_name = field_name or info.metadata.get("field", "")
            raw = info.metadata.get("limit")
            limit = int(raw) if raw is not None and raw.isdigit() else raw
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return InvalidInput(message, field=field_name, limit=limit)
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        kind = ModelError if reason == "MODEL_INVALID" else ModelNotLoaded
        return kind(message, field=field_name, limit=limit)
    return RemoteError(message, code=code, field=field_name, limit=limit)


def _from_rpc(exc: grpc.RpcError) -> NewsdeskError:
    try:
        status = rpc_status.from_call(exc)
    except (AttributeError, ValueError):  # not a call, or details that disagree with the code
        status = None
    return _error(exc.code(), exc.details() or exc.code().name, status)


def _article(item: Any) -> pb.Article:
    """Accept a pb.Article, a mapping or JSONL Record (id/title/text, optional kicker and
    subtitle), or (title, text) /
    (id, title, text) tuples."""
    if isinstance(item, pb.Article):
        return item
    data = getattr(item, "data", item)  # pipeline.Record carries the caller's JSON object
    heads: dict[str, Any] = {}
    if isinstance(data, Mapping):
        parts = (data.get("id"), data.get("title"), data.get("text"))
        heads = {k: data[k] for k in ("kicker", "subtitle") if data.get(k) is not None}
    elif isinstance(data, tuple) and len(data) in (2, 3):
        parts = (None, *data) if len(data) == 2 else data
    else:
        parts = None
    if parts is not None:
        rid, title, text = parts
        for name, value in (("title", title), ("text", text), *heads.items()):
            if value is not None and not isinstance(value, str):
                raise InvalidInput(
                    f"an article's {name} must be a string, got {type(value).__name__}; the "
                    "client cannot send it (in a stream, this ends the stream: check upstream)",
                    field=name,
                )
        try:
            return pb.Article(
                id="" if rid is None else str(rid), title=title or "", text=text or "", **heads
            )
        except (UnicodeError, ValueError) as exc:  # a lone surrogate cannot go out as UTF-8
            raise InvalidInput(
                f"an article holds text the client cannot send as UTF-8 ({exc}); fix its "
                "encoding upstream",
                field="text",
            ) from None
    raise TypeError(
        f"cannot send a {type(item).__name__} as an article: give a mapping with 'text' "
        "(and optional 'id', 'title'), or a (title, text) tuple"
    )


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


def _classified(message: pb.Classification, sent: pb.Article | None = None) -> Classified:
    error = None
    if message.HasField("error"):
        code = _CODES.get(message.error.code, grpc.StatusCode.UNKNOWN)
        error = _error(code, message.error.message, message.error)
    names = ("title", "text", "kicker", "subtitle")  # the fields an evidence span may slice
    fields = {name: getattr(sent, name) for name in names} if sent is not None else {}

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
    )


_CODES = {c.value[0]: c for c in grpc.StatusCode}


def _summarised(message: pb.Summary) -> Summarised:
    return Summarised(message.id, message.lead, tuple((s.start, s.end) for s in message.spans))


def _page_result(message: pb.PageArticle, page: str = "") -> PageResult:
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
    )


class NewsdeskClient:
    """A connection to one newsdesk server; thread-safe, use as a context manager.

    Each unary call gets `timeout` seconds in all, retries included; a call that finds the
    server UNAVAILABLE is retried up to `retries` times with jittered exponential backoff.
    """

    def __init__(
        self,
        address: str,
        *,
        token: str | None = None,
        tls_ca: str | Path | bytes | None = None,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.1,
        max_backoff: float = 5.0,
        max_message_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        _check_timeout(timeout)
        self.address = address
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        options = [
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
            # gRPC's own reconnect backoff starts at 1 s; ours already paces retries.
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.min_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", int(max_backoff * 1000)),
        ]
        if tls_ca is not None:
            ca = tls_ca if isinstance(tls_ca, bytes) else Path(tls_ca).read_bytes()
            credentials = grpc.ssl_channel_credentials(root_certificates=ca)
            self._channel = grpc.secure_channel(address, credentials, options=options)
        else:
            self._channel = grpc.insecure_channel(address, options=options)
        self._stub = pb_grpc.NewsDeskStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)

    def __enter__(self) -> NewsdeskClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    # -- unary calls ------------------------------------------------------------------------

    def classify(
        self,
        articles: Iterable[Any],
        *,
        explain: int = 0,
        keywords: int = 0,
        explain_label: str = "",
        timeout: float | None = None,
    ) -> list[Classified]:
        """Label articles (mappings, Records or (title, text) tuples), in order; `explain` and
        `keywords` ask for that many evidence terms and keywords per article (0 = none)."""
        sent = [_article(a) for a in articles]
        request = pb.ClassifyRequest(
            articles=sent, **_term_options(explain, keywords, explain_label)
        )
        response = self._call(self._stub.Classify, request, timeout)
        return [_classified(r, a) for r, a in zip(response.results, sent, strict=True)]

    def summarise(
        self,
        articles: Iterable[Any],
        *,
        max_sentences: int = 0,
        max_chars: int = 0,
        timeout: float | None = None,
    ) -> list[Summarised]:
        """Write each article's lead; spans point into the text sent."""
        options = _options(max_sentences, max_chars)
        request = pb.SummariseRequest(articles=[_article(a) for a in articles], options=options)
        response = self._call(self._stub.Summarise, request, timeout)
        return [_summarised(r) for r in response.results]

    def analyse_page(
        self,
        text: str,
        *,
        max_sentences: int = 0,
        max_chars: int = 0,
        explain: int = 0,
        keywords: int = 0,
        explain_label: str = "",
        timeout: float | None = None,
    ) -> list[PageResult]:
        """Split a page into articles, each labelled and summarised; offsets into `text`."""
        options = _options(max_sentences, max_chars)
        terms = _term_options(explain, keywords, explain_label)
        request = pb.AnalysePageRequest(text=text, options=options, **terms)
        response = self._call(self._stub.AnalysePage, request, timeout)
        return [_page_result(a, text) for a in response.articles]

    def get_model(self, *, timeout: float | None = None) -> ModelInfo:
        """Describe the model the server is running now."""
        m = self._call(self._stub.GetModel, pb.GetModelRequest(), timeout)
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

    def health(self, service: str = "", *, timeout: float | None = None) -> str:
        """The server's health for `service` ("" = overall): "SERVING", "NOT_SERVING", …"""
        request = health_pb2.HealthCheckRequest(service=service)
        response = self._call(self._health.Check, request, timeout)
        return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)

    def _call(self, method, request, timeout: float | None):
        """One unary call inside one overall deadline, retried while the server is UNAVAILABLE."""
        if timeout is not None:
            _check_timeout(timeout)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            try:
                return method(request, timeout=max(remaining, 0.001), metadata=self._metadata)
            except grpc.RpcError as exc:
                pause = self._pause(exc, attempt)
                if pause is None or time.monotonic() + pause >= deadline:
                    raise _from_rpc(exc) from None
            time.sleep(pause)
            attempt += 1

    def _pause(self, exc: grpc.RpcError, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None if this failure is not worth a retry."""
        if exc.code() != grpc.StatusCode.UNAVAILABLE or attempt >= self.retries:
            return None
        # Full jitter: clients that failed together do not come back together.
        return random.uniform(0, min(self.max_backoff, self.backoff * 2**attempt))

    # -- streaming --------------------------------------------------------------------------

    def classify_stream(
        self,
        articles: Iterable[Any],
        *,
        explain: int = 0,
        keywords: int = 0,
        explain_label: str = "",
        timeout: float | None = None,
    ) -> Iterator[Classified]:
        """Label any number of articles over one stream, lazily and in order.

        A bad item comes back with `error` set and the rest go on. If the server becomes
        UNAVAILABLE mid-stream, the stream is reopened and every item not yet answered is
        sent again, so each input still gets exactly one result. `timeout` bounds the whole
        stream (None: no deadline). `explain`/`keywords` travel as call metadata.
        """
        terms = _term_options(explain, keywords, explain_label)
        metadata = self._metadata + tuple(
            (key, str(terms[name])) for key, name in _STREAM_TERMS if terms[name]
        )
        source = iter(articles)
        lock = threading.Lock()
        pending: deque[pb.Article] = deque()  # sent, not answered yet, in order
        state: dict[str, Any] = {"generation": 0, "error": None}

        def requests(generation: int, resend: list[pb.Article]) -> Iterator[pb.Article]:
            backlog = deque(resend)
            while True:
                # One lock around "take the next item and mark it pending", so a retry's
                # snapshot of `pending` never misses an item an old stream just took.
                with lock:
                    if state["generation"] != generation:
                        return
                    if backlog:
                        message = backlog.popleft()
                    else:
                        try:
                            message = _article(next(source))
                        except StopIteration:
                            return
                        except Exception as exc:  # raised to the caller once answers drain
                            state["error"] = exc
                            return
                    pending.append(message)
                yield message

        deadline = None if timeout is None else time.monotonic() + timeout
        attempt = 0
        resend: list[pb.Article] = []
        while True:
            generation = state["generation"]
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.001)
            call = self._stub.ClassifyStream(
                requests(generation, resend), timeout=remaining, metadata=metadata
            )
            try:
                for response in call:
                    # No lock here: the reader may hold it while it waits on a slow source,
                    # and answers must still flow. deque.popleft is atomic.
                    sent = pending.popleft()
                    attempt = 0
                    yield _classified(response, sent)
                break
            except grpc.RpcError as exc:
                pause = self._pause(exc, attempt)
                if pause is None or (deadline is not None and time.monotonic() + pause >= deadline):
                    raise _from_rpc(exc) from None
            finally:
                call.cancel()  # a caller that stops iterating must not leave the stream open
            time.sleep(pause)
            attempt += 1
            with lock:
                state["generation"] += 1
                resend = list(pending)
                pending.clear()
        if state["error"] is not None:
            raise state["error"]


# ClassifyStream's options as call metadata (key, option), as the server reads them.
_STREAM_TERMS = (
    ("newsdesk-explain", "explain"),
    ("newsdesk-keywords", "keywords"),
    ("newsdesk-explain-label", "explain_label"),
)


def _term_options(explain: int, keywords: int, explain_label: str | None) -> dict[str, Any]:
    """Evidence and keyword counts for the wire, checked as the server checks them."""
    from .pipeline import check_terms

    if explain_label is not None and not isinstance(explain_label, str):
        raise InvalidInput("explain_label must be a label (a string)", field="explain_label")
    return {
        "explain": check_terms("explain", explain),
        "keywords": check_terms("keywords", keywords),
        "explain_label": explain_label or "",
    }


def _check_timeout(timeout: object) -> None:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise InvalidInput(
            f"timeout must be a positive number of seconds, got {timeout!r}", field="timeout"
        )


def _options(max_sentences: int, max_chars: int) -> pb.SummaryOptions:
    """Lead options for the wire; a bad value is our InvalidInput, as the server would say."""
    for name, value in (("max_sentences", max_sentences), ("max_chars", max_chars)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
            raise InvalidInput(
                f"{name} must be a whole number from 0 (the server's default) up, got {value!r}",
                field=f"options.{name}",
            )
    return pb.SummaryOptions(max_sentences=max_sentences, max_chars=max_chars)


@dataclass(frozen=True)
class RemoteResult:
    """One record as a server answered it: its JSON object with the results added, or, when
    the server refused it, the object as sent and the refusal (kept apart from the caller's
    own fields, which may well include one named `error`)."""

    data: dict[str, Any]
    error: NewsdeskError | None = None


def remote_results(
    client: NewsdeskClient,
    records: Iterable[Any],
    *,
    classify: bool = True,
    summarise: bool = False,
    max_sentences: int = 0,
    max_chars: int = 0,
    explain: int = 0,
    keywords: int = 0,
    explain_label: str | None = None,
) -> Iterator[RemoteResult]:
    """What `pipeline.process_records` yields, computed by a server, one RemoteResult per
    record in order: `label`/`scores` and/or `lead`/`lead_spans` added, or the server's error
    for that record alone. Classification alone streams; leads go in batches of unary calls."""
    if classify and not summarise:
        kept: deque[Any] = deque()

        def tee() -> Iterator[Any]:
            for record in records:
                kept.append(record)
                yield record

        stream = client.classify_stream(
            tee(), explain=explain, keywords=keywords, explain_label=explain_label or ""
        )
        for result in stream:
            data = _data(kept.popleft())
            if result.error is not None:
                yield RemoteResult(data, result.error)
            else:
                out = {
                    **data,
                    "label": result.label,
                    "scores": _rounded(result.scores),
                    "review": result.review,
                }
                yield RemoteResult(_with_terms(out, result, explain, keywords))
        return
    batch: list[Any] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            yield from _summarise_batch(client, batch, classify, max_sentences, max_chars)
            batch = []
    if batch:
        yield from _summarise_batch(client, batch, classify, max_sentences, max_chars)


def _with_terms(out: dict[str, Any], result: Classified, explain: int, keywords: int) -> dict:
    """The `evidence`/`keywords` fields the local run adds, when they were asked for."""
    from .pipeline import term_fields

    if explain:
        out["evidence"] = [term_fields(t) for t in result.evidence]
    if keywords:
        out["keywords"] = [term_fields(t) for t in result.keywords]
    return out


def _data(record: Any) -> dict[str, Any]:
    data = getattr(record, "data", record)
    return dict(data) if isinstance(data, Mapping) else {}


def _rounded(scores: tuple[tuple[str, float], ...]) -> dict[str, float]:
    return {label: round(score, 6) for label, score in scores}


def _summarise_batch(client, batch, classify, max_sentences, max_chars) -> Iterator[RemoteResult]:
    try:
        leads = client.summarise(batch, max_sentences=max_sentences, max_chars=max_chars)
        labels = client.classify(batch) if classify else [None] * len(batch)
    except InvalidInput as error:
        # A unary call refuses the whole batch for one bad article: ask again one by one,
        # so only that record is refused (as ClassifyStream and the local run do). Bad
        # options are no record's fault: they end the run.
        if error.field.startswith("options."):
            raise
        if len(batch) == 1:
            yield RemoteResult(_data(batch[0]), error)
            return
        for record in batch:
            yield from _summarise_batch(client, [record], classify, max_sentences, max_chars)
        return
    for record, lead, label in zip(batch, leads, labels, strict=True):
        out = _data(record)
        if label is not None:
            out["label"], out["scores"] = label.label, _rounded(label.scores)
            out["review"] = label.review
        out["lead"] = lead.lead
        out["lead_spans"] = [list(s) for s in lead.spans]
        yield RemoteResult(out)
