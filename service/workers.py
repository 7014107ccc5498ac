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
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from .errors import WorkerLost
from .html_text import escaped_han
from .jsonl import Rejected, count_lines, decode_lines, read_records
from .malloc import reuse_freed_memory
from .pipeline import labelled_lines
from .pool import LOST, BrokenProcessPool, WorkerPool, cached_classifier, can_fork, worker_signals

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
# A block also closes at this many bytes of input: 48 records of 900,000 characters, one block,
# held ~780 MB in the process (the lines, their records and their answers at once), and 256
# such records ~4 GB in each worker. Real articles fill 256 lines far below it.
CHUNK_BYTES = 1 << 24
# Below this many lines a pool costs more (fork, pickling) than a second core saves.
PARALLEL_AFTER = 2048
# A worker's youngest-generation collection threshold (CPython's default: 700). Over 5,000
# records with evidence and keywords (records, readings, word lists made and dropped per
# chunk) the default ran the collector ~200 times and the middle generation 18 times: ~70 ms,
# 2.5% of the CPU, finding no cycles the chunks need freed; at 10,000 it runs twice (i119).
WORKER_GC_THRESHOLD = 10_000


@dataclass(frozen=True)
class Options:
    """What every chunk is asked for: the fields to add and the lead limits."""

    source: str = "-"
    labels: bool = True
    summarise: bool = False
    max_sentences: int = 0
    max_chars: int = 0
    batch_size: int = CHUNK_LINES  # records per model call: at most a chunk
    explain: int = 0  # evidence terms per record (0 = none)
    keywords: int = 0  # keywords per record (0 = none)
    explain_label: str | None = None  # evidence for this label instead of the predicted one

    def asked(self) -> dict[str, Any]:
        """`pipeline.labelled_lines`' options: every field but `source`, under its own name."""
        return {name: value for name, value in vars(self).items() if name != "source"}


@dataclass(frozen=True)
class Chunk:
    """A chunk's answer: `count` output JSON lines in input order, as UTF-8 bytes each ending
    in a newline, and the input lines rejected, by number."""

    data: bytes
    count: int
    rejected: list[Rejected]
    relabelled: int = 0  # records that came with a `label` of their own, replaced by the model's
    ids: tuple[tuple[int, str], ...] = ()  # (line, id as a string) of the records with an id
    no_fit: int = 0  # empty leads: no whole sentence fits the limit (`summariser.no_fit`)
    escaped: int = 0  # records writing Chinese as `&#22269;` (`html_text.escaped_han`)

    @classmethod
    def of(
        cls, lines: list[str], rejected: list[Rejected], relabelled: int = 0, ids=(), no_fit=0,
        escaped=0,
    ) -> Chunk:  # fmt: skip
        data = "".join(f"{line}\n" for line in lines).encode("utf-8")
        return cls(data, len(lines), rejected, relabelled, tuple(ids), no_fit, escaped)

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
    records, rejected, ids = [], [], []
    lines = decode_lines(block)
    for number, item in read_records(lines, source=options.source, start=first):
        if isinstance(item, Rejected):
            rejected.append(item)
        else:
            records.append(item)
            if item.data.get("id") is not None:  # a string or an integer: the reader checked
                ids.append((number, str(item.data["id"])))
    results = list(labelled_lines(records, classifier, **options.asked()))
    relabelled = sum(1 for r in records if "label" in r.data) if options.labels else 0
    unfit = sum(1 for _, _, empty in results if empty)
    escaped = sum(map(escaped_record, records))
    return Chunk.of([line for _, line, _ in results], rejected, relabelled, ids, unfit, escaped)


def escaped_record(record: Any) -> bool:
    """Whether a record's title, kicker, subtitle or text writes Chinese as `&#22269;`."""
    fields = (record.data.get(k) for k in ("title", "kicker", "subtitle", "text"))
    return any(isinstance(v, str) and escaped_han(v) for v in fields)


def _chunks(lines: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """Blocks of up to CHUNK_LINES raw lines or CHUNK_BYTES bytes (a longer line alone), each
    with the number of its first line.

    An empty item means the source has nothing more for now (`jsonl.live_lines` on a pipe):
    the lines so far make a block at once, so a trickle of records is answered as it comes.
    """
    first, batch, size = 1, [], 0
    for line in lines:
        if line:
            batch.append(line)
            size += len(line)
            if len(batch) < CHUNK_LINES and size < CHUNK_BYTES:
                continue
        elif not batch:
            continue
        block = b"".join(batch)
        yield block, first
        # Binary lines end at "\n" only; a "\r" may end more (rare: count those blocks).
        first += count_lines(block) if b"\r" in block else len(batch)
        batch, size = [], 0
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


# --- the pool (service.pool starts it, keeps the model, notices a dead worker) ---------------

_OPTIONS: dict[str, Options] = {}


def collect_less() -> None:
    """Raise this process's youngest-generation threshold to WORKER_GC_THRESHOLD (older ones
    as they were): for a pool worker, which lives for one run."""
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def _init(classifier: Any, path: str | None, options: Options) -> None:
    reuse_freed_memory()  # a worker lives for one run: keeping its memory costs nothing
    collect_less()
    if path is not None:  # forked: the parent's model is kept; spawned: loaded and checked here
        cached_classifier(path, loaded=classifier)
    _OPTIONS["options"] = options


def _work(task: tuple[bytes, int], path: str | None) -> Chunk:
    classifier = cached_classifier(path) if path is not None else None
    return run_chunk(task[0], task[1], classifier, _OPTIONS["options"])


def _pooled(
    chunks: Iterable[tuple[bytes, int]], classifier: Any, options: Options, processes: int
) -> Iterator[Chunk]:
    fork = can_fork()
    path = None  # the model's cache key in the workers: its folder, or this object if none
    if classifier is not None:
        where = getattr(classifier, "path", None)
        path = str(where) if where is not None else f"<in memory {id(classifier):x}>"
    if fork:
        from . import text  # noqa: F401  (records are cleaned with it; import once, here)

        if classifier is not None:
            # Build the model's tables (and a word block's segmenter) once, here: every worker
            # inherits them instead of building its own.
            classifier.predict([("预热", "预热。")])
            if options.explain or options.keywords:  # and the segmenter evidence reads with
                from .pipeline import analyse_articles
                from .text import single_article

                analyse_articles([single_article("预热", "预热。")], ["预热。"], classifier,
                                 summarise=False, explain=1, keywords=1)  # fmt: skip
    inherited = classifier if fork else None
    with WorkerPool(processes, fork=fork, initializer=_init,
                    initargs=(inherited, path, options)) as pool:  # fmt: skip
        # A bounded window of chunks in flight: memory stays flat however long the input.
        window: deque = deque()
        try:
            for task in chunks:
                window.append(pool.submit(_work, task, path))
                if len(window) >= 2 * processes + 2:
                    yield pool.result(window.popleft())
            while window:
                yield pool.result(window.popleft())
        except BrokenProcessPool:
            raise WorkerLost(
                f"{LOST}; the run stopped, an output file is left as it was; run again"
            ) from None
