"""Year folds (training/EXPERIMENTS.md, YEARS1–3): TV news of years a fit never saw.

Each fold fits `make train`'s recipe on its rows less every TV row (read and weak) of the fold's
two years, then scores the read TV rows (train_gold and dev_gold) of those years. The folds hold
years of 2014–2020 only, so `make evaluate`'s cross-time TV split (2021–2023) stays unread.
Not used by `make train`; a choice made on these figures makes them tuning figures.

    nice .venv/bin/python -m training.year_folds --data ../shared/data CANDIDATE [FOLD ...]
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from .corpus import read_jsonl
from .data import training_set
from .evaluate import _cleaned
from .splits import TV_GOLD_FILE, TV_TEST_FILE
from .train import CONFIG, fit

FOLDS = ("2014,2017", "2015,2019", "2016,2020")
CANDIDATES = ("config", "tv-read", "tv-read-x1", "tv-read-weak")


def _config(name: str) -> dict:
    cfg = copy.deepcopy(CONFIG)
    if name == "tv-read":  # YEARS3 (F): the weak TV rows read again train as read TV rows (× 4)
        cfg["tv_read"] = "read"
    elif name == "tv-read-x1":  # YEARS3 (G): … and every read TV row weighted 1
        cfg["tv_read"], cfg["weights"]["tv_gold"] = "read", 1.0
    elif name == "tv-read-weak":  # YEARS3 (H): their read labels only, at the weak weight
        cfg["tv_read"] = "weak"
    elif name != "config":
        raise SystemExit(f"unknown candidate {name!r}: {', '.join(CANDIDATES)}")
    return cfg


def score_fold(data_dir: Path, name: str, fold: str) -> dict:
    years = set(fold.split(","))
    cfg = _config(name)
    ts = training_set(data_dir, cfg)
    keep = [
        i
        for i, (r, s) in enumerate(zip(ts.records, ts.sources, strict=True))
        if not (s != "newspaper" and r.date[:4] in years)
    ]
    model = fit([ts.records[i] for i in keep], [ts.sources[i] for i in keep], cfg)
    rows = [
        r
        for f in (TV_GOLD_FILE, TV_TEST_FILE)
        for r in _cleaned(read_jsonl(data_dir / f))
        if r.date[:4] in years
    ]
    labels = np.asarray([str(c) for c in model.classes_])
    pred = labels[model.predict_proba([r.item for r in rows]).argmax(1)]
    y = [r.label for r in rows]
    return {
        "candidate": name,
        "fold": sorted(years),
        "n": len(rows),
        "f1": round(float(f1_score(y, pred, average="macro")), 4),
        "acc": round(float(accuracy_score(y, pred)), 4),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("candidate", choices=CANDIDATES)
    ap.add_argument("folds", nargs="*", default=list(FOLDS))
    args = ap.parse_args(argv)
    for fold in args.folds:
        print(json.dumps(score_fold(args.data, args.candidate, fold)), flush=True)


if __name__ == "__main__":
    main()
