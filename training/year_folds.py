"""Year folds (training/EXPERIMENTS.md, YEARS1–6): TV news of years a fit never saw.

Each fold fits `make train`'s recipe on its rows less every TV row (read and weak) of the fold's
two years, then scores the read TV rows (train_gold and dev_gold) of those years, as they are,
(YEARS4) with the 2013–2023 leaders' names read as the 2002–2012 holders of their offices
(training.augment.older_names) and (YEARS6) as invented names no fit saw (YEARS5's
`leader-mask`: the char blocks read every national leader's name as one mask; YEARS6's
`renamed-copies`: TV rows copied with their leaders renamed).
The folds hold years of 2014–2020 only, so `make evaluate`'s cross-time TV split (2021–2023)
stays unread. `--news`: the newspaper guard instead, each newspaper training month's gold rows
scored by a fit without that month (`training.review.month_heldout`; no calibration row).
Not used by `make train`; a choice made on these figures makes them tuning figures.

    nice .venv/bin/python -m training.year_folds --data ../shared/data CANDIDATE [FOLD ...]
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from .augment import older_names
from .corpus import read_jsonl
from .data import training_set
from .evaluate import _cleaned
from .splits import TV_GOLD_FILE, TV_TEST_FILE
from .train import CONFIG, fit

FOLDS = ("2014,2017", "2015,2019", "2016,2020")
CANDIDATES = (
    "config",
    "tv-read",
    "tv-read-x1",
    "tv-read-weak",
    "national-leader",
    "leader-mask",
    "renamed-copies",
)
# YEARS6 reading (c), report-only: each 2013–2023 name → an invented name by office, one no
# renamed copy writes and no training or dev_gold row holds (EXPERIMENTS.md, stop 32).
INVENTED_LEADER = {
    "习近平": "秦怀远",
    "李克强": "卫同舟",
    "李强": "卫同舟",
    "张德江": "柯林山",
    "栗战书": "柯林山",
    "俞正声": "邝启文",
    "汪洋": "邝启文",
    "刘云山": "聂书恒",
    "王沪宁": "聂书恒",
    "王岐山": "龚定邦",
    "赵乐际": "詹守义",
    "李希": "詹守义",
    "张高丽": "阮清和",
    "韩正": "甘立诚",
    "丁薛祥": "甘立诚",
    "蔡奇": "官永泰",
    "李源潮": "伍仲达",
}


def _config(name: str) -> dict:
    cfg = copy.deepcopy(CONFIG)
    if name == "tv-read":  # YEARS3 (F): the weak TV rows read again train as read TV rows (× 4)
        cfg["tv_read"] = "read"
    elif name == "tv-read-x1":  # YEARS3 (G): … and every read TV row weighted 1
        cfg["tv_read"], cfg["weights"]["tv_gold"] = "read", 1.0
    elif name == "tv-read-weak":  # YEARS3 (H): their read labels only, at the weak weight
        cfg["tv_read"] = "weak"
    elif name == "national-leader":  # YEARS4: one cue for a national leader named up front
        cfg["cues"] = [*cfg["cues"], "national_leader"]
    elif name == "leader-mask":  # YEARS5: the char blocks read national leaders' names as a mask
        cfg["mask"] = "national_leader"
    elif name == "renamed-copies":  # YEARS6: TV rows copied with their leaders renamed
        cfg["renamed_copies"] = True
    elif name != "config":
        raise SystemExit(f"unknown candidate {name!r}: {', '.join(CANDIDATES)}")
    return cfg


def _scores(y, pred) -> dict:
    return {
        "f1": round(float(f1_score(y, pred, average="macro")), 4),
        "acc": round(float(accuracy_score(y, pred)), 4),
    }


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
    y = [r.label for r in rows]
    items = [r.item for r in rows]
    older = [(older_names(t), older_names(b)) for t, b in items]
    invented = [tuple(older_names(x, INVENTED_LEADER) for x in item) for item in items]
    pred = labels[model.predict_proba(items).argmax(1)]
    pred_b = labels[model.predict_proba(older).argmax(1)]
    pred_c = labels[model.predict_proba(invented).argmax(1)]
    return {
        "candidate": name,
        "fold": sorted(years),
        "n": len(rows),
        **_scores(y, pred),
        # (rows true label by predicted, `labels` order: what a set mixing in other rows reads)
        "labels": labels.tolist(),
        "confusion": confusion_matrix(y, pred, labels=labels).tolist(),
        "older_names": {"renamed": sum(o != i for o, i in zip(older, items, strict=True)),
                        **_scores(y, pred_b)},
        "invented_names": {"renamed": sum(o != i for o, i in zip(invented, items, strict=True)),
                           **_scores(y, pred_c)},
    }  # fmt: skip


def news_guard(data_dir: Path, name: str) -> dict:
    from .review import month_heldout

    cfg = _config(name)
    ts = training_set(data_dir, cfg)

    class _Classes:  # month_heldout reads only the label order of the shipped fit
        classes_ = np.asarray(sorted({r.label for r in ts.records}))

    _, proba, y, months = month_heldout(_Classes, ts.records, ts.sources, cfg, [])
    pred = _Classes.classes_[proba.argmax(1)]
    by_month = {}
    for m in sorted(set(months)):
        at = [i for i, w in enumerate(months) if w == m]
        by_month[m] = {"n": len(at), **_scores([y[i] for i in at], pred[at])}
    return {"candidate": name, "news": {"n": len(y), **_scores(y, pred)}, "months": by_month}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--news", action="store_true", help="the newspaper guard, not the folds")
    ap.add_argument("candidate", choices=CANDIDATES)
    ap.add_argument("folds", nargs="*", default=list(FOLDS))
    args = ap.parse_args(argv)
    if args.news:
        print(json.dumps(news_guard(args.data, args.candidate)), flush=True)
        return
    for fold in args.folds:
        print(json.dumps(score_fold(args.data, args.candidate, fold)), flush=True)


if __name__ == "__main__":
    main()
