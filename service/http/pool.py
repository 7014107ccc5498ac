"""A stdlib HTTPServer whose connections run on a bounded thread pool, optionally over TLS.

`ThreadingHTTPServer` starts a thread per connection, without bound; here `threads` serve
connections and at most QUEUED more wait, and past that a connection is answered 503 at once
(over TLS it is closed: a 503 could only be sent after a handshake on the accepting thread).
The TLS handshake runs on the connection's pool thread, so a slow one never stalls accepting.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import HTTPServer
from typing import Any

from ..errors import InvalidInput
from . import bridge

__all__ = ["BoundedHTTPServer", "QUEUED", "tls_context"]

log = logging.getLogger("newsdesk.http")

QUEUED = 64  # connections waiting for a thread beyond this are answered 503 at once
# ... with a google.rpc.Status body as every other error (it had none: a JSON client read "")
_FULL_MESSAGE = (
    f"the server has {QUEUED} connections waiting beyond its threads: retry shortly, or elsewhere"
)
_FULL = json.dumps({"code": 14, "message": _FULL_MESSAGE, "details": []}).encode()
_FULL_REPLY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; "
               b"charset=utf-8\r\nContent-Length: %d\r\nRetry-After: 1\r\nConnection: close"
               b"\r\n\r\n%s" % (len(_FULL), _FULL))  # fmt: skip
HANDSHAKE_S = 10.0  # a TLS handshake not done by then frees its thread
IDLE_S = 15.0  # a kept-alive connection silent this long is closed (its thread freed)


class BoundedHTTPServer(HTTPServer):
    """HTTPServer whose connections run on a bounded pool (ThreadingHTTPServer's are unbounded)."""

    daemon_threads = True
    # The listen backlog (socketserver's is 5): 20 clients connecting at once overflowed it,
    # and on loopback a few read "connection reset" before any answer, a 503 included.
    request_queue_size = socket.SOMAXCONN

    def __init__(
        self,
        address: tuple[str, int],
        handler: type,
        threads: int,
        front: Any,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.front = front  # what the handlers serve
        self.tls = tls
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="newsdesk-http")
        self._waiting = 0
        self._lock = threading.Lock()
        self._threads = threads
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:
        with self._lock:
            if self._waiting >= self._threads + QUEUED:
                full = True
            else:
                full, self._waiting = False, self._waiting + 1
        if full:  # answered here, on the accepting thread: a few bytes, then closed
            # Counted and logged as any refusal, or shed load on HTTP is invisible to operators
            # (nothing of the request was read: no route, so method "http").
            bridge.refused(self.front.server, "http", "connections", _FULL_MESSAGE)
            try:
                if self.tls is None:
                    request.sendall(_FULL_REPLY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        waiting = self.pool.submit(self._serve, request, client_address)
        waiting.add_done_callback(lambda done: done.cancelled() and self._dropped(request))

    def _dropped(self, request) -> None:
        """A connection a stop cancelled before a thread took it: closed, and no longer counted
        (counted, it held the drain open for the whole grace; left open, it hung its client)."""
        self.shutdown_request(request)
        with self._lock:
            self._waiting -= 1

    def _serve(self, request, client_address) -> None:
        try:
            if self.tls is not None:
                request.settimeout(HANDSHAKE_S)
                try:
                    request = self.tls.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError):  # plain HTTP sent to TLS, a stalled handshake
                    log.debug("TLS handshake failed from %s", client_address, exc_info=True)
                    return
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._lock:
                self._waiting -= 1

    def handle_error(self, request, client_address) -> None:
        log.debug("connection error from %s", client_address, exc_info=True)


def tls_context(cert: Any, key: Any) -> ssl.SSLContext | None:
    """HTTPS with the gRPC port's certificate and key when the server has --tls-cert/--tls-key
    (one certificate for the host, whichever port a client reaches); None without them."""
    if not cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as exc:
        raise InvalidInput(
            f"cannot serve HTTPS with --tls-cert {cert} and --tls-key {key}: {exc}",
            field="tls_cert",
        ) from exc
    return context
