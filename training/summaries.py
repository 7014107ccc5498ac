"""Lead evaluation: character ROUGE of our leads against editors' briefs, beside the baselines."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from service.errors import DataError, InvalidInput
from service.sentences import split
from service.summariser import DEFAULT_WEIGHTS, FEATURES, Weights, candidates, lead

__all__ = [
    "Rouge",
    "rouge",
    "rouge_n",
    "rouge_l",
    "read_briefs",
    "baselines",
    "evaluate_summaries",
    "format_summary",
    "fit_weights",
]

BRIEFS = Path("summarise") / "dev.jsonl"


@dataclass(frozen=True)
class Rouge:
    """Precision, recall and F1 of one ROUGE measure."""

    precision: float
    recall: float
    f1: float


def _tokens(text: str) -> list[str]:
    # Characters as tokens, as LCSTS and CNewSum score Chinese: no segmenter decides the score.
    # Whitespace is layout, not content; punctuation is kept (a character like any other).
    return [c for c in text if not c.isspace()]


def _score(overlap: int, n_candidate: int, n_reference: int) -> Rouge:
    if overlap == 0:
        return Rouge(0.0, 0.0, 0.0)
    p, r = overlap / n_candidate, overlap / n_reference
    return Rouge(p, r, 2 * p * r / (p + r))


def rouge_n(candidate: str, reference: str, n: int = 1) -> Rouge:
    """ROUGE-N over character n-grams, counts clipped by the reference."""
    c, r = _tokens(candidate), _tokens(reference)
    cn = Counter(tuple(c[i : i + n]) for i in range(len(c) - n + 1))
    rn = Counter(tuple(r[i : i + n]) for i in range(len(r) - n + 1))
    return _score(sum((cn & rn).values()), sum(cn.values()), sum(rn.values()))


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            if x == y:
                cur.append(prev[j] + 1)
            else:
                cur.append(cur[j] if cur[j] > prev[j + 1] else prev[j + 1])
        prev = cur
    return prev[-1]


def rouge_l(candidate: str, reference: str) -> Rouge:
    """ROUGE-L: longest common character subsequence, F1 with beta = 1."""
    c, r = _tokens(candidate), _tokens(reference)
    return _score(_lcs(c, r), len(c), len(r))


def rouge(candidate: str, reference: str) -> dict[str, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F1 of one candidate, in points (0-100)."""
    return {
        "rouge1": 100 * rouge_n(candidate, reference, 1).f1,
        "rouge2": 100 * rouge_n(candidate, reference, 2).f1,
        "rougeL": 100 * rouge_l(candidate, reference).f1,
    }


def read_briefs(data_dir: str | Path, *, limit: int | None = None) -> list[dict]:
    """Rows of summarise/dev.jsonl (title, text, summary), checked; `limit` keeps the first N."""
    path = Path(data_dir) / BRIEFS
    if not path.is_file():
        raise DataError(f"no briefs at {path}: give the shared data folder (--data, DATA=)")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInput(f"limit must be a positive integer, got {limit!r}", field="limit")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(
                    f"{path}:{n} is not JSON ({exc.msg}): fix or drop the line"
                ) from exc
            missing = [k for k in ("title", "text", "summary") if not isinstance(row.get(k), str)]
            if missing or not row["text"].strip() or not row["summary"].strip():
                raise DataError(
                    f"{path}:{n} lacks {missing or 'text/summary'}: every row needs all"
                )
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    if not rows:
        raise DataError(f"{path} holds no briefs")
    return rows


def _lead1(title: str, text: str) -> str:
    spans = split(text)
    return spans[0].text if spans else text


def _lead3(title: str, text: str) -> str:
    return "".join(s.text for s in split(text)[:3])


def _ours(title: str, text: str) -> str:
    return lead(text, title, max_sentences=1).text


def _textrank4zh() -> Callable[[str, str], str] | None:
    """TextRank4ZH top-1 sentence, or None when the `bench` extra is not installed."""
    try:
        import networkx as nx
        from textrank4zh import TextRank4Sentence
    except ImportError:
        return None
    # textrank4zh 0.3 calls networkx.from_numpy_matrix, removed in networkx 3.0; the array
    # version takes the same argument and builds the same graph.
    if not hasattr(nx, "from_numpy_matrix"):
        nx.from_numpy_matrix = nx.from_numpy_array
    ranker = TextRank4Sentence()

    def top1(title: str, text: str) -> str:
        ranker.analyze(text=text, lower=True, source="all_filters")
        best = ranker.get_key_sentences(num=1)
        return best[0]["sentence"] if best else ""

    return top1


def baselines() -> dict[str, Callable[[str, str], str] | None]:
    """The systems compared: name -> (title, text) -> summary, None when unavailable."""
    return {"ours": _ours, "lead1": _lead1, "lead3": _lead3, "textrank4zh": _textrank4zh()}


def _run(
    system: Callable[[str, str], str], rows: list[dict], progress: bool, name: str
) -> tuple[list[str], float, float]:
    """Outputs, CPU seconds of this process, and wall seconds, for one system over `rows`."""
    system(rows[0]["title"], rows[0]["text"])  # warm-up: dictionaries load outside the clock
    items: Iterable[dict] = rows
    if progress:
        from tqdm import tqdm

        items = tqdm(rows, desc=name, unit="doc", leave=False)
    out = []
    # CPU time is the speed figure: wall time on a machine shared with other jobs swings by
    # 2x between two systems run a minute apart. It counts every thread of the process, so
    # a system that used several cores would not look faster for it.
    cpu, wall = time.process_time(), time.perf_counter()
    for row in items:
        out.append(system(row["title"], row["text"]))
    return out, time.process_time() - cpu, time.perf_counter() - wall


def _mean_scores(outputs: list[str], rows: list[dict], idx: Iterable[int]) -> dict[str, float]:
    scores = [rouge(outputs[i], rows[i]["summary"]) for i in idx]
    if not scores:
        return {}
    return {k: round(float(np.mean([s[k] for s in scores])), 2) for k in scores[0]}


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _report(metrics: dict) -> str:
    lines = [
        "# Lead evaluation",
        "",
        f"{metrics['documents']} briefs from `{metrics['data']}`; character-level ROUGE F1 "
        "(whitespace dropped, punctuation kept). docs/s: documents per CPU-second of this process "
        "(one core, dictionaries warm); wall-clock docs/s beside it.",
        "",
        "| system | ROUGE-1 | ROUGE-2 | ROUGE-L | docs/s (CPU) | docs/s (wall) | avg chars |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, m in metrics["systems"].items():
        if m.get("skipped"):
            lines.append(f"| {name} | – | – | – | – | – | skipped: {m['skipped']} |")
            continue
        s = m["all"]
        lines.append(
            f"| {name} | {s['rouge1']:.2f} | {s['rouge2']:.2f} | {s['rougeL']:.2f} "
            f"| {m['docs_per_s']:.0f} | {m['wall_docs_per_s']:.0f} | {m['avg_chars']:.0f} |"
        )
    lines += [
        "",
        "Halves (weights were fitted on `tune`, the even rows; `holdout` is the odd rows):",
        "",
    ]
    lines += ["| system | tune ROUGE-L | holdout ROUGE-L |", "| --- | ---: | ---: |"]
    for name, m in metrics["systems"].items():
        if not m.get("skipped"):
            lines.append(f"| {name} | {m['tune']['rougeL']:.2f} | {m['holdout']['rougeL']:.2f} |")
    c = metrics["comparison"]
    lines += [
        "",
        f"ours − Lead-1 ROUGE-L: {c['rougeL_gain_over_lead1']:+.2f} points; "
        + (
            f"speed vs TextRank4ZH: {c['speedup_over_textrank4zh']:.0f}×."
            if c.get("speedup_over_textrank4zh")
            else "TextRank4ZH skipped."
        ),
        "",
    ]
    return "\n".join(lines)


def format_summary(metrics: dict) -> str:
    """The evaluation as the markdown table written to report.md (what the CLI prints)."""
    return _report(metrics)


def evaluate_summaries(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    limit: int | None = None,
    progress: bool = True,
) -> dict:
    """Score our leads (one sentence), Lead-1, Lead-3 and TextRank4ZH on the editors' briefs.

    Writes `metrics.json` and `report.md` into `out_dir` and returns the metrics.
    """
    rows = read_briefs(data_dir, limit=limit)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tune, hold = range(0, len(rows), 2), range(1, len(rows), 2)
    systems: dict[str, dict] = {}
    for name, system in baselines().items():
        if system is None:
            systems[name] = {"skipped": "not installed (pip install -e '.[bench]')"}
            continue
        outputs, cpu, wall = _run(system, rows, progress, name)
        systems[name] = {
            "all": _mean_scores(outputs, rows, range(len(rows))),
            "tune": _mean_scores(outputs, rows, tune),
            "holdout": _mean_scores(outputs, rows, hold),
            "docs_per_s": round(len(rows) / max(cpu, 1e-9), 1),
            "wall_docs_per_s": round(len(rows) / max(wall, 1e-9), 1),
            "avg_chars": round(float(np.mean([len(o) for o in outputs])), 1),
        }
    ours, lead1, tr = systems["ours"], systems["lead1"], systems["textrank4zh"]
    comparison = {
        "rougeL_gain_over_lead1": round(ours["all"]["rougeL"] - lead1["all"]["rougeL"], 2)
    }
    if not tr.get("skipped"):
        comparison["speedup_over_textrank4zh"] = round(ours["docs_per_s"] / tr["docs_per_s"], 1)
    metrics = {
        "data": str(BRIEFS),
        "documents": len(rows),
        "systems": systems,
        "comparison": comparison,
        "settings": {"ours": {"max_sentences": 1}, "textrank4zh": "top-1, source=all_filters"},
        "python": platform.python_version(),
    }
    _write_atomic(out / "metrics.json", json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
    _write_atomic(out / "report.md", _report(metrics))
    return metrics


def fit_weights(
    data_dir: str | Path,
    *,
    rows: Sequence[int] | None = None,
    target: int = DEFAULT_WEIGHTS.target,
    ridge: float = 0.1,
    sharpness: float = 10.0,
) -> Weights:
    """Fit the candidate-scoring weights to ROUGE-L against the briefs (ridge, within document).

    Each candidate's features are centred on its document's mean (only the ranking inside a
    document matters) and weighted by exp(sharpness * (ROUGE-L - best)), so that the fit
    attends to the candidates near the top. `rows` picks the tuning rows (default: even rows).
    """
    briefs = read_briefs(data_dir)
    idx = range(0, len(briefs), 2) if rows is None else rows
    base = Weights(target=target, free_start=DEFAULT_WEIGHTS.free_start)
    xs, ys = [], []
    for i in idx:
        row = briefs[i]
        found = candidates(row["text"], row["title"], weights=base)
        if not len(found):
            continue
        y = np.array([rouge_l(found.unit_text(j), row["summary"]).f1 for j in range(len(found))])
        w = np.sqrt(np.exp(sharpness * (y - y.max())))
        xs.append((found.features - found.features.mean(axis=0)) * w[:, None])
        ys.append((y - y.mean()) * w)
    x, y = np.vstack(xs), np.concatenate(ys)
    coef = np.linalg.solve(x.T @ x + ridge * np.eye(len(FEATURES)), x.T @ y)
    return Weights(
        coef=tuple(round(float(c), 4) for c in coef),
        target=target,
        free_start=base.free_start,
        redundancy=DEFAULT_WEIGHTS.redundancy,
    )
