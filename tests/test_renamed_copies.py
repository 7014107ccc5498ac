"""YEARS6: TV training rows copied with their 2013–2023 leaders renamed (training/augment.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training.augment import (
    OLDER_LEADER,
    RENAMED,
    copy_shares,
    older_names,
    rename_leaders,
)
from training.corpus import Record
from training.data import sample_weights, training_set
from training.splits import newspaper_split
from training.train import CONFIG

# Written for these tests: short made-up items, not corpus text.
TV_ROWS = [
    (
        "tv-1",
        "习近平主持召开座谈会",
        "习近平在会上发表重要讲话，李强出席。",
        "leadership",
        "20150301",
    ),
    (
        "tv-2",
        "王沪宁出席大会",
        "会议由汪洋主持，指出要一片汪洋中稳住航向。",
        "leadership",
        "20160402",
    ),
    ("tv-3", "新建铁路今天通车", "这条铁路全长三百公里，沿线设站十座。", "industry", "20170503"),
    ("tv-4", "高考今天开考", "全国考生走进考场，李克强作出批示。", "education", "20180604"),
]
NEWS_ROWS = [  # a newspaper row naming a leader is never copied
    ("报道：习近平会见外宾", "习近平在人民大会堂会见来访的外宾。", "leadership"),
    ("工厂扩产", "一家工厂今年扩大了产能，产量翻番。", "industry"),
    ("学校开学", "新学期开始了，学生们回到了校园。", "education"),
]


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A data folder with a few TV rows (gold and weak) and newspaper training rows."""
    tv = [dict(zip(("id", "title", "text", "label", "date"), r, strict=True)) for r in TV_ROWS]
    _write(tmp_path / "classify" / "train_gold.jsonl", tv[:2])
    _write(tmp_path / "classify" / "train.jsonl", tv[2:])
    _write(tmp_path / "classify" / "other.jsonl", [{**tv[0], "id": "other-1", "label": "other"}])
    news, n = [], 0
    for title, text, label in NEWS_ROWS:
        while newspaper_split(f"np-{n}", "20191001") != "train":  # training rows only
            n += 1
        news.append({"id": f"np-{n}", "title": title, "text": text, "label": label})
        news[-1]["date"] = "20191001"
        n += 1
    _write(tmp_path / "classify" / "newspaper_gold.jsonl", news)
    return tmp_path


def test_older_names_renames_leaders_and_leaves_the_word_alone() -> None:
    assert older_names("习近平主持，李强出席") == "胡锦涛主持，温家宝出席"
    assert older_names("汪洋主持") == "贾庆林主持"
    assert older_names("一片汪洋，汪洋大海") == "一片汪洋，汪洋大海"
    assert older_names("习近平", {k: "秦怀远" for k in OLDER_LEADER}) == "秦怀远"


def test_rename_leaders_copies_only_rows_that_name_a_leader() -> None:
    rows = [Record(i, t, b, lab, f"f:{n}", date=d) for n, (i, t, b, lab, d) in enumerate(TV_ROWS)]
    copies = rename_leaders(rows)
    assert [c.id for c in copies] == ["tv-1", "tv-2", "tv-4"]
    first = copies[0]
    assert (first.title, first.text) == (
        "胡锦涛主持召开座谈会",
        "胡锦涛在会上发表重要讲话，温家宝出席。",
    )
    assert first.source == "f:0" + RENAMED
    assert (first.label, first.date) == ("leadership", "20150301")
    assert copies[1].text == "会议由贾庆林主持，指出要一片汪洋中稳住航向。"  # the word stays


def test_a_copy_and_its_original_share_the_row_weight() -> None:
    rows = [Record(i, t, b, lab, f"f:{n}", date=d) for n, (i, t, b, lab, d) in enumerate(TV_ROWS)]
    both = rows + rename_leaders(rows)
    assert copy_shares(both).tolist() == [0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 0.5]
    config = {"weights": {"newspaper": 3.0, "tv_gold": 4.0, "weak": 0.1}}
    sources = ["tv_gold", "tv_gold", "weak", "weak"]
    labels = [r.label for r in both]
    for mode in ("none", "balanced"):
        cfg = {**config, "class_weight": mode}
        before = sample_weights([r.label for r in rows], sources, cfg)
        after = sample_weights(
            labels, sources + ["tv_gold", "tv_gold", "weak"], cfg, copy_shares(both)
        )
        # every class's total weight is what it was without copies, so "balanced" does not move
        for label in set(labels):
            was = before[[r.label == label for r in rows]].sum()
            assert np.isclose(after[[lab == label for lab in labels]].sum(), was)
        assert np.isclose(after[0] + after[4], before[0])  # a row's halves make the row


def test_training_set_copies_tv_rows_only_when_the_config_says(small_data: Path) -> None:
    # off (and a config from before the option) gives the rows of before; shipped: on (stop 32)
    off = training_set(small_data, {**CONFIG, "renamed_copies": False})
    without = training_set(small_data, {k: v for k, v in CONFIG.items() if k != "renamed_copies"})
    assert off.records == without.records and off.sources == without.sources
    assert off.renamed == 0 and not any(r.source.endswith(RENAMED) for r in off.records)

    on = training_set(small_data, {**CONFIG, "renamed_copies": True})
    assert on.records[: len(off.records)] == off.records
    copies = on.records[len(off.records) :]
    # the gold rows, the weak row and other.jsonl's row name leaders; the newspaper's does not copy
    assert sorted(c.id for c in copies) == ["other-1", "tv-1", "tv-2", "tv-4"]
    assert on.renamed == 4
    assert all("习近平" not in c.title + c.text for c in copies)
    kinds = dict(zip((r.source for r in on.records), on.sources, strict=True))
    for c in copies:
        assert kinds[c.source] == kinds[c.source.removesuffix(RENAMED)] != "newspaper"
