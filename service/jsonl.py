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

__all__ = ["Rejected", "open_input", "read_records"]


@dataclass(frozen=True)
class Rejected:
    """An input line that could not be processed, and why."""

    line: int
    reason: str
    source: str = "-"

    def as_dict(self) -> dict:
        return {"source": self.source, "line": self.line, "reason": self.reason}


def open_input(path: str | Path | None) -> IO[str]:
    """Open a JSONL input as text: `-`/None is stdin, `.gz` is decompressed."""
    if path in (None, "-"):
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    p = Path(path)
    if p.suffix == ".gz":
        return gzip.open(p, "rt", encoding="utf-8", errors="replace")
    return p.open("r", encoding="utf-8", errors="replace")


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
