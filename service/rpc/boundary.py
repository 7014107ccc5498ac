"""The call boundary, whatever the transport: the token check, one call's metrics and log line,
and our errors turned into a status.

`Boundary.run(method, authorization, handler)` is the whole boundary for a transport that
calls a handler and sends back what it returns (HTTP does); the gRPC interceptor
(`service.rpc.interceptor`) builds the same steps around gRPC's handlers and streams.
"""

from __future__ import annotations

import hmac
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from google.rpc import status_pb2

from .._proto.newsdesk.v1 import newsdesk_pb2 as pb
from ..errors import CallerGone, CallFailed, NewsdeskError, Refused
from .metrics import Metrics, log
from .status import REQUEST_ID, error_status, status_code

__all__ = [
    "Boundary",
    "Call",
    "CallFailed",
    "CallerGone",
    "GONE_LOGGED",
    "note_of",
    "CUT_LOGGED",
    "GONE_MESSAGE",
    "NO_TOKEN",
    "UNAUTHENTICATED_MESSAGE",
    "over_call_limit",
    "REQUEST_ID",
    "request_id",
]

T = TypeVar("T")

UNAUTHENTICATED_MESSAGE = (
    "this server wants metadata 'authorization: Bearer <token>' and the call had "
    "none or another token (newsdesk CLI: --token or NEWSDESK_TOKEN; Python: "
    "NewsdeskClient(token=...))"
)
INTERNAL_MESSAGE = "internal error; the server log has details"
NO_TOKEN = "no or wrong bearer token"  # a token refusal in the log and metrics, any transport
# A call whose caller left: what the log says, and what the status would have told the caller.
GONE_LOGGED = "caller gone; work stopped"
GONE_MESSAGE = "the caller went away; work for it stopped"
# A call cancelled because a stop's --grace ran out: the operator's doing, not the caller's.
CUT_LOGGED = "cut: the stop's --grace ran out; work stopped"

# A log line's note holds at most this many characters of a message: messages may quote
# what a caller sent (an unknown label of 2 MB made a 2 MB log line per call).
NOTE_CHARS = 500


def note_of(message: str) -> str:
    """A message as a log line's `note`: whole when short, else its head and its length."""
    if len(message) <= NOTE_CHARS:
        return message
    return f"{message[:NOTE_CHARS]}… ({len(message):,} characters)"


# A call's id: the caller's `x-request-id` (gRPC metadata; HTTP: the X-Request-Id header) when
# it is at most 128 printable ASCII characters, else one made here; on every log line of the
# call and sent back (gRPC: trailing metadata; HTTP: the header), so a caller's failure can be
# found in the log. A longer or odder id is replaced, never logged raw.
ID_CHARS = 128  # (REQUEST_ID, the metadata key, lives with the client's reading: .status)


def request_id(given: str | bytes | None) -> str:
    """The caller's id when it is short printable ASCII, else a fresh uuid4 (hex)."""
    if isinstance(given, bytes):
        given = given.decode("latin-1")
    if given and len(given) <= ID_CHARS and given.isascii() and given.isprintable():
        return given
    return uuid.uuid4().hex


# Refused calls are logged by Metrics.refused, rate-limited, not once per call.
_REFUSALS = (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAUTHENTICATED)


def over_call_limit(limit: int) -> Refused:
    """The refusal of a call past `--max-concurrent-rpcs`, over gRPC and HTTP alike."""
    return Refused(
        f"the server is at its limit of {limit} calls at once (--max-concurrent-rpcs); retry "
        "shortly, or elsewhere",
        reason="concurrency",
        limit=limit,
    )


def _count(response: Any) -> int:
    """Articles in one response (a stream's item counts one)."""
    if isinstance(response, pb.Classification | pb.Summary):
        return 1
    if hasattr(response, "results"):
        return len(response.results)
    if isinstance(response, pb.AnalysePageResponse):
        return len(response.articles)
    return 0


class Call:
    """One call's record: its time, articles answered, the metrics and the log line at the end."""

    def __init__(self, method: str, metrics: Metrics, request_id: str = "") -> None:
        self.method = method
        self.metrics = metrics
        self.request_id = request_id
        self.articles = 0
        self.started = time.monotonic()

    def count(self, response: Any) -> None:
        self.articles += _count(response)

    def finish(self, code: grpc.StatusCode, note: str) -> None:
        elapsed = time.monotonic() - self.started
        m = self.metrics
        m.requests.labels(self.method, code.name).inc()
        m.latency.labels(self.method).observe(elapsed)
        if self.articles and code == grpc.StatusCode.OK:
            m.articles.labels(self.method).inc(self.articles)
        if code in _REFUSALS:
            return
        level = logging.INFO if code == grpc.StatusCode.OK else logging.WARNING
        extra = {
            "method": self.method,
            "code": code.name,
            "ms": round(elapsed * 1000, 2),
            "articles": self.articles,
            **({"note": note_of(note)} if note else {}),
            **({"request_id": self.request_id} if self.request_id else {}),
        }
        log.log(level, "rpc", extra=extra)


class Boundary:
    """What every call shares, for any transport: the bearer token, metrics, log, status."""

    def __init__(self, metrics: Metrics, token: str | None) -> None:
        self.metrics = metrics
        self._expected = token.encode() if token else None

    def authorized(self, authorization: str | bytes | None) -> bool:
        """Whether an `authorization` value ("Bearer <token>") lets a call in: HTTP header and
        gRPC metadata alike. The scheme is matched in any case (RFC 9110 §11.1: "bearer" is
        "Bearer"), the token exactly and in constant time."""
        if self._expected is None:
            return True
        if authorization is None:
            return False
        given = authorization.encode() if isinstance(authorization, str) else bytes(authorization)
        scheme, _, token = given.partition(b" ")
        token = token.lstrip(b" ")  # RFC 9110: one or more spaces after the scheme
        return scheme.lower() == b"bearer" and hmac.compare_digest(token, self._expected)

    def run(
        self, method: str, authorization: str | bytes | None, handler: Callable[[], T],
        *, request_id: str = "", peer: str = "",
    ) -> T:  # fmt: skip
        """Run `handler()` as call `method`: its response, or CallFailed with the status to send.

        The token is checked first; our errors become their status (with details), anything
        else is logged here and sent as a bare INTERNAL. `request_id` (from `request_id()`)
        goes on the call's log lines, `peer` (the caller's address) on a token refusal's.
        """
        call = Call(method, self.metrics, request_id)
        ids = {"request_id": request_id} if request_id else {}
        self.metrics.call_started()
        try:
            if not self.authorized(authorization):
                self.metrics.refused(method, "auth", NO_TOKEN, peer=peer, **ids)
                call.finish(grpc.StatusCode.UNAUTHENTICATED, NO_TOKEN)
                raise _failed(grpc.StatusCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE)
            try:
                response = handler()
            except NewsdeskError as exc:
                code = status_code(exc)
                if isinstance(exc, Refused):  # counted and logged as the refusal it is
                    self.metrics.refused(method, exc.reason, exc.message, **ids)
                call.finish(code, exc.message)
                raise CallFailed(code, error_status(exc)) from exc
            except CallerGone:
                call.finish(grpc.StatusCode.CANCELLED, GONE_LOGGED)
                raise _failed(grpc.StatusCode.CANCELLED, GONE_MESSAGE) from None
            except Exception as exc:  # not one of ours: the traceback goes to our log only
                log.error("unexpected error in %s", method, exc_info=exc, extra=ids)
                call.finish(grpc.StatusCode.INTERNAL, type(exc).__name__)
                raise _failed(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE) from None
            call.count(response)
            call.finish(grpc.StatusCode.OK, "")
            return response
        finally:
            self.metrics.call_ended()


def _failed(code: grpc.StatusCode, message: str) -> CallFailed:
    return CallFailed(code, status_pb2.Status(code=code.value[0], message=message))
