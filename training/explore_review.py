"""Review-flag schemes checked nested on honest month-held-out probabilities (EXPERIMENTS.md,
"One threshold or five"; stop 24).

    python -m training.explore_review dump --data ../shared/data   # ≈ 5 min: three full fits
    python -m training.explore_review schemes                      # reads the dump

`dump` scores each training month's gold rows and calibration quarter with the whole pipeline
fitted without that month (`training.review.month_heldout`, as `make train` does) and writes the
probabilities to /tmp. `schemes` compares, nested (for each month, the every-month rule picks its
fitting target on the other two months alone, thresholds for it are fitted on both and applied to
the month), five per-label thresholds on the top probability (what ships), one threshold for all
labels, and per-label thresholds on the margin between the top two probabilities. No test-month row
is read.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

from .review import TARGET, choose_thresholds

DUMP = Path("/tmp/newsdesk_month_heldout.pkl")
STEPS = (0.95, 0.96, 0.97, 0.98, 0.99)


def dump(data_dir: Path) -> None:
    from types import SimpleNamespace

    from .data import training_set
    from .evaluate import eval_splits
    from .review import month_heldout
    from .train import CONFIG

    data = training_set(data_dir, CONFIG, seed=13)
    rows = eval_splits(data_dir)["newspaper_calibration"]
    labels = sorted({r.label for r in data.records})
    _, proba, y, months = month_heldout(
        SimpleNamespace(classes_=labels), data.records, data.sources, CONFIG, rows, 13
    )
    DUMP.write_bytes(pickle.dumps({"proba": proba, "y": y, "months": months, "labels": labels}))
    print(f"{len(y)} month-held-out rows written to {DUMP}")


def schemes() -> None:
    d = pickle.loads(DUMP.read_bytes())
    P, Y, M, L = d["proba"], np.asarray(d["y"]), np.asarray(d["months"]), list(d["labels"])
    top = P.argmax(1)
    srt = np.sort(P, 1)
    right = np.asarray(L)[top] == Y
    score = {
        "per-label": srt[:, -1],
        "one threshold": srt[:, -1],
        "margin": srt[:, -1] - srt[:, -2],
    }

    def fit(mask, step, kind):
        if kind == "one threshold":  # the lowest cut on the top probability that keeps `step`
            order = np.argsort(score[kind][mask], kind="stable")
            c, ok = score[kind][mask][order], right[mask][order]
            good, n = np.cumsum(ok[::-1])[::-1], np.arange(len(ok), 0, -1)
            hit = np.flatnonzero(good >= step * n)
            return np.full(len(L), c[hit[0]] if len(hit) else 1.0)
        Q = np.zeros_like(P)  # choose_thresholds reads the top column: put the score there
        Q[np.arange(len(top)), top] = score[kind]
        cut = choose_thresholds(Q[mask], L, list(Y[mask]), step)
        return np.asarray([cut[lab] for lab in L])

    def kept(cuts, mask, kind):
        return mask & (score[kind] >= cuts[top])

    def rule(months, kind):
        for step in STEPS:
            if all(
                right[k].mean() >= TARGET if k.any() else True
                for m in months
                for k in [
                    kept(fit(np.isin(M, [o for o in months if o != m]), step, kind), M == m, kind)
                ]
            ):
                return step
        return STEPS[-1]

    ms = sorted(set(M))
    for kind in score:
        n_kept = n_good = 0
        parts = []
        for m in ms:
            inner = [o for o in ms if o != m]
            step = rule(inner, kind)
            k = kept(fit(np.isin(M, inner), step, kind), M == m, kind)
            n_kept, n_good = n_kept + k.sum(), n_good + (k & right).sum()
            share = 1 - k.sum() / (M == m).sum()
            parts.append(f"{m}: fit {step} flagged {share:.1%} right {right[k].mean():.1%}")
        print(
            f"{kind:13s} nested: flagged {1 - n_kept / len(Y):.1%}, unflagged "
            f"{n_good / n_kept:.1%} | " + " | ".join(parts)
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.explore_review")
    ap.add_argument("what", choices=("dump", "schemes"))
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = ap.parse_args(argv)
    dump(args.data) if args.what == "dump" else schemes()
    return 0


if __name__ == "__main__":
    sys.exit(main())
