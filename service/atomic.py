"""One atomic writer: a file appears whole, or stays as it was.

Everything newsdesk writes for others to read (`-o` outputs, batch shards and their state,
evaluation reports) goes to a temporary name beside the file and is renamed over it once
complete, so a crash, Ctrl-C or a full disk never leaves half a file under the real name. The
temporary name carries the writer's pid, so a later run can tell a dead writer's leftover
(`stale_partials`) from a live one's.
"""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "write_atomic", "partial_files", "stale_partials", "PARTIAL"]

PARTIAL = ".partial"  # the suffix of every temporary name: `.NAME.PID.RANDOM.partial`


def _default_mode(target: Path) -> int:
    """The file's own permission bits when it exists, else what a plain open would give."""
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_write(path: str | Path, *, fsync: bool = False) -> Iterator[BinaryIO]:
    """A binary file that replaces `path` when the block ends without an error.

    Written under a temporary name in the same folder (same filesystem: the rename is
    atomic), with the permissions of the file it replaces (not mkstemp's 0600); removed if the
    block raises. `fsync`: the bytes reach the disk before the rename (outputs others resume
    from). A handle the block closed itself (a wrapper's close) is fine.
    """
    target = Path(path)
    mode = _default_mode(target)
    handle, name = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=PARTIAL, dir=target.parent
    )
    partial = Path(name)
    try:
        with open(handle, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            yield fh
            if not fh.closed:
                fh.flush()
                if fsync:
                    os.fsync(fh.fileno())
        os.replace(partial, target)
    except OSError as e:
        if e.filename is not None or not e.errno:
            raise
        # A full disk says only "[Errno 28] No space left on device": say which file.
        raise OSError(e.errno, e.strerror, str(target)) from e
    finally:
        partial.unlink(missing_ok=True)


def write_atomic(path: str | Path, data: bytes | str, *, fsync: bool = False) -> None:
    """Write `data` (text as UTF-8) to `path` atomically."""
    with atomic_write(path, fsync=fsync) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


def partial_files(folder: Path, name: str = "*") -> list[Path]:
    """The temporary files of writes to `folder/name` (any name by default)."""
    pattern = f".{glob.escape(name) if name != '*' else '*'}.*{PARTIAL}"
    return sorted(folder.glob(pattern))


def stale_partials(target: Path) -> list[tuple[Path, str, int | None]]:
    """Remove the temporary files for `target` that writers which died left (SIGKILL, power).

    Returns (path, pid, bytes removed) for each one found and not live: bytes is None when
    the writer cannot be told from the name (left in place for a person to judge). A live
    writer's file, or another user's, is left alone and not returned.
    """
    found: list[tuple[Path, str, int | None]] = []
    for path in partial_files(target.parent, target.name):
        pid = path.name[len(target.name) + 2 :].split(".", 1)[0]
        if not pid.isdigit():
            found.append((path, pid, None))
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive (or another user's): still writing
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        try:
            size = path.stat().st_size
            path.unlink()
        except OSError:
            continue
        found.append((path, pid, size))
    return found
