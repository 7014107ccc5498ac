"""Measure a model folder on weak dev and gold dev against the usual jieba+TF-IDF+SVM script."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from service.classifier import Classifier, compose_all

from .corpus import TRAIN_FILES, Record, read_jsonl, read_training

__all__ = [
    "EVAL_FILES",
    "SAMPLE_PAGE",
    "SAMPLE_EXPECTED",
    "evaluate",
    "scores",
    "calibration",
    "macro_f1_interval",
    "usual_script",
    "sample_page_predictions",
    "format_summary",
]

EVAL_FILES = {"dev_gold": "classify/dev_gold.jsonl", "dev_weak": "classify/dev.jsonl"}
SAMPLE_PAGE = "../samples/guiyang-daily-page.txt"  # relative to the data folder
SAMPLE_EXPECTED = ("leadership", "leadership", "commentary", "industry", "education")  # LABELS.md
REPORT_DIR = "report"


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
    """The usual script: jieba.lcut tokens + TfidfVectorizer + LinearSVC, weak labels as given."""
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

    articles = split_page(page.read_text(encoding="utf-8"))
    preds = classifier.predict([(a.title, a.text) for a in articles])
    return [
        {"title": a.title, "label": p.label, "confidence": round(p.confidence, 4)}
        for a, p in zip(articles, preds, strict=True)
    ]


def _plot_confusion(result: dict, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, cm = result["labels"], np.asarray(result["confusion"])
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(labels)):
        for j in range(len(labels)):
            colour = "white" if cm[i, j] > cm.max() / 2 else "black"
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color=colour)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _plot_reliability(tables: dict[str, list[dict]], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    for name, table in tables.items():
        ax.plot([b["conf"] for b in table], [b["acc"] for b in table], marker="o", label=name)
    ax.set_xlabel("confidence of the top label")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def evaluate(data_dir: str | Path, model_dir: str | Path, *, progress: bool = True) -> dict:
    """Score model and usual script on dev (weak) and dev_gold; write report/ into the model."""
    data_dir, model_dir = Path(data_dir), Path(model_dir)
    clf = Classifier.load(model_dir)
    labels = list(clf.labels)
    evals = {key: read_jsonl(data_dir / name) for key, name in EVAL_FILES.items()}
    bar = _bar(progress, 1 + 2 * len(evals))
    with bar if bar is not None else nullcontext():
        baseline = usual_script(read_training(data_dir, TRAIN_FILES))
        _tick(bar, "baseline")
        report: dict = {"model": str(model_dir), "labels": labels, "files": dict(EVAL_FILES)}
        out = model_dir / REPORT_DIR
        out.mkdir(parents=True, exist_ok=True)
        for key, rows in evals.items():
            y = [r.label for r in rows]
            proba = clf.probabilities([r.item for r in rows])
            pred = [labels[i] for i in proba.argmax(axis=1)]
            ours = scores(y, pred, labels)
            ours["macro_f1_ci95"] = list(macro_f1_interval(y, pred, labels))
            ours["ece"], ours["reliability"] = calibration(proba, labels, y)
            _tick(bar, key)
            items = [r.item for r in rows]
            base_pred = [str(p) for p in baseline.predict(items)]
            base = scores(y, base_pred, labels)
            base["macro_f1_ci95"] = list(macro_f1_interval(y, base_pred, labels))
            base_p = _softmax(baseline.decision_function(items))
            base["ece"], base["reliability"] = calibration(base_p, list(baseline.classes_), y)
            _tick(bar, f"{key} baseline")
            report[key] = {"model": ours, "usual_script": base}
            _plot_confusion(ours, f"{key}: model", out / f"confusion_{key}.png")
            _plot_confusion(base, f"{key}: usual script", out / f"confusion_{key}_usual.png")
            _plot_reliability(
                {"model": ours["reliability"], "usual script (softmax)": base["reliability"]},
                f"{key}: reliability",
                out / f"reliability_{key}.png",
            )
    report["sample_page"] = sample_page_predictions(clf, (data_dir / SAMPLE_PAGE).resolve())
    report["sample_expected"] = list(SAMPLE_EXPECTED)
    (out / "metrics.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (out / "report.md").write_text(_markdown(report, clf.manifest), encoding="utf-8")
    return report


def _bar(progress: bool, total: int):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="evaluate", unit="step", file=sys.stderr)


def _tick(bar, name: str) -> None:
    if bar is not None:
        bar.set_postfix_str(name)
        bar.update(1)


def _table(result: dict) -> list[str]:
    lines = ["| label | precision | recall | F1 | n |", "|---|---|---|---|---|"]
    for lab, v in result["per_class"].items():
        lines.append(
            f"| {lab} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['n']} |"
        )
    return lines


def _confusion_md(result: dict) -> list[str]:
    labels = result["labels"]
    lines = ["| true \\ predicted | " + " | ".join(labels) + " |"]
    lines.append("|---" * (len(labels) + 1) + "|")
    for lab, row in zip(labels, result["confusion"], strict=True):
        lines.append(f"| {lab} | " + " | ".join(str(x) for x in row) + " |")
    return lines


def _markdown(report: dict, manifest: dict) -> str:
    md = [
        f"# Desk classifier report: `{Path(report['model']).name}`",
        "",
        f"Labels: {', '.join(report['labels'])}. Trained on {', '.join(TRAIN_FILES)} "
        f"(data sha256 `{str(manifest.get('data_sha256', ''))[:12]}…`), "
        f"model sha256 `{str(manifest.get('sha256', ''))[:12]}…`.",
        "Macro-F1 averages the labels the file uses (the weak dev file has no `other`).",
        "The usual script is jieba.lcut + TfidfVectorizer + LinearSVC on the same training "
        "files and weak labels; its ECE uses a softmax of the SVM's decision values.",
        "",
        "| file | system | macro-F1 | 95% bootstrap | accuracy | ECE |",
        "|---|---|---|---|---|---|",
    ]
    for key in EVAL_FILES:
        for system in ("model", "usual_script"):
            r = report[key][system]
            md.append(
                f"| {key} | {system.replace('_', ' ')} | {r['macro_f1']:.4f} | "
                f"{r['macro_f1_ci95'][0]:.3f}–{r['macro_f1_ci95'][1]:.3f} | "
                f"{r['accuracy']:.4f} | {r['ece']:.4f} |"
            )
    for key in EVAL_FILES:
        for system in ("model", "usual_script"):
            r = report[key][system]
            suffix = "" if system == "model" else "_usual"
            md += ["", f"## {key}: {system.replace('_', ' ')} (n={r['n']})", ""]
            md += _table(r) + [""] + _confusion_md(r)
            md += ["", f"![confusion](confusion_{key}{suffix}.png)"]
        md += ["", f"![reliability](reliability_{key}.png)"]
    md += ["", "## Sample page (../samples/guiyang-daily-page.txt)", ""]
    if report["sample_page"] is None:
        md.append("The sample page was not found next to the data folder.")
    else:
        md += ["| # | title | label | confidence | LABELS.md |", "|---|---|---|---|---|"]
        expected = list(report["sample_expected"]) + [""] * len(report["sample_page"])
        for i, a in enumerate(report["sample_page"]):
            md.append(
                f"| {i + 1} | {a['title']} | {a['label']} | {a['confidence']:.3f} | {expected[i]} |"
            )
    return "\n".join(md) + "\n"


def format_summary(report: dict) -> str:
    """A few lines for the terminal: macro-F1, accuracy and ECE per file and system."""
    lines = []
    for key in EVAL_FILES:
        for system in ("model", "usual_script"):
            r = report[key][system]
            lines.append(
                f"{key:9s} {system:13s} macro-F1 {r['macro_f1']:.4f}  "
                f"accuracy {r['accuracy']:.4f}  ECE {r['ece']:.4f}"
            )
    if report.get("sample_page") is not None:
        got = [a["label"] for a in report["sample_page"]]
        lines.append(f"sample page: {', '.join(got)}")
    return "\n".join(lines)
