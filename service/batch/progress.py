"""How far a batch job is: shards and articles done, the share of input bytes read.

The library only counts; whoever runs the job chooses how to show it (the CLI draws a line on
stderr) by passing a callback, called at most about once a second and once at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BatchProgress", "Tracker"]


@dataclass(frozen=True)
class BatchProgress:
    """A snapshot of a running job, for a progress line."""

    shards_done: int  # the skipped included: a resumed job starts at what is already done
    shards: int  # every shard of the job, the skipped included
    articles: int
    elapsed: float  # seconds since the job started
    # of the input bytes to do (a failed shard's leave the sum: no work is left on them, and
    # none was done): the ETA follows bytes, not shard counts
    fraction: float
    final: bool  # the last snapshot: every shard is done
    skipped: int = 0  # shards an earlier run had done (resume), not run again

    @property
    def rate(self) -> float:
        """Articles per second so far."""
        return self.articles / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at this pace, or None before anything is known."""
        if self.fraction >= 1:
            return 0.0
        if self.fraction <= 0:
            return None
        return self.elapsed * (1 - self.fraction) / self.fraction


class Tracker:
    """Counts what the runners report and hands snapshots to `report` (None: count only)."""

    def __init__(
        self,
        shards: int,
        weights: dict[str, int],
        report: Callable[[BatchProgress], None] | None,
        skipped: int = 0,
    ) -> None:
        self.report = report
        # `shards` to run, `skipped` done by an earlier run: a resumed job of 28 shards, 20 of
        # them done, shows 20/28 at its start (it showed 0/8, which read as nothing done)
        self.skipped = skipped
        self.shards = shards + skipped
        self.weights = weights  # input bytes per shard (of those to run: the ETA's)
        self.total = sum(weights.values()) or 1
        self.done_shards = skipped
        self.done_bytes = 0.0
        self.failed_bytes = 0.0
        self.partial: dict[str, float] = {}
        self.streamed: dict[str, int] = {}  # articles a running shard has reported
        self.articles = 0
        self.started = time.perf_counter()
        self.shown = 0.0

    def records(self, name: str, n: int, fraction: float) -> None:
        self.articles += n
        self.streamed[name] = self.streamed.get(name, 0) + n
        self.partial[name] = fraction * self.weights.get(name, 0)
        self.show()

    def shard(self, name: str, articles: int, streamed: bool, failed: bool = False) -> None:
        """A shard finished; a failed one counts as neither work nor articles done (nothing
        of it stays): its bytes as done made a fast failure of a small shard read as the
        pace of the job, an ETA of minutes for a job of a second."""
        self.done_shards += 1
        self.partial.pop(name, None)
        reported = self.streamed.pop(name, 0)
        if failed:
            self.articles -= reported
            self.failed_bytes += self.weights.get(name, 0)
        else:
            if not streamed:
                self.articles += articles
            self.done_bytes += self.weights.get(name, 0)
        self.show(force=self.done_shards == self.shards)

    def show(self, force: bool = False) -> None:
        if self.report is None:
            return
        now = time.perf_counter()
        if not force and now - self.shown < 1.0:
            return
        self.shown = now
        left = self.total - self.failed_bytes
        done = self.done_bytes + sum(self.partial.values())
        fraction = 1.0 if force or left <= 0 else min(done / left, 1.0)
        elapsed = now - self.started
        self.report(
            BatchProgress(
                self.done_shards, self.shards, self.articles, elapsed, fraction, force, self.skipped
            )
        )
