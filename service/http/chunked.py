"""A chunked request body (RFC 9112 §7.1: "a recipient MUST be able to parse" it), read by a
deadline and never past its end: on a kept-alive connection the next request may follow in the
same packet, so lines are found in what the buffer already holds (`peek`) and data is read to
its exact length."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import BinaryIO

from ..errors import InvalidInput, Refused

__all__ = ["CHUNKS_MAX", "LINE_MAX", "read_chunked"]

LINE_MAX = 4096  # a chunk-size line with its extensions, or one trailer field
TRAILERS_MAX = 64  # trailer fields, read and dropped (nothing of ours reads them)
# Each chunk costs some microseconds of Python under the GIL the model shares: 32 MiB sent a byte
# a chunk would burn a core for the whole body deadline. Clients write kilobytes a chunk.
CHUNKS_MAX = 1 << 16
_HEX = b"0123456789abcdefABCDEF"


def _malformed(why: str) -> InvalidInput:
    return InvalidInput(f"the chunked body is malformed: {why}", field="body")


def read_chunked(
    rfile: BinaryIO,
    *,
    limit: int,
    deadline: float,
    take: Callable[[int], BaseException | None],
    advice: str,
) -> bytes:
    """The body's bytes. `take(n)` reserves each chunk's n bytes in the server's budget before
    they are read, or returns why not. InvalidInput for bytes that frame no chunked body;
    TimeoutError past `deadline` (time.monotonic), ConnectionError on a close. `advice`: the
    fix a body past `limit` is told (`framing.too_big`).

    A body refused part way (past `limit`, or by `take`) is read on and dropped, up to twice
    the limit, and its refusal raised at its end: closing on bytes left unread would reset
    the connection under the answer, as for a refused Content-Length body."""
    parts: list[bytes] = []
    size = count = 0
    refused: BaseException | None = None
    while True:
        line = _line(rfile, deadline)
        digits = line.split(b";", 1)[0].strip(b" \t\r\n")  # extensions are ignored
        if not digits or len(digits) > 16 or digits.strip(_HEX):
            raise _malformed(f"chunk size {digits[:20]!r} is not a hexadecimal byte count")
        n = int(digits, 16)
        if not n:
            break
        count, size = count + 1, size + n
        if count > CHUNKS_MAX:
            raise _malformed(f"more than {CHUNKS_MAX} chunks: send the body in fewer, larger ones")
        if refused is None and size > limit:
            refused = Refused(f"the body has over {limit} bytes, the limit "
                              f"(--max-message-bytes): {advice}",
                              reason="size", limit=limit)  # fmt: skip
        if refused is None:
            refused = take(n)
        if refused is not None and size > 2 * limit:
            raise refused  # too much to drop: the connection is closed at once
        data = _exact(rfile, n, deadline)
        if refused is None:
            parts.append(data)
        if _exact(rfile, 2, deadline) != b"\r\n":
            raise _malformed(f"chunk data longer than its size ({n:x}) said")
    for _ in range(TRAILERS_MAX + 1):
        if not _line(rfile, deadline).rstrip(b"\r\n"):
            if refused is not None:
                raise refused
            return b"".join(parts)
    raise _malformed(f"more than {TRAILERS_MAX} trailer fields")


def _line(rfile: BinaryIO, deadline: float) -> bytes:
    line = b""
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        held = rfile.peek(1)  # type: ignore[attr-defined]  # (one socket read if none is held)
        if not held:
            raise ConnectionError("closed mid-body")
        end = held.find(b"\n", 0, LINE_MAX + 1 - len(line))
        line += rfile.read(end + 1 if end >= 0 else min(len(held), LINE_MAX + 1 - len(line)))
        if end >= 0:
            return line
        if len(line) > LINE_MAX:
            raise _malformed(f"a chunk-size or trailer line over {LINE_MAX} bytes")


def _exact(rfile: BinaryIO, n: int, deadline: float) -> bytes:
    pieces, left = [], n
    while left:
        if time.monotonic() > deadline:
            raise TimeoutError
        piece = rfile.read1(min(left, 1 << 16))  # type: ignore[attr-defined]
        if not piece:
            raise ConnectionError("closed mid-body")
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)
