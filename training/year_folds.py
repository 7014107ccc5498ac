"""Year folds (training/EXPERIMENTS.md, YEARS1–5): TV news of years a fit never saw.

Each fold fits `make train`'s recipe on its rows less every TV row (read and weak) of the fold's
two years, then scores the read TV rows (train_gold and dev_gold) of those years, as they are
and (YEARS4) with the 2013–2023 leaders' names read as the 2002–2012 holders of their offices
(YEARS5's `leader-mask`: the char blocks read every national leader's name as one mask).
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
import re
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from .corpus import read_jsonl
from .data import training_set
from .evaluate import _cleaned
from .splits import TV_GOLD_FILE, TV_TEST_FILE
from .train import CONFIG, fit

FOLDS = ("2014,2017", "2015,2019", "2016,2020")
CANDIDATES = ("config", "tv-read", "tv-read-x1", "tv-read-weak", "national-leader", "leader-mask")
# YEARS4 reading (b): each 2013–2023 leader's name → the 2002–2012 holder of the nearest office
# (EXPERIMENTS.md, YEARS4, where the map was written before any run).
OLDER_LEADER = {
    "习近平": "胡锦涛",  # general secretary, state president
    "李克强": "温家宝",  # premier
    "李强": "温家宝",
    "张德江": "吴邦国",  # NPC chair
    "栗战书": "吴邦国",
    "俞正声": "贾庆林",  # CPPCC chair
    "汪洋": "贾庆林",
    "刘云山": "李长春",  # ideology and propaganda
    "王沪宁": "李长春",
    "王岐山": "贺国强",  # discipline inspection (and vice president 2018–2023)
    "赵乐际": "吴官正",
    "李希": "吴官正",
    "张高丽": "周永康",
    "韩正": "黄菊",  # executive vice premier
    "丁薛祥": "黄菊",
    "蔡奇": "曾庆红",  # first secretary of the secretariat
    "李源潮": "曾庆红",  # state vice president
}
_NEWER = re.compile(
    "|".join(r"(?<![一片成])汪洋(?!大海|恣肆)" if n == "汪洋" else n for n in OLDER_LEADER)
)


def older_names(text: str) -> str:
    return _NEWER.sub(lambda m: OLDER_LEADER[m.group()], text)


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
    pred = labels[model.predict_proba(items).argmax(1)]
    pred_b = labels[model.predict_proba(older).argmax(1)]
    return {
        "candidate": name,
        "fold": sorted(years),
        "n": len(rows),
        **_scores(y, pred),
        "older_names": {"renamed": sum(o != i for o, i in zip(older, items, strict=True)),
                        **_scores(y, pred_b)},
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
