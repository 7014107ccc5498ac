"""The HTTP/JSON front: routes, limits, token, metrics and the request log of the gRPC calls.

Stdlib `http.server` on a bounded pool of connection threads (docs/http.md says why). Each
request is read whole (with a deadline) before any model work, then the servicer method runs on
the gRPC server's unary lane, so HTTP and gRPC share the model slot, `--workers`,
`--max-concurrent-rpcs` and `--max-inflight-bytes`; the answer is built whole before it is
written, so a slow client holds one connection thread, never a worker or the model.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import grpc

from .._proto.newsdesk.v1 import newsdesk_pb2 as pb
from ..errors import CallerGone, HttpReply, InvalidInput, NewsdeskError, Refused
from . import bridge, gateway, openapi, probes
from .caller import TIMEOUT_HEADER, CallerContext
from .framing import Framing, error_reply
from .pool import IDLE_S, BoundedHTTPServer, tls_context

__all__ = ["ROUTES", "HttpFront", "start_front"]

log = logging.getLogger("newsdesk.http")


def _message(body: bytes) -> str:
    """The message of an error answer's google.rpc.Status body ("" when there is none)."""
    try:
        return str(json.loads(body).get("message", ""))
    except (ValueError, AttributeError):
        return ""


@dataclass(frozen=True)
class Route:
    verb: str
    rpc: str  # the NewsDesk method it calls
    request: type


# The API: each path is one NewsDesk method, bodies in the proto's JSON mapping.
ROUTES: dict[str, Route] = {
    "/v1/classify": Route("POST", "Classify", pb.ClassifyRequest),
    "/v1/summarise": Route("POST", "Summarise", pb.SummariseRequest),
    "/v1/analyse-page": Route("POST", "AnalysePage", pb.AnalysePageRequest),
    "/v1/model": Route("GET", "GetModel", pb.GetModelRequest),
}
# The newsroom page's files (package data), served at / and by name.
STATIC = {"/": "index.html", "/newsroom.js": "newsroom.js", "/newsroom.css": "newsroom.css"}
STATIC_TYPES = {"html": "text/html", "js": "text/javascript", "css": "text/css"}
OPEN = {*STATIC, "/v1/openapi.json", "/healthz", "/readyz"}  # no token: GET and HEAD only
# The page loads its own files and calls its own origin, nothing else (no CDN, no beacons).
CSP = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"


def _reserved(
    held: list[int], front: HttpFront, rpc: str, size: int, rid: str | None = None
) -> HttpReply | None:
    """A chunk's bytes reserved and noted in `held`, or the refusal to answer at the body's end."""
    try:
        held.append(front.reserve(rpc, size, rid))
    except HttpReply as refused:
        return refused
    return None


class _Handler(Framing, BaseHTTPRequestHandler):
    server_version = "newsdesk"
    protocol_version = "HTTP/1.1"  # keep-alive: a client's calls reuse one connection
    timeout = IDLE_S
    # Headers and body go out as two writes: with Nagle on, the second waits for the client's
    # delayed ACK of the first (~40 ms a call, measured by `make bench` before this line).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("HEAD")

    def __getattr__(self, name: str) -> Any:
        # Any other verb (PUT, DELETE, OPTIONS, one made up) is routed too, to a JSON 405 with
        # Allow or a 404, where http.server would answer an HTML 501.
        if name.startswith("do_"):
            return lambda: self._dispatch(name[3:])
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a request line it cannot read, a URL over 64 KB, too
        many headers) as a JSON Status, not its HTML page; the connection is closed."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # the line went unread: answer as HTTP/1.1
            self.request_version = "HTTP/1.1"
        short, long = self.responses.get(code, ("error", ""))
        text = message or f"{short}: {long}".rstrip(": ")
        wrong = code in (501, 505)  # a method or version it does not speak; else the request
        grpc_code = grpc.StatusCode.UNIMPLEMENTED if wrong else grpc.StatusCode.INVALID_ARGUMENT
        body = gateway.status_body(grpc_code, text)
        self._send(code, body, "application/json", self.command == "HEAD")

    def log_message(self, format: str, *args: Any) -> None:  # our own log line instead
        pass

    @property
    def front(self) -> HttpFront:
        return self.server.front  # type: ignore[attr-defined]

    def _dispatch(self, verb: str) -> None:
        path = urlsplit(self.path).path
        started = time.monotonic()
        route = ROUTES.get(path)
        # the caller's X-Request-Id (short printable ASCII) or ours: logged, and sent back
        self.rid = bridge.request_id(self.headers.get("X-Request-Id"))
        try:
            if route is None:
                status, body, kind = self._open(verb, path)
                self._send(status, body, kind, verb == "HEAD")
                return
            reply = self._api(verb, path, route)
        except HttpReply as r:
            reply = r
        except Exception:  # not ours: log it here, tell the caller nothing internal
            log.exception("unexpected error in %s", path, extra={"request_id": self.rid})
            self.close_connection = True
            code = grpc.StatusCode.INTERNAL
            reply = HttpReply(500, gateway.status_body(code, "internal error; see the server log"),
                           code)  # fmt: skip
        if not reply.gone:
            self._send(reply.status, reply.body, "application/json", verb == "HEAD", reply.headers)
        self.front.record(path, route, reply, time.monotonic() - started, self.rid)
        self.rid = None  # (a kept-alive connection's next request line may fail unread)

    def _open(self, verb: str, path: str) -> tuple[int, bytes, str]:
        """Routes without a token: the page, the OpenAPI document, the probes. The path is
        looked up before the verb: a POST to no route is 404, as a GET is."""
        if verb not in ("GET", "HEAD"):
            self._refuse_unread()
        if path not in OPEN:
            code = grpc.StatusCode.NOT_FOUND
            raise HttpReply(404, gateway.status_body(code, f"no route {path}: see "
                            "/v1/openapi.json"), code)  # fmt: skip
        if verb not in ("GET", "HEAD"):
            raise HttpReply(405, gateway.status_body(grpc.StatusCode.UNIMPLEMENTED,
                         f"{verb} {path}: only GET here"), grpc.StatusCode.UNIMPLEMENTED,
                         Allow="GET, HEAD")  # fmt: skip
        if path in STATIC:
            name = STATIC[path]
            return 200, self.front.static[name], STATIC_TYPES[name.rsplit(".", 1)[1]]
        if path == "/v1/openapi.json":
            return 200, self.front.document(), "application/json"
        probe = probes.health if path == "/healthz" else probes.ready  # the last of OPEN
        status, body = probes.probe_bytes(probe(self.front.server))
        return status, body, "application/json"

    def _api(self, verb: str, path: str, route: Route) -> HttpReply:
        front = self.front
        if verb != route.verb and not (verb == "HEAD" and route.verb == "GET"):
            self._refuse_unread()
            code = grpc.StatusCode.UNIMPLEMENTED
            # a GET route answers HEAD too (above), so its Allow says so, as the open routes do
            allow = "GET, HEAD" if route.verb == "GET" else route.verb
            raise HttpReply(405, gateway.status_body(code, f"{path} takes {route.verb}"), code,
                         Allow=allow)  # fmt: skip
        # A kept-alive connection outlives the listener: refuse its calls once we are closing.
        if front.closing or bridge.stopping(front.server):
            self.close_connection = True  # (its body left unread: the server is going)
            code = grpc.StatusCode.UNAVAILABLE
            raise HttpReply(503, gateway.status_body(code, "the server is stopping: retry "
                         "shortly, or elsewhere"), code, **{"Retry-After": "1"})  # fmt: skip
        if not bridge.token_ok(front.server, self.headers.get("Authorization")):
            self._refuse_unread()
            peer = "%s:%s" % self.client_address[:2]  # noqa: UP031 - (host, port) as given
            bridge.refused(front.server, route.rpc, "auth", bridge.NO_TOKEN, peer=peer,
                           request_id=self.rid)  # fmt: skip
            code = grpc.StatusCode.UNAUTHENTICATED
            raise HttpReply(401, gateway.status_body(code, "this server wants the header "
                         "'Authorization: Bearer <token>' and the request had none or another "
                         "token"), code, **{"WWW-Authenticate": "Bearer"})  # fmt: skip
        size = self._length(route)
        self._media(size)
        timeout = self._timeout(size)
        held = [front.take(route.rpc, size or 0, self.rid)]
        try:
            if size is None:  # chunked: each chunk's bytes are reserved as it arrives
                body = self._chunked(
                    lambda n: _reserved(held, front, route.rpc, n, self.rid), route
                )
            else:
                body = self._body(size)
            request = gateway.parse(body, route.request())
            deadline = None if timeout is None else time.monotonic() + timeout
            response = front.call(route.rpc, request, deadline, self.connection)
        except NewsdeskError as exc:
            raise error_reply(exc) from None
        except CallerGone:
            if front.cut.is_set():  # the server stopped, its grace over, as gRPC cancels
                self.close_connection = True
                code = grpc.StatusCode.UNAVAILABLE
                raise HttpReply(503, gateway.status_body(code, "the server stopped before the "
                             "work was done (its --grace passed): retry elsewhere"),
                             code) from None  # fmt: skip
            if deadline is None or time.monotonic() < deadline:  # it hung up: none to answer
                self.close_connection = True
                code = grpc.StatusCode.CANCELLED
                raise HttpReply(499, b"", code, gone=True) from None
            code = grpc.StatusCode.DEADLINE_EXCEEDED
            raise HttpReply(504, gateway.status_body(code, f"the request's {TIMEOUT_HEADER} of "
                         f"{timeout:g} s passed; work for it stopped"), code) from None  # fmt: skip
        finally:
            front.give(sum(held))
        reply = HttpReply(200, gateway.render(response), grpc.StatusCode.OK)
        reply.articles = _articles(response)  # type: ignore[attr-defined]
        return reply

    def _send(self, status: int, body: bytes, kind: str, head: bool,
              headers: dict[str, str] | None = None) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if kind == "text/html":
            self.send_header("Content-Security-Policy", CSP)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if getattr(self, "rid", None):
            self.send_header("X-Request-Id", self.rid)
        if self.front.closing:  # (kept alive, a probe's connection held its thread past the drain)
            self.close_connection = True
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _articles(response: Any) -> int:
    if isinstance(response, pb.AnalysePageResponse):
        return len(response.articles)
    return len(getattr(response, "results", ()))


class HttpFront:
    """The HTTP listener beside a NewsdeskServer; `start()` serves in a thread, `close()` ends."""

    def __init__(self, server: Any, address: str) -> None:
        from prometheus_client import Counter, Histogram

        self.server, self.config = server, server.config
        self.closing = False
        self.cut = threading.Event()  # a stop's grace is over: calls in flight stop (`close`)
        self.servicer = bridge.servicer(server)
        self.static = {
            name: (resources.files(__package__) / "static" / name).read_bytes()
            for name in STATIC.values()
        }
        self.limits = openapi.limits_of(self.config)  # what a client may check before sending
        self.openapi = ((), openapi.document_bytes(ROUTES, (), self.limits))
        r = server.metrics.registry
        self.requests = Counter("newsdesk_http_requests", "HTTP API requests finished, by route "
                                "and HTTP status", ["route", "status"], registry=r)  # fmt: skip
        self.latency = Histogram(
            "newsdesk_http_request_seconds", "HTTP API latency in seconds, by route", ["route"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )  # fmt: skip
        host, _, port = address.rpartition(":")
        host = host.strip("[]") or "0.0.0.0"
        tls = tls_context(self.config.tls_cert, self.config.tls_key)
        try:
            self.httpd = BoundedHTTPServer(
                (host, int(port)), _Handler, max(4, self.config.max_streams), front=self, tls=tls
            )
        except (OSError, ValueError) as exc:
            raise InvalidInput(
                f"cannot serve HTTP on {address!r} ({getattr(exc, 'strerror', None) or exc}): "
                "give HOST:PORT, a port not taken (0 picks one), e.g. 127.0.0.1:8080",
                field="http_address",
            ) from exc
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    def document(self) -> bytes:
        """The OpenAPI document, its label enums those of the model now serving (a reload may
        change them): built again only when they change."""
        loaded = self.server.models.current
        labels = tuple(loaded.info.labels) if loaded is not None else ()
        if labels != self.openapi[0]:
            self.openapi = (labels, openapi.document_bytes(ROUTES, labels, self.limits))
        return self.openapi[1]

    def start(self) -> HttpFront:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="newsdesk-http-accept", daemon=True
        )
        self._thread.start()
        return self

    # -- one call -----------------------------------------------------------------------------

    def take(self, method: str, size: int, rid: str | None = None) -> int:
        """Reserve the body's bytes in the server's budget, and a place under its call limit
        (`rid`: the request's id, on the refusal's log line)."""
        lanes, limit = bridge.lanes(self.server), self.config.max_concurrent_rpcs
        if limit and lanes is not None and lanes.busy() >= limit:
            exc = bridge.over_call_limit(limit)
            bridge.refused(self.server, method, exc.reason, exc.message, request_id=rid)
            self._refuse(exc)
        return self.reserve(method, size, rid)

    def reserve(self, method: str, size: int, rid: str | None = None) -> int:
        """Reserve `size` request bytes in the server's budget (what was reserved: 0 or size)."""
        budget = bridge.budget(self.server)
        if budget is None or not size:
            return 0
        try:
            budget.take(size, "this request")
        except Refused as exc:
            bridge.refused(self.server, method, exc.reason, exc.message, request_id=rid)
            self._refuse(exc)
        return size

    def _refuse(self, exc: Refused) -> None:
        raise error_reply(exc)

    def give(self, size: int) -> None:
        budget = bridge.budget(self.server)
        if budget is not None and size:
            budget.give(size)

    def call(
        self, rpc: str, request: Any, deadline: float | None = None, connection: Any = None
    ) -> Any:
        """The servicer method, on the server's unary lane (its threads, its limits); past
        `deadline` (time.monotonic), or once the client has closed `connection`, it raises
        CallerGone between chunks of articles."""
        method = getattr(self.servicer, rpc)
        metrics = self.server.metrics
        metrics.call_started()  # a graceful stop waits for HTTP calls too
        context = CallerContext(deadline, connection, self.cut)
        try:
            lanes = bridge.lanes(self.server)
            if lanes is None:
                return method(request, context)
            return lanes.unary.submit(method, request, context).result()
        finally:
            metrics.call_ended()

    def record(
        self, path: str, route: Route | None, reply: HttpReply | None, seconds: float, rid: str
    ) -> None:
        if route is None:
            return  # the page, probes and 404s are not API calls
        self.requests.labels(path, str(reply.status)).inc()
        self.latency.labels(path).observe(seconds)
        if reply.code in (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.UNAUTHENTICATED):
            return  # logged, rate-limited, where it was refused
        level = logging.INFO if reply.status < 400 else logging.WARNING
        extra = {"method": route.rpc, "route": path, "status": reply.status,
                 "code": reply.code.name, "ms": round(seconds * 1000, 2),
                 "articles": getattr(reply, "articles", 0), "request_id": rid}  # fmt: skip
        note = _message(reply.body) if reply.status >= 400 else ""
        if note:  # why it failed, as gRPC's `rpc` line says it
            extra["note"] = bridge.note_of(note)
        log.log(level, "http", extra=extra)

    def close(self, grace: float = 0.0) -> None:
        """Stop accepting, give in-flight requests `grace` seconds, release the port."""
        self.closing = True
        self.httpd.shutdown()
        # The listening socket goes now, not after the grace: left open, the kernel took new
        # connections and they hung unanswered through the drain instead of being refused.
        self.httpd.server_close()
        self.httpd.pool.shutdown(wait=False, cancel_futures=True)
        end = time.monotonic() + grace
        while self.httpd._waiting and time.monotonic() < end:
            time.sleep(0.05)
        self.cut.set()  # past the grace: calls still in flight stop at their next chunk (503)


def start_front(server: Any, address: str) -> HttpFront:
    return HttpFront(server, address).start()
