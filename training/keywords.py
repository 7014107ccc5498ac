"""Keyword evaluation: how often each method's keywords occur in the editors' 核心阅读 summaries.

People's Daily editors write a 核心阅读 ("core reading") paragraph above some articles: what
they judged the article to be about, in their own words. A keyword that occurs in it was worth
picking; the share of a method's top-k keywords found there is a proxy for picking what matters
(it rewards words the editors reused, not synonyms). Ours (the desk model's idf), jieba's
TF-IDF `extract_tags` and TextRank4ZH's keywords run on the same title + body, in one run.

Halves, fixed before any tuning: `tune` is the even rows (0, 2, …), on which our weighting was
chosen (raw tf over 1 + ln tf; then tf², the head line's words counted three times); `holdout` is
the odd rows, never looked at while choosing. The
holdout figures are the test figures; the whole-set and tune figures are training figures.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from pathlib import Path

from service.atomic import write_atomic
from service.errors import DataError

from .summaries import NEWSPAPER

__all__ = ["KEYWORDS_DATA", "evaluate_keywords", "format_keywords", "keyword_systems"]

KEYWORDS_DATA = NEWSPAPER  # the 核心阅读 summaries the newspaper's leads are scored on too
KS = (5, 10)


def _rows(data_dir: Path, limit: int | None) -> list[dict]:
    path = Path(data_dir) / KEYWORDS_DATA
    if not path.is_file():
        raise DataError(f"no summaries at {path}: give the shared data folder (--data, DATA=)")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{n} is not JSON ({exc.msg})") from exc
            if not all(isinstance(row.get(k), str) for k in ("text", "summary")):
                raise DataError(f"{path}:{n} lacks text or summary: every row needs both")
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    if not rows:
        raise DataError(f"{path} holds no rows")
    return rows


def _ours(model_dir: Path) -> Callable[[str, str, int], list[str]]:
    from service.classifier import Classifier
    from service.evidence import read
    from service.keywords import keywords
    from service.pages import single_article

    model = Classifier.load(model_dir).pipeline

    def top(title: str, text: str, k: int) -> list[str]:
        reading = read(model, single_article(title, text), whole=True)
        words = [t.text for t in keywords(reading, model, k)]
        return list(dict.fromkeys(words))  # a word in the title and the text: once

    return top


def _jieba() -> Callable[[str, str, int], list[str]]:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(60)

    def top(title: str, text: str, k: int) -> list[str]:
        return jieba.analyse.extract_tags(f"{title}\n{text}", topK=k)

    return top


def _textrank4zh() -> Callable[[str, str, int], list[str]] | None:
    from .summaries import textrank4zh

    module = textrank4zh()
    if module is None:
        return None
    ranker = module.TextRank4Keyword()

    def top(title: str, text: str, k: int) -> list[str]:
        ranker.analyze(text=f"{title}\n{text}", lower=True, window=2)
        return [item.word for item in ranker.get_keywords(k, word_min_len=2)]

    return top


def keyword_systems(model_dir: Path) -> dict[str, Callable | None]:
    """name → (title, text, k) → keywords, None when not installed."""
    return {"ours": _ours(model_dir), "jieba.extract_tags": _jieba(), "textrank4zh": _textrank4zh()}


def _score(words: list[str], summary: str) -> tuple[int, int]:
    return sum(1 for w in words if w in summary), len(words)


def _figures(outputs: list[list[str]], rows: list[dict]) -> dict:
    out = {}
    for k in KS:
        found = [_score(o[:k], r["summary"]) for o, r in zip(outputs, rows, strict=True)]
        hits, total = sum(f[0] for f in found), sum(f[1] for f in found)
        out[f"precision@{k}"] = round(hits / max(total, 1), 4)
        out[f"any@{k}"] = round(sum(f[0] > 0 for f in found) / max(len(rows), 1), 4)
        out[f"avg_returned@{k}"] = round(total / max(len(rows), 1), 2)
    return out


def evaluate_keywords(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    model_dir: str | Path,
    limit: int | None = None,
) -> dict:
    """Share of each method's top-5/top-10 keywords found in the summary, and docs/s (CPU).

    Writes `metrics.json` and `report.md` into `out_dir` and returns the metrics.
    """
    rows = _rows(Path(data_dir), limit)
    systems: dict[str, dict] = {}
    for name, system in keyword_systems(Path(model_dir)).items():
        if system is None:
            systems[name] = {"skipped": "not installed (pip install -e '.[bench]')"}
            continue
        system(rows[0].get("title") or "", rows[0]["text"], max(KS))  # dictionaries load here
        cpu = time.process_time()
        outputs = [system(r.get("title") or "", r["text"], max(KS)) for r in rows]
        cpu = time.process_time() - cpu
        result: dict = {"docs_per_s": round(len(rows) / max(cpu, 1e-9), 1)}
        for half, idx in (("all", range(len(rows))), ("tune", range(0, len(rows), 2)),
                          ("holdout", range(1, len(rows), 2))):  # fmt: skip
            result[half] = _figures([outputs[i] for i in idx], [rows[i] for i in idx])
        result["example"] = outputs[0][:5]
        systems[name] = result
    metrics = {
        "data": str(KEYWORDS_DATA),
        "documents": len(rows),
        "systems": systems,
        "settings": {
            "input": "title + newline + body (the 核心阅读 paragraph is not in the body)",
            "ours": "service.keywords, the shipped model's word idf",
            "jieba.extract_tags": "jieba 0.42 default idf and stop words",
            "textrank4zh": "TextRank4Keyword, window=2, lower=True, word_min_len=2",
        },
        "python": platform.python_version(),
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Each file whole or not at all (a Ctrl-C mid-write left a cut metrics.json), as summaries'.
    write_atomic(out / "metrics.json", json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
    write_atomic(out / "report.md", format_keywords(metrics))
    return metrics


def format_keywords(metrics: dict) -> str:
    """The evaluation as a markdown table (what the CLI prints and report.md holds)."""
    lines = [
        "# Keyword evaluation",
        "",
        f"{metrics['documents']} articles of `{metrics['data']}`: the share of each method's "
        "top-k keywords that occur in the editors' 核心阅读 summary (precision@k), the share of "
        "articles with at least one such keyword (any@k), and documents per CPU-second.",
        "",
        "Our weighting was chosen on the `tune` half (even rows); `holdout` (odd rows) is the "
        "test figure.",
        "",
        "| method | holdout P@5 | holdout P@10 | tune P@5 | all P@5 | all any@5 | docs/s (CPU) "
        "| first article's top 5 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, m in metrics["systems"].items():
        if m.get("skipped"):
            lines.append(f"| {name} | – | – | – | – | – | – | skipped: {m['skipped']} |")
            continue
        h, t, a = m["holdout"], m["tune"], m["all"]
        lines.append(
            f"| {name} | {h['precision@5']:.3f} | {h['precision@10']:.3f} "
            f"| {t['precision@5']:.3f} | {a['precision@5']:.3f} | {a['any@5']:.3f} "
            f"| {m['docs_per_s']:.0f} | {' '.join(m['example'])} |"
        )
    return "\n".join(lines) + "\n"
