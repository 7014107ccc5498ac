"""Fit the second look at score-opened articles (`service.regroup`) on the development months.

Each development page (never the test month) is rendered with bare titles as
`training.pages_eval` renders it and split without the second look; every article the head
score opened is recorded with `service.regroup.FEATURES` at its boundary with the article above,
labelled by whether one of its head lines is a true title (1: keep it apart). A logistic
regression on those gives the weights; the bias is then moved by the offset that minimises the
cost on the fitting pages' out-of-fold predictions (putting back a true article loses a title and
two bodies, keeping a false one apart one body).

    python -m training.regroup_fit --data ../shared/data --cross   # fit on one half, read the other
    python -m training.regroup_fit --data ../shared/data --ship    # fit on all, write the JSON
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.pages_eval import TEST_MONTHS, evaluate, halves, load_pages, render

MERGE_COST = 3.0  # a true article put back: its title and two bodies; a false one kept: one body


def collect(pages, seed: int = 99) -> tuple[np.ndarray, np.ndarray]:
    """Each score-opened boundary's features and label (1: the article below is a true one)."""
    from service.composite import merge_pieces
    from service.lines import classify, lines
    from service.pages import _Splitter
    from service.regroup import features

    rng = random.Random(seed)
    xs, ys = [], []
    # (the head score's bar as shipped, service.heads.RAISE: the second look reads what it opens)
    for rows in pages:
        page = render(rows, rng, False)
        titles = {t.title for t in page.articles}
        items = [(s, *classify(s.text)) for s in lines(page.text)]
        drafts = merge_pieces(_Splitter(items).run())
        for i, d in enumerate(drafts):
            if i and d.score is not None and not d.marked:
                xs.append(features(drafts, i))
                ys.append(int(any(s.text in titles for s in d.kicker + d.title + d.subtitle)))
    return np.asarray(xs), np.asarray(ys)


def fit(x: np.ndarray, y: np.ndarray, c: float = 1.0) -> tuple[list[float], float]:
    """Weights and bias: the regression, its bias moved to the least-cost offset out of fold."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    model = LogisticRegression(C=c, max_iter=5000)
    logit = cross_val_predict(model, x, y, cv=5, method="decision_function")
    offsets = np.arange(-3.0, 6.01, 0.25)
    costs = [MERGE_COST * ((logit + o <= 0) & (y == 1)).sum() + ((logit + o > 0) & (y == 0)).sum()
             for o in offsets]  # fmt: skip
    best = float(offsets[int(np.argmin(costs))])
    model.fit(x, y)
    keep_all = int((y == 0).sum())
    print(f"  {len(y)} boundaries, {y.mean():.3f} true; offset {best:+.2f}, out-of-fold cost "
          f"{min(costs):.0f} against {keep_all} keeping all", file=sys.stderr)  # fmt: skip
    return [float(w) for w in model.coef_[0]], float(model.intercept_[0]) + best


def _bare(pages, model, seed: int) -> dict:
    """Bare pages read with `model` as the second look; with None, as before the second look
    (no regrouping, the head score's bar where it was)."""
    import service.heads as heads
    import service.regroup as regroup
    from service.pages import _read

    bias, kept = heads.BIAS, regroup.MODEL
    regroup.MODEL = model
    if model is None:
        heads.BIAS -= heads.RAISE
    try:
        split = lambda text: list(_read.__wrapped__(text).articles)  # noqa: E731 (no cache)
        return evaluate(pages, seed=seed, split=split, kinds=(False,))["bare"]
    finally:
        heads.BIAS, regroup.MODEL = bias, kept


def main(argv: Sequence[str] | None = None) -> int:
    from service.regroup import FEATURES

    ap = argparse.ArgumentParser(prog="python -m training.regroup_fit")
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--seed", type=int, default=11, help="the reading's pages_eval seed")
    ap.add_argument("--cross", action="store_true", help="fit on each dev half, read the other")
    ap.add_argument("--ship", action="store_true", help="fit on all dev months, write the JSON")
    args = ap.parse_args(argv)
    dev = [p for p in load_pages(args.data) if p[0]["date"][:6] not in TEST_MONTHS]
    if args.cross:
        (n1, h1), (n2, h2) = halves(dev).items()
        for (fit_name, fit_pages), (read_name, read_pages) in (((n1, h1), (n2, h2)),
                                                                ((n2, h2), (n1, h1))):  # fmt: skip
            print(f"fitted on {fit_name}:", file=sys.stderr)
            model = fit(*collect(fit_pages))
            for name, w in zip(FEATURES, model[0], strict=True):
                print(f"    {name:16s} {w:+.3f}", file=sys.stderr)
            before = _bare(read_pages, None, args.seed)
            after = _bare(read_pages, model, args.seed)
            n = before["articles"]
            print(f"  read on {read_name} ({n} articles): titles "
                  f"{before['titles_found']:.4f} -> {after['titles_found']:.4f} "
                  f"({round((after['titles_found'] - before['titles_found']) * n):+d}), bodies "
                  f"{before['bodies_whole']:.4f} -> {after['bodies_whole']:.4f} "
                  f"({round((after['bodies_whole'] - before['bodies_whole']) * n):+d}), breaks "
                  f"{before['breaks_repaired']:.4f} -> {after['breaks_repaired']:.4f}")  # fmt: skip
    if args.ship:
        weights, bias = fit(*collect(dev))
        out = Path(__file__).resolve().parent.parent / "service" / "data" / "regroup.json"
        data = {"features": list(FEATURES), "weights": [round(w, 4) for w in weights],
                "bias": round(bias, 4)}  # fmt: skip
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
