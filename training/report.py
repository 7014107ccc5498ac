"""The evaluation report's plots and markdown (training.evaluate computes, this writes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_confusion", "plot_reliability", "markdown"]


# What the ECE column and the reliability plots measure (training.evaluate.calibration).
ECE_MEANS = (
    "ECE (expected calibration error): the rows put in ten bins by the top label's probability "
    "(0–0.1, …, 0.9–1), the gap between each bin's mean probability and its share right, "
    "averaged weighted by the bin's rows; 0 means a probability of 0.8 is right 8 times in 10. "
    "The reliability plots draw the bins (a point above the diagonal: more often right than its "
    "probability says), each point's area and the number beside it its rows; a bin of a few rows "
    "swings far."
)


def plot_confusion(result: dict, title: str, path: Path) -> None:
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


def plot_reliability(tables: dict[str, list[dict]], title: str, path: Path):
    """Each system's bins, a point's area by its rows and its row count beside it: a bin of 3
    rows was drawn as sure as one of 300. Returns the figure (closed) for a caller to read."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    most = max((b["n"] for table in tables.values() for b in table), default=1)
    for name, table in tables.items():
        conf, acc, rows = ([b[k] for b in table] for k in ("conf", "acc", "n"))
        (line,) = ax.plot(conf, acc, label=name)
        areas = [6 + 200 * n / most for n in rows]
        ax.scatter(conf, acc, s=areas, color=line.get_color(), alpha=0.7, zorder=3)
        for x, y, n in zip(conf, acc, rows, strict=True):
            ax.annotate(
                str(n), (x, y), xytext=(4, -9), textcoords="offset points", fontsize=7,
                color=line.get_color(),
            )  # fmt: skip
    ax.set_xlabel("confidence of the top label\n(a point's area and number: its bin's rows)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right")  # a well-calibrated bin is never there; upper left hid some
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return fig


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


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _review_md(review: dict) -> list[str]:
    lines = [
        f"Left for review: **{_pct(review['review_share'])}** of {review['n']}; the "
        f"{review['unflagged']} unflagged are **{_pct(review['unflagged_precision'])}** right.",
        "",
        "| predicted label | n | left for review | unflagged | unflagged precision |",
        "|---|---|---|---|---|",
    ]
    for lab, r in review["per_label"].items():
        lines.append(
            f"| {lab} | {r['n']} | {_pct(r['review_share'])} | {r['unflagged']} | "
            f"{_pct(r['unflagged_precision'])} |"
        )
    return lines


def markdown(report: dict, manifest: dict) -> str:
    data = manifest.get("data", {})
    thresholds = (manifest.get("review") or {}).get("thresholds") or {}
    md = [
        f"# Desk classifier report: `{Path(report['model']).name}`",
        "",
    ]
    if report.get("data_missing"):
        md += [
            f"**Partial report** (`evaluate --partial`): the data folder lacked "
            f"{', '.join(report['data_missing'])}; the splits they hold are not here, and the "
            "usual script and the cross-time check learned from what was there.",
            "",
        ]
    md += [
        f"Labels: {', '.join(report['labels'])}. Trained on {', '.join(data.get('files', []))} "
        f"(data sha256 `{str(manifest.get('data_sha256', ''))[:12]}…`), "
        f"model sha256 `{str(manifest.get('sha256', ''))[:12]}…`; splits in "
        'training/EXPERIMENTS.md ("Splits").',
        "Macro-F1 averages the labels the split uses (the weak dev file has no `other`).",
        "The usual script is jieba.lcut + TfidfVectorizer + LinearSVC fitted on the same "
        "training rows (unweighted); its ECE uses a softmax of the SVM's decision values.",
        ECE_MEANS,
        "Review thresholds (chosen on month-held-out predictions of the training months and "
        "the calibration quarter, fitted for "
        f"{(manifest.get('review') or {}).get('fitted_target', 0.95):.2f} so that ≥ 95% holds on "
        + (
            "every month left out by one standard error, at it and every stricter step"
            if (manifest.get("review") or {}).get("new_month_met", True)
            else "every month left out by one standard error — **not met**: no step held so "
            "on every month, and the strictest is shipped"
        )
        + "): "
        + (", ".join(f"{k} {v:.3f}" for k, v in thresholds.items()) or "none")
        + ".",
        "",
        "| split | what it is | system | macro-F1 | 95% bootstrap | accuracy | ECE | "
        "review share | unflagged precision |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, about in report["splits"].items():
        for system in ("model", "usual_script"):
            r = report[key][system]
            rev = r.get("review")
            md.append(
                f"| {key} | {about if system == 'model' else ''} | {system.replace('_', ' ')} | "
                f"{r['macro_f1']:.4f} | "
                f"{r['macro_f1_ci95'][0]:.3f}–{r['macro_f1_ci95'][1]:.3f} | "
                f"{r['accuracy']:.4f} | {r['ece']:.4f} | "
                f"{_pct(rev['review_share']) if rev else ''} | "
                f"{_pct(rev['unflagged_precision']) if rev else ''} |"
            )
    for key, about in report["splits"].items():
        md += ["", f"## {key}", "", about]
        for system in ("model", "usual_script"):
            r = report[key][system]
            suffix = "" if system == "model" else "_usual"
            md += ["", f"### {system.replace('_', ' ')} (n={r['n']})", ""]
            md += _table(r) + [""] + _confusion_md(r)
            if r.get("review"):
                md += ["", "Review flag:", ""] + _review_md(r["review"])
            md += ["", f"![confusion](confusion_{key}{suffix}.png)"]
        md += ["", f"![reliability](reliability_{key}.png)"]
    md += ["", "## Sample page (../samples/guiyang-daily-page.txt)", ""]
    if report["sample_page"] is None:
        md.append("The sample page was not found next to the data folder.")
    else:
        md += [
            "| # | title | label | confidence | review | LABELS.md |",
            "|---|---|---|---|---|---|",
        ]
        expected = list(report["sample_expected"]) + [""] * len(report["sample_page"])
        for i, a in enumerate(report["sample_page"]):
            md.append(
                f"| {i + 1} | {a['title']} | {a['label']} | {a['confidence']:.3f} | "
                f"{'yes' if a['review'] else 'no'} | {expected[i]} |"
            )
    return "\n".join(md) + "\n"
