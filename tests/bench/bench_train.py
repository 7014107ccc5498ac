"""Training cost: wall time and peak RSS of training.train against the usual script."""

from __future__ import annotations

from .common import Context, Figure, baseline_model, need, python_json

__all__ = ["run"]

_OURS = """
import json, resource, sys, time
from training.train import train
started = time.perf_counter()
train(sys.argv[1], sys.argv[2], progress=False)
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall_s": wall, "peak_rss_mb": peak}))
"""


def run(ctx: Context) -> list[Figure]:
    need("training.train", "training.train")
    ctx.data_file("classify/train.jsonl")
    # A fresh process each, so peak RSS is the training's own and nothing else's.
    ours = python_json(["-c", _OURS, str(ctx.data), str(ctx.work / "ours-model")])
    base = baseline_model(ctx)
    return [
        Figure(
            "train_wall_s",
            "s",
            ours["wall_s"],
            "jieba+TfidfVectorizer+LinearSVC",
            base["wall_s"],
            better="lower",
            note="full corpus, fresh process, incl. reading",
        ),
        Figure(
            "train_peak_rss_mb",
            "MB",
            ours["peak_rss_mb"],
            "jieba+TfidfVectorizer+LinearSVC",
            base["peak_rss_mb"],
            better="lower",
            note="ru_maxrss of the training process",
        ),
    ]
