"""Fit the weights `service.heads` scores ambiguous bare heads with, on the development months.

Each development page (never the test month) is rendered with bare titles as
`training.pages_eval` renders it; every head the splitter cannot decide on its signals alone is
recorded with its features (`service.heads.FEATURES`) and labelled by whether it holds a true
title. A logistic regression on those gives the weights to paste into service/heads.py.
PAIR_WEIGHTS (service/head_parts.py), which decide two-line heads' roles, come from
`python -m training.roles_fit` (with the form models they read).

    python -m training.pages_fit --data ../shared/data [--months 201910,202001]

`--months` fits on those development months only, to read the month left out
(`training.month_out` runs the whole protocol). The shipped bias is the printed one + 1.1 (RAISE).
`--trees-out service/data/head_trees.json` writes the trees that decide where the score is unsure
(service/head_trees.py), fitted on the same heads. C, EVERY, SEEDS, RAISE, TREES and BAND were
chosen month out (docs/pages.md).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.pages_eval import TEST_MONTHS, load_pages, month_list, render

RAISE = 1.1  # added to the fitted bias by hand (docs/pages.md: a missed title costs two bodies)


def collect(pages, seed: int = 99, runs: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The undecided heads' features and labels (1: the run holds a true title); `runs`, if
    given, receives each head's lines (`training.head_words_fit` fits their wording)."""
    import service.heads as heads
    from service import head_trees
    from service.pages import _read

    rng = random.Random(seed)
    xs, ys = [], []
    for rows in pages:
        page = render(rows, rng, False)
        titles = {t.title for t in page.articles}
        heads.LOG = []
        try:
            with head_trees.off():  # (the score's own path, trees file or not: reproducible)
                _read.__wrapped__(page.text)  # not the cached reading: the log must fill
            for x, run, _ in heads.LOG:
                xs.append(x)
                ys.append(int(any(h.text in titles for h in run)))
                if runs is not None:
                    runs.append(tuple(h.text for h in run))
        finally:
            heads.LOG = None
    return np.asarray(xs), np.asarray(ys)


# Chosen month out (docs/pages.md, the fits' knobs): more, more varied heads and a looser fit
C = 10.0  # the head score's regularisation (3 before, 1 before that)
EVERY = 1  # fitted on every page (every other before)
SEEDS = (99, 98)  # the pages rendered with each seed, their heads pooled (99 alone before)


def examples(pages, every: int = EVERY, seeds: Sequence[int] = SEEDS):
    """The undecided heads of every `every`th page, rendered with each of `seeds`, pooled."""
    parts = [collect(pages[::every], seed) for seed in seeds]
    return np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def fit(
    pages, drop: Sequence[str] = (), c: float = C, every: int = EVERY, seeds: Sequence[int] = SEEDS
) -> tuple[tuple[float, ...], float]:
    """The head score's weights and bias (RAISE not added) fitted on every `every`th page of
    `pages`, rendered with each of `seeds`; the features in `drop` left out (weight 0)."""
    return fit_on(*examples(pages, every, seeds), drop, c)


def fit_on(x, y, drop: Sequence[str] = (), c: float = C) -> tuple[tuple[float, ...], float]:
    """The head score's weights and bias fitted on the heads' features `x` and labels `y`."""
    from sklearn.linear_model import LogisticRegression

    from service.heads import FEATURES

    keep = [i for i, name in enumerate(FEATURES) if name not in drop]
    model = LogisticRegression(C=c, max_iter=2000).fit(x[:, keep], y)
    weights = [0.0] * len(FEATURES)
    for i, w in zip(keep, model.coef_[0], strict=True):
        weights[i] = round(float(w), 3)
    return tuple(weights), round(float(model.intercept_[0]), 3)


# Chosen month out (docs/pages.md): boosted trees decide where the score is unsure
TREES = {"max_depth": 4, "max_iter": 100, "learning_rate": 0.1}
BAND = 2.0  # |score| above which the logistic score decides alone (the trees' work kept, faster)


def fit_trees(x, y, drop: Sequence[str] = (), raise_: float = RAISE, band: float = BAND) -> dict:
    """Boosted trees over the heads' features (`drop`ped ones never read), as
    service/head_trees.py reads them: each tree's nodes, a leaf's feature -1."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from service.heads import FEATURES

    x = np.array(x, dtype=float)
    x[:, [i for i, name in enumerate(FEATURES) if name in drop]] = 0.0
    model = HistGradientBoostingClassifier(**TREES, early_stopping=False, random_state=0)
    model.fit(x, y)
    trees = []
    for (tree,) in model._predictors:  # (one tree per round for two classes)
        nodes = tree.nodes
        trees.append(
            {
                "feature": [-1 if n["is_leaf"] else int(n["feature_idx"]) for n in nodes],
                "threshold": [float(n["num_threshold"]) for n in nodes],
                "left": [int(n["left"]) for n in nodes],
                "right": [int(n["right"]) for n in nodes],
                "value": [round(float(n["value"]), 6) for n in nodes],
            }
        )
    base = float(np.ravel(model._baseline_prediction)[0])
    return {"baseline": round(base, 6), "raise": raise_, "band": band, "trees": trees}


def main(argv: Sequence[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    from service.heads import FEATURES

    ap = argparse.ArgumentParser(prog="python -m training.pages_fit")
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--months", type=month_list, help="fit on these development months only")
    ap.add_argument("--trees-out", type=Path, help="write the trees here (head_trees.TREES_FILE)")
    args = ap.parse_args(argv)
    pages = [p for p in load_pages(args.data, args.months) if p[0]["date"][:6] not in TEST_MONTHS]
    x, y = examples(pages)
    if args.trees_out:
        trees = fit_trees(x, y)
        args.trees_out.write_text(json.dumps(trees, separators=(",", ":")) + "\n", "utf-8")
        print(f"{len(trees['trees'])} trees written to {args.trees_out}", file=sys.stderr)
    model = LogisticRegression(C=C, max_iter=2000)
    print(f"{len(y)} undecided heads, {y.mean():.3f} titles; 5-fold accuracy "
          f"{cross_val_score(model, x, y, cv=5).mean():.3f}", file=sys.stderr)  # fmt: skip
    model.fit(x, y)
    for name, w in zip(FEATURES, model.coef_[0], strict=True):
        print(f"  {name:16s} {w:+.3f}", file=sys.stderr)
    print("WEIGHTS = (" + ", ".join(f"{w:.3f}" for w in model.coef_[0]) + ")")
    print(f"BIAS = {model.intercept_[0]:.3f}")
    return 0


if __name__ == "__main__":
    from .command import exit_with

    exit_with(main)
