"""Choose the per-label review thresholds on the calibration split, and measure the flag."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from service.review import flags

__all__ = ["TARGET", "choose_thresholds", "review_report"]

# Unflagged results must be at least this often right (DECISIONS.md, "Review flag").
TARGET = 0.95


def choose_thresholds(
    proba: np.ndarray, labels: Sequence[str], y_true: Sequence[str], target: float = TARGET
) -> dict[str, float]:
    """One threshold per label, as low as they can be while unflagged precision ≥ `target`.

    Greedy and deterministic: while the unflagged results are under the target, raise the
    threshold of the label whose next wrong prediction (in rising confidence) is reached by
    flagging the fewest results; a threshold sits just above the last result it flags.
    """
    labels = list(labels)
    top = proba.argmax(axis=1)
    conf = proba[np.arange(len(top)), top]
    right = np.asarray(labels)[top] == np.asarray(y_true)
    queues = {}  # per label: (confidence, right) in rising confidence, still unflagged
    for k in range(len(labels)):
        order = np.flatnonzero(top == k)
        order = order[np.lexsort((order, conf[order]))]
        queues[k] = [(float(conf[i]), bool(right[i])) for i in order]
    cut = {k: 0.0 for k in range(len(labels))}
    kept, good = len(top), int(right.sum())
    while kept and good < target * kept:
        best = None
        for k, q in queues.items():
            wrong = next((n for n, (_, ok) in enumerate(q) if not ok), None)
            if wrong is not None and (best is None or wrong < best[1]):
                best = (k, wrong)
        if best is None:
            break
        k, n = best
        flagged, queues[k] = queues[k][: n + 1], queues[k][n + 1 :]
        kept -= len(flagged)
        good -= sum(ok for _, ok in flagged)
        last = flagged[-1][0]
        nxt = queues[k][0][0] if queues[k] else 1.0
        cut[k] = float(np.nextafter(last, 1.0)) if nxt <= last else (last + nxt) / 2
    return {labels[k]: round(v, 6) for k, v in cut.items()}


def review_report(
    items: Sequence[tuple[str, str]],
    proba: np.ndarray,
    labels: Sequence[str],
    y_true: Sequence[str],
    thresholds: dict[str, float],
) -> dict:
    """Share left for review and precision of the unflagged, overall and per predicted label."""
    flagged = np.asarray(flags(items, labels, proba, thresholds), dtype=bool)
    pred = np.asarray(labels)[proba.argmax(axis=1)]
    right = pred == np.asarray(y_true)

    def part(mask: np.ndarray) -> dict:
        keep = mask & ~flagged
        return {
            "n": int(mask.sum()),
            "review_share": float(flagged[mask].mean()) if mask.any() else 0.0,
            "unflagged": int(keep.sum()),
            "unflagged_precision": float(right[keep].mean()) if keep.any() else None,
        }

    out = part(np.ones(len(pred), dtype=bool))
    out["per_label"] = {lab: part(pred == lab) for lab in labels}
    return out
