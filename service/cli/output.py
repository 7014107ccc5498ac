"""Where a command's answers go: stdout or a file that appears whole; progress on a terminal."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from ..atomic import atomic_write, stale_partials
from ..errors import InvalidInput
from .common import _err


def _same_file(a: Path, b: str | None) -> bool:
    """Both name one regular file (or one path not yet written); /dev/null twice is fine."""
    if b in (None, "-"):
        return False
    other = Path(b)
    try:
        if a.exists() and other.exists():
            return a.is_file() and other.is_file() and a.samefile(other)
        return a.resolve() == other.resolve()
    except (OSError, RuntimeError):  # a symlink loop: _output says so, naming the flag
        return False


# Names of descriptors the process already has open: the file behind them is the shell's.
_DESCRIPTOR = re.compile(r"/(dev/(stdout|stderr|fd/\d+)|proc/(self|\d+)/fd/\d+)")


def _is_stdout(path: str | None) -> bool:
    """`path` names the file or terminal this process's stdout writes to."""
    if path in (None, "-"):
        return False
    try:
        here, there = os.stat(path), os.fstat(1)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _in_place(target: Path) -> tuple[bool, int | None]:
    """Whether `target` is written as it is, never replaced (a FIFO, a device, a descriptor
    path such as /dev/stdout), and the descriptor of ours to write through when it names one."""
    m = _DESCRIPTOR.fullmatch(str(target.absolute()))
    if m is None:
        return target.exists() and not target.is_file(), None
    text = m.group(0)
    if text in ("/dev/stdout", "/dev/stderr"):
        return True, 1 if text.endswith("stdout") else 2
    if text.startswith("/proc/") and not text.startswith(("/proc/self/", f"/proc/{os.getpid()}/")):
        return True, None  # another process's descriptor: reopened as a path
    return True, int(text.rsplit("/", 1)[1])


def check_output(path: str | None, flag: str = "--output") -> None:
    """A usage error for an output file no run could write: a folder, or in a folder that does
    not exist. Checked before the work starts (and again by `_output`); a file output goes into
    an existing folder, so a typo in its path is never made a new folder (`batch --out` names a
    folder the job owns, and that one is created)."""
    if path in (None, "-"):
        return
    target = Path(path)
    if target.is_dir():
        raise InvalidInput(f"{flag} {path} is a folder: name a file", field=flag.strip("-"))
    try:
        parent = target.resolve().parent  # a symlink's target is what is written
    except (OSError, RuntimeError):  # a symlink loop: _output says so
        return
    if not parent.is_dir():
        raise InvalidInput(
            f"{flag} {path}: no such folder {parent}; create it first, or name a file in an "
            "existing folder",
            field=flag.strip("-"),
        )


@contextmanager
def _stdout(table: bool) -> Iterator[IO[str]]:
    """stdout for JSON Lines: UTF-8 whatever the locale, as `-o FILE` and `classify` write (a
    GB18030 or ASCII locale gave other bytes, or a UnicodeEncodeError traceback). A table for
    people keeps the terminal's encoding, with `?` for what it cannot show."""
    out = sys.stdout
    if out is None:  # started with stdout closed (>&-)
        raise InvalidInput("stdout is closed: give -o FILE, or redirect stdout", field="output")
    utf8 = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "") == "utf8"
    if table or utf8 or not hasattr(out, "buffer"):  # (a StringIO holds text, not bytes)
        if table and hasattr(out, "reconfigure"):
            out.reconfigure(errors="replace")
        yield out
        return
    out.flush()
    wrapped = io.TextIOWrapper(out.buffer, encoding="utf-8", newline="\n")
    try:
        yield wrapped
    finally:
        wrapped.flush()
        wrapped.detach()  # sys.stdout keeps its buffer


@contextmanager
def _output(
    path: str | None, *others: str | None, flag: str = "--output", table: bool = False
) -> Iterator[IO[str]]:
    """stdout, or a file that appears whole when the command succeeds (`.gz`: compressed).

    The answers go to a temporary name beside the file and are renamed over it at the end, so
    a failed or interrupted run leaves an existing file as it was. A path that is also one of
    `others` (the input, the other output) is refused before anything is read. A path that is
    not a regular file (a FIFO, /dev/null) is written as it is; a symlink's target is replaced.
    """
    if path in (None, "-"):
        with _stdout(table) as out:
            yield out
        return
    check_output(path, flag)
    target = Path(path)
    for other in others:
        if _same_file(target, other):
            raise InvalidInput(
                f"{flag} {path} is also {other}, given for another part of this run: writing "
                "it would destroy that; name another file",
                field=flag.strip("-"),
            )
    in_place, fd = _in_place(target)
    if in_place:
        if fd is not None:
            # The descriptor itself (a copy), not the path reopened: what the shell opened with
            # > or >> is written at its own position, in turn with anything else written there.
            with open(os.dup(fd), "w", encoding="utf-8") as out:
                yield out
            return
        with open(target, "a", encoding="utf-8") as out:  # a FIFO, a device
            yield out
        return
    stack = ExitStack()
    try:
        target = target.resolve()
        for path, pid, size in stale_partials(target):
            _err(f"removed {path} ({size:,} bytes): a partial output left by a run that "
                 f"died (pid {pid})")  # fmt: skip
        raw = stack.enter_context(atomic_write(target))
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        stack.close()
        # File trouble, not a usage error: the run failed, exit 1 (README, DECISIONS.md).
        why = getattr(exc, "strerror", None) or exc  # not the temporary file's name
        raise OSError(f"cannot write {flag} {path}: {why}") from exc
    with stack:
        if target.suffix == ".gz":
            import gzip

            # The gzip header names the file it will be, not the temporary one.
            packed = gzip.GzipFile(target.name, "wb", fileobj=raw)
            out: IO[str] = io.TextIOWrapper(packed, encoding="utf-8")
        else:
            out = open(raw.fileno(), "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        try:
            yield out
        finally:
            out.close()  # gzip's trailer, then everything into `raw`; renamed once whole


def _bytes_writer(out: IO[str]):
    """Write UTF-8 bytes to a text output: to its buffer, bypassing a second encoding."""
    out.flush()
    buffer = getattr(out, "buffer", None)
    if buffer is None:  # a text-only stream (a StringIO): decode once more
        return lambda data: out.write(data.decode("utf-8"))

    def write(data: bytes) -> None:
        buffer.write(data)
        buffer.flush()  # a reader at the other end of a pipe gets each chunk as it is done

    return write


class _NoProgress:
    """What `_progress` gives when stderr is not a terminal: nothing to draw, nothing imported."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int | None, unit: str):
    if not _tty():
        return _NoProgress()  # a pipe or file: tqdm would draw nothing (and costs 0.02 s)
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr)


def _bar_on() -> bool:
    """tqdm bars only on a terminal: in a log (`make train > log 2>&1`) every redraw would be
    one more line of carriage returns."""
    return _tty()


def _tty() -> bool:
    """stderr is a terminal; False when the run was started with it closed (2>&-: None)."""
    return sys.stderr is not None and sys.stderr.isatty()


def _line_total(path: str | None) -> int | None:
    """The input's line count for a progress bar's total and ETA: a plain file only (a pipe
    cannot be read twice, a gzip file would be decompressed twice), and only when a terminal
    shows the bar (counting reads the file once more, ~1 s a GB)."""
    if path in (None, "-") or not _tty() or not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        if f.read(2) == b"\x1f\x8b":
            return None
        f.seek(0)
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))


def add_batch_output(p) -> None:
    """`newsdesk batch`'s flags for what it writes in DIR and how it redoes it."""
    p.add_argument(
        "--keep-tree",
        action="store_true",
        help="name each shard by its path below the inputs' common folder: archive/2019/01.jsonl"
        ".gz as DIR/2019/01.jsonl (files of one name in several folders make one job)",
    )
    p.add_argument(
        "--recursive",
        action="store_true",
        help="search folder inputs at every depth (and let ** in a glob span folders); "
        "implies --keep-tree",
    )
    p.add_argument(
        "--gzip",
        action="store_true",
        help="write DIR/<shard>.jsonl.gz (reproducible: the same bytes on every run and runner)",
    )
    p.add_argument(
        "--pages",
        action="store_true",
        help="each input line is a page (id, text: the whole page); write each of its articles "
        "as `analyse --json` does, with page_id and article (1, 2, …)",
    )
    p.add_argument("--force", action="store_true", help="redo shards already complete")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")


def _batch_progress():
    """A `newsdesk batch` progress line on stderr: redrawn in place on a terminal, one line a
    second in a log."""
    tty = _tty()
    # "erase to the end of the line"; a dumb terminal (Emacs' shell) shows it as ^[[K: spaces
    # cover what a longer line left there instead
    dumb, widest = os.environ.get("TERM") == "dumb", [0]

    def show(p) -> None:  # p: service.batch.BatchProgress
        if sys.stderr is None:  # started with stderr closed
            return
        eta = _clock(p.eta) if p.eta is not None else "--:--:--"
        line = (
            f"batch: shards {p.shards_done}/{p.shards}"
            + (f" ({p.skipped} already done)" if p.skipped else "")
            + f"  articles {p.articles:,}  "
            f"{p.rate:,.0f} articles/s  ETA {eta}"
        )
        if tty:
            widest[0] = max(widest[0], len(line))
            erase = " " * (widest[0] - len(line)) if dumb else "\x1b[K"
            sys.stderr.write(f"\r{line}{erase}" + ("\n" if p.final else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return show


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
