"""The national-leader mask (YEARS5): names marked out character for character in what the
char blocks read, a model file that says it masks, and one that does not read as before."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from service import modelfile
from service.cues import MASK_MARK, masked
from service.model import CharTfidf, HeadChars, char_heads, compose
from training.export import check_export, export
from training.train import CONFIG, build_pipeline

MASK = "national_leader"


@pytest.mark.parametrize(
    "text, want",
    [
        ("习近平主持会议", "XXX主持会议"),
        ("胡锦涛\n温家宝出席", "XXX\nXXX出席"),
        ("韩正、李强考察", "XX、XX考察"),
        ("一片汪洋，汪洋大海，汪洋恣肆", "一片汪洋，汪洋大海，汪洋恣肆"),  # 汪洋 the word
        ("汪洋出席，黄菊花，黄菊讲话", "XX出席，黄菊花，XX讲话"),
        ("省委书记王石磊调研", "省委书记王石磊调研"),  # an ordinary name
    ],
)
def test_masked_marks_names_and_keeps_length(text: str, want: str) -> None:
    (got,) = masked([text], MASK)
    assert len(got) == len(text)
    assert got.replace(MASK_MARK, "X") == want


def test_masked_batch_reads_each_text_alone() -> None:
    # the batch is joined for one pass: a guard must not read across two texts
    texts = ["一片", "汪洋", "汪洋", "大海", "", "习近平"]
    assert masked(texts, MASK) == [masked([t], MASK)[0] for t in texts]
    with pytest.raises(ValueError, match="unknown mask"):
        masked(texts, "nope")


def test_head_then_mask() -> None:
    # the block's head first (a name the cut halves is no name), then the mask
    text = compose("标题", "会议。习近平主持")
    assert char_heads([text], 6, MASK) == [compose("标题", "会议。" + MASK_MARK * 3)]
    assert char_heads([text], 5, MASK) == [compose("标题", "会议。习近")]
    assert char_heads([text], 0, None) == [text]
    assert HeadChars(0, mask=MASK)("ABC习近平") == "abc" + MASK_MARK * 3


def _rows(data_dir: Path, n: int = 160) -> tuple[list, list]:
    items, labels = [], []
    with (data_dir / "classify" / "train.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            items.append((r["title"], r["text"]))
            labels.append(r["label"])
            if len(items) >= n:
                break
    return items, labels


def _small(mask: str | None) -> dict:
    return {
        **CONFIG,
        "mask": mask,
        "chars": {**CONFIG["chars"], "max_features": 3000, "head_chars": 600},
        "opening": {**CONFIG["opening"], "max_features": 3000, "head_chars": 150},
    }


@pytest.fixture(scope="module")
def fitted(data_dir: Path):
    items, labels = _rows(data_dir)
    pipelines = {}
    for mask in (None, MASK):
        pipeline = build_pipeline(_small(mask), seed=13)
        pipeline.fit(items, labels)
        pipelines[mask] = pipeline
    return pipelines, items


def _round_trip(model):
    return modelfile.loads(io.BytesIO(modelfile.dumps(model)), "model.npz")


def test_a_masking_model_file_masks_at_predict_time(fitted) -> None:
    pipelines, items = fitted
    model = _round_trip(export(pipelines[MASK]))
    chars = [b for b in model.blocks if isinstance(b, CharTfidf)]
    assert [b.mask for b in chars] == [MASK, MASK]
    probe = [("胡锦涛主持会议", "温家宝出席。"), ("习近平主持会议", "李克强出席。")]
    check_export(pipelines[MASK], model, items[:40] + probe)
    # two leaders, one reading: the names weigh nothing of their own
    np.testing.assert_allclose(*model.predict_proba(probe), rtol=1e-12)


def test_an_unmasked_model_file_is_as_before(fitted) -> None:
    pipelines, items = fitted
    model = export(pipelines[None])
    for block in model.blocks:
        if isinstance(block, CharTfidf):
            assert block.mask is None and "mask" not in block.__getstate__()
    check_export(pipelines[None], _round_trip(model), items[:40])


def test_the_first_characters_lookahead_changes_no_match() -> None:
    from service.cues import _AS_WORD, LEADERS, NATIONAL_LEADER

    plain = re.compile("|".join(_AS_WORD.get(n, n) for n in LEADERS))
    text = "学习习近平讲话，李克强、李强、李希，一片汪洋中汪洋出席，黄菊花黄菊，张德江泽民" * 3
    assert NATIONAL_LEADER.findall(text) == plain.findall(text)
    assert [m.span() for m in NATIONAL_LEADER.finditer(text)] == [
        m.span() for m in plain.finditer(text)
    ]


def test_evidence_of_a_masking_model_sums_to_its_logit(fitted) -> None:
    from service.evidence import attribute, read
    from service.pages import single_article

    pipelines, items = fitted
    model = export(pipelines[MASK])
    articles = [single_article(t, b) for t, b in items[:20]]
    articles.append(single_article("习近平主持会议", "李克强出席。一片汪洋。"))
    readings = [read(model, a) for a in articles]
    decision = model.decision_function([(a.title, a.text) for a in articles])
    for y in range(len(model.classes_)):
        for i, part in enumerate(attribute(model, readings, [y] * len(articles))):
            assert part.logit == pytest.approx(decision[i, y], abs=1e-9)
