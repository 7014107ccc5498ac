"""Progress of `train` and `evaluate`, whose few steps take minutes: a tqdm bar on a terminal,
one line a step in a log (`make train > log 2>&1` would otherwise be silent for ~10 minutes, and
a bar's carriage-return redraws would fill it). A long step is named when it starts
(`stage_start`): the bar and the log said only which step had ended, so for the fit's minutes a
log read `train: read done` and a bar stood at `read` with an ETA of seconds."""

from __future__ import annotations

import sys
import threading
import time

__all__ = ["stages", "stage_start", "stage_done"]


class _Lines:
    """tqdm's few calls that the steps use, written as one finished line a step."""

    def __init__(self, desc: str, total: int) -> None:
        self.desc, self.total, self.done, self.name = desc, total, 0, ""
        self.started = time.monotonic()

    def __enter__(self) -> _Lines:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def set_postfix_str(self, name: str) -> None:
        self.name = name

    def update(self, n: int = 1) -> None:
        self.done += n
        self._say(f"{self.name} done ({self.done}/{self.total}")

    def start(self, name: str) -> None:
        self._say(f"{name} … ({self.done + 1}/{self.total}")

    def _say(self, what: str) -> None:
        s = int(time.monotonic() - self.started)
        print(f"{self.desc}: {what}, {s // 60}:{s % 60:02d} elapsed)", file=sys.stderr, flush=True)


def stages(progress: bool | str, total: int, desc: str):
    """A bar (`progress` true), lines (`"lines"`) or None (false) over `total` steps."""
    if not progress:
        return None
    if progress == "lines":
        return _Lines(desc, total)
    # No ETA: the steps differ in length by minutes, so one from the first step's seconds misled.
    shape = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} steps [{elapsed}{postfix}]"
    return _ticking()(total=total, desc=desc, file=sys.stderr, bar_format=shape)


TICK_S = 1.0  # how often a bar redraws its elapsed time while a step runs


def _ticking():
    """tqdm redraws only when told: through the fit's minutes the bar's clock stood still, so
    a running train looked hung. This bar redraws itself every TICK_S until it closes."""
    from tqdm import tqdm

    class Ticking(tqdm):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._stopped = threading.Event()
            threading.Thread(target=self._tick, name="progress-tick", daemon=True).start()

        def _tick(self) -> None:
            while not self._stopped.wait(TICK_S):
                self.refresh()

        def close(self) -> None:
            if hasattr(self, "_stopped"):  # (tqdm may close before __init__ is through)
                self._stopped.set()
            super().close()

    return Ticking


def stage_start(bar, name: str) -> None:
    """A step begins: the bar names it now (`fit …`), the log says so in a line."""
    if isinstance(bar, _Lines):
        bar.start(name)
    elif bar is not None:
        bar.set_postfix_str(f"{name} …")


def stage_done(bar, name: str) -> None:
    """One step done, named."""
    if bar is not None:
        bar.set_postfix_str(name)
        bar.update(1)
