"""Batch JSONL jobs at archive scale: shards run in local processes or on a Dask cluster, resumably.

Every input shard becomes one task. A task reads its shard, labels (and leads) its records in
vectorised chunks, and publishes `<out>/<shard>.jsonl` by writing a temporary name and renaming
it, so a crash, a dead Dask worker or Ctrl-C never leaves a half-written shard: a rerun skips the
shards that completed and redoes the rest. Records are processed by one function,
`analyse_records`, wherever the task runs, so the output is byte-identical for 1 local process,
N local processes or a Dask cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import gzip
import hashlib
import io
import json
import os
import socket
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from service.errors import ClusterUnavailable, InvalidInput, ModelError, ShardError
from service.jsonl import Rejected, decompressed, read_records
from service.pipeline import Record, process_records

__all__ = [
    "run_batch",
    "add_batch_arguments",
    "batch_from_args",
    "expand_inputs",
    "shard_name",
    "process_shard",
    "ShardJob",
    "ShardResult",
    "CHUNK",
]

CONNECT_TIMEOUT = "10s"  # how long to wait for a Dask scheduler before giving up
CHUNK = 256  # records per predict call: vectorised, yet a shard never sits in memory whole
ERRORS = "_errors.jsonl"
SUMMARY = "_summary.json"
STATE = "_shards"  # one small JSON per completed shard: what resume and the summary read
_RESERVED = {Path(ERRORS).stem, Path(SUMMARY).stem, STATE}
_TMP = ".tmp-"  # marker in every temporary name, so leftovers can be found and removed
_SUFFIXES = (".jsonl", ".ndjson", ".json")
_FOLDER_SUFFIXES = (".jsonl", ".ndjson")  # what a folder given as input contributes
_LOST = (
    "a worker process died (killed, or out of memory?) before this shard was done; "
    "run again to do it"
)
# What a damaged compressed shard raises while it is read: that shard fails, the job goes on.
_UNREADABLE = (EOFError, zlib.error, gzip.BadGzipFile)


# ── inputs ──────────────────────────────────────────────────────────────────────────────────


def shard_name(path: str | Path) -> str:
    """The output name of an input shard: its file name without `.gz` and `.jsonl`."""
    name = Path(path).name
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def expand_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Resolve files, globs and folders (their *.jsonl[.gz]) to shard paths, in the order given."""
    if isinstance(inputs, str | Path):
        inputs = [inputs]
    paths: list[Path] = []
    for item in inputs:
        text = str(item)
        if Path(text).is_dir():
            found = sorted(
                p
                for p in Path(text).iterdir()
                if p.is_file()
                and not p.name.startswith(".")  # editors' swap and backup files
                and p.name.removesuffix(".gz").endswith(_FOLDER_SUFFIXES)
            )
            if not found:
                raise InvalidInput(
                    f"folder {text} holds no .jsonl or .ndjson files (gzipped or not); pass the "
                    "files or a glob",
                    field="inputs",
                )
        elif Path(text).is_file():  # before globbing: a real name may hold [ or *
            found = [Path(text)]
        elif glob.has_magic(text):
            found = [Path(p) for p in sorted(glob.glob(text)) if Path(p).is_file()]
            if not found:
                raise InvalidInput(f"no file matches {text}; check the pattern", field="inputs")
        else:
            raise InvalidInput(f"input {text} does not exist; check the path", field="inputs")
        paths.extend(found)
    if not paths:
        raise InvalidInput("no input given; pass JSONL files or globs", field="inputs")
    # One shard per file (a glob may overlap another), named as given: a symlink's own name.
    unique: dict[Path, Path] = {}
    for p in paths:
        unique.setdefault(p.resolve(), p.absolute())
    names: dict[str, Path] = {}
    for path in unique.values():
        name = shard_name(path)
        if name in _RESERVED or name.startswith("."):
            raise InvalidInput(
                f"input {path} would be written as {name}.jsonl, a name newsdesk reserves; "
                "rename the file",
                field="inputs",
            )
        if name in names:
            raise InvalidInput(
                f"inputs {names[name]} and {path} would both be written as {name}.jsonl; "
                "rename one or run them as separate jobs",
                field="inputs",
            )
        names[name] = path
    return list(unique.values())


def _open_shard(
    stack: contextlib.ExitStack, source: str | None, data: bytes | None
) -> tuple[io.BufferedIOBase, Callable[[], float]]:
    """The shard's decompressed bytes, and a function giving the fraction of input consumed."""
    if data is not None:
        raw: io.BufferedIOBase = io.BufferedReader(io.BytesIO(data))
        size = len(data)
    else:
        raw = stack.enter_context(open(source, "rb"))
        size = os.fstat(raw.fileno()).st_size

    def fraction() -> float:
        return raw.tell() / size if size else 1.0

    stream = decompressed(raw)  # gzip by content, as every command reads input
    if stream is not raw:
        stack.enter_context(stream)
    return stream, fraction


# ── models, once per process ────────────────────────────────────────────────────────────────


def model_key(path: str | Path) -> str:
    """sha256 of the model's manifest.json, which holds the artifact's sha256: names the model."""
    manifest = Path(path) / "manifest.json"
    try:
        return hashlib.sha256(manifest.read_bytes()).hexdigest()
    except OSError as e:
        raise ModelError(
            f"no model at {path} ({manifest} unreadable: {e.strerror}); "
            "train one with `make train` or pass --model",
            field="model",
        ) from e


_MODELS: dict[tuple[str, str], object] = {}
_MODELS_LOCK = threading.Lock()


def _classifier(path: str, key: str):
    """The classifier at `path`, loaded once per process (and per Dask worker) and kept."""
    with _MODELS_LOCK:  # Dask workers run tasks on threads: load once, not once per thread
        found = _MODELS.get((path, key))
        if found is None:
            here = model_key(path)
            if here != key:
                raise ModelError(
                    f"the model at {path} on {socket.gethostname()} is not the one the job was "
                    "started with; give every worker the same model folder",
                    field="model",
                )
            from service.classifier import Classifier

            found = Classifier.load(path)
            _MODELS.clear()  # one model per process: a long-lived worker does not pile them up
            _MODELS[(path, key)] = found
    return found


# ── one shard ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ShardJob:
    """Everything a worker needs to run one shard; small and picklable."""

    name: str
    source: str  # absolute path of the input, as the client sees it
    model: str
    model_key: str
    options: tuple[tuple[str, object], ...]  # summarise, max_sentences, max_chars, explain…
    out_dir: str | None = None  # None: return the output to the client (--gather)
    data: bytes | None = None  # --gather: the shard's bytes, read by the client


@dataclass(frozen=True)
class ShardResult:
    """Counts and rejected lines of one completed shard, plus its output when gathered."""

    name: str
    records_in: int
    records_out: int
    labels: dict[str, int]
    errors: tuple[tuple[int, str], ...]
    seconds: float
    output: bytes | None = field(default=None, repr=False)
    failed: str = ""  # why the shard could not be done; nothing of it was published

    @classmethod
    def failure(
        cls, name: str, why: str, *, records_in: int = 0, seconds: float = 0.0
    ) -> ShardResult:
        return cls(name, records_in, 0, {}, (), seconds, failed=why)


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{_TMP}{os.getpid()}-{uuid.uuid4().hex[:8]}")


def _publish(data_writer: Callable[[io.BufferedWriter], None], path: Path) -> None:
    """Write through a temporary name in the same folder, fsync, then rename over `path`."""
    tmp = _tmp_name(path)
    try:
        with open(tmp, "wb") as fh:
            data_writer(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # atomic on one filesystem: readers see all or nothing
    except OSError as e:
        if e.filename is not None:
            raise
        # A full disk says only "[Errno 28] No space left on device": say which file.
        raise OSError(e.errno, e.strerror, str(path)) from e
    finally:
        tmp.unlink(missing_ok=True)


def process_shard(
    job: ShardJob, progress: Callable[[int, float], None] | None = None
) -> ShardResult:
    """Run one shard: read, validate, analyse in chunks, publish atomically; the task unit."""
    started = time.perf_counter()
    options = dict(job.options)
    classifier = _classifier(job.model, job.model_key)
    stack = contextlib.ExitStack()
    try:
        raw, fraction = _open_shard(stack, job.source if job.data is None else None, job.data)
    except FileNotFoundError as e:
        raise ShardError(
            f"{job.source} not found on {socket.gethostname()}: workers read inputs from a "
            "path they share with the client; use a shared filesystem or --gather",
            field="inputs",
        ) from e
    labels: dict[str, int] = {}
    errors: list[tuple[int, str]] = []
    seen = {"in": 0, "out": 0}

    def records(lines: Iterator[str]) -> Iterator[Record]:
        # jsonl.read_records validates (through pipeline.parse_record): one place decides.
        for _, item in read_records(lines, source=job.name):
            seen["in"] += 1
            if isinstance(item, Rejected):
                errors.append((item.line, item.reason))
            else:
                yield item

    def write(out: io.BufferedWriter) -> None:
        # utf-8-sig drops a byte-order mark; bytes that are not UTF-8 get the line refused, as
        # in every other command (jsonl.decode_lines).
        # Universal newlines, as every other command reads lines (a lone \r ends one too).
        lines = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape")
        results = process_records(
            records(lines),
            classifier,
            batch_size=CHUNK,
            summarise=bool(options["summarise"]),
            max_sentences=int(options["max_sentences"]),
            max_chars=int(options["max_chars"]),
            explain=int(options.get("explain", 0)),
            keywords=int(options.get("keywords", 0)),
        )
        block: list[str] = []
        for result in results:
            labels[result["label"]] = labels.get(result["label"], 0) + 1
            block.append(json.dumps(result, ensure_ascii=False) + "\n")
            if len(block) >= CHUNK:
                out.write("".join(block).encode("utf-8"))
                seen["out"] += len(block)
                if progress is not None:
                    progress(len(block), fraction())
                block.clear()
        out.write("".join(block).encode("utf-8"))
        seen["out"] += len(block)
        if progress is not None and block:
            progress(len(block), fraction())

    with stack:
        try:
            if job.out_dir is None:
                buffer = io.BytesIO()
                write(buffer)
                output: bytes | None = buffer.getvalue()
            else:
                out_dir = Path(job.out_dir)
                out_dir.mkdir(parents=True, exist_ok=True)
                _publish(write, out_dir / f"{job.name}.jsonl")
                output = None
        except _UNREADABLE as e:  # this shard's data, not the job: the other shards go on
            return ShardResult.failure(
                job.name,
                f"unreadable after {seen['in']} records ({type(e).__name__}: {e}); "
                "is it a truncated or corrupt gzip file?",
                records_in=seen["in"],
                seconds=time.perf_counter() - started,
            )
        except OSError as e:  # a full disk, a lost mount: name the shard's input and output
            target = f"{job.out_dir}/{job.name}.jsonl" if job.out_dir else "(gathered)"
            return ShardResult.failure(
                job.name,
                f"{job.source} -> {target}: {e.strerror or e}"
                + (f" ({e.filename})" if e.filename else "")
                + f", after {seen['in']} records",
                records_in=seen["in"],
                seconds=time.perf_counter() - started,
            )
    return ShardResult(
        name=job.name,
        records_in=seen["in"],
        records_out=seen["out"],
        labels=labels,
        errors=tuple(errors),
        seconds=time.perf_counter() - started,
        output=output,
    )


# ── resume state ────────────────────────────────────────────────────────────────────────────


def _identity(job: ShardJob) -> dict:
    """What must match for a finished shard to count as done: same input, model and options."""
    stat = os.stat(job.source)
    return {
        "source": job.source,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "model_key": job.model_key,
        "options": dict(job.options),
    }


def _state_path(out_dir: Path, name: str) -> Path:
    return out_dir / STATE / f"{name}.json"


def _load_done(out_dir: Path, job: ShardJob) -> dict | None:
    """The saved state of a shard finished by an earlier run with the same inputs, or None."""
    try:
        state = json.loads(_state_path(out_dir, job.name).read_text(encoding="utf-8"))
        size = (out_dir / f"{job.name}.jsonl").stat().st_size
    except (OSError, ValueError):
        return None
    if state.get("identity") != _identity(job) or state.get("bytes") != size:
        return None
    return state


def _save_done(out_dir: Path, job: ShardJob, result: ShardResult) -> dict:
    size = (out_dir / f"{job.name}.jsonl").stat().st_size
    state = {
        "identity": _identity(job),
        "bytes": size,
        "records_in": result.records_in,
        "records_out": result.records_out,
        "labels": result.labels,
        "errors": [list(e) for e in result.errors],
        "seconds": round(result.seconds, 3),
    }
    path = _state_path(out_dir, job.name)
    path.parent.mkdir(exist_ok=True)
    data = json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8")
    _publish(lambda fh: fh.write(data), path)
    return state


def _clean_leftovers(out_dir: Path) -> int:
    """Remove temporary files an interrupted run left behind; they are never read."""
    removed = 0
    for folder in (out_dir, out_dir / STATE):
        if folder.is_dir():
            for path in folder.glob(f".*{_TMP}*"):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


# ── progress ────────────────────────────────────────────────────────────────────────────────


class _Progress:
    """Shards and articles done, articles/s and ETA on stderr, at most about once a second."""

    def __init__(self, shards: int, weights: dict[str, int], enabled: bool) -> None:
        self.enabled = enabled
        self.shards = shards
        self.weights = weights  # input bytes per shard: ETA follows bytes, not shard counts
        self.total = sum(weights.values()) or 1
        self.done_shards = 0
        self.done_bytes = 0.0
        self.partial: dict[str, float] = {}
        self.articles = 0
        self.started = time.perf_counter()
        self.shown = 0.0
        self.tty = enabled and sys.stderr.isatty()

    def records(self, name: str, n: int, fraction: float) -> None:
        self.articles += n
        self.partial[name] = fraction * self.weights.get(name, 0)
        self.show()

    def shard(self, name: str, articles: int, streamed: bool) -> None:
        self.done_shards += 1
        if not streamed:
            self.articles += articles
        self.partial.pop(name, None)
        self.done_bytes += self.weights.get(name, 0)
        self.show(force=self.done_shards == self.shards)

    def show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self.shown < 1.0:
            return
        self.shown = now
        elapsed = now - self.started
        rate = self.articles / elapsed if elapsed > 0 else 0.0
        fraction = (self.done_bytes + sum(self.partial.values())) / self.total
        if 0 < fraction < 1:
            eta = _clock(elapsed * (1 - fraction) / fraction)
        else:
            eta = "0:00:00" if fraction >= 1 else "--:--:--"
        line = (
            f"batch: shards {self.done_shards}/{self.shards}  articles {self.articles:,}  "
            f"{rate:,.0f} articles/s  ETA {eta}"
        )
        if self.tty:
            end = "\n" if force else ""
            sys.stderr.write(f"\r{line}\x1b[K{end}")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


# ── runners ─────────────────────────────────────────────────────────────────────────────────


def _run_local(jobs: list[ShardJob], workers: int, on_done: Callable, progress: _Progress) -> None:
    if workers == 1:
        for job in jobs:
            result = process_shard(
                job, progress=lambda n, f, name=job.name: progress.records(name, n, f)
            )
            on_done(job, result, streamed=True)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    from service.workers import worker_signals

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        # Load here and fork: workers inherit the model (copy-on-write) instead of each paying
        # ~2 s of imports and unpickling, which on a small job costs more than a core gains.
        _classifier(jobs[0].model, jobs[0].model_key)
        context = multiprocessing.get_context("fork")
    else:
        # Another thread may hold a lock that fork would copy locked: start clean processes.
        context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=worker_signals,
        initargs=(os.getpid(),),  # workers die with this process, however it dies
    )
    try:
        pending = {pool.submit(process_shard, job): job for job in jobs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    # A worker died (killed, out of memory) and the pool with it: the shards not
                    # done fail, the finished ones stand, and a rerun does only the rest.
                    for lost in [job, *pending.values()]:
                        on_done(lost, ShardResult.failure(lost.name, _LOST), streamed=False)
                    pending.clear()
                    break
                on_done(job, result, streamed=False)
    except BaseException:
        # Ctrl-C, SIGTERM: stop now rather than after the running shards; what their processes
        # leave half-written is removed by run_batch.
        processes = getattr(pool, "_processes", None) or {}  # no public way before 3.14
        for process in list(processes.values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_dask(
    jobs: list[ShardJob], scheduler: str, gather: bool, on_done: Callable, progress: _Progress
) -> None:
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise ClusterUnavailable(
            f"no Dask scheduler answers at {scheduler} within {CONNECT_TIMEOUT} ({e}); "
            "check the address (tcp://HOST:PORT) and that `dask scheduler` runs there",
            field="scheduler",
        ) from e
    with client:
        threads = sum(client.nthreads().values()) or 1
        window = 2 * threads  # bounded: with --gather each task carries its shard's bytes
        token = uuid.uuid4().hex[:8]
        queue = list(reversed(jobs))
        futures = as_completed(loop=client.loop)  # not the default client: we set none
        running: dict[str, ShardJob] = {}

        def submit() -> None:
            job = queue.pop()
            key = f"newsdesk-shard-{token}-{job.name}"
            # pure=False: a rerun must run again; the scheduler reruns a task whose worker died.
            if gather:
                # scattered, not inlined: a shard's bytes do not belong in the task graph
                data = client.scatter(Path(job.source).read_bytes(), hash=False)
                future = client.submit(_gathered, job, data, key=key, pure=False)
            else:
                future = client.submit(process_shard, job, key=key, pure=False)
            futures.add(future)
            running[key] = job

        for _ in range(min(window, len(queue))):
            submit()
        for future in futures:
            job = running.pop(future.key)
            result = future.result()
            future.release()
            on_done(job, result, streamed=False)
            if queue:
                submit()


def _gathered(job: ShardJob, data: bytes) -> ShardResult:
    """A --gather task: the shard's bytes arrive scattered; the output goes back to the client."""
    return process_shard(replace(job, data=data, out_dir=None))


def run_batch(
    inputs: Sequence[str | Path] | str | Path,
    out_dir: str | Path,
    *,
    model: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    gather: bool = False,
    summary: bool = True,
    force: bool = False,
    max_sentences: int = 0,
    max_chars: int = 0,
    explain: int = 0,
    keywords: int = 0,
    progress: bool = True,
) -> dict:
    """Label (and lead) every record of every shard into `out_dir`; returns the run's summary.

    `model` defaults to `service.classifier.DEFAULT_MODEL`. `workers` local processes (default:
    all cores) or the Dask cluster at `scheduler` run the shards; shards completed by an earlier
    run with the same inputs, model and options are skipped unless `force`.
    """
    started = time.perf_counter()
    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise InvalidInput(f"workers must be 1 or more (got {workers})", field="workers", limit=1)
    if scheduler is not None and workers is not None:
        raise InvalidInput(
            "--workers sets local processes; with --scheduler the cluster's workers run the job",
            field="workers",
        )
    if gather and scheduler is None:
        raise InvalidInput("--gather only applies with --scheduler", field="gather")
    from service.summariser import check_lead_options

    check_lead_options(max_sentences, max_chars)  # here, before any shard is written
    from service.pipeline import check_terms

    check_terms("explain", explain)
    check_terms("keywords", keywords)
    if model is None:
        from service.classifier import DEFAULT_MODEL

        model = DEFAULT_MODEL
    paths = expand_inputs(inputs)
    out = Path(out_dir).resolve()
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {out_dir} is a file: name a folder", field="out_dir")
    inside = [p for p in paths if out in (p.absolute().parent.resolve(), p.resolve().parent)]
    if inside:
        raise InvalidInput(
            f"--out {out_dir} holds the input {inside[0]}: outputs would overwrite or mix with "
            "the inputs; name another folder",
            field="out_dir",
        )
    model_path = str(Path(model).resolve())
    key = model_key(model_path)
    out.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(out)
    # The summary describes the last run: the previous one's goes now, and a run that fails
    # below writes one that says so.
    (out / SUMMARY).unlink(missing_ok=True)
    try:
        return _run_jobs(paths, out, model_path, key, started, scheduler, workers, gather,
                         summary, force, max_sentences, max_chars, progress,
                         explain=explain, keywords=keywords)  # fmt: skip
    except BaseException as exc:
        failed = {"out_dir": str(out), "model": model_path, "failed": f"{type(exc).__name__}: "
                  f"{getattr(exc, 'message', None) or exc}"}  # fmt: skip
        with contextlib.suppress(OSError):
            text = json.dumps(failed, ensure_ascii=False, indent=2) + "\n"
            _publish(lambda fh: fh.write(text.encode("utf-8")), out / SUMMARY)
        raise


def _run_jobs(paths, out, model_path, key, started, scheduler, workers, gather, summary, force,
              max_sentences, max_chars, progress, *, explain=0, keywords=0) -> dict:  # fmt: skip
    """run_batch once its arguments are checked: the shards, the errors file, the summary."""

    options = (
        ("summarise", bool(summary)),
        ("max_sentences", int(max_sentences)),
        ("max_chars", int(max_chars)),
    )
    # Only when asked for: shards finished by a run without them still count as done.
    options += tuple((k, v) for k, v in (("explain", explain), ("keywords", keywords)) if v)
    jobs = [
        ShardJob(shard_name(p), str(p), model_path, key, options, out_dir=str(out)) for p in paths
    ]
    states: dict[str, dict] = {}
    todo: list[ShardJob] = []
    for job in jobs:
        state = None if force else _load_done(out, job)
        if state is None:
            todo.append(job)
        else:
            states[job.name] = state
    if force:
        for job in jobs:  # a forced run must not leave an old shard looking complete
            _state_path(out, job.name).unlink(missing_ok=True)

    n_workers = 1
    if scheduler is None:
        n_workers = min(int(workers or os.cpu_count() or 1), max(len(todo), 1))
    weights = {job.name: os.stat(job.source).st_size for job in todo}
    tracker = _Progress(len(todo), weights, enabled=progress and bool(todo))
    processed = {"records": 0}

    failed: dict[str, str] = {}

    def on_done(job: ShardJob, result: ShardResult, streamed: bool) -> None:
        if result.failed:
            # Nothing of this input may stand as done: an output from an older run goes too.
            failed[job.name] = result.failed
            (out / f"{job.name}.jsonl").unlink(missing_ok=True)
            _state_path(out, job.name).unlink(missing_ok=True)
            tracker.shard(job.name, 0, streamed)
            return
        if result.output is not None:  # gathered: the client publishes it
            _publish(lambda fh: fh.write(result.output), out / f"{job.name}.jsonl")
        elif not (out / f"{job.name}.jsonl").exists():
            raise ShardError(
                f"a worker wrote {job.name}.jsonl where this client cannot see it; "
                f"make {out} a shared path for every worker or use --gather",
                field="out_dir",
            )
        states[job.name] = _save_done(out, job, result)
        processed["records"] += result.records_out
        tracker.shard(job.name, result.records_out, streamed)

    if todo:
        try:
            if scheduler is None:
                _run_local(todo, n_workers, on_done, tracker)
            else:
                _run_dask(todo, scheduler, gather, on_done, tracker)
        finally:
            _clean_leftovers(out)  # a worker killed mid-shard cannot remove its own temp file

    finished = [job for job in jobs if job.name in states]
    # The same row as `classify --errors` writes: which input, which line, why.
    errors = [
        Rejected(line, reason, job.source).as_dict()
        for job in finished
        for line, reason in states[job.name]["errors"]
    ]
    data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors).encode("utf-8")
    _publish(lambda fh: fh.write(data), out / ERRORS)

    labels: dict[str, int] = {}
    for job in finished:
        for label, n in states[job.name]["labels"].items():
            labels[label] = labels.get(label, 0) + n
    wall = time.perf_counter() - started
    result = {
        "out_dir": str(out),
        "model": model_path,
        "runner": scheduler or f"local:{n_workers}",
        "shards": len(jobs),
        "shards_run": len(todo),
        "shards_skipped": len(jobs) - len(todo),
        "shards_failed": [{"shard": name, "reason": why} for name, why in sorted(failed.items())],
        "records_in": sum(states[j.name]["records_in"] for j in finished),
        "records_out": sum(states[j.name]["records_out"] for j in finished),
        "rejected": len(errors),
        "labels": dict(sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))),
        "processed": processed["records"],
        "wall_s": round(wall, 3),
        "articles_per_s": round(processed["records"] / wall, 1) if wall > 0 else 0.0,
        "summary": bool(summary),
    }
    # Shard outputs no input of this job accounts for (an input since removed or renamed):
    # named, not deleted, since a reader globbing DIR/*.jsonl would take them for current.
    names = {f"{job.name}.jsonl" for job in jobs}
    result["stale_outputs"] = sorted(
        p.name for p in out.glob("*.jsonl") if p.name not in names and not p.name.startswith("_")
    )
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    _publish(lambda fh: fh.write(text.encode("utf-8")), out / SUMMARY)
    return result


# ── command line ────────────────────────────────────────────────────────────────────────────


def add_batch_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Register `newsdesk batch` options on a (sub)parser; cli.py owns the parser itself."""
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="JSONL files (.gz accepted), globs or folders; one record per line: id, title, text",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "--model", default=None, metavar="PATH", help="model folder (default: models/desk)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local worker processes (default: all cores)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="run on this Dask cluster instead of local processes",
    )
    parser.add_argument(
        "--gather",
        action="store_true",
        help="with --scheduler: ship shards to workers and results back (no shared filesystem)",
    )
    parser.add_argument("--no-summary", action="store_true", help="label only, skip leads")
    parser.add_argument("--force", action="store_true", help="redo shards already complete")
    parser.add_argument(
        "--max-sentences", type=int, default=0, metavar="N", help="lead length (0 = default)"
    )
    parser.add_argument(
        "--max-chars", type=int, default=0, metavar="N", help="lead length (0 = default)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def batch_from_args(args: argparse.Namespace) -> dict:
    """Run `newsdesk batch` from parsed arguments and return the job summary (cli prints it)."""
    return run_batch(
        args.inputs,
        args.out,
        model=args.model or os.environ.get("NEWSDESK_MODEL") or None,
        workers=args.workers,
        scheduler=args.scheduler,
        gather=args.gather,
        summary=not args.no_summary,
        force=args.force,
        max_sentences=args.max_sentences,
        max_chars=args.max_chars,
        explain=getattr(args, "explain", 0),
        keywords=getattr(args, "keywords", 0),
        progress=not args.quiet,
    )
