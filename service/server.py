"""The newsdesk.v1 gRPC server: a thin layer over the pipeline, with its operations built in.

`create_server(config)` builds a server a test can start on port 0; `serve(config)` adds the
process concerns (signals, logging, exit code). Health, reflection, Prometheus metrics, bearer
tokens, TLS, hot model reload and graceful shutdown live here; the text work lives in
`service.pipeline`.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from . import pipeline
from ._proto.newsdesk.v1 import newsdesk_pb2 as pb
from ._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from .decoding import Undecodable, decoding
from .documents import Analysis, Article, Lead, Prediction, Term
from .errors import DataError, InvalidInput, ModelError, ModelNotLoaded, NewsdeskError, Refused
from .limits import Budget, Lanes, RateLimitedLog
from .malloc import return_freed_memory
from .pages import read_page

__all__ = [
    "SERVICE_NAME",
    "STATUS_CODES",
    "ServerConfig",
    "NewsdeskServer",
    "NewsDeskServicer",
    "ModelSlot",
    "create_server",
    "serve",
    "add_serve_arguments",
    "config_from_args",
    "error_status",
    "main",
]

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["NewsDesk"].full_name
ERROR_DOMAIN = "newsdesk.v1"

# The one table from our error tree to gRPC status codes; the most specific class wins.
STATUS_CODES: dict[type[NewsdeskError], grpc.StatusCode] = {
    Refused: grpc.StatusCode.RESOURCE_EXHAUSTED,
    InvalidInput: grpc.StatusCode.INVALID_ARGUMENT,
    ModelNotLoaded: grpc.StatusCode.FAILED_PRECONDITION,
    ModelError: grpc.StatusCode.FAILED_PRECONDITION,
    DataError: grpc.StatusCode.FAILED_PRECONDITION,
    NewsdeskError: grpc.StatusCode.INTERNAL,
}

# A caller asking for a longer lead than this wants the article, not a lead.
MAX_LEAD_SENTENCES = 50
# Articles per pipeline call inside one request: big enough to vectorise the model, small
# enough that a caller whose deadline passes stops costing us within one chunk. Leads cost
# far more per article than labels, so they go in smaller chunks.
CHUNK = 32
LEAD_CHUNK = 4
# A stream batches what has already arrived, up to this many: a bulk sender's items are
# classified 256 at a time (a fifth less CPU per article than 32), still well under a second.
STREAM_CHUNK = 256

log = logging.getLogger("newsdesk.server")


@dataclass(frozen=True)
class ServerConfig:
    """Everything a server needs to start; built from flags and env by `config_from_args`."""

    address: str = "127.0.0.1:50051"
    workers: int = 8  # threads for unary calls (the CPU work)
    max_streams: int = 64  # threads for streams: each open stream holds one, idle or not
    max_concurrent_rpcs: int = 0  # past this many calls at once, RESOURCE_EXHAUSTED; 0 = queue
    max_inflight_bytes: int = 64 * 1024 * 1024  # request bytes being worked on; 0 = no budget
    model: Path | None = None  # None: service.classifier.DEFAULT_MODEL
    max_chars: int = 100_000  # per article text (code points)
    max_page_chars: int = 1_000_000  # per AnalysePage text
    max_articles: int = 256  # per Classify/Summarise request
    max_message_bytes: int = 32 * 1024 * 1024  # transport limit, each direction
    tls_cert: Path | None = None
    tls_key: Path | None = None
    token: str | None = None
    metrics_port: int = 0  # 0 = no metrics endpoint
    log_format: str = "plain"  # or "json"
    grace: float = 10.0  # seconds in-flight calls get on shutdown
    poll_seconds: float = 2.0  # how often to look for a changed manifest; 0 = only on SIGHUP
    # http: issue 16's settings (service/http/flags.py has their flags and env twins)
    http_address: str | None = None  # HTTP/JSON, the newsroom page and probes; None = off
    metrics_host: str = "127.0.0.1"  # the metrics port binds loopback unless told otherwise
    model_path_in_info: bool = False  # GetModel tells callers the model's folder only if set


# ---------------------------------------------------------------------------------------------
# errors → google.rpc.Status


def error_status(error: NewsdeskError) -> status_pb2.Status:
    """The google.rpc.Status for one of our errors, with BadRequest and ErrorInfo details."""
    code = next(c for k, c in STATUS_CODES.items() if isinstance(error, k))
    reason = _reason(error)
    status = status_pb2.Status(code=code.value[0], message=error.message)
    metadata = {"field": error.field} if error.field else {}
    if error.limit is not None:
        metadata["limit"] = str(error.limit)
    info = error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=metadata)
    details: list[Any] = [info]
    if error.field:
        violation = error_details_pb2.BadRequest.FieldViolation(
            field=error.field, description=error.message, reason=reason
        )
        details.insert(0, error_details_pb2.BadRequest(field_violations=[violation]))
    for detail in details:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return status


def _reason(error: NewsdeskError) -> str:
    if isinstance(error, ModelNotLoaded):
        return "MODEL_NOT_LOADED"
    if isinstance(error, ModelError):
        return "MODEL_INVALID"
    if error.limit is not None:
        return "OVER_LIMIT"
    return "INVALID_VALUE" if isinstance(error, InvalidInput) else "INTERNAL"


class _CallerGone(Exception):
    """The caller cancelled or its deadline passed: stop working for it."""


def _gone_code(context: grpc.ServicerContext) -> grpc.StatusCode:
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        return grpc.StatusCode.DEADLINE_EXCEEDED
    return grpc.StatusCode.CANCELLED


def _alive(context: grpc.ServicerContext) -> None:
    if not context.is_active():
        raise _CallerGone
    remaining = context.time_remaining()
    if remaining is not None and remaining <= 0:
        raise _CallerGone


# ---------------------------------------------------------------------------------------------
# the model slot: one reference, swapped whole


@dataclass(frozen=True)
class _Loaded:
    """A loaded, warmed model and its description, swapped as one reference."""

    classifier: Any
    info: pb.ModelInfo


class ModelSlot:
    """Holds the serving model; reloads load and warm beside it, then swap one reference.

    A model that fails its checks is refused and counted, and the old one keeps serving.
    """

    def __init__(self, path: Path, metrics: _Metrics, on_ready: Callable[[], None]) -> None:
        self.path = path
        self.current: _Loaded | None = None
        self._metrics = metrics
        self._on_ready = on_ready
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def get(self) -> _Loaded:
        current = self.current  # one read: a reload may swap it while this call runs
        if current is None:
            raise ModelNotLoaded(
                f"no model is loaded from {self.path}: train one (`newsdesk train`) or point "
                "--model at a model folder, then send SIGHUP or wait for the reload"
            )
        return current

    def _manifest_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = (self.path / "manifest.json").stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def reload(self) -> bool:
        """Load, check and warm the model at `path`; swap it in only if all of that worked."""
        from .classifier import Classifier

        with self._lock:
            self._stamp = self._manifest_stamp()
            started = time.monotonic()
            try:
                classifier = Classifier.load(self.path)
                _warm(classifier)
                loaded = _Loaded(classifier, _model_info(classifier, self.path))
            except Exception as exc:  # any failure, typed or not, must leave the old model up
                self._metrics.reload_failures.inc()
                log.error(
                    "model reload refused" if self.current is not None else "model load refused",
                    extra={"path": str(self.path), "error": f"{type(exc).__name__}: {exc}"},
                )
                return False
            first = self.current is None
            self.current = loaded  # the swap: one reference assignment
            self._metrics.reloads.inc()
            info = loaded.info
            self._metrics.model.info(
                {"name": info.name, "version": info.version, "sha256": info.sha256}
            )
            log.info(
                "model loaded" if first else "model reloaded",
                extra={
                    "path": str(self.path),
                    "version": info.version,
                    "sha256": info.sha256,
                    "seconds": round(time.monotonic() - started, 3),
                },
            )
        self._on_ready()
        return True

    def watch(self, every: float) -> None:
        """Poll the manifest's mtime every `every` seconds and reload when it changes."""
        if every <= 0 or self._watcher is not None:
            return
        self._watcher = threading.Thread(
            target=self._poll, args=(every,), name="newsdesk-model-watch", daemon=True
        )
        self._watcher.start()

    def _poll(self, every: float) -> None:
        while not self._stop.wait(every):
            stamp = self._manifest_stamp()
            # A missing manifest is a folder being replaced: wait for the new one to land.
            if stamp is not None and stamp != self._stamp:
                self.reload()

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)


def _warm(classifier: Any) -> None:
    """Run one article through the whole pipeline so the first caller pays no lazy set-up."""
    from .pages import single_article

    text = "贵阳市召开会议，研究部署下一阶段重点工作。会议强调，要抓好项目建设和产业发展。"
    article = single_article("贵阳市召开工作会议", text, id="warm")
    pipeline.analyse_articles([article], [text], classifier, summarise=True)


def _model_info(classifier: Any, path: Path) -> pb.ModelInfo:
    """Describe a model from its manifest; tolerant of which optional keys a manifest has."""
    manifest = dict(getattr(classifier, "manifest", {}) or {})

    def first(*keys: str) -> str:
        for key in keys:
            value = manifest.get(key)
            if isinstance(value, str | int | float) and value != "":
                return str(value)
        return ""

    metrics = [
        pb.Metric(name=name, value=value) for name, value in _flat_numbers(manifest.get("metrics"))
    ]
    return pb.ModelInfo(
        name=first("name") or path.name,
        version=first("version", "model_version"),
        labels=list(classifier.labels),
        sha256=first("sha256", "artifact_sha256", "model_sha256"),
        trained_at=first("trained_at", "created_at", "created"),
        data_sha256=first("data_sha256", "data_hash", "training_data_sha256"),
        metrics=metrics,
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        path=str(path),
    )


def _flat_numbers(value: Any, prefix: str = "") -> Iterator[tuple[str, float]]:
    """Headline figures as dotted names ("dev.macro_f1"); per-class tables are skipped."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flat_numbers(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield prefix, float(value)


# ---------------------------------------------------------------------------------------------
# metrics


class _Metrics:
    """Prometheus metrics in a registry of their own, so several servers can share a process."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "newsdesk_requests", "RPCs finished, by method and status code", ["method", "code"],
            registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "newsdesk_request_seconds", "RPC latency in seconds, by method", ["method"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )  # fmt: skip
        self.articles = Counter(
            "newsdesk_articles", "Articles answered, by method", ["method"], registry=r
        )
        self.in_flight = Gauge("newsdesk_in_flight", "RPCs being served now", registry=r)
        self.refusals = Counter(
            "newsdesk_refusals", "Calls and stream items refused, by method and reason "
            "(concurrency, size, budget, auth)", ["method", "reason"], registry=r,
        )  # fmt: skip
        # Refusals come in floods (that is what they are for): one log line per method and
        # reason every 10 s, with the count held back.
        self.refusal_log = RateLimitedLog(log, every=10.0)
        self.undecodable = Counter(
            "newsdesk_undecodable_messages", "Requests and stream items that were not valid "
            "protobuf or over the size limit, by method", ["method"], registry=r,
        )  # fmt: skip
        self.model = Info("newsdesk_model", "The model serving now", registry=r)
        self.reloads = Counter("newsdesk_model_reloads", "Models loaded and swapped in", registry=r)
        self.reload_failures = Counter(
            "newsdesk_model_reload_failures", "Model loads refused (old model kept)", registry=r
        )
        self._calls = 0
        self._idle = threading.Condition()
        self.stopping = False  # set when shutdown begins (for the log's words only)

    def call_started(self) -> None:
        with self._idle:
            self._calls += 1
        self.in_flight.inc()

    def call_ended(self) -> None:
        with self._idle:
            self._calls -= 1
            self._idle.notify_all()
        self.in_flight.dec()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no newsdesk call is in flight (health watches do not count)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._calls <= 0, timeout)


# ---------------------------------------------------------------------------------------------
# the boundary interceptor: auth, errors → status, metrics, request log


class _Boundary(grpc.ServerInterceptor):
    """One place for what every call shares: the token check, the error table, metrics, the log."""

    def __init__(self, config: ServerConfig, metrics: _Metrics, lanes: Lanes) -> None:
        token = config.token
        self._expected = f"Bearer {token}".encode() if token else None
        self._metrics = metrics
        self._max_bytes = config.max_message_bytes
        self._limit = config.max_concurrent_rpcs
        self._lanes = lanes
        self._budget = Budget(config.max_inflight_bytes) if config.max_inflight_bytes else None

    def intercept_service(self, continuation, details):
        handler = continuation(details)
        if handler is None:
            return None
        method = details.method
        name = method.rsplit("/", 1)[-1]

        metrics, lanes = self._metrics, self._lanes

        def bad(exc: NewsdeskError) -> None:
            if isinstance(exc, Refused):
                _refused(metrics, name, exc.reason, exc.message)
            else:
                metrics.undecodable.labels(name).inc()

        health_call = method.startswith("/grpc.health.v1.Health/")
        # Requests are decoded in our code: a bad message is the caller's error, not INTERNAL.
        handler = decoding(
            handler,
            max_bytes=self._max_bytes,
            itemwise=method in ITEMWISE,
            on_bad=bad,
            budget=None if health_call else self._budget,
        )
        streaming = handler.request_streaming or handler.response_streaming
        # Health stays open so load balancers and orchestrators can probe without a secret,
        # and Check has threads of its own: no stream or queue of calls stands before it.
        if health_call:
            return _pin(_wrap_plain(handler), lanes.streams if streaming else lanes.health)
        authorized = self._authorized(details.invocation_metadata)
        if self._limit and lanes.busy() >= self._limit:
            refusal = Refused(
                f"the server is at its limit of {self._limit} calls at once "
                "(--max-concurrent-rpcs); retry shortly, or elsewhere",
                reason="concurrency",
                limit=self._limit,
            )
            handler = _refusing(handler, refusal, metrics, name)
            return _pin(_wrap(handler, name, authorized, metrics), lanes.refusals)
        lane = lanes.streams if streaming else lanes.unary
        return _pin(_wrap(handler, name, authorized, metrics), lane)

    def _authorized(self, metadata: Sequence[tuple[str, Any]] | None) -> bool:
        if self._expected is None:
            return True
        for key, value in metadata or ():
            if key == "authorization":
                given = value.encode() if isinstance(value, str) else bytes(value)
                return hmac.compare_digest(given, self._expected)
        return False


# Methods whose request stream is answered item by item: an undecodable item fails alone.
ITEMWISE = frozenset({f"/{SERVICE_NAME}/ClassifyStream"})


def _pin(handler, pool):
    """Run this call's behaviour on `pool` (gRPC reads the attribute; see service.limits)."""
    Lanes.pin(getattr(handler, _kind(handler)), pool)
    return handler


def _refused(metrics: _Metrics, method: str, reason: str, message: str) -> None:
    metrics.refusals.labels(method, reason).inc()
    metrics.refusal_log.log(
        logging.WARNING, (method, reason), "refused", {"method": method, "reason": reason,
                                                       "note": message},
    )  # fmt: skip


def _refusing(handler, refusal: Refused, metrics: _Metrics, method: str):
    """The handler with a behaviour that refuses the call at once (a thread of its own)."""

    def refuse(request, context):
        _refused(metrics, method, refusal.reason, refusal.message)
        raise refusal

    return handler._replace(**{_kind(handler): refuse})


def _wrap_plain(handler):
    """Health's handlers: no token, no request log; only our errors mapped to their status."""

    kind = _kind(handler)
    behaviour = getattr(handler, kind)

    def guarded(request, context):
        try:
            return behaviour(request, context)
        except NewsdeskError as exc:
            code = next(c for k, c in STATUS_CODES.items() if isinstance(exc, k))
            context.abort(code, exc.message)

    return handler._replace(**{kind: guarded})


def _kind(handler) -> str:
    if handler.request_streaming:
        return "stream_stream" if handler.response_streaming else "stream_unary"
    return "unary_stream" if handler.response_streaming else "unary_unary"


def _wrap(handler, method: str, authorized: bool, metrics: _Metrics):
    """The same handler, with each behaviour run inside `_CallGuard` (streaming or not)."""
    kind = _kind(handler)
    behaviour = getattr(handler, kind)

    if handler.response_streaming:

        def streaming(request, context):
            with _CallGuard(method, context, authorized, metrics) as call:
                for response in behaviour(request, context):
                    call.count(response)
                    yield response

        return handler._replace(**{kind: streaming})

    def unary(request, context):
        with _CallGuard(method, context, authorized, metrics) as call:
            response = behaviour(request, context)
            call.count(response)
            return response

    return handler._replace(**{kind: unary})


_REFUSALS = (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAUTHENTICATED)


class _CallGuard:
    """Context manager around one call: checks the token, maps errors, records the outcome."""

    def __init__(self, method: str, context, authorized: bool, metrics: _Metrics) -> None:
        self.method, self.context, self.authorized, self.metrics = (
            method,
            context,
            authorized,
            metrics,
        )
        self.articles = 0

    def count(self, response: Any) -> None:
        if isinstance(response, pb.Classification | pb.Summary):
            self.articles += 1
        elif hasattr(response, "results"):
            self.articles += len(response.results)
        elif isinstance(response, pb.AnalysePageResponse):
            self.articles += len(response.articles)

    def __enter__(self) -> _CallGuard:
        self.started = time.monotonic()
        self.metrics.call_started()
        # Count the call as over only when gRPC has sent its status, so a shutdown that waits
        # for idle never cuts an answer that is still on its way out.
        if not self.context.add_callback(self.metrics.call_ended):
            self.metrics.call_ended()
        if not self.authorized:
            _refused(self.metrics, self.method, "auth", "no or wrong bearer token")
            self._finish(grpc.StatusCode.UNAUTHENTICATED, "no or wrong bearer token")
            self.context.abort(
                grpc.StatusCode.UNAUTHENTICATED,
                "this server wants metadata 'authorization: Bearer <token>' and the call had "
                "none or another token (newsdesk CLI: --token or NEWSDESK_TOKEN; Python: "
                "NewsdeskClient(token=...))",
            )
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        context = self.context
        if isinstance(exc, NewsdeskError):
            code = next(c for k, c in STATUS_CODES.items() if isinstance(exc, k))
            self._finish(code, exc.message)
            context.abort_with_status(rpc_status.to_status(error_status(exc)))
        elif isinstance(exc, _CallerGone):
            code = _gone_code(context)
            self._finish(code, "caller gone; work stopped")
            context.abort(code, "the caller went away; work for it stopped")
        elif isinstance(exc, GeneratorExit):
            # gRPC closes a stream's generator when the caller leaves, and when shutdown cuts
            # the stream at the end of its grace period: say which.
            cut = self.metrics.stopping
            self._finish(
                grpc.StatusCode.CANCELLED,
                "stream cut: shutdown grace period over" if cut else "stream closed by the caller",
            )
        elif exc is not None and context.code() is None:
            # Not one of ours: log the traceback here, send the caller no internals.
            log.error("unexpected error in %s", self.method, exc_info=(kind, exc, tb))
            self._finish(grpc.StatusCode.INTERNAL, f"{type(exc).__name__}")
            context.abort(grpc.StatusCode.INTERNAL, "internal error; the server log has details")
        elif exc is None and not context.is_active():
            self._finish(_gone_code(context), "answered after the caller had gone")
        else:
            code = context.code() or grpc.StatusCode.OK
            self._finish(code, "" if exc is None else "aborted")
        return False

    def _finish(self, code: grpc.StatusCode, note: str) -> None:
        elapsed = time.monotonic() - self.started
        m = self.metrics
        m.requests.labels(self.method, code.name).inc()
        m.latency.labels(self.method).observe(elapsed)
        if self.articles and code == grpc.StatusCode.OK:
            m.articles.labels(self.method).inc(self.articles)
        level = logging.INFO if code == grpc.StatusCode.OK else logging.WARNING
        extra = {
            "method": self.method,
            "code": code.name,
            "ms": round(elapsed * 1000, 2),
            "articles": self.articles,
            **({"note": note} if note else {}),
        }
        if code in _REFUSALS:  # logged by _refused, rate-limited
            return
        log.log(level, "rpc", extra=extra)


# ---------------------------------------------------------------------------------------------
# the servicer: proto → domain, pipeline, domain → proto


class NewsDeskServicer(pb_grpc.NewsDeskServicer):
    """Translates newsdesk.v1 messages to pipeline calls and back; validates at entry."""

    def __init__(self, models: ModelSlot, config: ServerConfig) -> None:
        self.models = models
        self.config = config

    def Classify(self, request, context):
        articles, sources = self._articles(request.articles)
        terms = _terms(request.explain, request.keywords, request.explain_label)
        model = self.models.get()
        titles = [m.title for m in request.articles]
        analyses = self._analyse(
            articles, sources, model, context, summarise=False, titles=titles, **terms
        )
        return pb.ClassifyResponse(results=[_classification(a) for a in analyses])

    def Summarise(self, request, context):
        articles, sources = self._articles(request.articles)
        limits = self._options(request.options)
        model = self.models.get()
        analyses = self._analyse(articles, sources, model, context, summarise=True, **limits)
        return pb.SummariseResponse(results=[_summary(a.article.id, a.lead) for a in analyses])

    def AnalysePage(self, request, context):
        text = _text(request.text, "text", self.config.max_page_chars)
        limits = self._options(request.options)
        terms = _terms(request.explain, request.keywords, request.explain_label)
        model = self.models.get()
        analyses = pipeline.analyse_page(text, model.classifier, summarise=True, **limits, **terms)
        # the page was just read: this is the cached reading
        furniture = [pb.Span(start=s.start, end=s.end) for s in read_page(text).furniture]
        return pb.AnalysePageResponse(
            articles=[_page_article(i, a) for i, a in enumerate(analyses)], furniture=furniture
        )

    def ClassifyStream(self, request_iterator, context):
        terms = _stream_terms(context.invocation_metadata())
        batches = _batches(request_iterator, context, STREAM_CHUNK)
        answers = (list(self._classify_items(batch, context, terms)) for batch in batches)
        for answer in _ahead(answers, context):
            yield from answer

    def GetModel(self, request, context):
        info = self.models.get().info
        if self.config.model_path_in_info:  # http: the operator's path only when asked for
            return info
        public = pb.ModelInfo()
        public.CopyFrom(info)
        public.ClearField("path")
        return public

    # -- helpers ------------------------------------------------------------------------------

    def _articles(self, messages: Sequence[pb.Article]) -> tuple[list[Article], list[str]]:
        """Validate a request's articles and build domain articles (offsets into each text)."""
        limit = self.config.max_articles
        if not messages:
            raise InvalidInput("no articles: send at least one", field="articles")
        if len(messages) > limit:
            raise InvalidInput(
                f"{len(messages)} articles in one request, over the limit of {limit}: split "
                "them over several requests, or use ClassifyStream",
                field="articles",
                limit=limit,
            )
        articles = [self._article(m, f"articles[{i}]") for i, m in enumerate(messages)]
        return articles, [m.text for m in messages]

    def _article(self, message: pb.Article, where: str = "") -> Article:
        """One article, validated; `where` prefixes field names ("articles[3]", "" in a stream)."""
        from .pages import single_article

        prefix = f"{where}." if where else ""
        text = _text(message.text, f"{prefix}text", self.config.max_chars)
        if len(message.title) > self.config.max_chars:
            raise InvalidInput(
                f"{prefix}title has {len(message.title)} characters, over the limit of "
                f"{self.config.max_chars}: send the headline only",
                field=f"{prefix}title",
                limit=self.config.max_chars,
            )
        for name in ("kicker", "subtitle"):  # headline parts: the title's limit holds for each
            if len(getattr(message, name)) > self.config.max_chars:
                raise InvalidInput(
                    f"{prefix}{name} has {len(getattr(message, name))} characters, over the "
                    f"limit of {self.config.max_chars}: send the {name} line only",
                    field=f"{prefix}{name}",
                    limit=self.config.max_chars,
                )
        article = single_article(message.title, text, id=message.id, field=f"{prefix}text")
        return replace(article, kicker=message.kicker.strip(), subtitle=message.subtitle.strip())

    def _options(self, options: pb.SummaryOptions) -> dict[str, int]:
        for name, limit in (
            ("max_sentences", MAX_LEAD_SENTENCES),
            ("max_chars", self.config.max_chars),
        ):
            value = getattr(options, name)
            if value > limit:
                raise InvalidInput(
                    f"options.{name} is {value}, over the limit of {limit}: ask for a shorter "
                    "lead, or 0 for the default",
                    field=f"options.{name}",
                    limit=limit,
                )
        return {"max_sentences": options.max_sentences, "max_chars": options.max_chars}

    def _analyse(self, articles, sources, model, context, titles=None, **kw) -> list[Analysis]:
        """Run the pipeline chunk by chunk, stopping as soon as the caller has gone."""
        out: list[Analysis] = []
        size = LEAD_CHUNK if kw.get("summarise") else CHUNK
        for start in range(0, len(articles), size):
            _alive(context)
            end = start + size
            out += pipeline.analyse_articles(
                articles[start:end],
                sources[start:end],
                model.classifier,
                titles=titles[start:end] if titles is not None else None,
                **kw,
            )
        return out

    def _classify_items(
        self, messages: list[pb.Article], context, terms: dict[str, Any]
    ) -> Iterator[pb.Classification]:
        """Classify one batch of a stream; an item that fails validation answers with its error."""
        _alive(context)
        prepared: list[Article | NewsdeskError] = []
        for message in messages:
            try:
                if isinstance(message, Undecodable):  # not an Article at all: fails alone
                    raise message.error
                prepared.append(self._article(message))
            except InvalidInput as exc:
                prepared.append(exc)
        good = [p for p in prepared if isinstance(p, Article)]
        kept = [m for m, p in zip(messages, prepared, strict=True) if isinstance(p, Article)]
        model = self.models.get()  # fetched per batch, so a stream picks up a reloaded model
        analyses = iter(
            pipeline.analyse_articles(
                good,
                [m.text for m in kept],
                model.classifier,
                summarise=False,
                titles=[m.title for m in kept],
                **terms,
            )
            if good
            else []
        )
        for message, item in zip(messages, prepared, strict=True):
            if isinstance(item, NewsdeskError):
                yield pb.Classification(id=getattr(message, "id", ""), error=error_status(item))
            else:
                yield _classification(next(analyses))


# ClassifyStream takes a bare stream of Articles: its evidence and keyword counts come as call
# metadata (gRPC metadata keys are lower-case ASCII).
STREAM_TERMS = (
    ("newsdesk-explain", "explain"),
    ("newsdesk-keywords", "keywords"),
    ("newsdesk-explain-label", "explain_label"),
)


def _terms(explain: int, keywords: int, label: str) -> dict[str, Any]:
    """Evidence and keyword options of a request, checked; an empty label means the predicted."""
    return {
        "explain": pipeline.check_terms("explain", explain),
        "keywords": pipeline.check_terms("keywords", keywords),
        "explain_label": label or None,
    }


def _stream_terms(metadata: Sequence[tuple[str, Any]] | None) -> dict[str, Any]:
    """`_terms` from a stream's call metadata (a count that is not a whole number is refused)."""
    given = {key: value for key, value in metadata or () if isinstance(value, str)}
    values: dict[str, Any] = {"explain": 0, "keywords": 0, "explain_label": ""}
    for key, name in STREAM_TERMS:
        raw = given.get(key)
        if raw is None:
            continue
        if name == "explain_label":
            values[name] = raw
        elif raw.strip().isdigit():
            values[name] = int(raw)
        else:
            raise InvalidInput(
                f"metadata {key} must be a whole number from 0 (off), got {raw!r}", field=key
            )
    return _terms(values["explain"], values["keywords"], values["explain_label"])


def _text(text: str, field: str, limit: int) -> str:
    if not text.strip():
        raise InvalidInput(f"{field} is empty: send the article's text", field=field)
    if len(text) > limit:
        raise InvalidInput(
            f"{field} has {len(text)} characters, over the limit of {limit}: split it, or "
            "raise the server's limit (--max-chars / --max-page-chars)",
            field=field,
            limit=limit,
        )
    return text


def _batches(requests: Iterable[Any], context, size: int) -> Iterator[list[Any]]:
    """Group a request stream into batches of what has already arrived, never waiting for more.

    A reader thread drains the stream into a queue; each batch takes what is there (at least
    one item), so a caller sending one item at a time and waiting is answered at once, while a
    bulk sender gets vectorised model calls.
    """
    pending: queue.Queue[Any] = queue.Queue(maxsize=size * 4)
    end = object()

    def read() -> None:
        try:
            for item in requests:
                while context.is_active():
                    try:
                        pending.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                else:
                    return
        except Exception:  # the stream broke (cancelled, reset): the consumer sees it via _alive
            pass
        finally:
            pending.put(end)

    threading.Thread(target=read, name="newsdesk-stream-reader", daemon=True).start()
    while True:
        try:
            item = pending.get(timeout=0.2)
        except queue.Empty:
            _alive(context)
            continue
        batch = []
        while item is not end:
            batch.append(item)
            if len(batch) >= size:
                break
            try:
                item = pending.get_nowait()
            except queue.Empty:
                break
        if batch:
            yield batch
        if item is end:
            _alive(context)
            return


@dataclass(frozen=True)
class _Raised:
    """An exception from `_ahead`'s thread, carried to the caller's thread to be raised there."""

    error: BaseException


def _ahead(results: Iterator[Any], context) -> Iterator[Any]:
    """Yield `results` in order while a thread computes the next ones; its errors raise here.

    gRPC writes a stream's answers one message at a time and waits for each write; with the
    next batch classified meanwhile, those waits overlap the model call instead of adding to it.
    """
    ready: queue.Queue[Any] = queue.Queue(maxsize=2)
    left = threading.Event()  # the caller's side stopped reading (gone, or stream closed)
    end = object()

    def offer(item: Any) -> bool:
        while not left.is_set():
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for result in results:
                if not offer(result):
                    return
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            offer(_Raised(exc))
        else:
            offer(end)

    threading.Thread(target=produce, name="newsdesk-stream-classifier", daemon=True).start()
    try:
        while True:
            try:
                item = ready.get(timeout=0.2)
            except queue.Empty:
                _alive(context)
                continue
            if item is end:
                return
            if isinstance(item, _Raised):
                raise item.error
            yield item
    finally:
        left.set()


def _classification(analysis: Analysis) -> pb.Classification:
    prediction: Prediction = analysis.prediction
    return pb.Classification(
        id=analysis.article.id,
        label=prediction.label,
        scores=[pb.LabelScore(label=k, score=v) for k, v in prediction.scores],
        evidence=[
            pb.Evidence(term=t.text, weight=t.weight, field=t.field, spans=_spans(t), label=t.label)
            for t in analysis.evidence or ()
        ],
        keywords=[
            pb.Keyword(term=t.text, weight=t.weight, field=t.field, spans=_spans(t))
            for t in analysis.keywords or ()
        ],
        review=prediction.review,
    )


def _spans(term: Term) -> list[pb.Span]:
    return [pb.Span(start=s.start, end=s.end) for s in term.spans]


def _summary(article_id: str, lead: Lead | None) -> pb.Summary:
    if lead is None:
        return pb.Summary(id=article_id)
    spans = [pb.Span(start=s.start, end=s.end) for s in lead.spans]
    return pb.Summary(id=article_id, lead=lead.text, spans=spans)


def _page_article(index: int, analysis: Analysis) -> pb.PageArticle:
    a = analysis.article
    classification = _classification(analysis) if analysis.prediction is not None else None
    if classification is not None:
        classification.id = str(index)
    return pb.PageArticle(
        title=a.title,
        kicker=a.kicker,
        subtitle=a.subtitle,
        byline=a.byline,
        dateline=a.dateline,
        continues=a.continues,
        text=a.text,
        span=pb.Span(start=a.start, end=a.end),
        classification=classification,
        summary=_summary(str(index), analysis.lead),
        warnings=list(analysis.warnings),
    )


# ---------------------------------------------------------------------------------------------
# the server object


class NewsdeskServer:
    """A grpc.Server plus what it serves with: the model slot, health, metrics endpoint."""

    def __init__(self, config: ServerConfig, server: grpc.Server, port: int, models: ModelSlot,
                 health_servicer: health.HealthServicer, metrics: _Metrics) -> None:  # fmt: skip
        self.config = config
        self.grpc = server
        self.port = port
        self.models = models
        self.health = health_servicer
        self.metrics = metrics
        self.metrics_port = 0
        self._http: Any = None
        self._stopping = False
        self.front: Any = None  # http: the HTTP/JSON front (service.http), when configured
        self.http_port = 0

    def start(self) -> NewsdeskServer:
        """Listen (health NOT_SERVING), load and warm the model, then report SERVING."""
        self.grpc.start()
        # http: the metrics port serves /metrics, /healthz, /readyz and 404 elsewhere, and the
        # HTTP/JSON front listens beside gRPC when --http-address is set (service/http/).
        from .http.app import start_front
        from .http.probes import start_metrics

        try:
            if self.config.metrics_port:
                self._http = start_metrics(self, self.config.metrics_host, self.config.metrics_port)
                self.metrics_port = self._http.server_port
            if self.config.http_address:
                self.front = start_front(self, self.config.http_address)
                self.http_port = self.front.port
        except InvalidInput:
            self.grpc.stop(0)
            if self._http is not None:
                _close_http(self._http)
            raise
        self.models.reload()
        self.models.watch(self.config.poll_seconds)
        return self

    def reload(self) -> bool:
        """Reload the model now (what SIGHUP does); False if it was refused."""
        return self.models.reload()

    def set_serving(self) -> None:
        if self._stopping:
            return
        for name in ("", SERVICE_NAME):
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    def stop(self, grace: float | None = None) -> threading.Event:
        """NOT_SERVING, refuse new calls, give in-flight ones `grace` seconds; returns an Event."""
        self._stopping = True
        self.metrics.stopping = True
        self.health.enter_graceful_shutdown()
        self.models.close()
        grace = self.config.grace if grace is None else grace
        done = self.grpc.stop(grace)
        # Health Watch streams never end by themselves: once our own calls have finished, cut
        # them, rather than keep the process alive for the whole grace period.
        threading.Thread(
            target=lambda: self.metrics.wait_idle(grace) and self.grpc.stop(0),
            name="newsdesk-drain",
            daemon=True,
        ).start()
        if self._http is not None:
            http, self._http = self._http, None
            threading.Thread(target=_close_http, args=(http,), daemon=True).start()
        if self.front is not None:  # http: in-flight HTTP calls get the same grace
            front, self.front = self.front, None
            threading.Thread(target=front.close, args=(grace,), daemon=True).start()
        return done

    def wait_for_termination(self, timeout: float | None = None) -> bool:
        return self.grpc.wait_for_termination(timeout)


def _close_http(http: Any) -> None:
    http.shutdown()
    http.server_close()  # release the port, so a restarted server can bind it again


def create_server(config: ServerConfig) -> tuple[NewsdeskServer, int]:
    """Build and bind the server (not started): port 0 in `address` picks a free port."""
    from .classifier import DEFAULT_MODEL

    _check(config)
    metrics = _Metrics()
    options = [
        # A backstop: our own check (service.decoding) refuses past max_message_bytes and counts
        # it; what the transport refuses past twice that never reaches our code.
        ("grpc.max_receive_message_length", min(2 * config.max_message_bytes, 2**31 - 1)),
        ("grpc.max_send_message_length", config.max_message_bytes),
        ("grpc.so_reuseport", 0),  # two servers on one port would split traffic silently
    ]
    lanes = Lanes(config.workers, config.max_streams)
    boundary = _Boundary(config, metrics, lanes)
    server = grpc.server(
        lanes.unary,  # the default; the interceptor pins each call to its lane
        interceptors=[boundary],
        options=options,
        # --max-concurrent-rpcs is counted by _Boundary, so refusals are logged and counted.
    )
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    holder: list[NewsdeskServer] = []
    models = ModelSlot(
        Path(config.model or DEFAULT_MODEL), metrics, on_ready=lambda: holder[0].set_serving()
    )
    pb_grpc.add_NewsDeskServicer_to_server(NewsDeskServicer(models, config), server)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    pair = None
    try:
        if config.tls_cert:
            pair = (Path(config.tls_key).read_bytes(), Path(config.tls_cert).read_bytes())
            port = server.add_secure_port(config.address, grpc.ssl_server_credentials([pair]))
        else:
            port = server.add_insecure_port(config.address)
    except RuntimeError:  # grpc raises when it cannot bind
        port = 0
    if not port:
        if pair:
            raise InvalidInput(
                f"cannot listen on {config.address}: either --tls-cert/--tls-key are not a "
                "matching PEM certificate and key, or the port is taken (pick another --address)",
                field="tls_cert",
            )
        raise InvalidInput(
            f"cannot listen on {config.address}: the port is taken, or the host is no address "
            "of this machine (HOST:PORT, e.g. 0.0.0.0:50051); check --address",
            field="address",
        )
    holder.append(NewsdeskServer(config, server, port, models, health_servicer, metrics))
    # http: HTTP calls share the gRPC calls' lanes (threads, --max-concurrent-rpcs) and budget
    holder[0].lanes, holder[0].budget = lanes, boundary._budget
    return holder[0], port


def _check(config: ServerConfig) -> None:
    """Validate a config once, at entry, with messages that say which flag to fix."""
    if bool(config.tls_cert) != bool(config.tls_key):
        raise InvalidInput("give both --tls-cert and --tls-key, or neither", field="tls_key")
    for name in ("tls_cert", "tls_key"):
        path = getattr(config, name)
        if path and not Path(path).is_file():
            raise InvalidInput(f"--{name.replace('_', '-')} {path}: no such file", field=name)
    positive = {
        "workers": config.workers,
        "max_streams": config.max_streams,
        "max_chars": config.max_chars,
        "max_page_chars": config.max_page_chars,
        "max_articles": config.max_articles,
        "max_message_bytes": config.max_message_bytes,
    }
    for name, value in positive.items():
        if value < 1:
            raise InvalidInput(f"{name} must be at least 1, got {value}", field=name, limit=1)
    if config.max_inflight_bytes < 0:
        raise InvalidInput(
            f"max_inflight_bytes must be 0 (no budget) or more, got {config.max_inflight_bytes}",
            field="max_inflight_bytes",
            limit=0,
        )
    if config.max_concurrent_rpcs < 0:
        raise InvalidInput(
            f"max_concurrent_rpcs must be 0 (no limit) or more, got {config.max_concurrent_rpcs}",
            field="max_concurrent_rpcs",
            limit=0,
        )
    if config.log_format not in ("plain", "json"):
        raise InvalidInput(
            f"log format {config.log_format!r}: use 'plain' or 'json'", field="log_format"
        )
    if config.grace < 0 or config.poll_seconds < 0 or not 0 <= config.metrics_port < 65536:
        raise InvalidInput(
            "grace and poll seconds must be >= 0 and the metrics port in 0..65535",
            field="grace",
        )


# ---------------------------------------------------------------------------------------------
# flags, env twins, logging, the process


def _env(name: str, default: str | None) -> str | None:
    return os.environ.get(name, default)


def add_serve_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the serve flags; each defaults to its NEWSDESK_* environment twin."""
    from .classifier import DEFAULT_MODEL

    d = ServerConfig()
    add = parser.add_argument
    add(
        "--address",
        default=_env("NEWSDESK_ADDRESS", d.address),
        help="host:port to listen on; port 0 picks one (env NEWSDESK_ADDRESS)",
    )
    add(
        "--workers",
        type=int,
        default=_env("NEWSDESK_WORKERS", str(d.workers)),
        help="threads for unary calls, the CPU work (env NEWSDESK_WORKERS)",
    )
    add(
        "--max-streams",
        type=int,
        default=_env("NEWSDESK_MAX_STREAMS", str(d.max_streams)),
        help="threads for streams (ClassifyStream, health watches): each open stream holds one, "
        "idle or not, and never a unary call's or a health check's (env NEWSDESK_MAX_STREAMS)",
    )
    add(
        "--max-inflight-bytes",
        type=int,
        default=_env("NEWSDESK_MAX_INFLIGHT_BYTES", str(d.max_inflight_bytes)),
        help="request bytes being worked on at once, over all calls; past it, new requests and "
        "stream items get RESOURCE_EXHAUSTED; 0 = no budget (env NEWSDESK_MAX_INFLIGHT_BYTES)",
    )
    add(
        "--max-concurrent-rpcs",
        type=int,
        default=_env("NEWSDESK_MAX_CONCURRENT_RPCS", str(d.max_concurrent_rpcs)),
        help="calls in progress at once before new ones get RESOURCE_EXHAUSTED; 0 = no limit, "
        "they wait for a worker (env NEWSDESK_MAX_CONCURRENT_RPCS)",
    )
    add(
        "--model",
        type=Path,
        default=_env("NEWSDESK_MODEL", str(DEFAULT_MODEL)),
        help="model folder (model.npz + manifest.json) (env NEWSDESK_MODEL)",
    )
    add(
        "--max-chars",
        type=int,
        default=_env("NEWSDESK_MAX_CHARS", str(d.max_chars)),
        help="longest article text accepted, in characters (env NEWSDESK_MAX_CHARS)",
    )
    add(
        "--max-page-chars",
        type=int,
        default=_env("NEWSDESK_MAX_PAGE_CHARS", str(d.max_page_chars)),
        help="longest AnalysePage text accepted (env NEWSDESK_MAX_PAGE_CHARS)",
    )
    add(
        "--max-articles",
        type=int,
        default=_env("NEWSDESK_MAX_ARTICLES", str(d.max_articles)),
        help="most articles in one Classify/Summarise request (env NEWSDESK_MAX_ARTICLES)",
    )
    add(
        "--max-message-bytes",
        type=int,
        default=_env("NEWSDESK_MAX_MESSAGE_BYTES", str(d.max_message_bytes)),
        help="transport limit per message; larger ones get RESOURCE_EXHAUSTED "
        "(env NEWSDESK_MAX_MESSAGE_BYTES)",
    )
    add(
        "--tls-cert",
        type=Path,
        default=_env("NEWSDESK_TLS_CERT", None),
        help="PEM certificate chain; with --tls-key serves TLS (env NEWSDESK_TLS_CERT)",
    )
    add(
        "--tls-key",
        type=Path,
        default=_env("NEWSDESK_TLS_KEY", None),
        help="PEM private key (env NEWSDESK_TLS_KEY)",
    )
    add(
        "--token",
        default=_env("NEWSDESK_TOKEN", None),
        help="require 'authorization: Bearer <token>' on every call but health; prefer the "
        "env twin NEWSDESK_TOKEN, which other users cannot read from the process list",
    )
    add(
        "--metrics-port",
        type=int,
        default=_env("NEWSDESK_METRICS_PORT", "0"),
        help="serve Prometheus metrics on this port, 0 = off (env NEWSDESK_METRICS_PORT)",
    )
    add(
        "--log-format",
        choices=("plain", "json"),
        default=_env("NEWSDESK_LOG_FORMAT", d.log_format),
        help="one line per event, plain or JSON (env NEWSDESK_LOG_FORMAT)",
    )
    add(
        "--grace",
        type=float,
        default=_env("NEWSDESK_GRACE", str(d.grace)),
        help="seconds in-flight calls get to finish on SIGTERM (env NEWSDESK_GRACE)",
    )
    add("--poll", type=float, default=_env("NEWSDESK_POLL", str(d.poll_seconds)),
        help="seconds between checks of the model's manifest; 0 = reload on SIGHUP only "
             "(env NEWSDESK_POLL)")  # fmt: skip
    from .http.flags import add_http_arguments  # http: --http-address and friends

    return add_http_arguments(parser)


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    """Build (and validate) a ServerConfig from parsed serve flags."""
    config = ServerConfig(
        address=args.address,
        workers=args.workers,
        max_streams=args.max_streams,
        max_concurrent_rpcs=args.max_concurrent_rpcs,
        max_inflight_bytes=args.max_inflight_bytes,
        model=Path(args.model),
        max_chars=args.max_chars,
        max_page_chars=args.max_page_chars,
        max_articles=args.max_articles,
        max_message_bytes=args.max_message_bytes,
        tls_cert=Path(args.tls_cert) if args.tls_cert else None,
        tls_key=Path(args.tls_key) if args.tls_key else None,
        token=args.token or None,
        metrics_port=args.metrics_port,
        log_format=args.log_format,
        grace=args.grace,
        poll_seconds=args.poll,
        **_http_config(args),  # http: issue 16's flags
    )
    _check(config)
    return config


def _http_config(args: argparse.Namespace) -> dict[str, Any]:
    from .http.flags import http_config  # http:

    return http_config(args)


_STANDARD = set(vars(logging.makeLogRecord({})))


class _JsonFormatter(logging.Formatter):
    """One JSON object per line, with the `extra` fields, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _PlainFormatter(logging.Formatter):
    """Time, level, message, then the `extra` fields as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        line = f"{self.formatTime(record)} {record.levelname} {record.getMessage()} {extra}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line.rstrip()


def _configure_logging(fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if fmt == "json" else _PlainFormatter())
    root = logging.getLogger("newsdesk")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


def serve(config: ServerConfig) -> int:
    """Run until SIGTERM/SIGINT: reload on SIGHUP, then shut down gracefully; returns 0."""
    _configure_logging(config.log_format)
    # This process is the server: large blocks go back to the system when freed, so a burst of
    # big requests does not leave it at its peak size (service.malloc says why).
    return_freed_memory()
    server, port = create_server(config)
    wake = threading.Event()
    flags = {"stop": False, "reload": False}

    def on_signal(signum, _frame) -> None:
        flags["reload" if signum == getattr(signal, "SIGHUP", None) else "stop"] = True
        wake.set()

    for sig in ("SIGTERM", "SIGINT", "SIGHUP"):
        if hasattr(signal, sig):
            signal.signal(getattr(signal, sig), on_signal)
    server.start()
    if config.token and not config.tls_cert:
        log.warning(
            "a bearer token is required but the server has no TLS: the token crosses the "
            "network in clear text; give --tls-cert/--tls-key, or keep --address on loopback"
        )
    log.info(
        "serving",
        extra={"address": config.address, "port": port, "tls": bool(config.tls_cert),
               "metrics_port": server.metrics_port, "http_port": server.http_port,  # http:
               "pid": os.getpid()},
    )  # fmt: skip
    while not flags["stop"]:
        # A timeout keeps the main thread returning to the interpreter, where handlers run.
        if not wake.wait(0.5):
            continue
        wake.clear()
        if flags["reload"] and not flags["stop"]:
            flags["reload"] = False
            server.reload()
    log.info("shutting down", extra={"grace": config.grace})
    server.stop(config.grace).wait()
    log.info("stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m service.server`: the same flags as `newsdesk serve`."""
    parser = add_serve_arguments(
        argparse.ArgumentParser(prog="python -m service.server", description=__doc__)
    )
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except InvalidInput as exc:
        parser.error(exc.message)
    return serve(config)


if __name__ == "__main__":
    sys.exit(main())
