"""Reading JSON Lines input: records with their line numbers, bad lines reported, never fatal."""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import InvalidInput
from .pipeline import MAX_TEXT_CHARS, Record, parse_record

__all__ = [
    "Rejected",
    "count_lines",
    "decode_lines",
    "live_lines",
    "open_binary",
    "open_input",
    "read_records",
]


@dataclass(frozen=True)
class Rejected:
    """An input line that could not be processed, and why."""

    line: int
    reason: str
    source: str = "-"

    def as_dict(self) -> dict:
        return {"source": self.source, "line": self.line, "reason": self.reason}


def open_binary(path: str | Path | None) -> IO[bytes]:
    """Open a JSONL input as bytes: `-`/None is stdin, `.gz` is decompressed."""
    if path in (None, "-"):
        return sys.stdin.buffer
    p = Path(path)
    if p.suffix == ".gz":
        return gzip.open(p, "rb")
    return p.open("rb")


def open_input(path: str | Path | None) -> IO[str]:
    """Open a JSONL input as text (UTF-8, bad bytes replaced, universal newlines)."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8", errors="replace")


def live_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """The lines of a pipe as they arrive, and b"" whenever nothing more is waiting.

    Reading a pipe line by line in big blocks would hold early records back until a block
    filled (`tail -f feed | newsdesk classify` would answer in bursts); the empty item tells
    the reader to answer what has come. A stream that cannot be polled is read as it is.
    """
    import os
    import select

    try:
        fd = stream.fileno()
        select.select([fd], [], [], 0)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        yield from stream
        return
    tail = b""
    while data := os.read(fd, 1 << 16):
        *complete, tail = (tail + data).split(b"\n")
        for line in complete:
            yield line + b"\n"
        if not select.select([fd], [], [], 0)[0]:
            yield b""
    if tail:
        yield tail


def decode_lines(blob: bytes) -> list[str]:
    """The lines of a block of whole input lines, as `open_input` would read them.

    Workers take their input as bytes (the parent passes blocks on without decoding them);
    this decodes a block the way the text reader does: bad bytes replaced, and "\r\n" and a
    lone "\r" ending a line as "\n" does. Lines come without their ending.
    """
    text = blob.decode("utf-8", "replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the block's last line ended; nothing follows it
    return lines


def count_lines(blob: bytes) -> int:
    """How many lines `decode_lines(blob)` gives, counted without decoding."""
    ends = blob.count(b"\n") + blob.count(b"\r") - blob.count(b"\r\n")
    return ends + (1 if blob and not blob.endswith((b"\n", b"\r")) else 0)


def read_records(
    lines: Iterable[str], *, source: str = "-", max_chars: int = MAX_TEXT_CHARS, start: int = 1
) -> Iterator[tuple[int, Record | Rejected]]:
    """Yield (line number, Record or Rejected) for every non-blank line, in order.

    `start` is the number of the first line (a chunk of a larger input starts further on).
    """
    for number, line in enumerate(lines, start=start):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield (
                number,
                Rejected(number, f"not valid JSON: {exc.msg} at column {exc.colno}", source),
            )
            continue
        try:
            yield number, parse_record(obj, max_chars=max_chars)
        except InvalidInput as exc:
            yield number, Rejected(number, exc.message, source)
