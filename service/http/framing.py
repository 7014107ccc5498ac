"""How an HTTP request is framed and read before any model work: its deadline header, its
Content-Length (one, never chunked, within --max-message-bytes) and its body, read whole by a
deadline so a trickling client holds one connection thread only."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import grpc

from ..errors import HttpReply, InvalidInput, NewsdeskError, Refused
from . import gateway
from .caller import TIMEOUT_HEADER

if TYPE_CHECKING:
    from .app import Route

__all__ = ["BODY_S", "Framing", "error_reply"]

BODY_S = 30.0  # a request body must arrive within this, however slowly it trickles


def error_reply(exc: NewsdeskError) -> HttpReply:
    status, code = gateway.http_status(exc)
    return HttpReply(status, gateway.error_body(exc), code)


class Framing:
    """The request-reading half of the front's handler (`app._Handler`): it reads `headers`,
    `rfile` and `front.config`, and sets `close_connection` where a body is left unread."""

    def _timeout(self) -> float | None:
        raw = self.headers.get(TIMEOUT_HEADER)
        if raw is None:
            return None
        try:
            seconds = float(raw)
        except ValueError:
            seconds = float("nan")
        if not 0 < seconds < float("inf"):  # (NaN fails too)
            self.close_connection = True  # its body is left unread
            raise error_reply(InvalidInput(f"{TIMEOUT_HEADER} {raw!r} is not a number of seconds "
                                      "above 0, e.g. 2.5", field=TIMEOUT_HEADER))  # fmt: skip
        return seconds

    def _length(self, route: Route) -> int:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise error_reply(InvalidInput("send the body with a Content-Length, not chunked",
                                      field="Content-Length"))  # fmt: skip
        given = {v.strip() for v in self.headers.get_all("Content-Length", [])}
        if len(given) > 1:  # which one frames the body? (RFC 9112 §6.3: unrecoverable)
            self.close_connection = True
            raise error_reply(InvalidInput(f"Content-Length given as {', '.join(sorted(given))}: "
                                      "send one", field="Content-Length"))  # fmt: skip
        if not given and route.verb == "POST":  # a body may follow, of a length none knows
            self.close_connection = True
            missing = InvalidInput("send a Content-Length (0 for no body)", field="Content-Length")
            raise HttpReply(411, gateway.error_body(missing), grpc.StatusCode.INVALID_ARGUMENT)
        raw = given.pop() if given else "0"
        if not raw.isdigit():
            self.close_connection = True
            raise error_reply(InvalidInput(f"Content-Length {raw!r} is not a byte count",
                                      field="Content-Length"))  # fmt: skip
        size, limit = int(raw), self.front.config.max_message_bytes
        if size > limit:
            self._drain(size)  # so the client reads the 413 rather than a reset mid-send
            raise error_reply(Refused(f"the body has {size} bytes, over the limit of {limit} "
                                 "(--max-message-bytes): send fewer articles per request",
                                 reason="size", limit=limit))  # fmt: skip
        return size

    def _drain(self, size: int) -> None:
        """Read and drop a refused body up to twice the limit; past that, close at once."""
        self.close_connection = True
        if size > 2 * self.front.config.max_message_bytes:
            return
        deadline, left = time.monotonic() + BODY_S, size
        try:
            while left > 0 and time.monotonic() < deadline:
                chunk = self.rfile.read1(min(left, 1 << 16))
                if not chunk:
                    return
                left -= len(chunk)
        except OSError:
            return

    def _body(self, size: int) -> bytes:
        """Read `size` bytes by BODY_S at the latest; a trickling client is cut off."""
        deadline, chunks, left = time.monotonic() + BODY_S, [], size
        try:
            while left > 0:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = self.rfile.read1(min(left, 1 << 16))
                if not chunk:
                    raise ConnectionError("closed mid-body")
                chunks.append(chunk)
                left -= len(chunk)
        except (TimeoutError, ConnectionError, OSError):
            self.close_connection = True
            raise error_reply(InvalidInput(f"the body did not arrive whole within {BODY_S:.0f} s",
                                      field="body")) from None  # fmt: skip
        return b"".join(chunks)
