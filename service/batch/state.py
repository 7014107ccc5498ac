"""What a rerun reads to skip finished shards, the leftovers an interrupted run leaves, and
the hold a live run keeps on its output folder."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.atomic import partial_files, remove_abandoned, write_atomic
from service.errors import ShardError
from service.jsonl import json_text

from .shards import STATE, ShardJob, ShardResult

__all__ = [
    "clean_leftovers",
    "holding",
    "identity",
    "load_done",
    "save_done",
    "state_path",
    "LOCK",
]

LOCK = "_batch.lock"  # in DIR, beside _summary.json; holds the live run's pid, for people


def identity(job: ShardJob) -> dict:
    """What must match for a finished shard to count as done: same input, model and options."""
    stat = os.stat(job.source)
    return {
        "source": job.source,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "model_key": job.model_key,
        "options": dict(job.options),
    }


def state_path(out_dir: Path, name: str) -> Path:
    return out_dir / STATE / f"{name}.json"


def load_done(out_dir: Path, job: ShardJob) -> dict | None:
    """The saved state of a shard finished by an earlier run with the same inputs, or None."""
    try:
        state = json.loads(state_path(out_dir, job.name).read_text(encoding="utf-8"))
        size = (out_dir / job.output).stat().st_size
    except (OSError, ValueError):
        return None
    if state.get("identity") != identity(job) or state.get("bytes") != size:
        return None
    return state


def save_done(out_dir: Path, job: ShardJob, result: ShardResult, before: dict) -> dict:
    """Record a finished shard as done. `before`: its input's `identity` taken before the shard
    was read: one taken now took an input appended to while its shard ran (a feed still being
    written) for the one read, and the next run skipped it, the records appended lost."""
    size = (out_dir / job.output).stat().st_size
    state = {
        "identity": before,
        "bytes": size,
        "records_in": result.records_in,
        "records_out": result.records_out,
        "labels": result.labels,
        "leads_no_fit": result.no_fit,
        "errors": [list(e) for e in result.errors],
        "seconds": round(result.seconds, 3),
    }
    if dict(job.options).get("pages"):  # (only then: a records job's state is as it was)
        state["pages_no_article"] = len(result.no_article)
        state["pages_no_article_at"] = [list(e) for e in result.no_article]
        state["pages_warned"] = result.warned
    path = state_path(out_dir, job.name)
    path.parent.mkdir(parents=True, exist_ok=True)  # (`_shards/2019/` for a --keep-tree name)
    write_atomic(path, json_text(state, indent=1), fsync=True)
    return state


@contextmanager
def holding(out_dir: Path) -> Iterator[None]:
    """This run's hold on its output folder, from before anything in it is touched to the end.

    A second run on the folder while this one lives is refused (it would rerun, and clean up,
    the shards this one is writing); the kernel drops the hold however this run ends, so the
    next run resumes a dead one's folder, whatever became of its pid.
    """
    try:
        fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # (no write permission, or something in the way: name --out)
        raise ShardError(
            f"cannot write in --out {out_dir}: {exc.strerror} ({exc.filename})", field="out_dir"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise ShardError(
                f"another batch run (pid {pid}) is writing {out_dir}: wait for it to end, or "
                "give another --out (one run per output folder)",
                field="out_dir",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def clean_leftovers(out_dir: Path) -> int:
    """Remove temporary files interrupted runs left behind (never read); a file a live writer
    still holds (a Dask worker of this run, finishing) is left to it."""
    removed = 0
    for folder in _folders(out_dir):
        removed += sum(remove_abandoned(p) is not None for p in partial_files(folder))
    for folder in (out_dir, out_dir / STATE):
        if folder.is_dir():
            # The `.NAME.tmp-PID-RANDOM` files of runs before the one atomic writer.
            for path in folder.glob(".*.tmp-*"):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def _folders(out_dir: Path) -> list[Path]:
    """`out_dir` and every folder below it a shard's output or state may be in (a --keep-tree
    job's `2019/`, `_shards/2019/`): hidden ones are never a shard's."""
    found = []
    for root, dirs, _ in os.walk(out_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.append(Path(root))
    return found
