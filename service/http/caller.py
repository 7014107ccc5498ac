"""What the servicer asks of a gRPC context, for an HTTP caller: its deadline (the
X-Server-Timeout header, counted from when the request was read) and whether it is still
there (its connection not hung up), both checked between chunks of articles."""

from __future__ import annotations

import select
import socket
import threading
import time

__all__ = ["TIMEOUT_HEADER", "CallerContext"]

# A caller's deadline for one request, in seconds (Google APIs' header): past it the server
# stops working for the request between chunks of articles and answers 504.
TIMEOUT_HEADER = "X-Server-Timeout"

# The peer closed its end (FIN: POLLRDHUP) or the connection broke; HUP and ERR come unasked.
_GONE = select.POLLRDHUP | select.POLLHUP | select.POLLERR


class CallerContext:
    """An HTTP call's deadline (None: none) and connection (None: not watched).

    A client that closes its connection before the answer (a timeout on its side, a user who
    gave up) stops costing the model at the next chunk, as a gRPC cancel does. The check is a
    zero-timeout poll of the socket, TLS or not; a client that only half-closes after sending
    its request reads as gone too (HTTP/1.1 clients do not)."""

    def __init__(
        self,
        deadline: float | None = None,
        connection: socket.socket | None = None,
        cut: threading.Event | None = None,
    ):
        self._deadline = deadline
        self._cut = cut  # set when a stopping server's grace is over: the work stops, as gRPC's
        self._poll = None
        if connection is not None:
            self._poll = select.poll()
            self._poll.register(connection.fileno(), select.POLLRDHUP)

    def is_active(self) -> bool:
        # a stopping server lets calls in flight finish within its grace, and no longer
        if self._cut is not None and self._cut.is_set():
            return False
        return self._poll is None or not any(ev & _GONE for _, ev in self._poll.poll(0))

    def time_remaining(self) -> float | None:
        return None if self._deadline is None else self._deadline - time.monotonic()

    def invocation_metadata(self) -> tuple:
        return ()
