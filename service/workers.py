"""Local worker processes for JSONL runs: parse, label and serialise chunks of lines on every core.

`newsdesk classify`/`summarise` spend their time per record (JSON, body cleaning, word
segmentation, features), so a large input is cut into chunks of lines that forked workers
turn into output lines, answered in input order. A small input, or a run with one core, stays
in this process; both ways call `run_chunk`, so the output is the same byte for byte.

Chunks travel as bytes both ways: the parent reads raw lines and writes raw answers, so it
never decodes, pickles or encodes text while the workers need the CPU.
"""

from __future__ import annotations

import gc
import json
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from .errors import WorkerLost
from .jsonl import Rejected, count_lines, decode_lines, read_records
from .malloc import reuse_freed_memory
from .pipeline import process_records

__all__ = [
    "CHUNK_LINES",
    "PARALLEL_AFTER",
    "Chunk",
    "Options",
    "cores",
    "process_lines",
    "reuse_freed_memory",
    "run_chunk",
    "worker_signals",
]

# Lines per task and per model call: each call also costs a pass over every feature column
# (~2 ms), so 256 lines run 10% faster than 128; 5,000 lines still make 20 tasks to share out.
CHUNK_LINES = 256
# Below this many lines a pool costs more (fork, pickling) than a second core saves.
PARALLEL_AFTER = 2048


@dataclass(frozen=True)
class Options:
    """What every chunk is asked for: the fields to add and the lead limits."""

    source: str = "-"
    labels: bool = True
    summarise: bool = False
    max_sentences: int = 0
    max_chars: int = 0
    batch_size: int = 256
    explain: int = 0  # evidence terms per record (0 = none)
    keywords: int = 0  # keywords per record (0 = none)
    explain_label: str | None = None  # evidence for this label instead of the predicted one


@dataclass(frozen=True)
class Chunk:
    """A chunk's answer: `count` output JSON lines in input order, as UTF-8 bytes each ending
    in a newline, and the input lines rejected, by number."""

    data: bytes
    count: int
    rejected: list[Rejected]

    @classmethod
    def of(cls, lines: list[str], rejected: list[Rejected]) -> Chunk:
        data = "".join(f"{line}\n" for line in lines).encode("utf-8")
        return cls(data, len(lines), rejected)

    @property
    def lines(self) -> list[str]:
        """The output lines as text (a JSON line holds no raw newline)."""
        return self.data.decode("utf-8").split("\n")[:-1]


def cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_chunk(block: bytes, first: int, classifier: Any, options: Options) -> Chunk:
    """Parse, label (and lead) a block of JSONL lines numbered from `first`, in this process."""
    records, rejected = [], []
    lines = decode_lines(block)
    for _, item in read_records(lines, source=options.source, start=first):
        if isinstance(item, Rejected):
            rejected.append(item)
        else:
            records.append(item)
    results = process_records(
        records,
        classifier,
        batch_size=options.batch_size,
        labels=options.labels,
        summarise=options.summarise,
        max_sentences=options.max_sentences,
        max_chars=options.max_chars,
        explain=options.explain,
        keywords=options.keywords,
        explain_label=options.explain_label,
    )
    return Chunk.of([json.dumps(r, ensure_ascii=False) for r in results], rejected)


def _chunks(lines: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """Blocks of up to CHUNK_LINES raw lines, each with the number of its first line.

    An empty item means the source has nothing more for now (`jsonl.live_lines` on a pipe):
    the lines so far make a block at once, so a trickle of records is answered as it comes.
    """
    first, batch = 1, []
    for line in lines:
        if line:
            batch.append(line)
            if len(batch) < CHUNK_LINES:
                continue
        elif not batch:
            continue
        block = b"".join(batch)
        yield block, first
        # Binary lines end at "\n" only; a "\r" may end more (rare: count those blocks).
        first += count_lines(block) if b"\r" in block else len(batch)
        batch = []
    if batch:
        yield b"".join(batch), first


def process_lines(
    lines: Iterable[bytes],
    classifier: Any,
    options: Options = Options(),
    *,
    processes: int | None = None,
) -> Iterator[Chunk]:
    """Chunks of answers for raw input lines (a binary file, or lines of bytes ending in a
    newline), in input order; workers once the input is large.

    `processes` defaults to the CPUs available; 1 keeps everything in this process.
    """
    processes = cores() if processes is None else max(1, processes)
    chunks = _chunks(lines)
    head = [] if processes == 1 else list(islice(chunks, PARALLEL_AFTER // CHUNK_LINES + 1))
    if processes == 1 or len(head) * CHUNK_LINES <= PARALLEL_AFTER:
        for batch, first in chain(head, chunks):  # a stream is answered as it arrives
            yield run_chunk(batch, first, classifier, options)
        return
    yield from _pooled(chain(head, chunks), classifier, options, processes)


# --- the pool -------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def worker_signals(parent: int | None = None) -> None:
    """In a worker process: Ctrl-C is the parent's to handle (it stops the workers, without a
    traceback from each of them), and SIGTERM, how a parent stops a worker, ends it at once.
    A worker dies with its parent (pid `parent`), however the parent dies (SIGKILL included)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int | None = None) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (PR_SET_PDEATHSIG).

    Without it, a SIGKILLed `newsdesk batch` left its workers running as orphans: they went on
    publishing shards, then hung for good holding the caller's stdout. Elsewhere than Linux
    this does nothing (the workers notice a broken pipe to the parent, later).
    """
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid() if parent is None else parent
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _init(classifier: Any, path: str | None, options: Options, parent: int) -> None:
    worker_signals(parent)
    reuse_freed_memory()  # a worker lives for one run: keeping its memory costs nothing
    if classifier is None and path is not None:  # spawned: load the verified model here
        from .classifier import Classifier

        classifier = Classifier.load(path)
    _WORKER["classifier"], _WORKER["options"] = classifier, options


def _work(task: tuple[bytes, int]) -> Chunk:
    return run_chunk(task[0], task[1], _WORKER["classifier"], _WORKER["options"])


def _pooled(
    chunks: Iterable[tuple[bytes, int]], classifier: Any, options: Options, processes: int
) -> Iterator[Chunk]:
    import multiprocessing as mp

    # fork shares the loaded model and segmenter for free, but forking a process that runs
    # other threads can copy a held lock; then workers start fresh and load the model.
    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        from . import pages  # noqa: F401  (records are parsed with it; import once, here)

        if classifier is not None:
            # Build the model's tables (and a word block's segmenter) once, here: every worker
            # inherits them instead of building its own.
            classifier.predict([("预热", "预热。")])
        ctx, initargs = mp.get_context("fork"), (classifier, None, options, os.getpid())
    else:
        path = str(classifier.path) if classifier is not None else None
        ctx, initargs = mp.get_context("spawn"), (None, path, options, os.getpid())
    # Objects alive now are shared with forked workers; frozen, the workers' garbage collector
    # never writes to them, so their pages stay shared instead of being copied.
    gc.freeze()
    pool = ctx.Pool(processes, initializer=_init, initargs=initargs)
    gc.unfreeze()
    workers = list(pool._pool)  # noqa: SLF001  (the processes this run started with)

    died = False

    def answer(result) -> Chunk:
        # A pool replaces a worker that died (killed, out of memory) but never runs its chunk
        # again: wait in slices and give up, loudly, once a worker has died.
        nonlocal died
        while True:
            try:
                return result.get(timeout=0.5)
            except mp.TimeoutError:
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead:
                    died = True
                    raise WorkerLost(
                        f"a worker process died (exit {dead[0].exitcode}: killed, or out of "
                        "memory?); the run stopped, an output file is left as it was; run again"
                    ) from None

    try:
        # A bounded window of chunks in flight: memory stays flat however long the input.
        window: deque = deque()
        for task in chunks:
            window.append(pool.apply_async(_work, (task,)))
            if len(window) >= 2 * processes + 2:
                yield answer(window.popleft())
        while window:
            yield answer(window.popleft())
        pool.close()
    finally:
        if died:
            _abandon(pool)
        else:
            pool.terminate()
            pool.join()


def _abandon(pool: Any) -> None:
    """Stop a pool one of whose workers was killed, without `terminate`.

    A worker killed while writing its answer dies holding the result queue's lock, and
    `Pool.terminate` puts a sentinel on that queue: it would wait for the lock forever (seen
    about one run in seven). Kill the workers ourselves and drop the pool's finaliser, so
    neither this call nor interpreter exit goes near the queues; its helper threads are
    daemons, left blocked until the process ends.
    """
    from multiprocessing.pool import TERMINATE

    pool._worker_handler._state = TERMINATE  # noqa: SLF001  (no more replacement workers)
    for process in list(pool._pool):  # noqa: SLF001  (the pool has no public handle on them)
        process.kill()
    for process in list(pool._pool):  # noqa: SLF001
        process.join(timeout=5)
    pool._terminate.cancel()  # noqa: SLF001  (the Finalize that would call _terminate_pool)
