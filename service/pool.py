"""One worker-pool helper for `classify`/`summarise` workers and `batch` shards.

Both start processes the same way (fork when it is safe, so workers inherit the loaded model;
spawn otherwise), make them die with their parent, keep one model per process, and treat a
worker that died (killed, out of memory) the same way: the pool is broken, the work it held
is lost, the run says so (`WorkerLost`) instead of hanging.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from .errors import ModelError

__all__ = [
    "BrokenProcessPool",
    "WorkerPool",
    "cached_classifier",
    "die_with_parent",
    "model_key",
    "worker_pipe",
    "worker_signals",
]

LOST = "a worker process died (killed, or out of memory?)"


# ── models, once per process ────────────────────────────────────────────────────────────────


def model_key(path: str | Path) -> str:
    """sha256 of the model's manifest.json, which holds the artifact's sha256: names the model."""
    from .classifier import manifest_path

    manifest = manifest_path(Path(path))  # no folder, or not a model: said as every load says
    try:
        return hashlib.sha256(manifest.read_bytes()).hexdigest()
    except OSError as e:
        raise ModelError(f"cannot read {manifest}: {e.strerror}", field="model") from e


_MODELS: dict[str, tuple[str, Any]] = {}  # path -> (key, classifier); one entry at most
_MODELS_LOCK = threading.Lock()


def cached_classifier(path: str | Path, key: str | None = None, *, loaded: Any = None) -> Any:
    """The classifier at `path`, loaded once per process (and per Dask worker) and kept.

    `key`: the `model_key` the job started with; a different model at `path` here is refused.
    `loaded`: a classifier already in memory (inherited by a forked worker), kept as it is.
    """
    path = str(path)
    with _MODELS_LOCK:  # Dask workers run tasks on threads: load once, not once per thread
        found = _MODELS.get(path)
        if found is not None and (key is None or found[0] in (key, "")):
            return found[1]
        if loaded is None:
            if key is not None and model_key(path) != key:
                raise ModelError(
                    f"the model at {path} on {socket.gethostname()} is not the one the job was "
                    "started with; give every worker the same model folder",
                    field="model",
                )
            from .classifier import Classifier

            loaded = Classifier.load(path)
        _MODELS.clear()  # one model per process: a long-lived worker does not pile them up
        _MODELS[path] = (key or "", loaded)
    return loaded


# ── processes ───────────────────────────────────────────────────────────────────────────────


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


def can_fork() -> bool:
    """Fork shares the loaded model for free, but forking a process that runs other threads
    can copy a held lock: then workers start fresh (spawn) and load the model themselves."""
    import multiprocessing as mp

    return threading.active_count() == 1 and "fork" in mp.get_all_start_methods()


def _start(initializer: Callable | None, initargs: tuple, parent: int) -> None:
    worker_signals(parent)
    if initializer is not None:
        initializer(*initargs)


def worker_pipe(fork: bool):
    """A one-way pipe, (reader, sender), made in the context WorkerPool(fork=fork) starts its
    workers in, so the sender can go to them as an initializer's argument."""
    import multiprocessing as mp

    return mp.get_context("fork" if fork else "spawn").Pipe(duplex=False)


class WorkerPool:
    """Worker processes that die with this one; `submit` gives futures in the order asked.

    `fork`: start them by forking (the caller checked `can_fork` and loaded what they should
    inherit) or by spawning. A worker that dies breaks the pool: each pending future raises
    `BrokenProcessPool`. Leaving the `with` block on an error (Ctrl-C, SIGTERM, a dead worker)
    kills the workers at once rather than waiting for what they run.
    """

    def __init__(
        self,
        processes: int,
        *,
        fork: bool,
        initializer: Callable | None = None,
        initargs: tuple = (),
    ) -> None:
        import multiprocessing as mp

        self._executor = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=mp.get_context("fork" if fork else "spawn"),
            initializer=_start,
            initargs=(initializer, initargs, os.getpid()),
        )
        self._fork = fork
        self._started = False

    def submit(self, fn: Callable, /, *args: Any) -> Future:
        if self._started or not self._fork:
            return self._executor.submit(fn, *args)
        # A forking pool starts every worker on the first submit. Objects alive now are shared
        # with them; frozen, the workers' garbage collector never writes to them, so their
        # pages stay shared instead of being copied.
        self._started = True
        gc.freeze()
        try:
            return self._executor.submit(fn, *args)
        finally:
            gc.unfreeze()

    def dead(self) -> bool:
        """Whether a worker has died (killed, out of memory) since the pool started."""
        processes = getattr(self._executor, "_processes", None) or {}  # no public way < 3.14
        return any(p.exitcode not in (None, 0) for p in list(processes.values()))

    def result(self, future: Future) -> Any:
        """`future`'s result, or BrokenProcessPool once a worker has died: a worker killed while
        writing its answer leaves the executor waiting for the rest of it, so we look too."""
        while True:
            try:
                return future.result(timeout=0.5)
            except TimeoutError:
                self.check()

    def check(self) -> None:
        """Raise BrokenProcessPool (after stopping the others) if a worker has died."""
        if self.dead():
            self.kill()
            raise BrokenProcessPool(LOST)

    def kill(self) -> None:
        """Stop every worker now; nothing they were doing is waited for."""
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        for process in processes:
            process.kill()
        for process in processes:
            process.join(timeout=5)
        # A worker killed while writing its answer leaves the executor's reader waiting for the
        # rest; our copy of the pipe's write end is the last one open: closed, the reader gets
        # the end of file it needs, marks the pool broken and lets `shutdown` finish.
        writer = getattr(getattr(self._executor, "_result_queue", None), "_writer", None)
        if writer is not None:
            with contextlib.suppress(OSError):
                writer.close()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None and not self.dead():
            self._executor.shutdown(wait=True)
        else:
            self.kill()
