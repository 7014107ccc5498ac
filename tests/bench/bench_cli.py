"""`newsdesk classify` on 5,000 articles, start-up included, against the usual batch script.

Both run as the commands a newsroom would run, in fresh processes, alternately, so that a busy
moment of the machine falls on both: our console script with the shipped model, and
`python -m tests.bench.baseline classify` (joblib.load of jieba + TfidfVectorizer + LinearSVC,
predict, write). The BLAS thread pins the bench sets for its single-core figures are taken off
both commands: each runs with the defaults a shell would give it.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import time
from pathlib import Path

from .common import ROOT, Context, Figure, baseline_model

__all__ = ["run"]

TARGET = 10.0  # the command in a tenth of the usual script's time
EXPLAIN_TARGET = 5.0  # with evidence and keywords (--explain 5 --keywords 5): a fifth
ARTICLES = 5000
_PINS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _timed(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{tail}")
    return wall


def run(ctx: Context) -> list[Figure]:
    model = ctx.need_model()
    source = ctx.data_file("classify/train.jsonl")
    trained = baseline_model(ctx)
    sample = ctx.work / "cli" / "in.jsonl"
    sample.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as fh, open(sample, "wb") as out:
        for _, line in zip(range(ARTICLES), fh, strict=False):
            out.write(line)
    n = sum(1 for _ in open(sample, "rb"))
    # Both commands start from compiled modules, as an installed wheel does: an editable install
    # run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile our sources on every start
    # (~0.05 s), while the script's libraries come compiled from pip.
    for folder in ("service", "tests"):
        compileall.compile_dir(ROOT / folder, quiet=1)

    env = {k: v for k, v in os.environ.items() if k not in _PINS}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    newsdesk = str(Path(sys.executable).with_name("newsdesk"))
    ours_cmd = [newsdesk, "classify", str(sample), "-o", str(sample.with_name("ours.jsonl")),
                "--model", str(model)]  # fmt: skip
    explain_cmd = [*ours_cmd[:4], str(sample.with_name("explained.jsonl")), *ours_cmd[5:],
                   "--explain", "5", "--keywords", "5"]  # fmt: skip
    base_cmd = [sys.executable, "-m", "tests.bench.baseline", "classify", trained["path"],
                str(sample), str(sample.with_name("usual.jsonl"))]  # fmt: skip
    rounds = 2 if ctx.quick else 5
    ours, base, explained = [], [], []
    for _ in range(rounds):  # alternate, so both meet the same moments of a shared machine
        base.append(_timed(base_cmd, env))
        ours.append(_timed(ours_cmd, env))
        explained.append(_timed(explain_cmd, env))
    median = sorted(ours)[len(ours) // 2], sorted(base)[len(base) // 2]
    explained_median = sorted(explained)[len(explained) // 2]
    return [
        Figure(
            "cli_classify_5000_s",
            "s",
            min(ours),
            "jieba+TfidfVectorizer+LinearSVC script",
            min(base),
            target=f"<= 1/{TARGET:g} of the usual script's time",
            met=min(ours) * TARGET <= min(base),
            better="lower",
            note=(
                f"{n} train.jsonl articles, whole commands incl. start-up, best of {rounds} "
                f"alternating runs; medians {median[0]:.2f} s vs {median[1]:.2f} s "
                f"({median[1] / median[0]:.1f}x); {os.cpu_count()} CPUs"
            ),
        ),
        Figure(
            "cli_classify_explain_5000_s",
            "s",
            min(explained),
            "jieba+TfidfVectorizer+LinearSVC script",
            min(base),
            target=f"<= 1/{EXPLAIN_TARGET:g} of the usual script's time",
            met=min(explained) * EXPLAIN_TARGET <= min(base),
            better="lower",
            note=(
                f"the same command with --explain 5 --keywords 5 (evidence and keywords on "
                f"every record), same runs; medians {explained_median:.2f} s vs "
                f"{median[1]:.2f} s ({median[1] / explained_median:.1f}x); plain classify "
                f"{median[0]:.2f} s"
            ),
        ),
    ]
