"""A typed Python client for newsdesk.v1: deadlines, retries on UNAVAILABLE, errors as our types.

Callers get frozen dataclasses back (`service.rpc.results`) and `service.errors` exceptions
out (INVALID_ARGUMENT → InvalidInput with the field and limit the server named), so code
written against the local pipeline handles a remote one the same way.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from .._proto.newsdesk.v1 import newsdesk_pb2 as pb
from .._proto.newsdesk.v1 import newsdesk_pb2_grpc as pb_grpc
from ..errors import ClientClosed, InvalidInput, NewsdeskError, RemoteError
from .results import (
    Classified,
    ModelInfo,
    PageResults,
    Summarised,
    classified,
    model_info,
    page_results,
    summarised,
    to_article,
)
from .status import error_from_rpc
from .wire import STREAM_TERMS

__all__ = ["NewsdeskClient"]


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
        if token and not (token.isascii() and token.isprintable()):
            # gRPC refused it at every call ("Invalid metadata"), after logging C-core errors.
            raise InvalidInput(
                "the token holds a character a gRPC header cannot carry (a newline, a tab, a "
                "non-ASCII letter): check --token / NEWSDESK_TOKEN",
                field="token",
            )
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._tls = tls_ca is not None
        self._closed = False
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
            if b"-----BEGIN CERTIFICATE-----" not in ca:  # else every call failed, unclearly
                raise InvalidInput(
                    f"tls_ca {tls_ca if not isinstance(tls_ca, bytes) else '(bytes)'} holds no "
                    "PEM certificate: give the server's certificate or its CA's (CLI: "
                    "--tls-ca / NEWSDESK_TLS_CA)",
                    field="tls_ca",
                )
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
        self._closed = True
        self._channel.close()

    def _check_open(self) -> None:
        # gRPC's own ValueError ("Cannot invoke RPC on closed channel!") named no fix.
        if self._closed:
            raise ClientClosed(
                f"this NewsdeskClient for {self.address} is closed (close() or its `with` block "
                "ended): make a new NewsdeskClient"
            )

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
        sent = [to_article(a) for a in articles]
        request = pb.ClassifyRequest(
            articles=sent, **_term_options(explain, keywords, explain_label)
        )
        response = self._call(self._stub.Classify, request, timeout)
        return [classified(r, a) for r, a in zip(response.results, sent, strict=True)]

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
        request = pb.SummariseRequest(articles=[to_article(a) for a in articles], options=options)
        response = self._call(self._stub.Summarise, request, timeout)
        return [summarised(r) for r in response.results]

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
    ) -> PageResults:
        """Split a page into articles, each labelled and summarised; offsets into `text`. A list
        of `PageResult`; its `warnings` and `furniture` are the page's as a whole."""
        options = _options(max_sentences, max_chars)
        terms = _term_options(explain, keywords, explain_label)
        request = pb.AnalysePageRequest(text=text, options=options, **terms)
        response = self._call(self._stub.AnalysePage, request, timeout)
        return page_results(response, text)

    def get_model(self, *, timeout: float | None = None) -> ModelInfo:
        """Describe the model the server is running now."""
        return model_info(self._call(self._stub.GetModel, pb.GetModelRequest(), timeout))

    def health(self, service: str = "", *, timeout: float | None = None) -> str:
        """The server's health for `service` ("" = overall): "SERVING", "NOT_SERVING", …"""
        request = health_pb2.HealthCheckRequest(service=service)
        try:
            response = self._call(self._health.Check, request, timeout)
        except RemoteError as exc:  # gRPC's health service says a bare "NOT_FOUND"
            if exc.code != grpc.StatusCode.NOT_FOUND:
                raise
            raise RemoteError(
                f"the server at {self.address} keeps no health for service {service!r}: ask "
                f"'' (the whole server) or {HEALTH_SERVICE!r}",
                code=exc.code,
            ) from None
        return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)

    def _call(self, method, request, timeout: float | None):
        """One unary call inside one overall deadline, retried while the server is UNAVAILABLE."""
        if timeout is not None:
            _check_timeout(timeout)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        attempt = 0
        while True:
            self._check_open()  # also when close() came during a retry's pause
            remaining = deadline - time.monotonic()
            try:
                return method(request, timeout=max(remaining, 0.001), metadata=self._metadata)
            except grpc.RpcError as exc:
                pause = self._pause(exc, attempt)
                if pause is None or time.monotonic() + pause >= deadline:
                    raise self._error(exc, timeout) from None
            time.sleep(pause)
            attempt += 1

    def _pause(self, exc: grpc.RpcError, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None if this failure is not worth a retry."""
        if exc.code() != grpc.StatusCode.UNAVAILABLE or attempt >= self.retries:
            return None
        # Full jitter: clients that failed together do not come back together.
        return random.uniform(0, min(self.max_backoff, self.backoff * 2**attempt))

    def _error(self, exc: grpc.RpcError, timeout: float | None) -> NewsdeskError:
        """Our exception for a failed call; a server out of reach and a deadline passed say
        what to do (gRPC said "failed to connect to all addresses", "Deadline Exceeded", or
        the server's own "the caller went away")."""
        error = error_from_rpc(exc)
        code = exc.code()
        if code == grpc.StatusCode.UNAVAILABLE and error.message.startswith(UNREACHED):
            tls = (
                "if it serves plain gRPC (no --tls-cert), drop the CA (newsdesk CLI: --tls-ca; "
                "Python: NewsdeskClient(tls_ca=...))"
                if self._tls
                else "if it serves TLS (--tls-cert), pass its certificate (newsdesk CLI: "
                "--tls-ca PEM or NEWSDESK_TLS_CA; Python: NewsdeskClient(tls_ca=...))"
            )
            return RemoteError(
                f"cannot reach a newsdesk server at {self.address}: is `newsdesk serve` running "
                f"there, on its gRPC port (not --http-address)? {tls} ({error.message})",
                code=code,
            )
        if code == grpc.StatusCode.UNAVAILABLE and error.message.startswith(UNRESOLVED):
            return RemoteError(
                f"cannot find the host of {self.address}: check the HOST in HOST:PORT "
                f"({error.message})",
                code=code,
            )
        if code == grpc.StatusCode.UNAVAILABLE and error.message == CUT_BY_STOP:
            return RemoteError(
                f"the newsdesk server at {self.address} stopped (SIGTERM: its --grace ran out) "
                "before this call was done: send it again, to another replica if there is one "
                f"({error.message})",
                code=code,
            )
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            seconds = self.timeout if timeout is None else timeout
            return RemoteError(
                f"no answer from {self.address} within the call's timeout of {seconds:g} s: "
                f"pass a longer timeout= (to the call, or NewsdeskClient(timeout=)), or send "
                f"less per call ({error.message})",
                code=code,
            )
        return error

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
        if timeout is not None:  # unchecked, -1 came back as DEADLINE_EXCEEDED, "x" TypeError
            _check_timeout(timeout)
        terms = _term_options(explain, keywords, explain_label)
        metadata = self._metadata + tuple(
            (key, str(terms[name])) for key, name in STREAM_TERMS if terms[name]
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
                            message = to_article(next(source))
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
            self._check_open()
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
                    yield classified(response, sent)
                break
            except grpc.RpcError as exc:
                pause = self._pause(exc, attempt)
                if pause is None or (deadline is not None and time.monotonic() + pause >= deadline):
                    raise self._error(exc, timeout) from None
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


UNREACHED = "failed to connect to all addresses"  # gRPC's words for every such failure
UNRESOLVED = ("errors resolving", "DNS resolution failed")  # a host name no resolver knows
CUT_BY_STOP = "Cancelling all calls"  # gRPC's words for a call its server's stop cut short
HEALTH_SERVICE = pb.DESCRIPTOR.services_by_name["NewsDesk"].full_name  # "newsdesk.v1.NewsDesk"


def _term_options(explain: int, keywords: int, explain_label: str | None) -> dict[str, Any]:
    """Evidence and keyword counts for the wire, checked as the server checks them."""
    from ..validation import check_terms

    if explain_label is not None and not isinstance(explain_label, str):
        raise InvalidInput("explain_label must be a label (a string)", field="explain_label")
    return {
        "explain": check_terms("explain", explain),
        "keywords": check_terms("keywords", keywords),
        "explain_label": explain_label or "",
    }


def _check_timeout(timeout: object) -> None:
    # inf passed too, and every call then failed at once with "Deadline Exceeded".
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout < float("inf")
    ):
        raise InvalidInput(
            f"timeout must be a positive, finite number of seconds, got {timeout!r}",
            field="timeout",
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
