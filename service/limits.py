"""What keeps a few callers from taking the whole server: thread lanes, call and byte limits.

The server stays a threaded gRPC server (docs/grpc.md says why), with three lanes of threads
instead of one pool: gRPC runs a behaviour on the executor named by its
`experimental_thread_pool` attribute, so

- `unary`: Classify, Summarise, AnalysePage, GetModel — `--workers` threads, the CPU work;
- `streams`: ClassifyStream, Health Watch, reflection — `--max-streams` threads; an open stream
  holds one for its whole life, idle or not, but only here;
- `health`: Health Check, two threads nothing else uses, so a probe is answered however busy or
  idle-blocked the other lanes are;

plus two threads that only send refusals. `--max-concurrent-rpcs` counts the calls queued or
running in the first two lanes (we count, so a refusal is logged and counted; gRPC's own limit
refuses before any code of ours runs). `Budget` bounds the request bytes being worked on.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent import futures
from typing import Any

from .errors import Refused
from .malloc import trim

__all__ = ["Lanes", "Budget", "CountingPool", "RateLimitedLog"]


class CountingPool(futures.ThreadPoolExecutor):
    """A thread pool that knows how many of its tasks are queued or running right now."""

    def __init__(self, workers: int, name: str) -> None:
        super().__init__(max_workers=workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self.busy = 0

    def _add(self, n: int) -> None:
        with self._lock:
            self.busy += n

    def submit(self, fn, /, *args, **kwargs):
        self._add(1)

        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                self._add(-1)

        try:
            return super().submit(run)
        except BaseException:
            self._add(-1)
            raise


class Lanes:
    """The server's thread pools; `pin(behaviour, lane)` sends a behaviour to its lane."""

    def __init__(self, workers: int, streams: int) -> None:
        self.unary = CountingPool(workers, "newsdesk-rpc")
        self.streams = CountingPool(streams, "newsdesk-stream")
        self.health = CountingPool(2, "newsdesk-health")
        self.refusals = CountingPool(2, "newsdesk-refuse")

    def busy(self) -> int:
        """Calls queued or running in the unary and stream lanes (health and refusals aside)."""
        return self.unary.busy + self.streams.busy

    @staticmethod
    def pin(behaviour: Any, pool: futures.ThreadPoolExecutor) -> Any:
        behaviour.experimental_thread_pool = pool  # read by grpc._server for each call
        return behaviour

    def shutdown(self) -> None:
        for pool in (self.unary, self.streams, self.health, self.refusals):
            pool.shutdown(wait=False, cancel_futures=True)


class Budget:
    """Request bytes being worked on, across all calls; past `limit`, new work is refused."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self, n: int, where: str) -> None:
        """Reserve `n` bytes or raise Refused; one request alone may use the whole budget."""
        with self._lock:
            if self.limit and self.used and self.used + n > self.limit:
                used = self.used
            else:
                self.used += n
                return
        if n >= TRIM_AFTER:
            _trim_soon()  # the refused request's bytes are freed once gRPC drops the call
        raise Refused(
            f"{where} ({n} bytes) does not fit: the server is working on {used} bytes of "
            f"requests, its budget is {self.limit} (--max-inflight-bytes); retry shortly",
            reason="budget",
            limit=self.limit,
        )

    def give(self, n: int) -> None:
        with self._lock:
            self.used -= n
            drained = self.used == 0
        if drained and n >= TRIM_AFTER:
            _trim_soon()


# A second after the budget drains from (or refuses) a request this big, hand the arenas' freed
# pages back to the system (blocks of 4 MiB and more already went back when freed: see
# service.malloc) and empty the page-reading caches, whose entries from a burst pinned
# pymalloc's arenas; otherwise an idle server stayed well above its warm size. 1 MiB: an
# AnalysePage of 1,000,000 characters is ~2.8 MiB (at 4 MiB it never triggered a trim).
TRIM_AFTER = 1024 * 1024
_TRIM_PENDING = threading.Event()


def _trim_soon(delay: float = 1.0) -> None:
    """One trim `delay` seconds from now (later requests ride on the pending one)."""
    if _TRIM_PENDING.is_set():
        return
    _TRIM_PENDING.set()

    def run() -> None:
        _TRIM_PENDING.clear()
        trim()

    timer = threading.Timer(delay, run)
    timer.daemon = True
    timer.start()


class RateLimitedLog:
    """At most one line per key every `every` seconds; the next says how many were held back."""

    def __init__(self, logger: logging.Logger, every: float = 10.0) -> None:
        self.logger = logger
        self.every = every
        self._last: dict[Any, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def log(self, level: int, key: Any, msg: str, extra: dict) -> bool:
        now = time.monotonic()
        with self._lock:
            last, held = self._last.get(key, (-1e18, 0))
            if now - last < self.every:
                self._last[key] = (last, held + 1)
                return False
            self._last[key] = (now, 0)
        self.logger.log(level, msg, extra={**extra, **({"suppressed": held} if held else {})})
        return True
