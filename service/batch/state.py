"""What a rerun reads to skip finished shards, and the leftovers an interrupted run leaves."""

from __future__ import annotations

import json
import os
from pathlib import Path

from service.atomic import partial_files, write_atomic

from .shards import STATE, ShardJob, ShardResult

__all__ = ["clean_leftovers", "load_done", "save_done", "state_path"]


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
        size = (out_dir / f"{job.name}.jsonl").stat().st_size
    except (OSError, ValueError):
        return None
    if state.get("identity") != identity(job) or state.get("bytes") != size:
        return None
    return state


def save_done(out_dir: Path, job: ShardJob, result: ShardResult) -> dict:
    size = (out_dir / f"{job.name}.jsonl").stat().st_size
    state = {
        "identity": identity(job),
        "bytes": size,
        "records_in": result.records_in,
        "records_out": result.records_out,
        "labels": result.labels,
        "errors": [list(e) for e in result.errors],
        "seconds": round(result.seconds, 3),
    }
    path = state_path(out_dir, job.name)
    path.parent.mkdir(exist_ok=True)
    write_atomic(path, json.dumps(state, ensure_ascii=False, indent=1), fsync=True)
    return state


def clean_leftovers(out_dir: Path) -> int:
    """Remove temporary files an interrupted run left behind; they are never read."""
    removed = 0
    for folder in (out_dir, out_dir / STATE):
        if folder.is_dir():
            # Also the `.NAME.tmp-PID-RANDOM` files of runs before the one atomic writer.
            for path in [*partial_files(folder), *folder.glob(".*.tmp-*")]:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
