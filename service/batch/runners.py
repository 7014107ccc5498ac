"""Where shards run: this process, local worker processes, or a Dask cluster."""

from __future__ import annotations

import json
import queue as queue_module  # (`queue` below is the shards left to submit)
import select
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from service.errors import ClusterUnavailable, ShardError
from service.pool import (
    LOST,
    BrokenProcessPool,
    WorkerPool,
    cached_classifier,
    can_fork,
    worker_pipe,
)

from .progress import Tracker
from .shards import ShardJob, ShardResult, process_shard

__all__ = ["CONNECT_TIMEOUT", "run_dask", "run_local"]

CONNECT_TIMEOUT = "10s"  # how long to wait for a Dask scheduler before giving up
HEARTBEAT_S = 1.0  # a Dask job wakes this often to redraw its progress line
_LOST = f"{LOST} before this shard was done; run again to do it"
_KILLED = "every Dask worker that ran this shard died (out of memory? see the workers' logs)"
_REPORTS = None  # in a local worker: the pipe its shards' progress goes to the parent by
_REPORT_MAX = select.PIPE_BUF - 4  # (a Connection's message: a 4-byte length, then the bytes)


def _reporting_to(conn) -> None:
    global _REPORTS
    _REPORTS = conn


def _reported_shard(job: ShardJob) -> ShardResult:
    """process_shard in a local worker, each chunk's count sent to the parent as it is done."""
    return _local_shard(job, lambda n, f: _report(job.name, n, f))


def _local_shard(job: ShardJob, progress: Callable) -> ShardResult:
    """process_shard on the client's machine, where an input not found was there when the job
    listed it: removed or renamed since (gzipped in place), its shard fails alone, as a damaged
    one does. (It stopped the job, saying to share the path with the workers.)"""
    try:
        return process_shard(job, progress=progress)
    except ShardError as e:
        if e.field != "inputs":
            raise
        return _gone(job)


def _gone(job: ShardJob) -> ShardResult:
    return ShardResult.failure(
        job.name, f"{job.source} is gone since the job started (removed or renamed?)"
    )


def _report(name: str, n: int, fraction: float) -> None:
    # Every worker writes to one pipe without a lock: a message of at most PIPE_BUF bytes goes
    # in one write, which is atomic, so a worker killed mid-report leaves no half message and
    # no lock held for the others to wait on for ever (a multiprocessing queue's lock would).
    line = json.dumps([name, n, fraction]).encode()
    if len(line) <= _REPORT_MAX:  # (a longer shard name: its count comes at its end)
        _REPORTS.send_bytes(line)


def run_local(jobs: list[ShardJob], workers: int, on_done: Callable, progress: Tracker) -> None:
    if workers == 1:
        for job in jobs:
            result = _local_shard(job, lambda n, f, name=job.name: progress.records(name, n, f))
            on_done(job, result, streamed=True)
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    fork = can_fork()
    if fork:
        # Load here and fork: workers inherit the model (copy-on-write) instead of each paying
        # ~2 s of imports and unpickling, which on a small job costs more than a core gains.
        cached_classifier(jobs[0].model, jobs[0].model_key)
    # Workers send each chunk's count as they go, not only a shard's at its end: a job of a few
    # big shards showed nothing (no line, no ETA) until the first shard was whole.
    reports, sender = worker_pipe(fork)
    # Leaving the block on Ctrl-C or SIGTERM stops the workers now rather than after the
    # running shards; what they leave half-written is removed by run_batch.
    with (
        reports,
        sender,
        WorkerPool(workers, fork=fork, initializer=_reporting_to, initargs=(sender,)) as pool,
    ):
        pending = {pool.submit(_reported_shard, job): job for job in jobs}
        try:
            while pending:
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                while reports.poll():  # (a shard's reports are written before its result)
                    progress.records(*json.loads(reports.recv_bytes()))
                if not done:
                    pool.check()  # a worker killed mid-answer: the executor may not notice
                for future in done:
                    result = future.result()  # BrokenProcessPool: this shard stays pending
                    on_done(pending.pop(future), result, streamed=True)
        except BrokenProcessPool:
            # A worker died (killed, out of memory) and the pool with it: the shards not done
            # fail, the finished ones stand, and a rerun does only the rest.
            for lost in pending.values():
                on_done(lost, ShardResult.failure(lost.name, _LOST), streamed=False)


def run_dask(
    jobs: list[ShardJob], scheduler: str, gather: bool, on_done: Callable, progress: Tracker
) -> None:
    from distributed import Client
    from distributed.scheduler import KilledWorker

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
        finished: queue_module.SimpleQueue = queue_module.SimpleQueue()  # futures, as they end
        running: dict[str, ShardJob] = {}

        def submit() -> None:
            """The next shard in the queue sent to the cluster (one whose input is gone
            failed alone instead, and the next one sent)."""
            while queue:
                job = queue.pop()
                key = f"newsdesk-shard-{token}-{job.name}"
                # pure=False: a rerun must run again; the scheduler reruns a task whose worker
                # died.
                if gather:
                    try:
                        raw = Path(job.source).read_bytes()
                    except FileNotFoundError:
                        on_done(job, _gone(job), streamed=False)
                        continue
                    # scattered, not inlined: a shard's bytes do not belong in the task graph
                    data = client.scatter(raw, hash=False)
                    future = client.submit(_gathered, job, data, key=key, pure=False)
                else:
                    future = client.submit(process_shard, job, key=key, pure=False)
                running[key] = job
                future.add_done_callback(finished.put)
                return

        for _ in range(min(window, len(queue))):
            submit()
        while running:
            try:
                future = finished.get(timeout=HEARTBEAT_S)
            except queue_module.Empty:
                # Dask's shards report nothing until whole: the line still moves each second
                # (elapsed), and a cluster with no worker shows as a job at 0, not as silence.
                progress.show()
                continue
            _collect(future, running.pop(future.key), on_done, KilledWorker)
            if queue:
                submit()


def _collect(future, job: ShardJob, on_done: Callable, killed: type) -> None:
    """A finished Dask shard's result (or a failure, if its workers died) handed to `on_done`."""
    try:
        result = future.result()
    except killed as e:
        # Past the scheduler's allowed-failures (3) it gives the shard up: fail it alone, as a
        # dead local worker's shards fail, not the job with a traceback.
        result = ShardResult.failure(
            job.name, f"{_KILLED}; run again to retry it (the scheduler said: {e})"
        )
    except ShardError as e:  # not found on a worker: off a shared path, or gone from the client's
        if e.field != "inputs" or Path(job.source).exists():
            raise
        result = _gone(job)
    future.release()
    on_done(job, result, streamed=False)


def _gathered(job: ShardJob, data: bytes) -> ShardResult:
    """A --gather task: the shard's bytes arrive scattered; the output goes back to the client."""
    return process_shard(replace(job, data=data, out_dir=None))
