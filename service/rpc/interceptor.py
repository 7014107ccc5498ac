"""The gRPC side of the call boundary: one interceptor decodes each request in our code, pins
the call to its thread lane, refuses past the concurrency limit, and runs the behaviour inside
`_GrpcCall` (token, status mapping, metrics, log: the steps of `service.rpc.boundary`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc
from grpc_status import rpc_status

from ..decoding import decoding
from ..errors import NewsdeskError, Refused
from ..limits import Budget, Lanes
from .boundary import (
    CUT_LOGGED,
    GONE_LOGGED,
    GONE_MESSAGE,
    INTERNAL_MESSAGE,
    NO_TOKEN,
    REQUEST_ID,
    UNAUTHENTICATED_MESSAGE,
    Boundary,
    Call,
    CallerGone,
    over_call_limit,
    request_id,
)
from .config import ServerConfig
from .metrics import Metrics, log
from .servicer import ITEMWISE
from .status import error_status, status_code
from .streams import gone_code

__all__ = ["Interceptor"]


class Interceptor(grpc.ServerInterceptor):
    """What every gRPC call shares: decoding, lanes, the concurrency limit, the boundary."""

    def __init__(self, config: ServerConfig, boundary: Boundary, lanes: Lanes) -> None:
        self._boundary = boundary
        self._metrics = boundary.metrics
        self._max_bytes = config.max_message_bytes
        self._limit = config.max_concurrent_rpcs
        self._lanes = lanes
        self.budget = Budget(config.max_inflight_bytes) if config.max_inflight_bytes else None

    def intercept_service(self, continuation, details):
        handler = continuation(details)
        if handler is None:
            return None
        method = details.method
        name = method.rsplit("/", 1)[-1]

        metrics, lanes = self._metrics, self._lanes

        def bad(exc: NewsdeskError) -> None:
            if isinstance(exc, Refused):
                metrics.refused(name, exc.reason, exc.message)
            else:
                metrics.undecodable.labels(name).inc()

        health_call = method.startswith("/grpc.health.v1.Health/")
        # Requests are decoded in our code: a bad message is the caller's error, not INTERNAL.
        handler = decoding(
            handler,
            max_bytes=self._max_bytes,
            itemwise=method in ITEMWISE,
            on_bad=bad,
            budget=None if health_call else self.budget,
        )
        streaming = handler.request_streaming or handler.response_streaming
        # Health stays open so load balancers and orchestrators can probe without a secret,
        # and Check has threads of its own: no stream or queue of calls stands before it.
        if health_call:
            return _pin(_wrap_plain(handler), lanes.streams if streaming else lanes.health)
        given = _first(details.invocation_metadata, ("authorization", REQUEST_ID))
        authorized = self._boundary.authorized(given["authorization"])
        rid = request_id(given[REQUEST_ID])
        if self._limit and lanes.busy() >= self._limit:
            handler = _refusing(handler, over_call_limit(self._limit), metrics, name, rid)
            return _pin(_wrap(handler, name, authorized, metrics, rid), lanes.refusals)
        lane = lanes.streams if streaming else lanes.unary
        return _pin(_wrap(handler, name, authorized, metrics, rid), lane)


def _first(metadata: Sequence[tuple[str, Any]] | None, keys: tuple[str, ...]) -> dict[str, Any]:
    """The first value of each of `keys` in a call's metadata (None: not sent)."""
    found: dict[str, Any] = dict.fromkeys(keys)
    for key, value in metadata or ():
        if key in found and found[key] is None:
            found[key] = value
    return found


def _pin(handler, pool):
    """Run this call's behaviour on `pool` (gRPC reads the attribute; see service.limits)."""
    Lanes.pin(getattr(handler, _kind(handler)), pool)
    return handler


def _refusing(handler, refusal: Refused, metrics: Metrics, method: str, rid: str):
    """The handler with a behaviour that refuses the call at once (a thread of its own)."""

    def refuse(request, context):
        metrics.refused(method, refusal.reason, refusal.message, request_id=rid)
        raise refusal

    return handler._replace(**{_kind(handler): refuse})


def _wrap_plain(handler):
    """Health's handlers: no token, no request log; only our errors mapped to their status,
    with the same details as any other method's (a bad request names `request`)."""

    kind = _kind(handler)
    behaviour = getattr(handler, kind)

    def guarded(request, context):
        try:
            return behaviour(request, context)
        except NewsdeskError as exc:
            context.abort_with_status(rpc_status.to_status(error_status(exc)))

    return handler._replace(**{kind: guarded})


def _kind(handler) -> str:
    if handler.request_streaming:
        return "stream_stream" if handler.response_streaming else "stream_unary"
    return "unary_stream" if handler.response_streaming else "unary_unary"


def _wrap(handler, method: str, authorized: bool, metrics: Metrics, rid: str):
    """The same handler, with each behaviour run inside `_GrpcCall` (streaming or not)."""
    kind = _kind(handler)
    behaviour = getattr(handler, kind)

    if handler.response_streaming:

        def streaming(request, context):
            with _GrpcCall(method, context, authorized, metrics, rid) as call:
                for response in behaviour(request, context):
                    call.count(response)
                    yield response

        return handler._replace(**{kind: streaming})

    def unary(request, context):
        with _GrpcCall(method, context, authorized, metrics, rid) as call:
            response = behaviour(request, context)
            call.count(response)
            return response

    return handler._replace(**{kind: unary})


class _GrpcCall:
    """One gRPC call inside the boundary: refuses it without the token, turns how it ended
    (our error, caller gone, stream closed, a bug) into its status, and records it (`Call`);
    the call's request id goes on its log lines and back in its trailing metadata."""

    def __init__(self, method: str, context, authorized: bool, metrics: Metrics, rid: str):
        self.method, self.context, self.authorized = method, context, authorized
        self.metrics, self.rid = metrics, rid

    def __enter__(self) -> Call:
        self.call = Call(self.method, self.metrics, self.rid)
        self.context.set_trailing_metadata(((REQUEST_ID, self.rid),))
        self.metrics.call_started()
        # Count the call as over only when gRPC has sent its status, so a shutdown that waits
        # for idle never cuts an answer that is still on its way out.
        if not self.context.add_callback(self.metrics.call_ended):
            self.metrics.call_ended()
        if not self.authorized:
            peer = self.context.peer()
            self.metrics.refused(self.method, "auth", NO_TOKEN, peer=peer, request_id=self.rid)
            self.call.finish(grpc.StatusCode.UNAUTHENTICATED, NO_TOKEN)
            self.context.abort(grpc.StatusCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE)
        return self.call

    def _gone(self, code: grpc.StatusCode, note: str) -> str:
        """What a call that lost its caller logs: a stop's grace running out cancels the call
        too, and that is not the caller's doing."""
        return CUT_LOGGED if self.metrics.stopping and code == grpc.StatusCode.CANCELLED else note

    def __exit__(self, kind, exc, tb) -> bool:
        context, finish = self.context, self.call.finish
        if isinstance(exc, NewsdeskError):
            finish(status_code(exc), exc.message)
            status = rpc_status.to_status(error_status(exc))  # its trailing metadata, and ours
            ours = status.trailing_metadata + ((REQUEST_ID, self.rid),)
            context.abort_with_status(status._replace(trailing_metadata=ours))
        elif isinstance(exc, CallerGone):
            code = gone_code(context)
            finish(code, self._gone(code, GONE_LOGGED))
            context.abort(code, GONE_MESSAGE)
        elif isinstance(exc, GeneratorExit):
            # gRPC closes a stream's generator when the caller leaves, and when shutdown cuts
            # the stream at the end of its grace period: say which.
            cut = self.metrics.stopping
            finish(grpc.StatusCode.CANCELLED, CUT_LOGGED if cut else "stream closed by the caller")
        elif exc is not None and context.code() is None:
            # Not one of ours: log the traceback here, send the caller no internals.
            log.error("unexpected error in %s", self.method, exc_info=(kind, exc, tb),
                      extra={"request_id": self.rid})  # fmt: skip
            finish(grpc.StatusCode.INTERNAL, f"{type(exc).__name__}")
            context.abort(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
        elif exc is None and not context.is_active():
            # (a stream the stop ended returns on its own, its call already cut: CI saw it)
            code = gone_code(context)
            finish(code, self._gone(code, "answered after the caller had gone"))
        else:
            finish(context.code() or grpc.StatusCode.OK, "" if exc is None else "aborted")
        return False
