"""The keyword report (`make evaluate-keywords`): a real run of all three methods on a small
fixture written for this test, with a small real model; its figures checked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.errors import DataError
from training.keywords import KEYWORDS_DATA, evaluate_keywords, format_keywords

# Written for these tests (not corpus text): each article keeps coming back to its subject,
# and its summary names it, as an editor's 核心阅读 would.
ROWS = [
    {
        "title": "数据标注产业加速发展",
        "text": "贵阳贵安数据标注企业增多。数据标注产业链不断延伸，数据标注岗位增加，"
        "算力需求增长，数据标注基地扩大。",
        "summary": "贵阳贵安数据标注产业加速发展，产业链延伸。",
    },
    {
        "title": "新能源汽车项目投产",
        "text": "新能源汽车项目投产。新能源汽车产值增长，电池企业落户园区，新能源汽车带动上下游。",
        "summary": "新能源汽车项目投产，带动上下游产业。",
    },
    {
        "title": "高校毕业生就业服务",
        "text": "学院举办毕业生招聘会，毕业生与企业面对面。学院推出就业服务，毕业生满意。",
        "summary": "学院为毕业生提供就业服务。",
    },
    {
        "title": "铝加工产业集群壮大",
        "text": "铝精深加工产业集群壮大，铝加工企业技术改造加快，铝加工产值创新高。",
        "summary": "铝加工产业集群壮大，产值创新高。",
    },
    {
        "title": "乡村振兴示范村建设",
        "text": "示范村修建道路，示范村发展茶叶种植，村民收入增长，示范村面貌一新。",
        "summary": "示范村建设推动乡村振兴。",
    },
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A small real model: the shipped blocks fitted on the fixture, with its keyword block."""
    from service.classifier import FORMAT, library_versions
    from training.export import export
    from training.train import CONFIG, build_pipeline, keyword_block, write_model

    items = [(r["title"], r["text"]) for r in ROWS] * 2
    labels = ["industry", "industry", "education", "industry", "rural"] * 2
    config = {
        **CONFIG,
        "chars": {**CONFIG["chars"], "min_df": 1},
        "opening": {**CONFIG["opening"], "min_df": 1},
    }
    pipeline = build_pipeline(config, seed=13)
    pipeline.fit(items, labels)
    model = export(pipeline)
    model.keywords_block = keyword_block(items)
    folder = tmp_path_factory.mktemp("kw") / "desk"
    manifest = {
        "format": FORMAT,
        "labels": [str(c) for c in model.classes_],
        "libraries": library_versions(),
    }
    write_model(model, manifest, folder)
    return folder


def _data(folder: Path, rows: list[dict]) -> Path:
    path = folder / KEYWORDS_DATA
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return folder


def test_report_runs_every_method_on_the_same_articles(model_dir: Path, tmp_path: Path) -> None:
    data = _data(tmp_path / "data", ROWS)
    metrics = evaluate_keywords(data, tmp_path / "out", model_dir=model_dir)
    assert metrics["documents"] == len(ROWS)
    systems = metrics["systems"]
    assert set(systems) == {"ours", "jieba.extract_tags", "textrank4zh"}
    ran = [name for name, m in systems.items() if not m.get("skipped")]
    assert {"ours", "jieba.extract_tags"} <= set(ran)  # TextRank4ZH only with the bench extra
    for name in ran:
        m = systems[name]
        assert m["docs_per_s"] > 0
        assert m["example"] and all(isinstance(w, str) and w for w in m["example"])
        for half in ("all", "tune", "holdout"):
            for k in (5, 10):
                assert 0.0 <= m[half][f"precision@{k}"] <= 1.0
                assert 0.0 <= m[half][f"any@{k}"] <= 1.0
    # Each article repeats its subject, which its summary names: every method finds it.
    for name in ran:
        assert systems[name]["all"]["any@5"] == 1.0, name
    ours = systems["ours"]
    assert "数据标注" in ours["example"]
    # The figures are what they say: recomputed here from our own keywords.
    from service.classifier import Classifier
    from service.keywords import keywords
    from service.pages import single_article
    from service.reading import read

    model = Classifier.load(model_dir).pipeline
    hits = total = 0
    for r in ROWS[1::2]:  # the holdout half: odd rows
        words = keywords(read(model, single_article(r["title"], r["text"]), whole=True), model, 10)
        top = list(dict.fromkeys(t.text for t in words))[:5]
        hits += sum(w in r["summary"] for w in top)
        total += len(top)
    assert ours["holdout"]["precision@5"] == round(hits / total, 4)
    written = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert written == metrics
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert report == format_keywords(metrics)
    assert "| ours |" in report and "| jieba.extract_tags |" in report


def test_report_refuses_bad_data(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no summaries"):
        evaluate_keywords(tmp_path / "nowhere", tmp_path / "out", model_dir=model_dir)
    bad = _data(tmp_path / "bad", [{"title": "t", "text": "正文"}])
    with pytest.raises(DataError, match="lacks text or summary"):
        evaluate_keywords(bad, tmp_path / "out", model_dir=model_dir)
    limited = _data(tmp_path / "limited", ROWS)
    assert (
        evaluate_keywords(limited, tmp_path / "o2", model_dir=model_dir, limit=2)["documents"] == 2
    )
