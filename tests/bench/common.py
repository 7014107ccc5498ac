"""What every bench section shares: the figure format, skips, timing and corpus helpers."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = [
    "Figure",
    "Skip",
    "Context",
    "read_jsonl",
    "rate",
    "best_of",
    "percentile",
    "need",
    "single_core",
    "ROOT",
    "python_json",
    "baseline_model",
]

ROOT = Path(__file__).resolve().parents[2]


class Skip(Exception):
    """A section cannot run yet (a piece it measures has not landed, or no data): say why."""


@dataclass
class Figure:
    """One measured figure, ours against a baseline run in the same process and minute.

    `ratio` is ours over baseline; `better` says which way is good ("higher" for speeds,
    "lower" for latencies, seconds and megabytes). `target` is the goal in words, `met`
    whether this run reached it (None when the figure has no target).
    """

    metric: str
    unit: str
    ours: float
    baseline_name: str | None = None
    baseline: float | None = None
    target: str | None = None
    met: bool | None = None
    better: str = "higher"
    note: str = ""
    ratio: float | None = field(default=None)

    def __post_init__(self) -> None:
        if self.baseline:
            self.ratio = round(self.ours / self.baseline, 3)
        self.ours = _round(self.ours)
        if self.baseline is not None:
            self.baseline = _round(self.baseline)

    def as_dict(self) -> dict:
        return asdict(self)


def _round(x: float) -> float:
    return float(f"{x:.4g}") if abs(x) < 1000 else round(x, 1)


@dataclass
class Context:
    """Where the corpus and model are, where results go, and how long to spend."""

    data: Path
    model: Path
    out: Path
    work: Path  # scratch space for this run (models, shards); deleted afterwards
    quick: bool = False
    cache: dict = field(default_factory=dict)  # sections share loaded corpora

    def data_file(self, rel: str) -> Path:
        path = self.data / rel
        if not path.is_file():
            raise Skip(f"corpus file {path} not found (set NEWSDESK_DATA)")
        return path

    def jsonl(self, rel: str) -> list[dict]:
        if rel not in self.cache:
            self.cache[rel] = read_jsonl(self.data_file(rel))
        return self.cache[rel]

    def need_model(self) -> Path:
        """The model folder, or skip: none trained yet, or one this code cannot load."""
        if not (self.model / "manifest.json").is_file():
            raise Skip(f"no trained model at {self.model} (run `make train`)")
        if "model_error" not in self.cache:
            try:
                from service.classifier import Classifier

                Classifier.load(self.model)
                self.cache["model_error"] = ""
            except ImportError as e:
                self.cache["model_error"] = f"service.classifier not available ({e})"
            except Exception as e:  # ModelError: stale format, changed file, other versions
                self.cache["model_error"] = f"model at {self.model} does not load: {e}"
        if self.cache["model_error"]:
            raise Skip(self.cache["model_error"])
        return self.model


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def need(module: str, what: str = "") -> object:
    """Import a module of ours or a baseline's, or skip the section saying what is missing."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise Skip(f"{what or module} not available ({e})") from e


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Fastest wall time of `repeat` runs: the machine is shared, the minimum is the least noisy."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def rate(units: float, fn: Callable[[], object], repeat: int = 3) -> float:
    """Units per second of `fn`, best of `repeat` runs."""
    return units / best_of(fn, repeat)


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation, as numpy does."""
    import numpy as np

    return float(np.percentile(np.fromiter(values, dtype=float), q))


def single_core() -> None:
    """Pin BLAS/OpenMP pools to one thread so 'single core' figures mean one core."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def python_json(args: list[str], timeout: float = 1800) -> dict:
    """Run `python ARGS` in a fresh process (same venv, repo on the path); parse its last line."""
    import subprocess
    import sys

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"python {' '.join(args)} failed ({done.returncode}):\n{tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def baseline_model(ctx: Context) -> dict:
    """Train the usual script once per run, in its own process: {path, wall_s, peak_rss_mb}."""
    if "baseline_model" not in ctx.cache:
        ctx.data_file("classify/train.jsonl")
        path = ctx.work / "baseline" / "usual.joblib"
        ctx.cache["baseline_model"] = python_json(
            ["-m", "tests.bench.baseline", str(ctx.data), str(path)]
        )
    return ctx.cache["baseline_model"]
