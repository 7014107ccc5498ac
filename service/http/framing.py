"""How an HTTP request is framed and read before any model work: its deadline header, its
Content-Length (one, within --max-message-bytes) or chunked framing, and its body, read whole by
a deadline so a trickling client holds one connection thread only."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import grpc

from ..errors import HttpReply, InvalidInput, NewsdeskError, Refused
from . import bridge, gateway
from .caller import TIMEOUT_HEADER
from .chunked import read_chunked

if TYPE_CHECKING:
    from .app import Route

__all__ = ["BODY_S", "JSON_TYPE", "Framing", "error_reply"]

BODY_S = 30.0  # a request body must arrive within this, however slowly it trickles
JSON_TYPE = "application/json"  # the one media type a request body is read as
_UTF8 = ("utf-8", "utf8")


def too_big(route: Route) -> str:
    """What to do about a body over --max-message-bytes: a page has no articles to send fewer of."""
    if route.rpc == "AnalysePage":
        return "split the page and send its parts in separate requests"
    return "send fewer articles per request"


def error_reply(exc: NewsdeskError) -> HttpReply:
    status, code = gateway.http_status(exc)
    return HttpReply(status, gateway.error_body(exc), code)


_SECONDS = re.compile(r"\s*(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", re.ASCII)


class Framing:
    """The request-reading half of the front's handler (`app._Handler`): it reads `headers`,
    `rfile` and `front.config`, and sets `close_connection` where a body is left unread."""

    def _timeout(self, size: int | None) -> float | None:
        """The X-Server-Timeout's seconds; a bad one is refused with the body (`size` bytes,
        None when chunked) read and dropped, so the client reads the 400, not a reset mid-send."""
        raw = self.headers.get(TIMEOUT_HEADER)
        if raw is None:
            return None
        # A decimal number only: float() also reads "1_0" as 10.
        seconds = float(raw) if _SECONDS.fullmatch(raw) else float("nan")
        if not 0 < seconds < float("inf"):  # (NaN fails too)
            self.close_connection = True
            if size:
                self._drain(size)
            raise error_reply(InvalidInput(f"{TIMEOUT_HEADER} {raw!r} is not a number of seconds "
                                      "above 0, e.g. 2.5", field=TIMEOUT_HEADER))  # fmt: skip
        return seconds

    def _length(self, route: Route) -> int | None:
        """The body's byte count, or None for a chunked body (read by `_chunked`)."""
        packed = ", ".join(self.headers.get_all("Content-Encoding", []))
        if packed.replace(",", " ").lower().replace("identity", "").strip():
            self.close_connection = True  # RFC 9110 §15.5.16; its body is left unread
            unread = InvalidInput(f"Content-Encoding {packed!r} is not read here: send the body "
                                  "uncompressed", field="Content-Encoding")  # fmt: skip
            raise HttpReply(415, gateway.error_body(unread), grpc.StatusCode.INVALID_ARGUMENT,
                            **{"Accept-Encoding": "identity"})  # fmt: skip
        coding = ", ".join(self.headers.get_all("Transfer-Encoding", []))
        if coding:
            return self._coding(coding)
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
            raise error_reply(self._oversize(route, Refused(f"the body has {size} bytes, over the "
                                 f"limit of {limit} (--max-message-bytes): {too_big(route)}",
                                 reason="size", limit=limit)))  # fmt: skip
        return size

    def _media(self, size: int | None) -> None:
        """Refuse a body not labelled JSON (415, field Content-Type): curl's -d sends
        application/x-www-form-urlencoded and a browser's plain fetch text/plain, and both were
        read as JSON; a cross-site page may send those two without a CORS preflight, while
        application/json needs one, which this server never grants. A charset, if given, is
        UTF-8 (the only one read). An empty body is the empty request, whatever its type."""
        if size == 0:
            return
        given = self.headers.get_all("Content-Type", [])
        kind, _, params = (given[0] if len(given) == 1 else "").partition(";")
        charsets = [
            value.strip().strip('"').lower()
            for name, _, value in (p.partition("=") for p in params.split(";"))
            if name.strip().lower() == "charset"
        ]
        if kind.strip().lower() == JSON_TYPE and all(c in _UTF8 for c in charsets):
            return
        self._refuse_unread()  # (a sized body is read and dropped: the client reads the 415)
        said = f"Content-Type {', '.join(given)!r}" if given else "no Content-Type"
        if kind.strip().lower() == JSON_TYPE:
            fix = "send UTF-8 JSON, with charset=utf-8 or no charset"
        else:
            fix = (f"send JSON with the header 'Content-Type: {JSON_TYPE}' (curl -d sends "
                   f"a form's type unless given -H 'Content-Type: {JSON_TYPE}')")  # fmt: skip
        unread = InvalidInput(f"the body has {said}: {fix}", field="Content-Type")
        raise HttpReply(415, gateway.error_body(unread), grpc.StatusCode.INVALID_ARGUMENT,
                        **{"Accept-Post": f"{JSON_TYPE}; charset=utf-8"})  # fmt: skip

    def _coding(self, coding: str) -> None:
        if self.headers.get("Content-Length") is not None:  # which frames it? (request smuggling)
            self.close_connection = True
            raise error_reply(InvalidInput("Transfer-Encoding and Content-Length both given: "
                                      "send one", field="Transfer-Encoding"))  # fmt: skip
        if coding.strip().lower() != "chunked":  # RFC 9112 §6.1: 501 for a coding not read
            self.close_connection = True
            unread = InvalidInput(f"Transfer-Encoding {coding!r} is not read here: send the "
                                  "body chunked or with a Content-Length",
                                  field="Transfer-Encoding")  # fmt: skip
            raise HttpReply(501, gateway.error_body(unread), grpc.StatusCode.INVALID_ARGUMENT)
        return None

    def _chunked(self, take: Callable[[int], BaseException | None], route: Route) -> bytes:
        """A chunked body by BODY_S, within --max-message-bytes; `take` reserves each chunk's
        bytes in the server's budget as it arrives, since no length said how many up front."""
        limit = self.front.config.max_message_bytes
        error: NewsdeskError
        try:
            return read_chunked(self.rfile, limit=limit, deadline=time.monotonic() + BODY_S,
                                take=take, advice=too_big(route))  # fmt: skip
        except HttpReply:  # the budget refused a chunk
            self.close_connection = True
            raise
        except Refused as exc:  # over --max-message-bytes
            error = self._oversize(route, exc)
        except NewsdeskError as exc:  # bytes that frame no chunked body, or too many of them
            error = exc
        except (TimeoutError, ConnectionError, OSError):
            error = InvalidInput(self._late_body(), field="body")
        self.close_connection = True  # what is left of the body is not read
        raise error_reply(error)

    def _oversize(self, route: Route, exc: Refused) -> Refused:
        """A body over the size limit, counted and logged as a refusal (`reason="size"`), as
        gRPC's are: the 413 went into no refusal count and no log line."""
        bridge.refused(self.front.server, route.rpc, exc.reason, exc.message)
        return exc

    def _refuse_unread(self) -> None:
        """Before a refusal sent ahead of the body (no token, a wrong verb, a stop): a body
        framed by one Content-Length is read and dropped, so the client, still sending, reads
        the answer rather than a reset mid-send (a 5 MB page without a token met a broken
        pipe); a chunked body or a bad length is left unread. The connection closes either way."""
        self.close_connection = True
        given = self.headers.get_all("Content-Length", [])
        if (
            len(given) == 1
            and given[0].strip().isdigit()
            and "Transfer-Encoding" not in self.headers
        ):
            self._drain(int(given[0]))

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

    def _late_body(self) -> str:
        # Two clocks cut a body off: BODY_S for the whole of it, and the connection's idle
        # timeout (`timeout`, 15 s) for a pause in it, which a stalled client meets first.
        return (
            f"the body did not arrive whole (it must within {BODY_S:.0f} s, with no pause of "
            f"{self.timeout:g} s or more)"
        )

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
            raise error_reply(InvalidInput(self._late_body(), field="body")) from None
        return b"".join(chunks)
