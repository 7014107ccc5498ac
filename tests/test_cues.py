"""The cues a model lists: the national-leader cue (YEARS4), spans that agree with the columns,
and a model file that names its cues (or, for the base four, writes what it wrote before)."""

from __future__ import annotations

import numpy as np
import pytest

from service import modelfile
from service.model import BASE_CUES, CUE_NAMES, CueBlock, compose, cue_spans, cues
from training.cues import Cues
from training.export import _block

LEADER = ("national_leader",)


@pytest.mark.parametrize(
    "title, body, fires",
    [
        ("胡锦涛会见美国总统", "国家主席胡锦涛今天在人民大会堂会见来访的美国总统。", True),
        ("标题", "中共中央政治局常委、国务院副总理张高丽出席会议。", True),  # the opening
        ("吴邦国出席座谈会", "正文。", True),  # the title
        ("王石磊会见客商", "省长王石磊今天会见客商。", False),  # an ordinary name
        ("暴雨袭城", "一片汪洋，街道成了汪洋大海。", False),  # 汪洋 the word
        ("黄菊花开", "黄菊花盛开。", False),
        ("要闻", "会议强调。" * 40 + "习近平总书记指出", False),  # past the opening
    ],
)
def test_national_leader(title: str, body: str, fires: bool) -> None:
    text = compose(title, body)
    assert cues([text], LEADER)[0].tolist() == [float(fires)]
    span = cue_spans(text, LEADER)[0]
    assert (span is not None) == fires
    if span:
        assert text[span[0] : span[1]] in ("胡锦涛", "张高丽", "吴邦国")


def test_spans_agree_with_columns() -> None:
    texts = [
        compose("九论 胡锦涛（人民时评）", "省委书记王某调研。两国。（作者为大使）"),
        compose("标题", "正文"),
    ]
    for text in texts:
        spans = cue_spans(text, CUE_NAMES)
        assert [float(s is not None) for s in spans] == cues([text], CUE_NAMES)[0].tolist()
    assert cues(texts).shape == (2, len(BASE_CUES)) == (2, 4)  # the base four by default
    with pytest.raises(ValueError):
        cues(texts, ["no_such_cue"])


def test_model_file_names_its_cues() -> None:
    base, more = _block("cues", Cues(BASE_CUES)), _block("cues", Cues((*BASE_CUES, *LEADER)))
    assert base.__dict__ == {} and base.n_features == 4  # the bytes of a base model unchanged
    assert modelfile.dumps(base) == modelfile.dumps(CueBlock())
    back = modelfile.loads(__import__("io").BytesIO(modelfile.dumps(more)), "test")
    assert back.names == (*BASE_CUES, *LEADER) and back.n_features == 5
    text = [compose("胡锦涛会见外宾", "正文")]
    np.testing.assert_array_equal(back.matrix(text), [[0, 0, 0, 0, 1]])
    assert Cues((*BASE_CUES, *LEADER)).get_feature_names_out()[-1] == "national_leader"
