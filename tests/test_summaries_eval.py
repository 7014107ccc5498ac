"""ROUGE on known cases, brief reading, and a small real evaluation run on the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.errors import DataError, InvalidInput
from service.summariser import FEATURES, Weights, lead
from training.summaries import (
    baselines,
    evaluate_summaries,
    fit_weights,
    format_summary,
    read_briefs,
    rouge,
    rouge_l,
    rouge_n,
    split_of,
)


@pytest.mark.parametrize(
    ("candidate", "reference", "n", "p", "r"),
    [
        ("中国经济", "中国经济", 1, 1.0, 1.0),
        ("中国经济", "中国经济", 2, 1.0, 1.0),
        ("中国", "中国经济", 1, 1.0, 0.5),
        ("中国", "中国经济", 2, 1.0, 1 / 3),
        ("经济中国", "中国经济", 2, 2 / 3, 2 / 3),  # 经济, 中国 match; 济中 does not
        ("好好好", "好", 1, 1 / 3, 1.0),  # counts are clipped by the reference
        ("中 国，", "中国，", 1, 1.0, 1.0),  # whitespace is not a token; punctuation is
        ("甲乙", "丙丁", 1, 0.0, 0.0),
        ("", "中国", 1, 0.0, 0.0),
    ],
)
def test_rouge_n_known_cases(candidate: str, reference: str, n: int, p: float, r: float) -> None:
    score = rouge_n(candidate, reference, n)
    assert score.precision == pytest.approx(p)
    assert score.recall == pytest.approx(r)
    f = 0.0 if p + r == 0 else 2 * p * r / (p + r)
    assert score.f1 == pytest.approx(f)


@pytest.mark.parametrize(
    ("candidate", "reference", "lcs"),
    [
        ("中国经济发展", "中国经济发展", 6),
        ("中国今天经济发展", "中国经济发展", 6),  # a dropped time word costs only precision
        ("发展经济中国", "中国经济发展", 2),
        ("ABCBDAB", "BDCABA", 4),  # the textbook LCS example
        ("甲", "乙", 0),
    ],
)
def test_rouge_l_known_cases(candidate: str, reference: str, lcs: int) -> None:
    score = rouge_l(candidate, reference)
    c, r = len(candidate), len(reference)
    assert score.precision == pytest.approx(lcs / c)
    assert score.recall == pytest.approx(lcs / r)


def test_rouge_is_in_points_and_symmetric_in_f1() -> None:
    a, b = "北京时间今天下午中国雪龙号出动直升机", "中国雪龙号出动雪鹰直升机转移乘客"
    ab, ba = rouge(a, b), rouge(b, a)
    assert set(ab) == {"rouge1", "rouge2", "rougeL"}
    for k in ab:
        assert 0 < ab[k] < 100
        assert ab[k] == pytest.approx(ba[k])
    assert rouge(a, a) == {"rouge1": 100.0, "rouge2": 100.0, "rougeL": 100.0}


def _write(tmp: Path, lines: list[str]) -> Path:
    folder = tmp / "summarise"
    folder.mkdir(parents=True)
    (folder / "dev.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp


def test_read_briefs_checks_rows(tmp_path: Path) -> None:
    good = json.dumps({"title": "标题", "text": "正文。", "summary": "摘要"}, ensure_ascii=False)
    assert len(read_briefs(_write(tmp_path / "a", [good, "", good]))) == 2
    assert len(read_briefs(tmp_path / "a", limit=1)) == 1
    with pytest.raises(DataError, match="not JSON"):
        read_briefs(_write(tmp_path / "b", [good, "{oops"]))
    with pytest.raises(DataError, match="lacks"):
        read_briefs(_write(tmp_path / "c", [json.dumps({"title": "t", "text": "x"})]))
    with pytest.raises(DataError, match="no summaries"):
        read_briefs(tmp_path / "nowhere")
    with pytest.raises(InvalidInput) as err:
        read_briefs(tmp_path / "a", limit=0)
    assert err.value.field == "limit"


def test_baselines_are_named_systems() -> None:
    systems = baselines()
    assert {"ours", "lead1", "lead3", "leadk", "textrank4zh"} <= set(systems)
    text = "第一句话讲事件。第二句话讲细节。第三句话讲背景。第四句话讲展望。"
    assert systems["lead1"]("", text) == "第一句话讲事件。"
    assert systems["lead3"]("", text) == "第一句话讲事件。第二句话讲细节。第三句话讲背景。"
    assert systems["ours"]("事件", text) in text
    assert systems["leadk"]("", text * 5) == (text * 5)[:120]  # Lead-k cut at the budget


def test_fixed_splits_are_by_year_and_by_month() -> None:
    assert split_of("briefs", {"date": "20171231"}) == "tune"
    assert split_of("briefs", {"date": "20180101"}) == "test"
    assert split_of("newspaper", {"date": "20191005"}) == "tune"
    assert split_of("newspaper", {"date": "20200115"}) == "tune"
    assert split_of("newspaper", {"date": "20200203"}) == "test"
    assert split_of("newspaper", {"date": "20200520"}) == "test"
    assert split_of("briefs", {}) == "tune"  # undated rows are never test figures


@pytest.mark.corpus
def test_small_evaluation_run_on_the_corpus(data_dir: Path, tmp_path: Path) -> None:
    metrics = evaluate_summaries(data_dir, tmp_path / "out", limit=60, progress=False)
    for name in ("briefs", "newspaper"):
        src = metrics["sources"][name]
        assert src["documents"] == 60
        assert src["splits"]["tune"] + src["splits"]["test"] == 60
        for system in ("ours", "lead1", "leadk"):
            m = src["systems"][system]
            for split_name in ("tune", "test"):
                if src["splits"][split_name]:
                    assert 0 < m[split_name]["rougeL"] < 100
            assert m["docs_per_s"] > 0
        ours = [src["systems"]["ours"][k] for k in ("tune", "test") if src["splits"][k]]
        # every lead is whole sentences; Lead-k at 120 characters trails off
        assert all(s["ends_sentence"] == 100.0 and s["empty"] == 0 for s in ours)
        tr = src["systems"]["textrank4zh"]
        assert tr.get("skipped") or tr["tune"]["rougeL"] > 0
    # the first 60 briefs are all of the tune years; the leads beat the first sentence there
    briefs = metrics["sources"]["briefs"]["systems"]
    assert briefs["ours"]["tune"]["rougeL"] > briefs["lead1"]["tune"]["rougeL"]
    written = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert written == metrics
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert report == format_summary(metrics)
    assert "| ours | tune |" in report and "| Lead-k (120) |" in report


@pytest.mark.corpus
def test_fit_weights_recovers_a_usable_scorer(data_dir: Path) -> None:
    briefs = [r for r in read_briefs(data_dir) if split_of("briefs", r) == "tune"][:120]
    weights = fit_weights(data_dir, rows=briefs)
    assert isinstance(weights, Weights)
    assert len(weights.coef) == len(FEATURES)
    coef = dict(zip(FEATURES, weights.coef, strict=True))
    assert coef["title_cosine"] + coef["title_chars"] > 0  # the briefs echo the headline
    # the fitted scorer picks better leads than the first sentence on the rows it saw
    ours = [lead(r["text"], r["title"], max_sentences=1, weights=weights) for r in briefs]
    lead1 = baselines()["lead1"]
    gain = sum(
        rouge_l(o.text, r["summary"]).f1 - rouge_l(lead1("", r["text"]), r["summary"]).f1
        for o, r in zip(ours, briefs, strict=True)
    )
    assert gain > 0


def test_a_folder_lacking_the_newspaper_summaries_exits_1_unless_partial(tmp_path, capsys):
    """A data folder without summarise/newspaper_dev.jsonl was reported on the briefs alone
    and exited 0; README: a folder lacking a file the command needs is exit 1 (`evaluate` and
    `train` take --partial for what is there)."""
    from service.cli import main

    folder = tmp_path / "data" / "summarise"
    folder.mkdir(parents=True)
    row = {"id": "b1", "date": "20150102", "title": "教育部部署高校毕业生就业工作",
           "text": "教育部近日召开会议，部署高校毕业生就业创业工作。会议要求各地加强就业指导。",
           "summary": "教育部召开会议，部署高校毕业生就业创业工作。"}  # fmt: skip
    (folder / "dev.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    out = tmp_path / "out"
    with pytest.raises(DataError, match="newspaper_dev.jsonl not found.*--partial"):
        evaluate_summaries(tmp_path / "data", out, progress=False)
    assert not out.exists()  # refused before any work
    args = ["evaluate-summaries", "--data", str(tmp_path / "data"), "--out", str(out)]
    assert main(args) == 1
    assert "newspaper_dev.jsonl not found" in capsys.readouterr().err
    assert main([*args, "--partial"]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["sources"]["newspaper"]["skipped"].startswith("no file at")
    assert metrics["sources"]["briefs"]["documents"] == 1
