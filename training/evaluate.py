"""Measure a model folder on every split, beside the usual jieba+TF-IDF+SVM script.

Splits (training/splits.py, training/EXPERIMENTS.md): the newspaper test month, the newspaper
calibration quarter (among the rows the review thresholds were fitted on), the TV-news test
(dev_gold), weak dev, and a cross-time check (a model fitted on rows dated up to 2019, scored on
later ones).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from service.atomic import atomic_folder
from service.classifier import Classifier, compose_all
from service.errors import DataError

from .corpus import Record, clean_text, read_jsonl
from .data import RECIPE_FILES, check_complete
from .progress import stage_done, stage_start, stages
from .report import markdown, plot_confusion, plot_reliability
from .review import review_report
from .splits import (
    CROSS_TIME_LAST_TRAIN_YEAR,
    NEWSPAPER_FILE,
    TV_GOLD_FILE,
    TV_TEST_FILE,
    split_newspaper,
)

__all__ = [
    "EVAL_FILES",
    "EVAL_NEEDS",
    "check_data",
    "SPLITS",
    "SAMPLE_PAGE",
    "SAMPLE_EXPECTED",
    "eval_splits",
    "evaluate",
    "scores",
    "calibration",
    "macro_f1_interval",
    "usual_script",
    "sample_page_predictions",
    "format_summary",
]

EVAL_FILES = {"dev_gold": TV_TEST_FILE, "dev_weak": "classify/dev.jsonl"}
# What each split is, as the report says it (and which choices were made on it).
SPLITS = {
    "newspaper_test": "newspaper test: People's Daily 2020-05, read labels; no choice made on it",
    "newspaper_calibration": "newspaper calibration quarter: among the month-held-out rows the "
    "review thresholds were fitted on, so its review figures are partly fitted figures",
    "dev_gold": "TV-news test (dev_gold); the weak-label repair's word lists were written from "
    "its errors, so figures here are optimistic",
    "dev_weak": "TV-news dev, weak title-rule labels, no `other`; never trained on",
    "cross_time_newspaper": f"cross-time: fitted on rows dated ≤ {CROSS_TIME_LAST_TRAIN_YEAR}, "
    "scored on the newspaper training rows of 2020",
    "cross_time_tv": f"cross-time: fitted on rows dated ≤ {CROSS_TIME_LAST_TRAIN_YEAR}, "
    "scored on train_gold's TV news of 2021–2023",
}
SAMPLE_PAGE = "../samples/guiyang-daily-page.txt"  # relative to the data folder
SAMPLE_EXPECTED = ("leadership", "leadership", "commentary", "industry", "education")  # LABELS.md
REPORT_DIR = "report"
# What a whole report reads: the training recipe's files (the usual script and the cross-time
# model learn from them) and every split's. `evaluate --partial` reports on what is there.
EVAL_NEEDS = tuple(dict.fromkeys((*RECIPE_FILES, *EVAL_FILES.values())))


def check_data(data_dir: str | Path) -> None:
    """A DataError naming what `data_dir` lacks of EVAL_NEEDS (training.data.check_complete)."""
    check_complete(
        Path(data_dir),
        EVAL_NEEDS,
        "the report would leave out the splits they hold, or score the usual script and the "
        "cross-time check on fewer rows than the model learned from",
        "evaluate on what is there",
    )


def _cleaned(rows: Sequence[Record]) -> list[Record]:
    from dataclasses import replace

    return [replace(r, text=clean_text(r.text)) for r in rows]


def eval_splits(data_dir: str | Path) -> dict[str, list[Record]]:
    """The held-out splits whose files exist under `data_dir`, bodies cleaned like served text."""
    data_dir = Path(data_dir)
    out: dict[str, list[Record]] = {}
    if (data_dir / NEWSPAPER_FILE).is_file():
        parts = split_newspaper(read_jsonl(data_dir / NEWSPAPER_FILE))
        out["newspaper_test"] = _cleaned(parts.test)
        out["newspaper_calibration"] = _cleaned(parts.calibration)
    for key, name in EVAL_FILES.items():
        if (data_dir / name).is_file():
            out[key] = _cleaned(read_jsonl(data_dir / name))
    return {k: v for k, v in out.items() if v}


def cross_time_splits(data_dir: str | Path) -> dict[str, list[Record]]:
    """Rows dated after CROSS_TIME_LAST_TRAIN_YEAR that the shipped model may train on."""
    data_dir, year = Path(data_dir), CROSS_TIME_LAST_TRAIN_YEAR
    out: dict[str, list[Record]] = {}
    if (data_dir / NEWSPAPER_FILE).is_file():
        train = split_newspaper(read_jsonl(data_dir / NEWSPAPER_FILE)).train
        out["cross_time_newspaper"] = _cleaned([r for r in train if r.date[:4] > year])
    if (data_dir / TV_GOLD_FILE).is_file():
        rows = read_jsonl(data_dir / TV_GOLD_FILE)
        out["cross_time_tv"] = _cleaned([r for r in rows if r.date[:4] > str(int(year) + 1)])
    return {k: v for k, v in out.items() if v}


def scores(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict:
    """Per-class P/R/F1, macro-F1 over the labels the truth uses, accuracy, confusion matrix."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    present = [lab for lab in labels if lab in set(y_true)]
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), zero_division=0
    )
    per = {
        lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "n": int(s[i])}
        for i, lab in enumerate(labels)
    }
    cm = confusion_matrix(y_true, y_pred, labels=list(labels))
    return {
        "n": len(y_true),
        # A weak dev file has no `other`; a label with no support would only add a zero.
        "macro_f1": float(np.mean([per[lab]["f1"] for lab in present])),
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))),
        "per_class": per,
        "labels": list(labels),
        "confusion": cm.tolist(),
    }


def calibration(proba: np.ndarray, classes: Sequence[str], y_true: Sequence[str], bins: int = 10):
    """Expected calibration error of the top label, with the per-bin table for the plot."""
    conf = proba.max(axis=1)
    right = np.asarray(classes)[proba.argmax(axis=1)] == np.asarray(y_true)
    edges = np.linspace(0.0, 1.0, bins + 1)
    table, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (conf > lo) & (conf <= hi) if lo > 0 else (conf >= lo) & (conf <= hi)
        if not m.any():
            continue
        acc, mean = float(right[m].mean()), float(conf[m].mean())
        ece += m.mean() * abs(acc - mean)
        row = {"lo": float(lo), "hi": float(hi), "n": int(m.sum()), "acc": acc, "conf": mean}
        table.append(row)
    return float(ece), table


def macro_f1_interval(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str], *, rounds: int = 1000
) -> tuple[float, float]:
    """A 95% bootstrap interval for macro-F1 (seeded), so close configurations read as ties."""
    index = {lab: i for i, lab in enumerate(labels)}
    t = np.array([index[y] for y in y_true])
    p = np.array([index.get(y, -1) for y in y_pred])
    rng = np.random.default_rng(13)
    k = len(labels)
    values = []
    for _ in range(rounds):
        pick = rng.integers(0, len(t), len(t))
        tt, pp = t[pick], p[pick]
        tp = np.bincount(tt[tt == pp], minlength=k)
        true_n, pred_n = np.bincount(tt, minlength=k), np.bincount(pp[pp >= 0], minlength=k)
        present = true_n > 0
        f1 = 2 * tp / np.maximum(true_n + pred_n, 1)
        values.append(f1[present].mean())
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def _jieba_cut(text: str) -> list[str]:
    import jieba

    return jieba.lcut(text)


def usual_script(records: Sequence[Record], seed: int = 13):
    """The usual script: jieba.lcut tokens + TfidfVectorizer + LinearSVC, rows unweighted."""
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(60)  # its dictionary-loading chatter would bury the progress bar
    pipe = Pipeline(
        [
            ("text", FunctionTransformer(compose_all)),
            ("tfidf", TfidfVectorizer(tokenizer=_jieba_cut, token_pattern=None)),
            ("svm", LinearSVC(random_state=seed)),
        ]
    )
    return pipe.fit([r.item for r in records], [r.label for r in records])


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sample_page_predictions(classifier: Classifier, page: Path) -> list[dict] | None:
    """The model's labels for the articles service.pages finds on a real page (None if absent)."""
    if not page.is_file():
        return None
    from service.pages import split_page
    from service.pipeline import desk_item

    try:
        text = page.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:  # it ended the run in a traceback
        raise DataError(
            f"{page} cannot be read ({type(exc).__name__}: {exc}); fetch the sample page again",
            field="data",
        ) from exc
    articles = split_page(text)
    preds = classifier.predict([desk_item(a) for a in articles])
    return [
        {
            "title": a.title,
            "label": p.label,
            "confidence": round(p.confidence, 4),
            "review": p.review,
        }
        for a, p in zip(articles, preds, strict=True)
    ]


def _score(rows, proba, labels, base, review_thresholds) -> dict:
    """One split: the model's figures (with the review flag's), and the usual script's."""
    items, y = [r.item for r in rows], [r.label for r in rows]
    pred = [labels[i] for i in proba.argmax(axis=1)]
    ours = scores(y, pred, labels)
    ours["macro_f1_ci95"] = list(macro_f1_interval(y, pred, labels))
    ours["ece"], ours["reliability"] = calibration(proba, labels, y)
    if review_thresholds is not None:
        ours["review"] = review_report(items, proba, labels, y, review_thresholds)
    base_pred = [str(p) for p in base.predict(items)]
    theirs = scores(y, base_pred, labels)
    theirs["macro_f1_ci95"] = list(macro_f1_interval(y, base_pred, labels))
    base_p = _softmax(base.decision_function(items))
    theirs["ece"], theirs["reliability"] = calibration(base_p, list(base.classes_), y)
    return {"model": ours, "usual_script": theirs}


def evaluate(data_dir: str | Path, model_dir: str | Path, *, progress: bool | str = True) -> dict:
    """Score the model and the usual script on every split; write report/ into the model."""
    from .data import training_set
    from .train import CONFIG, fit

    data_dir, model_dir = Path(data_dir), Path(model_dir)
    clf = Classifier.load(model_dir)
    labels = list(clf.labels)
    splits = eval_splits(data_dir)
    later = cross_time_splits(data_dir)
    if not splits and not later:  # even with --partial: a report of nothing is no report
        raise DataError(
            f"{data_dir} holds no rows of any split ({', '.join(EVAL_FILES.values())}, "
            f"{NEWSPAPER_FILE}, {TV_GOLD_FILE}): nothing to evaluate on; point --data "
            "(make DATA=…) at the shared data folder",
            field="data",
        )
    bar = stages(progress, 3 + len(splits) + len(later), "evaluate")
    report: dict = {"model": str(model_dir), "labels": labels, "splits": {}}
    # `--partial`: the report says what it was made without, so it never reads as whole
    report["data_missing"] = [n for n in EVAL_NEEDS if not (data_dir / n).is_file()]
    config = clf.manifest.get("config", CONFIG)  # the recipe this model was trained with
    with bar if bar is not None else nullcontext():
        stage_start(bar, "usual script")
        data = training_set(data_dir, config)
        baseline = usual_script(data.records)
        stage_done(bar, "usual script")
        for key, rows in splits.items():
            proba = clf.probabilities([r.item for r in rows])
            report[key] = _score(rows, proba, labels, baseline, clf.thresholds)
            report["splits"][key] = SPLITS[key]
            stage_done(bar, key)
        if later:
            # The same recipe on earlier rows only: does the model hold on later news?
            stage_start(bar, "cross-time model")
            early = training_set(data_dir, config, until_year=CROSS_TIME_LAST_TRAIN_YEAR)
            model = fit(early.records, early.sources, config)
            stage_done(bar, "cross-time model")
            stage_start(bar, "cross-time usual script")
            base = usual_script(early.records)
            stage_done(bar, "cross-time usual script")
            for key, rows in later.items():
                proba = model.predict_proba([r.item for r in rows])
                report[key] = _score(rows, proba, [str(c) for c in model.classes_], base, None)
                report["splits"][key] = SPLITS[key]
                stage_done(bar, key)
    report["sample_page"] = sample_page_predictions(clf, (data_dir / SAMPLE_PAGE).resolve())
    report["sample_expected"] = list(SAMPLE_EXPECTED)
    # The new report replaces the old whole, or not at all (a failure, Ctrl-C): written file
    # by file in place, a run stopped midway left new plots beside the old figures.
    with atomic_folder(model_dir / REPORT_DIR) as out:
        for key in report["splits"]:
            ours, base = report[key]["model"], report[key]["usual_script"]
            plot_confusion(ours, f"{key}: model", out / f"confusion_{key}.png")
            plot_confusion(base, f"{key}: usual script", out / f"confusion_{key}_usual.png")
            plot_reliability(
                {"model": ours["reliability"], "usual script (softmax)": base["reliability"]},
                f"{key}: reliability",
                out / f"reliability_{key}.png",
            )
        (out / "metrics.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (out / "report.md").write_text(markdown(report, clf.manifest), encoding="utf-8")
    return report


def format_summary(report: dict) -> str:
    """A few lines for the terminal: macro-F1, accuracy, ECE and the review flag per split."""
    lines = []
    for key in report["splits"]:
        for system in ("model", "usual_script"):
            r = report[key][system]
            line = (
                f"{key:22s} {system:13s} macro-F1 {r['macro_f1']:.4f}  "
                f"accuracy {r['accuracy']:.4f}  ECE {r['ece']:.4f}"
            )
            rev = r.get("review")
            if rev and rev["unflagged_precision"] is not None:
                line += (
                    f"  review {100 * rev['review_share']:.1f}%, unflagged "
                    f"{100 * rev['unflagged_precision']:.1f}% right"
                )
            lines.append(line)
    if report.get("sample_page") is not None:
        got = [a["label"] for a in report["sample_page"]]
        lines.append(f"sample page: {', '.join(got)}")
    if lines:  # the one figure here the table alone does not name
        lines.append(
            "ECE: the gap between the top label's probability and how often it is right, over "
            "ten bins (0: a probability of 0.8 is right 8 times in 10); report.md explains it"
        )
    return "\n".join(lines)
