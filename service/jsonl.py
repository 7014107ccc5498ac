"""Reading JSON Lines input: records with their line numbers, bad lines reported, never fatal."""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .errors import InvalidInput, NotJsonLines
from .validation import FROM_GBK, MAX_LINE_BYTES, Record, parse_record, whole_file_note
from .validation import MAX_RECORD_CHARS as MAX_TEXT_CHARS

__all__ = [
    "TOO_DEEP",
    "json_text",
    "bounded_lines",
    "decode_json",
    "decode_json_unique",
    "Rejected",
    "check_input",
    "count_lines",
    "decode_lines",
    "decompressed",
    "live_lines",
    "open_binary",
    "open_input",
    "own_id",
    "read_records",
    "head_note",
]


# What a reader says of JSON deeper than Python's recursion limit (a JSONL line, an HTTP body).
TOO_DEEP = "JSON nested too deeply to read"
# An input's first lines none of them JSON: a CSV or a text, refused whole (not a million rejects).
NOT_JSONL_AFTER = 100
_GZIP_MAGIC = b"\x1f\x8b"
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of a byte that is not UTF-8
_SURROGATE = re.compile(
    "[\ud800-\udfff]"
)  # lone surrogates (escaped in the JSON, or bad bytes): no UTF-8


def _no_constant(name: str) -> float:
    """`NaN`, `Infinity` or `-Infinity` in a line: Python's json reads them, JSON has no such
    number, and a record holding one would be written back as a line no JSON reader takes."""
    raise ValueError(f"{name} is not a JSON number (write null or a string)")


def _finite(text: str) -> float:
    """A JSON number with a fraction or exponent; one past a double's range (1e999) was read as
    inf and written back as `Infinity`, the line no JSON reader takes that _no_constant keeps
    out."""
    value = float(text)
    if value in (_INF, -_INF):
        raise ValueError(f"{text[:40]} is past the range of a JSON number (write it as a string)")
    return value


_INF = float("inf")
_DIGITS = sys.get_int_max_str_digits() or 4300  # int() refuses longer (CVE-2020-10735)


def _integer(text: str) -> int:
    """A JSON integer; one past int()'s digit limit was refused with Python's own advice
    (`sys.set_int_max_str_digits()`), which no user of ours can take."""
    digits = len(text) - text.startswith("-")
    if digits > _DIGITS:
        raise ValueError(
            f"a number of {digits} digits (at most {_DIGITS} are read: write it as a string)"
        )
    return int(text)


# One decoder for every line and HTTP body: json.loads with parse_constant would build one
# per call.
decode_json = json.JSONDecoder(
    parse_constant=_no_constant, parse_float=_finite, parse_int=_integer
).decode


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"the key {json.dumps(twice, ensure_ascii=False)} appears twice in one "
                         "object (the last would win in silence): send it once")  # fmt: skip
    return value


# An HTTP body's: a key given twice is refused (records keep json's last-wins: its C speed)
decode_json_unique = json.JSONDecoder(
    parse_constant=_no_constant, parse_float=_finite, parse_int=_integer, object_pairs_hook=_unique
).decode


def json_text(obj: Any, **kw: Any) -> str:
    """JSON text that UTF-8 can hold. A path named by a file whose name is not UTF-8 (Latin-1
    from an old share) holds lone surrogates (os.fsdecode), which UTF-8 cannot encode: such a
    text is written ASCII-escaped (`\\udce9`), which JSON readers take and Python reads back to
    the same path; writing `_errors.jsonl` or a shard's state died on it with a traceback."""
    text = json.dumps(obj, ensure_ascii=False, **kw)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, **kw)
    return text


@dataclass(frozen=True)
class Rejected:
    """An input line that could not be processed, and why."""

    line: int
    reason: str
    source: str = "-"
    id: str | None = None  # the record's own id, where it gave one that can be read

    def as_dict(self) -> dict:
        return {"source": self.source, "line": self.line, "id": self.id, "reason": self.reason}

    @property
    def where(self) -> str:
        """`source:line`, with the record's id: how stderr names it."""
        named = f" (id {json.dumps(self.id, ensure_ascii=False)})" if self.id is not None else ""
        return f"{self.source}:{self.line}{named}"


_ID_CHARS = 200  # a reject names its record; a huge id is cut, not copied whole


def own_id(obj: object) -> str | None:
    """A record's `id` as the reject row gives it: a string or integer as sent (cut at 200
    characters), None where there is none or it cannot be written back (not UTF-8)."""
    rid = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(rid, bool) or not isinstance(rid, str | int):
        return None
    rid = str(rid)
    if not rid or _SURROGATE.search(rid):
        return None
    return rid if len(rid) <= _ID_CHARS else rid[: _ID_CHARS - 1] + "…"


def check_input(path: str | Path | None) -> Path | None:
    """The input path to open (None: stdin), refused when it cannot be read (InvalidInput):
    missing, a folder, or stdin closed."""
    if path in (None, "-"):
        if sys.stdin is None:
            raise InvalidInput("stdin is closed: give an input file, or pipe one in", field="input")
        return None
    p = Path(path)
    if p.is_dir():
        raise InvalidInput(
            f"input {path} is a folder: name a JSONL file (`newsdesk batch` takes folders)",
            field="input",
        )
    if not p.exists():  # a FIFO, /dev/stdin or <(…) are inputs too, read as they come
        raise InvalidInput(f"input file not found: {path}", field="input")
    return p


def decompressed(raw: IO[bytes]) -> IO[bytes]:
    """`raw`, or a gzip reader over it when its first bytes are gzip's: by content, not name.

    peek waits for the first bytes of a pipe only, never for the whole stream.
    """
    if _peeked(raw, 2) == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")
    return raw


def head_note(stream: IO[bytes]) -> str:
    """`whole_file_note` of a stream's first bytes (peeked, not consumed)."""
    return whole_file_note(_peeked(stream, 6))


def _peeked(stream: IO[bytes], n: int) -> bytes:
    """Up to `n` first bytes, left unread; none from a terminal, where nobody types gzip: a
    peek that met Ctrl-D on an empty line took the end of input, and the read after it
    waited for another (classify took three Ctrl-D to end, analyse two)."""
    peek = getattr(stream, "peek", None)
    if peek is None or stream.isatty():
        return b""
    return peek(n)[:n]


def open_binary(path: str | Path | None) -> IO[bytes]:
    """Open a JSONL input as bytes: `-`/None is stdin; gzip is decompressed (by content). A
    UTF-16 or bzip2/xz/zstd/zip file is refused whole (`head_note`)."""
    p = check_input(path)
    stream = decompressed(sys.stdin.buffer if p is None else p.open("rb"))
    if note := head_note(stream):
        stream.close()
        raise InvalidInput(f"input {path or '-'} {note}", field="input")
    return stream


def open_input(path: str | Path | None) -> IO[str]:
    """Open a JSONL input as text (UTF-8, universal newlines); see `decode_lines` for bad bytes."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8", errors="surrogateescape")


# What stands for a line past MAX_LINE_BYTES, its bytes dropped as they were read: read_records
# refuses it (no JSON line opens with a NUL). Then its size and unit.
_OVERLONG = "\x00overlong line "


def _overlong(size: int, unit: str, crs: int = 0) -> bytes:
    """The stand-in line for an overlong one of `size` `unit`s holding `crs` lone carriage
    returns: each still ends a line, as decode_lines reads them, so later lines keep their
    numbers ("\r" * crs + "\r\n": crs + 1 line ends)."""
    return f"{_OVERLONG}{size} {unit}".encode() + b"\r" * crs + b"\r\n"


def _lone_crs(piece: bytes, after_cr: bool) -> int:
    """Carriage returns in `piece` not followed by a newline (`after_cr`: the piece before
    ended in one, which a newline opening this piece takes back)."""
    return piece.count(b"\r") - piece.count(b"\r\n") - (after_cr and piece[:1] == b"\n")


def bounded_lines(stream: IO, limit: int = MAX_LINE_BYTES) -> Iterator:
    """The lines of a binary or text `stream` as its iteration gives them, but a line longer
    than `limit` bytes (characters, for text) is read on in pieces and dropped, and a stand-in
    that read_records refuses comes in its place: memory stays bounded on any input."""
    text = isinstance(stream, io.TextIOBase)  # (universal newlines: no "\r" reaches us)
    end = "\n" if text else b"\n"
    readline = stream.readline
    while line := readline(limit + 1):
        if len(line) <= limit or line.endswith(end):
            yield line
            continue
        size, crs = len(line), 0 if text else _lone_crs(line, False)
        while not line.endswith(end):
            after_cr = line[-1:] == b"\r"
            line = readline(1 << 20)
            if not line:
                break
            size += len(line)
            crs += 0 if text else _lone_crs(line, after_cr)
        stand_in = _overlong(size - line.endswith(end), "characters" if text else "bytes", crs)
        yield stand_in.decode().replace("\r\n", "\n") if text else stand_in


def live_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """The lines of a pipe as they arrive, and b"" whenever nothing more is waiting.

    Reading a pipe line by line in big blocks would hold early records back until a block
    filled (`tail -f feed | newsdesk classify` would answer in bursts); the empty item tells
    the reader to answer what has come. A stream that cannot be polled is read as it is.
    """
    import os
    import select

    try:
        if isinstance(stream, gzip.GzipFile):  # its fd holds compressed bytes: no polling
            raise io.UnsupportedOperation
        fd = stream.fileno()
        select.select([fd], [], [], 0)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        yield from stream
        return
    # read1: what the stream has buffered (a peek may have filled it), else one read of the
    # pipe, returning as soon as anything is there.
    read = getattr(stream, "read1", None) or (lambda n: os.read(fd, n))
    pieces: list[bytes] = []  # of a line not ended yet: joined once, however long it grows
    held = 0  # bytes of the line not ended yet, whether in `pieces` or dropped (past the limit)
    crs = 0  # its lone carriage returns, once dropped
    while data := read(1 << 16):
        *complete, rest = data.split(b"\n")
        if complete:
            if held + len(complete[0]) > MAX_LINE_BYTES:
                crs += _lone_crs(b"".join([*pieces, complete[0], b"\n"]), False)
                yield _overlong(held + len(complete[0]), "bytes", crs)
            else:
                yield b"".join([*pieces, complete[0], b"\n"])
            for line in complete[1:]:  # (each within the block read: shorter than the limit)
                yield line + b"\n"
            pieces, held, crs = [], 0, 0
        if rest:
            pieces.append(rest)
            held += len(rest)
            if held > MAX_LINE_BYTES:  # (a bare "\r" at a cut is counted twice at worst)
                crs += _lone_crs(b"".join(pieces), False)
                pieces = []
        if not select.select([fd], [], [], 0)[0]:
            yield b""
    if held > MAX_LINE_BYTES:
        yield _overlong(held, "bytes", crs + _lone_crs(b"".join(pieces), False))
    elif pieces:
        yield b"".join(pieces)


def decode_lines(blob: bytes) -> list[str]:
    """The lines of a block of whole input lines, as `open_input` would read them.

    Workers take their input as bytes (the parent passes blocks on without decoding them);
    this decodes a block the way the text reader does: "\r\n" and a lone "\r" end a line as
    "\n" does, and bytes that are not UTF-8 become lone surrogates (surrogateescape), so the
    line is refused with its number instead of being read as text the caller did not send.
    Lines come without their ending.
    """
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:  # kept as lone surrogates, which parse_record refuses
        text = blob.decode("utf-8", "surrogateescape")
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
    lines: Iterable[str],
    *,
    source: str = "-",
    max_chars: int = MAX_TEXT_CHARS,
    start: int = 1,
    parse: Callable[..., Any] = parse_record,
) -> Iterator[tuple[int, Record | Rejected]]:
    """Yield (line number, Record or Rejected) for every non-blank line, in order.

    `start` is the number of the first line (a chunk of a larger input starts further on);
    `parse` checks each JSON object (`validation.parse_page` for `batch --pages`: a Page).
    An input whose first NOT_JSONL_AFTER lines are none of them JSON is refused whole
    (InvalidInput, field "input"): a CSV or text file given by mistake, not bad records.
    """
    unread = 0 if start == 1 else -1  # lines not JSON since the start; -1: one was JSON
    for number, line in enumerate(lines, start=start):
        # One rule for every reader (local, --server, batch): a text reader keeps the "\n"
        # that decode_lines drops, and json read it as a line 2 whose column 1 we reported.
        line = line.removesuffix("\n")
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]  # a byte-order mark opening the file is no part of the record
        if not line.strip():
            continue
        if line.startswith(_OVERLONG):  # (bounded_lines: the line itself was never held)
            size = line[len(_OVERLONG) :].rstrip("\r")
            yield number, Rejected(number, _too_long(size), source)
            continue
        try:
            obj = decode_json(line)
        except RecursionError:
            yield number, Rejected(number, TOO_DEEP, source)
            continue
        except json.JSONDecodeError as exc:
            bad = _NOT_UTF8.search(line)
            reason = (
                f"not UTF-8 at column {bad.start() + 1}: the file must be UTF-8 ({FROM_GBK})"
                if bad
                # (files joined with cat: json said "Expecting value at column 1" of a line
                # that looks whole, the mark being invisible)
                else "a byte-order mark (U+FEFF) opens the line, a file joined on? only the "
                "first line's is dropped: remove it, e.g. sed 's/^\\xef\\xbb\\xbf//'"
                if line.startswith("\ufeff")
                # (json says "Unterminated string starting at": the column is where it starts)
                else f"not valid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}"
            )
            if unread >= 0 and (unread := unread + 1) >= NOT_JSONL_AFTER:
                raise NotJsonLines(source, _not_jsonl(reason)) from None
            yield number, Rejected(number, reason, source)
            continue
        except ValueError as exc:  # NaN/Infinity (_no_constant), an integer past int()'s digits
            yield number, Rejected(number, f"not valid JSON: {exc}", source)
            continue
        unread = -1
        try:
            yield number, parse(obj, max_chars=max_chars, line=line)
        except InvalidInput as exc:
            yield number, Rejected(number, exc.message, source, own_id(obj))


def _not_jsonl(reason: str) -> str:
    return (f"is not JSON Lines: none of its first {NOT_JSONL_AFTER} lines is JSON (the last: "
            f'{reason}); one object a line, {{"id": 1, "title": "…", "text": "…"}}: a CSV or text '
            "file must be converted first")  # fmt: skip


def _too_long(size: str) -> str:
    # (in the unit the reader counted: bytes from a file, characters from a text stream, as
    # batch reads its shards; "36000031 characters, over … 16777216 bytes" mixed the two)
    unit = size.rpartition(" ")[2] or "bytes"
    return (
        f"the line holds {size}, over the limit of {MAX_LINE_BYTES} {unit}: one record a line, "
        f"its text at most {MAX_TEXT_CHARS} characters"
    )
