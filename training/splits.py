"""The fixed splits of the read-labelled data (training/EXPERIMENTS.md, "Splits"), in one place.

They were written down before any tuning on the newspaper data. Training, the review
thresholds and `make evaluate` all take their rows from here, so no split leaks into another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "NEWSPAPER_FILE",
    "TV_GOLD_FILE",
    "TV_TEST_FILE",
    "TEST_MONTH",
    "CALIBRATION_PARTS",
    "CROSS_TIME_LAST_TRAIN_YEAR",
    "Splits",
    "newspaper_split",
    "split_newspaper",
]

NEWSPAPER_FILE = "classify/newspaper_gold.jsonl"
TV_GOLD_FILE = "classify/train_gold.jsonl"  # read labels of training-years TV news
TV_TEST_FILE = "classify/dev_gold.jsonl"  # read labels of dev-days TV news: the TV test split

# The newspaper test split: one whole month, the latest the data has, so that it lies after
# everything the model trains on (as the held-out month will), and is not one dominated by a
# single event (2019-10: the 70th anniversary; 2020-02: the epidemic).
TEST_MONTH = "202005"
# The calibration split: a fixed quarter of the other months' articles, by the sha256 of the id.
# Neither trained on nor a test; the review thresholds are fitted on it and on the training
# months' month-held-out predictions (training.review).
CALIBRATION_PARTS = 4
# Cross-time check: a model fitted only on rows dated up to this year, scored on later ones.
CROSS_TIME_LAST_TRAIN_YEAR = "2019"


def newspaper_split(rid: str, date: str) -> str:
    """`test`, `calibration` or `train` for a newspaper_gold row, from its id and date alone."""
    if date.startswith(TEST_MONTH):
        return "test"
    digest = hashlib.sha256(rid.encode("utf-8")).digest()
    return "calibration" if digest[0] % CALIBRATION_PARTS == 0 else "train"


@dataclass(frozen=True)
class Splits:
    """Rows of one file by split name."""

    train: list
    calibration: list
    test: list


def split_newspaper(rows: Sequence) -> Splits:
    """Newspaper rows (with `id` and `date`) by `newspaper_split`."""
    parts: dict[str, list] = {"train": [], "calibration": [], "test": []}
    for r in rows:
        parts[newspaper_split(r.id, r.date)].append(r)
    return Splits(parts["train"], parts["calibration"], parts["test"])
