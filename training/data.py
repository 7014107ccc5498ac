"""What `make train` learns from: read labels first, the weak corpus beside them, row weights.

Read-labelled rows come from the training split of the newspaper gold (training/splits.py)
and from train_gold; weak rows from train.jsonl/other.jsonl, except those train_gold re-reads
(a read label always overrides a weak one for the same id). Each row carries its source, so
the weights of training/train.py:CONFIG apply per source, then per class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .augment import unframe_commentary
from .corpus import TRAIN_FILES, Record, cap_per_label, clean_text, read_jsonl
from .noise import relabel
from .splits import NEWSPAPER_FILE, TV_GOLD_FILE, split_newspaper

__all__ = ["TrainingSet", "SOURCES", "training_set", "sample_weights", "used_files"]

SOURCES = ("newspaper", "tv_gold", "weak")


@dataclass
class TrainingSet:
    records: list[Record]
    sources: list[str]  # one of SOURCES per record
    relabelled: dict[str, int]
    unframed: int
    files: list[str]


def _clean(rows: Sequence[Record]) -> list[Record]:
    return [replace(r, text=clean_text(r.text)) for r in rows]


def used_files(data_dir: Path) -> list[str]:
    """The training files present under `data_dir` (the gold files are optional)."""
    gold = [n for n in (NEWSPAPER_FILE, TV_GOLD_FILE) if (Path(data_dir) / n).is_file()]
    return gold + list(TRAIN_FILES)


def training_set(
    data_dir: Path,
    config: Mapping,
    *,
    limit: int | None = None,
    seed: int = 13,
    until_year: str | None = None,
) -> TrainingSet:
    """The rows to fit on. `until_year`: only rows dated up to that year (cross-time check)."""
    data_dir = Path(data_dir)
    files = used_files(data_dir)
    news: list[Record] = []
    if NEWSPAPER_FILE in files:
        news = split_newspaper(read_jsonl(data_dir / NEWSPAPER_FILE)).train
    gold = read_jsonl(data_dir / TV_GOLD_FILE) if TV_GOLD_FILE in files else []
    read = {r.id for r in gold} | {r.id for r in news}
    weak = [r for name in TRAIN_FILES for r in read_jsonl(data_dir / name) if r.id not in read]
    moved: dict[str, int] = {}
    if config.get("relabel"):
        weak, counter = relabel(weak)
        moved = dict(sorted(counter.items()))
    parts = {"newspaper": news, "tv_gold": gold, "weak": weak}
    if until_year is not None:
        parts = {k: [r for r in v if r.date[:4] <= until_year] for k, v in parts.items()}
    records, sources = [], []
    for source in SOURCES:
        rows = _clean(cap_per_label(parts[source], limit, seed))
        records += rows
        sources += [source] * len(rows)
    unframed = 0
    if config.get("augment_commentary"):
        # Unframed copies of broadcast commentary; a copy weighs what its original weighs.
        tv = [i for i, s in enumerate(sources) if s != "newspaper"]
        both, _ = unframe_commentary([records[i] for i in tv])
        copies = both[len(tv) :]
        by_source = {records[i].source: sources[i] for i in tv}
        for copy in copies:
            records.append(copy)
            sources.append(by_source[copy.source.removesuffix("#unframed")])
        unframed = len(copies)
    return TrainingSet(records, sources, moved, unframed, files)


def sample_weights(labels: Sequence[str], sources: Sequence[str], config: Mapping) -> np.ndarray:
    """Per-row weights: the source's weight, times a class weight computed on those weights.

    "balanced" gives every class the same total weight (sklearn's rule, on weighted counts);
    "sqrt" goes half way (its square root); "none" keeps the data's own mix.
    """
    y = np.asarray(labels)
    w = np.asarray([float(config["weights"][s]) for s in sources], dtype=np.float64)
    mode = config.get("class_weight", "balanced")
    if mode == "none":
        return w
    classes = sorted(set(labels))
    totals = {c: w[y == c].sum() for c in classes}
    mean = sum(totals.values()) / len(classes)
    power = {"balanced": 1.0, "sqrt": 0.5}[mode]
    factor = {c: (mean / totals[c]) ** power for c in classes}
    return w * np.asarray([factor[c] for c in labels])
