"""Lead evaluation: character ROUGE of our leads against editors' summaries, beside baselines.

Two sources, each with a fixed split written down before any tuning (docs/summaries.md):
the TV briefs (`summarise/dev.jsonl`) by year, the People's Daily 核心阅读 articles
(`summarise/newspaper_dev.jsonl`) by whole month. Weights are fitted on `tune` only; the
figures we publish are `test` figures.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from service.atomic import write_atomic
from service.errors import DataError, InvalidInput
from service.sentences import ends_sentence, split
from service.summariser import (
    DEFAULT_MAX_CHARS,
    DEFAULT_WEIGHTS,
    FEATURES,
    Weights,
    candidates,
    lead,
)
from training.rouge import Rouge, rouge, rouge_l, rouge_n

__all__ = [
    "Rouge",
    "rouge",
    "rouge_n",
    "rouge_l",
    "Source",
    "SOURCES",
    "split_of",
    "read_briefs",
    "read_summaries",
    "baselines",
    "systems_for",
    "evaluate_summaries",
    "format_summary",
    "fit_weights",
]

BRIEFS = Path("summarise") / "dev.jsonl"
NEWSPAPER = Path("summarise") / "newspaper_dev.jsonl"


@dataclass(frozen=True)
class Source:
    """One set of editors' summaries, how our leads are asked for, and its fixed split."""

    name: str
    path: Path
    max_sentences: int  # ours: 1 for one-sentence briefs, 0 (the default) for 核心阅读
    test_years: tuple[str, ...] = ()  # `date` prefixes (YYYY or YYYYMM) of the test split
    rule: str = ""

    def split(self, row: dict) -> str:
        """'test' when the row's date starts with a test prefix, else 'tune'."""
        date = str(row.get("date") or "")
        return "test" if date and date.startswith(self.test_years) else "tune"


SOURCES = (
    Source(
        "briefs",
        BRIEFS,
        1,
        tuple(str(y) for y in range(2018, 2030)),
        "tune: briefs dated 2014–2017; test: 2018–2023 (one-sentence leads)",
    ),
    Source(
        "newspaper",
        NEWSPAPER,
        0,
        ("202002", "202005"),
        "tune: 2019-10 and 2020-01; test: 2020-02 and 2020-05 (whole months; default leads)",
    ),
)


def split_of(source: str, row: dict) -> str:
    """The fixed split ('tune' or 'test') of a row of the named source."""
    return next(s for s in SOURCES if s.name == source).split(row)


def read_summaries(path: Path, *, limit: int | None = None) -> list[dict]:
    """Rows (title, text, summary) of one summaries file, checked; `limit` keeps the first N."""
    if not path.is_file():
        raise DataError(f"no summaries at {path}: give the shared data folder (--data, DATA=)")
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
        raise DataError(f"{path} holds no summaries")
    return rows


def read_briefs(data_dir: str | Path, *, limit: int | None = None) -> list[dict]:
    """Rows of summarise/dev.jsonl (title, text, summary, date), checked."""
    return read_summaries(Path(data_dir) / BRIEFS, limit=limit)


def _lead1(title: str, text: str) -> str:
    spans = split(text)
    return spans[0].text if spans else text


def _lead3(title: str, text: str) -> str:
    return "".join(s.text for s in split(text)[:3])


def _leadk(budget: int) -> Callable[[str, str], str]:
    def leadk(title: str, text: str) -> str:
        """The first sentences, cut at the budget: Lead-k at the same length as ours."""
        out, size = [], 0
        for s in split(text):
            out.append(s.text)
            size += len(s.text)
            if size >= budget:
                break
        return "".join(out)[:budget]

    return leadk


def _ours(max_sentences: int) -> Callable[[str, str], str]:
    def ours(title: str, text: str) -> str:
        return lead(text, title, max_sentences=max_sentences).text

    return ours


def textrank4zh() -> ModuleType | None:
    """The textrank4zh module, made to run on networkx 3; None when the `bench` extra is not
    installed. (textrank4zh 0.3 calls networkx.from_numpy_matrix, removed in networkx 3.0; the
    array version takes the same argument and builds the same graph.)"""
    try:
        import networkx as nx
        import textrank4zh as module
    except ImportError:
        return None
    if not hasattr(nx, "from_numpy_matrix"):
        nx.from_numpy_matrix = nx.from_numpy_array
    return module


def _textrank4zh(budget: int | None) -> Callable[[str, str], str] | None:
    """TextRank4ZH: top-1 sentence, or its top sentences in text order cut at `budget`;
    None when the `bench` extra is not installed."""
    module = textrank4zh()
    if module is None:
        return None
    ranker = module.TextRank4Sentence()

    def textrank(title: str, text: str) -> str:
        ranker.analyze(text=text, lower=True, source="all_filters")
        best = ranker.get_key_sentences(num=1 if budget is None else 6)
        if budget is None:
            return best[0]["sentence"] if best else ""
        kept, size = [], 0
        for item in best:
            kept.append(item)
            size += len(item["sentence"])
            if size >= budget:
                break
        return "".join(x["sentence"] for x in sorted(kept, key=lambda x: x["index"]))[:budget]

    return textrank


def systems_for(source: Source) -> dict[str, Callable[[str, str], str] | None]:
    """The systems compared on one source: ours as that source asks, Lead-1, Lead-k at the
    same budget (120 characters), TextRank4ZH (None when not installed)."""
    return {
        "ours": _ours(source.max_sentences),
        "lead1": _lead1,
        "leadk": _leadk(DEFAULT_MAX_CHARS),
        "textrank4zh": _textrank4zh(None if source.max_sentences == 1 else DEFAULT_MAX_CHARS),
    }


def baselines() -> dict[str, Callable[[str, str], str] | None]:
    """One-sentence systems on the briefs (what `make bench` times), plus Lead-3."""
    return {**systems_for(SOURCES[0]), "lead3": _lead3}


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


def _scores(outputs: list[str], rows: list[dict], idx: Sequence[int]) -> dict[str, float]:
    """Mean ROUGE-1/2/L, mean length, share ending a sentence (%) and empty leads over `idx`."""
    if not idx:
        return {}
    scores = [rouge(outputs[i], rows[i]["summary"]) for i in idx]
    out = {k: round(float(np.mean([s[k] for s in scores])), 2) for k in scores[0]}
    out["avg_chars"] = round(float(np.mean([len(outputs[i]) for i in idx])), 1)
    out["ends_sentence"] = round(100 * float(np.mean([ends_sentence(outputs[i]) for i in idx])), 1)
    out["empty"] = sum(1 for i in idx if not outputs[i])
    out["documents"] = len(idx)
    return out


_NAMES = {"ours": "ours", "lead1": "Lead-1", "leadk": "Lead-k (120)", "textrank4zh": "TextRank4ZH"}


def _report(metrics: dict) -> str:
    lines = [
        "# Lead evaluation",
        "",
        "Character-level ROUGE F1 (whitespace dropped, punctuation kept) against the editors' "
        "summaries; `ends` = share of leads ending where a sentence ends (。！？!? or an "
        "ellipsis, then closing quotes); docs/s per CPU-second of this process. Weights were "
        "fitted on the `tune` splits only: `test` figures are held out.",
    ]
    for name, src in metrics["sources"].items():
        lines += ["", f"## {name} (`{src.get('data', '')}`)", ""]
        if src.get("skipped"):
            lines.append(f"skipped: {src['skipped']}")
            continue
        lines += [
            f"{src['rule']}; {src['splits']['tune']} tune, {src['splits']['test']} test.",
            "",
            "| system | split | ROUGE-1 | ROUGE-2 | ROUGE-L | avg chars | ends (%) | empty "
            "| docs/s (CPU) |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for sys_name, m in src["systems"].items():
            label = _NAMES.get(sys_name, sys_name)
            if m.get("skipped"):
                lines.append(f"| {label} | – | – | – | – | – | – | – | skipped: {m['skipped']} |")
                continue
            for split_name in ("test", "tune"):
                s = m.get(split_name)
                if not s:
                    continue
                lines.append(
                    f"| {label} | {split_name} | {s['rouge1']:.2f} | {s['rouge2']:.2f} "
                    f"| {s['rougeL']:.2f} | {s['avg_chars']:.0f} | {s['ends_sentence']:.1f} "
                    f"| {s['empty']} | {m['docs_per_s']:.0f} |"
                )
    lines.append("")
    for name, c in metrics["comparison"].items():
        if isinstance(c, dict):
            parts = [f"{k.replace('_', ' ')} {v:+.2f}" for k, v in c.items()]
            lines.append(f"- {name}: " + "; ".join(parts))
        else:
            lines.append(f"- {name.replace('_', ' ')}: {c:.0f}×")
    lines.append("")
    return "\n".join(lines)


def format_summary(metrics: dict) -> str:
    """The evaluation as the markdown written to report.md (what the CLI prints)."""
    return _report(metrics)


def _evaluate_source(source: Source, data_dir: Path, limit: int | None, progress: bool) -> dict:
    path = data_dir / source.path
    if source.path != BRIEFS and not path.is_file():
        return {"data": str(source.path), "skipped": f"no file at {path}"}
    rows = read_summaries(path, limit=limit)
    splits = [source.split(r) for r in rows]
    idx = {s: [i for i, x in enumerate(splits) if x == s] for s in ("tune", "test")}
    out: dict[str, dict] = {}
    for name, system in systems_for(source).items():
        if system is None:
            out[name] = {"skipped": "not installed (pip install -e '.[bench]')"}
            continue
        outputs, cpu, wall = _run(system, rows, progress, f"{source.name}: {name}")
        out[name] = {
            "tune": _scores(outputs, rows, idx["tune"]),
            "test": _scores(outputs, rows, idx["test"]),
            "docs_per_s": round(len(rows) / max(cpu, 1e-9), 1),
            "wall_docs_per_s": round(len(rows) / max(wall, 1e-9), 1),
        }
    return {
        "data": str(source.path),
        "documents": len(rows),
        "rule": source.rule,
        "splits": {k: len(v) for k, v in idx.items()},
        "settings": {"ours": {"max_sentences": source.max_sentences or "default"}},
        "systems": out,
    }


def evaluate_summaries(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    limit: int | None = None,
    progress: bool = True,
    partial: bool = False,
) -> dict:
    """Score ours, Lead-1, Lead-k and TextRank4ZH per source and split (`limit`: first N rows
    of each source). Writes `metrics.json` and `report.md` into `out_dir`; returns the metrics.
    A source's missing file is a DataError before any work, unless `partial` (then skipped).
    """
    # A folder lacking newspaper_dev.jsonl was reported on the briefs alone, exit 0 (README: a
    # data folder lacking a file the command needs exits 1; evaluate and train take --partial).
    lacking = [s.path for s in SOURCES if not (Path(data_dir) / s.path).is_file()]
    if lacking and not partial and BRIEFS not in lacking:
        raise DataError(
            f"{Path(data_dir) / lacking[0]} not found: give the shared data folder (--data, "
            "DATA=), or --partial to report on the sources that are there",
            field="data",
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sources = {s.name: _evaluate_source(s, Path(data_dir), limit, progress) for s in SOURCES}
    comparison: dict = {}
    for name, src in sources.items():
        if src.get("skipped"):
            continue
        sy = src["systems"]
        gains = {}
        for split_name in ("test", "tune"):
            ours = sy["ours"][split_name]
            if ours:
                for base in ("lead1", "leadk"):
                    gains[f"{split_name}_rougeL_over_{base}"] = round(
                        ours["rougeL"] - sy[base][split_name]["rougeL"], 2
                    )
        comparison[name] = gains
    briefs = sources["briefs"]["systems"]
    if not briefs["textrank4zh"].get("skipped"):
        comparison["briefs_speedup_over_textrank4zh"] = round(
            briefs["ours"]["docs_per_s"] / briefs["textrank4zh"]["docs_per_s"], 1
        )
    metrics = {
        "sources": sources,
        "comparison": comparison,
        "tuned_on": "tune splits only",
        "python": platform.python_version(),
    }
    write_atomic(out / "metrics.json", json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
    write_atomic(out / "report.md", _report(metrics))
    return metrics


def _tuning_rows(data_dir: Path, names: Sequence[str]) -> list[dict]:
    """The tune rows of the named sources (a source whose file is absent adds none)."""
    rows = []
    for source in SOURCES:
        path = data_dir / source.path
        if source.name in names and path.is_file():
            rows += [r for r in read_summaries(path) if source.split(r) == "tune"]
    return rows


def fit_weights(
    data_dir: str | Path,
    *,
    rows: Sequence[dict] | None = None,
    sources: Sequence[str] = ("briefs", "newspaper"),
    target: int = DEFAULT_WEIGHTS.target,
    ridge: float = 0.1,
    sharpness: float = 10.0,
) -> Weights:
    """Fit the candidate-scoring weights to ROUGE-L against the summaries (ridge, within
    document), on the tune splits of `sources` (or on `rows`, given).

    Each candidate's features are centred on its document's mean (only the ranking inside a
    document matters) and weighted by exp(sharpness * (ROUGE-L - best)), so that the fit
    attends to the candidates near the top. Each document weighs the same, whichever source.
    """
    if rows is None:
        rows = _tuning_rows(Path(data_dir), sources)
    base = Weights(target=target)
    xs, ys = [], []
    for row in rows:
        found = candidates(row["text"], row["title"], weights=base)
        if len(found) < 2:
            continue
        y = np.array([rouge_l(found.unit_text(j), row["summary"]).f1 for j in range(len(found))])
        w = np.sqrt(np.exp(sharpness * (y - y.max())))
        w /= np.sqrt(np.sum(w * w))  # one document, one vote
        xs.append((found.features - found.features.mean(axis=0)) * w[:, None])
        ys.append((y - y.mean()) * w)
    if not xs:
        raise DataError("no document with two or more candidate leads to fit on")
    x, y = np.vstack(xs), np.concatenate(ys)
    coef = np.linalg.solve(x.T @ x + ridge * np.eye(len(FEATURES)), x.T @ y)
    return Weights(
        coef=tuple(round(float(c), 4) for c in coef),
        target=target,
        redundancy=DEFAULT_WEIGHTS.redundancy,
        over=DEFAULT_WEIGHTS.over,
    )
