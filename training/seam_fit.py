"""Fit the seam reading of `service.seams` on the development months: printed paragraph ends
against the column's cuts, at the seams body cleaning would join.

Positives are the printed paragraph ends of People's Daily's development articles
(`newspaper/articles.jsonl.gz`, never the test month) that body cleaning's join would read as a
cut (`text.is_column_break` true, `paragraph_ends.kept_apart`'s patterns false) and that the
reading is asked about (`seams.reads`). Negatives are the cuts `training.pages_eval` renders into
the same paragraphs (its own cut points, seeds SEEDS), at seams of the same kind. A logistic
regression over `seams.features`; the threshold chosen month out (each month read by a fit on
the other two) by the net count kept: printed ends kept apart less COST times the cuts left.

    python -m training.seam_fit --data ../shared/data [--out service/data/seams.json]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.pages_eval import DEV_MONTHS, _cut_points, load_pages

SEEDS = (99, 98, 97)  # the paragraphs cut with each seed, pooled
FIT_LONGEST = 100  # upper lines this long fitted on, read only to seams.LONGEST past the first
# line (there, month out, fitted up to 60: 537 printed ends kept for 20 cuts left, against 458 for
# 18 fitted on those seams alone)
C = 10.0  # the logistic regression's inverse regularisation (chosen month out among 0.3–30)
COST = 10  # a cut left apart splits a sentence in two: the bar counts it, a lead can open in it
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
KEEP = 0.2  # weights smaller than this left out (13k of 32k kept; month out alike to 0.9)


def _joined(prev: str, nxt: str, lines) -> bool:
    """Whether body cleaning joins `prev` to `nxt` today, with the reading off."""
    from service.paragraph_ends import kept_apart
    from service.text import _NON_INITIAL, _PARTICLES, _TERMINAL, is_column_break

    if prev[-1] in _TERMINAL and nxt[0] not in _NON_INITIAL:
        return False
    if not is_column_break(prev, nxt):
        return False
    return nxt[0] in _NON_INITIAL or nxt[0] in _PARTICLES or not kept_apart(lines, len(lines) - 1)


def seams(pages, seeds: Sequence[int] = SEEDS) -> list[tuple[list[str], int, str, bool]]:
    """Every seam of the pages' articles read with upper lines up to FIT_LONGEST: (features,
    1 printed end / 0 cut, month, whether body cleaning asks about it)."""
    from service.documents import Span
    from service.seams import features, reads
    from service.text import split_dateline

    out = []
    for seed in seeds:
        rng = random.Random(seed)
        for rows in pages:
            for row in rows:
                month = row["date"][:6]
                paras = [p.strip() for p in row["text"].split("\n") if p.strip()]
                if paras:
                    paras[0] = paras[0][split_dateline(paras[0])[1] :].strip() or paras[0]
                if seed == seeds[0]:  # (printed ends once; cuts with every seed)
                    for i in range(1, len(paras)):
                        prev, nxt = paras[i - 1], paras[i]
                        lines = [Span(0, 0, p) for p in paras[: i + 1]]
                        if reads(prev, nxt, i == 1, FIT_LONGEST) and _joined(prev, nxt, lines):
                            asked = reads(prev, nxt, i == 1)
                            out.append((features(prev, nxt, i == 1), 1, month, asked))
                for j, para in enumerate(paras):
                    for k in _cut_points(para, rng, 0):
                        prev, nxt = para[:k], para[k:]
                        lines = [Span(0, 0, p) for p in (*paras[:j], prev, nxt)]
                        if reads(prev, nxt, j == 0, FIT_LONGEST) and _joined(prev, nxt, lines):
                            asked = reads(prev, nxt, j == 0)
                            out.append((features(prev, nxt, j == 0), 0, month, asked))
    return out


def fit(rows, c: float = C):
    """A logistic regression over the rows' features: (weights by feature, bias)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    x = vec.fit_transform([dict.fromkeys(r[0], 1) for r in rows])
    y = np.array([r[1] for r in rows])
    model = LogisticRegression(C=c, max_iter=5000).fit(x, y)
    names = vec.get_feature_names_out()
    weights = {k: w for k, w in zip(names, model.coef_[0].tolist(), strict=True) if abs(w) >= KEEP}
    return weights, float(model.intercept_[0])


def _scores(weights: dict, bias: float, rows) -> np.ndarray:
    return np.array([bias + sum(weights.get(f, 0.0) for f in r[0]) for r in rows])


def month_out(rows, c: float = C) -> dict[float, dict[str, int]]:
    """Each development month read by a fit on the other two: per threshold, printed ends kept
    apart and cuts left at the seams body cleaning asks about, summed over the months (each
    month's on stderr)."""
    totals = {t: {"printed": 0, "kept": 0, "cuts": 0, "left": 0} for t in THRESHOLDS}
    for month in DEV_MONTHS:
        train = [r for r in rows if r[2] != month]
        test = [r for r in rows if r[2] == month and r[3]]
        weights, bias = fit(train, c)
        s = _scores(weights, bias, test)
        y = np.array([r[1] for r in test])
        for t in THRESHOLDS:
            apart = s > math.log(t / (1 - t))
            row = totals[t]
            row["printed"] += int((y == 1).sum())
            row["kept"] += int((apart & (y == 1)).sum())
            row["cuts"] += int((y == 0).sum())
            row["left"] += int((apart & (y == 0)).sum())
            print(
                f"{month} t={t}: printed kept {int((apart & (y == 1)).sum())}/{int((y == 1).sum())}"
                f", cuts left {int((apart & (y == 0)).sum())}/{int((y == 0).sum())}",
                file=sys.stderr,
            )
    return totals


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--c", type=float, default=C, help="inverse regularisation")
    parser.add_argument("--out", type=Path, help="write the fit on every development month here")
    args = parser.parse_args(argv)
    from service.seams import off

    with off():  # (the seams as body cleaning reads them without a fitted file)
        rows = seams(load_pages(args.data, DEV_MONTHS))
    asked = [r for r in rows if r[3]]
    print(
        f"{len(rows)} seams fitted on ({sum(r[1] for r in rows)} printed ends), {len(asked)} "
        f"asked about ({sum(r[1] for r in asked)})",
        file=sys.stderr,
    )
    totals = month_out(rows, args.c)
    best = max(THRESHOLDS, key=lambda t: totals[t]["kept"] - COST * totals[t]["left"])
    for t in THRESHOLDS:
        r = totals[t]
        mark = "  <- chosen" if t == best else ""
        kept, left = f"{r['kept']}/{r['printed']}", f"{r['left']}/{r['cuts']}"
        print(f"t={t}: printed kept {kept}, cuts left {left}{mark}")
    if args.out:
        weights, bias = fit(rows, args.c)
        kept = {k: round(v, 4) for k, v in sorted(weights.items())}
        args.out.write_text(
            json.dumps(
                {
                    "fitted_by": "python -m training.seam_fit",
                    "months": list(DEV_MONTHS),
                    "c": args.c,
                    "bias": round(bias, 4),
                    "threshold": round(math.log(best / (1 - best)), 4),
                    "weights": kept,
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {args.out}: {len(kept)} weights, threshold p > {best}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
