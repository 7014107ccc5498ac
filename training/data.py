"""What `make train` learns from: read labels first, the weak corpus beside them, row weights.

Read-labelled rows come from the training split of the newspaper gold (training/splits.py),
from the extra People's Daily read labels of `training/labels/` (ids and labels only; the text
is read from the data folder's `newspaper/articles.jsonl.gz`), from train_gold and from the
extra TV read labels of `training/labels/` (rows of train.jsonl/other.jsonl read again); weak
rows from train.jsonl/other.jsonl, except those a read label covers (a read label always
overrides a weak one for the same id). Each row carries its source, so the weights of
training/train.py:CONFIG apply per source, then per class.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from service.errors import DataError

from .augment import RENAMED, rename_leaders, unframe_commentary
from .corpus import LABELS, TRAIN_FILES, Record, cap_per_label, clean_text, read_jsonl
from .noise import relabel
from .splits import NEWSPAPER_FILE, TEST_MONTH, TV_GOLD_FILE, split_newspaper

__all__ = [
    "TrainingSet",
    "SOURCES",
    "ARTICLES_FILE",
    "READ_LABELS",
    "TV_READ_LABELS",
    "training_set",
    "sample_weights",
    "used_files",
    "RECIPE_FILES",
    "check_complete",
    "read_extra",
]

SOURCES = ("newspaper", "tv_gold", "weak")
ARTICLES_FILE = "newspaper/articles.jsonl.gz"
# Extra People's Daily articles read against LABELS.md (EXPERIMENTS.md, "More read labels"):
# `id<TAB>label<TAB>sure` per line. Training rows only: never the test month, never a gold id.
READ_LABELS = Path(__file__).parent / "labels" / "rmrb_read.tsv"
# Weak TV rows (train.jsonl, other.jsonl) read against LABELS.md: the same format. They train
# as read TV rows; train_gold's own rows (the cross-time check's and year folds' scores) and the
# dev days (dev_gold) are never in it.
TV_READ_LABELS = Path(__file__).parent / "labels" / "xwlb_read.tsv"


@dataclass
class TrainingSet:
    records: list[Record]
    sources: list[str]  # one of SOURCES per record
    relabelled: dict[str, int]
    unframed: int
    files: list[str]
    tables: list[Path]  # the read-label tables of training/labels/ that gave rows
    renamed: int = 0  # TV rows copied with their leaders renamed (config "renamed_copies")


def _clean(rows: Sequence[Record]) -> list[Record]:
    return [replace(r, text=clean_text(r.text)) for r in rows]


def used_files(data_dir: Path) -> list[str]:
    """The training files present under `data_dir` (the gold files are optional)."""
    gold = [n for n in (NEWSPAPER_FILE, TV_GOLD_FILE) if (Path(data_dir) / n).is_file()]
    if (
        NEWSPAPER_FILE in gold
        and READ_LABELS.is_file()
        and (Path(data_dir) / ARTICLES_FILE).is_file()
    ):
        gold.insert(1, ARTICLES_FILE)  # the extra read labels' text
    return gold + list(TRAIN_FILES)


# Every file `make train`'s recipe learns from. `used_files` lets the read-label ones be absent (a
# small or test folder); a folder given to `newsdesk train` by mistake must not, since the model
# it writes would lack the read labels and, without the newspaper gold, the review thresholds.
RECIPE_FILES = (NEWSPAPER_FILE, ARTICLES_FILE, TV_GOLD_FILE, *TRAIN_FILES)


def check_complete(
    data_dir: Path,
    needs: Sequence[str] = RECIPE_FILES,
    without: str = "the model would learn without them (and without "
    "classify/newspaper_gold.jsonl it has no review thresholds)",
    partial: str = "train on what is there",
) -> None:
    """A DataError naming what `data_dir` lacks of `needs` (the whole folder, if absent):
    `without` says what a run would lose, `partial` what --partial does instead."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(
            f"{data_dir}: no such folder; point --data (make DATA=…) at the shared data folder",
            field="data",
        )
    missing = [n for n in needs if not (data_dir / n).is_file()]
    if missing:
        raise DataError(
            f"{data_dir} lacks {', '.join(missing)}: {without}; point --data (make DATA=…) at "
            f"the shared data folder, or pass --partial to {partial}",
            field="data",
        )


def read_table(path: Path = READ_LABELS) -> dict[str, str]:
    """The extra read labels: id → label, checked line by line."""
    out: dict[str, str] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2 or parts[1] not in LABELS:
            raise DataError(f"{path}:{n}: expected id<TAB>label (one of {', '.join(LABELS)})")
        out[parts[0]] = parts[1]
    return out


def read_extra(data_dir: Path, gold_ids: set[str], path: Path = READ_LABELS) -> list[Record]:
    """The extra read-labelled newspaper articles (training only), in the table's id order.

    Ids of the newspaper gold (any split) and articles of the test month are left out, so the
    extra labels can never reach the test or calibration splits.
    """
    table = read_table(path)
    rows: list[Record] = []
    source = Path(data_dir) / ARTICLES_FILE
    try:
        with gzip.open(source, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                try:
                    a = json.loads(line)
                    label = table.get(a["id"])
                    if label is None or a["id"] in gold_ids or a["date"].startswith(TEST_MONTH):
                        continue
                    rows.append(
                        Record(
                            a["id"],
                            a["title"],
                            a["text"],
                            label,
                            f"{ARTICLES_FILE}:{n}",
                            kicker=a.get("kicker") or "",
                            subtitle=a.get("subtitle") or "",
                            date=a["date"],
                        )
                    )
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    raise DataError(
                        f"{source}:{n}: not an article row with id, date, title and text "
                        f"({type(exc).__name__}: {exc}); fix or replace the file",
                        field="data",
                    ) from exc
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:  # cut, not gzip, not UTF-8
        raise DataError(
            f"{source} cannot be read to its end ({type(exc).__name__}: {exc}); a truncated or "
            "corrupt copy? fetch it again",
            field="data",
        ) from exc
    return sorted(rows, key=lambda r: r.id)


def read_weak(
    gold: list[Record], weak: list[Record], table: Mapping[str, str]
) -> tuple[list[Record], list[Record]]:
    """Weak rows the table labels by reading move to the read rows, with the read label."""
    again = [replace(r, label=table[r.id]) for r in weak if r.id in table]
    return gold + again, [r for r in weak if r.id not in table]


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
    tables: list[Path] = []
    if NEWSPAPER_FILE in files:
        every = read_jsonl(data_dir / NEWSPAPER_FILE)
        news = split_newspaper(every).train
        if ARTICLES_FILE in files:
            news += read_extra(data_dir, {r.id for r in every})
            tables.append(READ_LABELS)
    gold = read_jsonl(data_dir / TV_GOLD_FILE) if TV_GOLD_FILE in files else []
    read = {r.id for r in gold} | {r.id for r in news}
    weak = [r for name in TRAIN_FILES for r in read_jsonl(data_dir / name) if r.id not in read]
    # "read": the weak TV rows read again train as read TV rows; "weak": their read label only,
    # at the weak corpus's weight; False: left as the title rules labelled them.
    again: list[Record] = []
    tv_read = config.get("tv_read", False)
    if tv_read and TV_READ_LABELS.is_file():
        both, weak = read_weak(gold, weak, read_table(TV_READ_LABELS))
        if tv_read == "weak":
            again = both[len(gold) :]
        else:
            gold = both
        tables.append(TV_READ_LABELS)
    moved: dict[str, int] = {}
    if config.get("relabel"):  # (the title rules' repairs: never over a read label)
        weak, counter = relabel(weak)
        moved = dict(sorted(counter.items()))
    weak += again
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
    renamed = 0
    if config.get("renamed_copies"):
        # YEARS6: TV rows (unframed copies too) naming a 2013–2023 leader, copied with the older
        # holders' names; the copy and its original share the row's weight (train.fit halves it).
        tv = [i for i, s in enumerate(sources) if s != "newspaper"]
        copies = rename_leaders([records[i] for i in tv])
        by_source = {records[i].source: sources[i] for i in tv}
        for copy in copies:
            records.append(copy)
            sources.append(by_source[copy.source.removesuffix(RENAMED)])
        renamed = len(copies)
    return TrainingSet(records, sources, moved, unframed, files, tables, renamed)


def sample_weights(
    labels: Sequence[str],
    sources: Sequence[str],
    config: Mapping,
    shares: np.ndarray | None = None,
) -> np.ndarray:
    """Per-row weights: the source's weight, times a class weight computed on those weights.

    "balanced" gives every class the same total weight (sklearn's rule, on weighted counts);
    "sqrt" goes half way (its square root); "none" keeps the data's own mix. `shares`: each
    row's share of its source weight (augment.copy_shares), applied before the class totals,
    so a row split into halves weighs in them what the one row did.
    """
    y = np.asarray(labels)
    w = np.asarray([float(config["weights"][s]) for s in sources], dtype=np.float64)
    if shares is not None:
        w = w * shares
    mode = config.get("class_weight", "balanced")
    if mode == "none":
        return w
    classes = sorted(set(labels))
    totals = {c: w[y == c].sum() for c in classes}
    mean = sum(totals.values()) / len(classes)
    power = {"balanced": 1.0, "sqrt": 0.5}[mode]
    factor = {c: (mean / totals[c]) ** power for c in classes}
    return w * np.asarray([factor[c] for c in labels])
