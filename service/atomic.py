"""One atomic writer: a file (or a folder of files) appears whole, or stays as it was.

Everything newsdesk writes for others to read (`-o` outputs, batch shards and their state,
evaluation reports) goes to a temporary name beside the file and is renamed over it once
complete, so a crash, Ctrl-C or a full disk never leaves half a file under the real name. The
writer holds an exclusive `flock` on its temporary file from creation to rename, and the kernel
drops it however the writer ends (SIGKILL, power): a later run tells a dead writer's leftover from
a live one's by that lock (`remove_abandoned`), not by the pid in the name, which a new process
may carry once the writer is gone. (On NFS, Linux maps flock to the server's byte-range locks.)
A folder (`atomic_folder`: an evaluation report) is built the same way under a temporary name,
locked by a flock on the folder itself, and swapped in by two renames.
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "atomic_write",
    "atomic_folder",
    "write_atomic",
    "partial_files",
    "remove_abandoned",
    "stale_partials",
    "PARTIAL",
]

PARTIAL = ".partial"  # the suffix of every temporary name: `.NAME.PID.RANDOM.partial`


def _default_mode(target: Path) -> int:
    """The file's own permission bits when it exists, else what a plain open would give."""
    if target.exists():
        return target.stat().st_mode & 0o777
    return 0o666 & ~_umask()


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
    handle, partial = _claim(target)
    held = os.dup(handle)  # keeps the lock until the rename, whoever closes `handle` first
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
        os.close(held)


def _claim(target: Path, folder: bool = False) -> tuple[int, Path]:
    """A new temporary file (`folder`: folder) beside `target`, open and locked by this writer."""
    prefix = f".{target.name}.{os.getpid()}."
    while True:
        if folder:
            name = tempfile.mkdtemp(prefix=prefix, suffix=PARTIAL, dir=target.parent)
            handle = os.open(name, os.O_RDONLY | os.O_DIRECTORY)
        else:
            handle, name = tempfile.mkstemp(prefix=prefix, suffix=PARTIAL, dir=target.parent)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            # A cleaner may have found it unlocked and removed it just before the lock: then
            # the name is gone (or another file's), and a new one is made.
            if os.path.samestat(os.stat(name), os.fstat(handle)):
                return handle, Path(name)
        except FileNotFoundError:
            pass
        os.close(handle)


def remove_abandoned(path: Path) -> int | None:
    """Remove a temporary file no writer holds any more (its writer died); returns the bytes
    removed, or None when a live writer holds it or it is not ours to remove."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:  # gone already, another user's, a symlink
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: its writer is alive
        here = os.fstat(fd)
        if not os.path.samestat(here, os.stat(path, follow_symlinks=False)):
            return None  # replaced meanwhile: judged another time
        os.unlink(path)
        return here.st_size
    except OSError:
        return None
    finally:
        os.close(fd)


@contextmanager
def atomic_folder(path: str | Path) -> Iterator[Path]:
    """A new folder to fill that replaces the folder `path` whole when the block ends without
    an error; if the block raises (Ctrl-C too), `path` stays as it was and the new one goes.

    Filled under `.NAME.PID.RANDOM.partial/` beside `path`, locked by this writer; the ones
    writers that died left are removed first. The swap is two renames (the old folder aside,
    the new in, then the old removed): `path` is absent only between them, and a writer killed
    there leaves the old folder aside, which the next writer puts back first.
    """
    target = Path(path)
    for leftover in partial_files(target.parent, target.name):
        _remove_abandoned_folder(leftover)
    for old in sorted(target.parent.glob(f".{glob.escape(target.name)}.*.old")):
        if old.is_dir() and not target.exists():  # a writer died between its two renames
            os.rename(old, target)
        else:  # or after them, before it removed the old folder
            shutil.rmtree(old, ignore_errors=True)
    mode = target.stat().st_mode & 0o777 if target.is_dir() else 0o777 & ~_umask()
    handle, tmp = _claim(target, folder=True)
    aside: Path | None = None
    try:
        os.chmod(tmp, mode)  # mkdtemp's is 0700
        yield tmp
        if target.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".old",
                                          dir=target.parent))  # fmt: skip
            os.rename(target, aside)  # over the empty folder just made: a name no one else has
        os.rename(tmp, target)
    except BaseException:
        if aside is not None and aside.is_dir() and not target.exists():
            os.rename(aside, target)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        os.close(handle)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _remove_abandoned_folder(path: Path) -> None:
    """Remove a temporary folder no writer holds any more; a live writer's stays."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:  # gone already, a file (atomic_write's), a symlink
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: its writer is alive
        if os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False)):
            shutil.rmtree(path, ignore_errors=True)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | Path, data: bytes | str, *, fsync: bool = False) -> None:
    """Write `data` (text as UTF-8) to `path` atomically."""
    with atomic_write(path, fsync=fsync) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


def partial_files(folder: Path, name: str = "*") -> list[Path]:
    """The temporary files of writes to `folder/name` (any name by default)."""
    pattern = f".{glob.escape(name) if name != '*' else '*'}.*{PARTIAL}"
    return sorted(folder.glob(pattern))


def stale_partials(target: Path) -> list[tuple[Path, str, int]]:
    """Remove the temporary files for `target` that writers which died left (SIGKILL, power).

    Returns (path, pid in its name, bytes removed) for each one removed. A file a live writer
    holds is left alone and not returned, whatever pid its name carries.
    """
    found: list[tuple[Path, str, int]] = []
    for path in partial_files(target.parent, target.name):
        size = remove_abandoned(path)
        if size is not None:
            found.append((path, path.name[len(target.name) + 2 :].split(".", 1)[0], size))
    return found
