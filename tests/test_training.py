"""Corpus validation, weak-label repair, atomic training and evaluation, on real corpus slices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.classifier import MANIFEST_FILE, MODEL_FILE, Classifier, sha256_file
from service.errors import DataError
from training.augment import RENAMED
from training.corpus import (
    Record,
    cap_per_label,
    check_counts,
    data_hash,
    read_jsonl,
    read_training,
)
from training.data import TV_READ_LABELS, read_table
from training.evaluate import calibration, evaluate, format_summary, scores
from training.noise import relabel
from training.train import CONFIG, train

# training-time copies (training/augment.py) repeat their original's id
COPIES = ("#unframed", RENAMED)
GOOD = {"id": "x1", "title": "标题", "text": "正文内容。", "label": "industry"}


def _write_jsonl(path: Path, rows: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _slice(src: Path, dst: Path, per_label: int) -> None:
    """The first `per_label` rows of each label of a real corpus file."""
    seen: dict[str, int] = {}
    keep = []
    for line in src.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)["label"]
        if seen.get(label, 0) < per_label:
            seen[label] = seen.get(label, 0) + 1
            keep.append(line)
    _write_jsonl(dst, keep)


@pytest.fixture(scope="module")
def tiny_data(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder shaped like ../shared/data, holding slices of the real corpora."""
    root = tmp_path_factory.mktemp("data")
    for name, n in [
        ("train", 30),
        ("other", 30),
        ("dev", 10),
        ("dev_gold", 8),
        ("newspaper_gold", 30),
        ("train_gold", 12),
    ]:
        _slice(data_dir / "classify" / f"{name}.jsonl", root / "classify" / f"{name}.jsonl", n)
    return root


# --- corpus -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, needle",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"title": "t", "label": "industry"}), "text"),
        (json.dumps({**GOOD, "title": 3}), "title"),
        (json.dumps({**GOOD, "text": "  "}), "empty text"),
        (json.dumps({**GOOD, "label": "sports"}), "unknown label 'sports'"),
    ],
    ids=["json", "array", "no-text", "int-title", "blank-text", "label"],
)
def test_malformed_rows_name_file_and_line(tmp_path: Path, line: str, needle: str) -> None:
    path = _write_jsonl(tmp_path / "c.jsonl", [GOOD, {**GOOD, "id": "x2"}, line])
    with pytest.raises(DataError, match=needle) as err:
        read_jsonl(path)
    assert f"{path}:3:" in err.value.message


def test_an_id_on_two_rows_is_refused_naming_both_lines(tmp_path: Path) -> None:
    """A gold file labelling one article twice (two labels, or one twice) trained on both rows
    silently; it is a malformed file, named by file and line like any other."""
    other = {**GOOD, "id": "x2"}
    path = _write_jsonl(tmp_path / "c.jsonl", [GOOD, other, {**GOOD, "label": "education"}])
    with pytest.raises(DataError, match="'x1' is on line 1 too") as err:
        read_jsonl(path)
    assert f"{path}:3:" in err.value.message
    unnamed = {k: v for k, v in GOOD.items() if k != "id"}
    assert len(read_jsonl(_write_jsonl(tmp_path / "d.jsonl", [unnamed, unnamed]))) == 2


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_jsonl(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match="no rows"):
        read_jsonl(tmp_path / "empty.jsonl")


def test_read_jsonl_real_file(data_dir: Path) -> None:
    rows = read_jsonl(data_dir / "classify" / "dev_gold.jsonl")
    assert len(rows) == 300
    assert {r.label for r in rows} == {"leadership", "commentary", "industry", "education", "other"}
    assert rows[0].source.endswith("dev_gold.jsonl:1")


def _records(counts: dict[str, int]) -> list[Record]:
    return [
        Record(f"{lab}{i}", "t", "b", lab, f"f:{lab}{i:03d}")
        for lab, n in counts.items()
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "counts, needle",
    [({"industry": 9}, "two labels"), ({"industry": 9, "other": 2}, r"other \(2\)")],
)
def test_check_counts_refuses_thin_corpora(counts: dict, needle: str) -> None:
    with pytest.raises(DataError, match=needle):
        check_counts(_records(counts), 5)


def test_cap_per_label_is_seeded_and_capped() -> None:
    rows = _records({"industry": 50, "other": 3})
    a, b = cap_per_label(rows, 10, seed=13), cap_per_label(rows, 10, seed=13)
    assert a == b
    assert check_counts(a, 3) == {"industry": 10, "other": 3}
    assert cap_per_label(rows, 10, seed=14) != a
    assert cap_per_label(rows, None, seed=13) == rows
    with pytest.raises(DataError, match="limit"):
        cap_per_label(rows, 0, seed=13)


def test_data_hash_follows_bytes(tmp_path: Path) -> None:
    a = _write_jsonl(tmp_path / "a.jsonl", [GOOD])
    first = data_hash([a])
    assert first == data_hash([a])
    _write_jsonl(a, [dict(GOOD, text="改了")])
    assert data_hash([a]) != first


# --- weak-label repair ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, label, expected",
    [
        ("中共中央办公厅印发《关于开展“三严三实”专题教育方案》", "education", "other"),
        ("各地开展国家宪法日宣传教育活动", "education", "other"),
        ("爱国主义教育示范基地进校园", "education", "education"),  # a school word keeps it
        ("李克强对全国职业院校技能大赛作出重要批示", "education", "leadership"),
        ("高校毕业生就业创业工作有序推进", "education", "education"),
        ("中央宣传部印发爱国主义教育纲要", "industry", "industry"),  # only education moves
    ],
)
def test_relabel_applies_labels_md(title: str, label: str, expected: str) -> None:
    (out,), moved = relabel([Record("1", title, "正文", label)])
    assert out.label == expected
    assert sum(moved.values()) == (label != expected)


# --- splits and training data --------------------------------------------------------------


def test_newspaper_splits_are_fixed_by_id_and_month() -> None:
    from training.splits import newspaper_split

    assert newspaper_split("rmrb-20200512-05-01", "20200512") == "test"
    parts = [newspaper_split(f"rmrb-{i}", "20200115") for i in range(2000)]
    assert set(parts) == {"train", "calibration"}
    assert 0.2 < parts.count("calibration") / len(parts) < 0.3  # a quarter, by hash
    assert parts == [newspaper_split(f"rmrb-{i}", "20200115") for i in range(2000)]


def test_training_rows_leave_out_every_held_out_split(data_dir: Path) -> None:
    from training.data import training_set
    from training.evaluate import eval_splits

    data = training_set(data_dir, CONFIG)
    held_out = {r.id for rows in eval_splits(data_dir).values() for r in rows}
    trained_ids = {r.id for r in data.records}
    assert len(held_out) > 1000 and not trained_ids & held_out
    # a read label overrides the weak one: each train_gold id appears once, as read
    gold = {r.id: r.label for r in read_jsonl(data_dir / "classify" / "train_gold.jsonl")}
    rows = [(r, s) for r, s in zip(data.records, data.sources, strict=True) if r.id in gold]
    plain = [(r, s) for r, s in rows if not r.source.endswith(COPIES)]
    assert len(plain) == len(gold) and all(s == "tv_gold" for _, s in plain)
    assert all(r.label == gold[r.id] for r, _ in rows)


@pytest.mark.parametrize("mode", ["read", "weak", False])
def test_weak_tv_rows_read_again_train_as_the_config_says(data_dir: Path, mode) -> None:
    from training.data import training_set

    table = read_table(TV_READ_LABELS)
    data = training_set(data_dir, {**CONFIG, "tv_read": mode})
    again = [
        (r, s)
        for r, s in zip(data.records, data.sources, strict=True)
        if r.id in table and not r.source.endswith(COPIES)
    ]
    assert len({r.id for r, _ in again}) == len(again) == len(table) > 5000
    want = {"read": "tv_gold", "weak": "weak", False: "weak"}[mode]
    assert all(s == want for _, s in again)
    read = sum(r.label == table[r.id] for r, _ in again)
    # read: the read label on every row; off: the title rules' (which agree on about 91%)
    assert read == len(again) if mode else 0.85 * len(again) < read < 0.95 * len(again)
    assert (TV_READ_LABELS in data.tables) == bool(mode)


def test_a_weak_row_read_again_trains_as_read() -> None:
    from training.data import read_weak

    weak = [Record(i, "题", "正文。", "industry", "train.jsonl:1", date="20150101") for i in "xyz"]
    gold = [Record("g", "题", "正文。", "other", "train_gold.jsonl:1", date="20150101")]
    got_gold, got_weak = read_weak(gold, weak, {"y": "leadership", "absent": "other"})
    assert [(r.id, r.label) for r in got_gold] == [("g", "other"), ("y", "leadership")]
    assert [(r.id, r.label) for r in got_weak] == [("x", "industry"), ("z", "industry")]


def test_extra_read_labels_join_articles_and_never_reach_held_out_rows(tmp_path: Path) -> None:
    import gzip

    from training.data import ARTICLES_FILE, read_extra

    def article(rid: str, date: str) -> dict:
        return {
            "id": rid,
            "date": date,
            "page": 1,
            "seq": 1,
            "kicker": "引",
            "title": "题",
            "subtitle": "",
            "text": "正文。",
        }

    rows = [
        article("a", "20191001"),
        article("gold", "20191002"),
        article("may", "20200501"),
        article("b", "20200101"),
        article("unread", "20200102"),
    ]
    path = tmp_path / ARTICLES_FILE
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    table = tmp_path / "read.tsv"
    table.write_text(
        "b\tother\ttrue\ngold\tindustry\ttrue\nmay\tother\tfalse\na\tleadership\tfalse\n"
    )
    got = read_extra(tmp_path, {"gold"}, table)
    assert [(r.id, r.label, r.date) for r in got] == [
        ("a", "leadership", "20191001"),
        ("b", "other", "20200101"),
    ]
    assert got[0].item == ("引 题", "正文。")  # the kicker joins the title line
    table.write_text("a\tsports\ttrue\n")
    with pytest.raises(DataError, match="read.tsv:1"):
        read_extra(tmp_path, set(), table)


def test_sample_weights_balance_classes_over_source_weights() -> None:
    import numpy as np

    from training.data import sample_weights

    config = {"weights": {"newspaper": 2.0, "tv_gold": 1.0, "weak": 0.1}}
    labels = ["a", "a", "a", "b"]
    sources = ["newspaper", "weak", "weak", "tv_gold"]
    w = sample_weights(labels, sources, {**config, "class_weight": "none"})
    assert w.tolist() == [2.0, 0.1, 0.1, 1.0]
    w = sample_weights(labels, sources, {**config, "class_weight": "balanced"})
    assert np.isclose(w[:3].sum(), w[3])  # each class the same total weight
    assert np.isclose(w[0] / w[1], 20.0)  # sources keep their ratio within a class


# --- training -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("models") / "desk"
    return out, train(tiny_data, out, limit=25, progress=False)


def test_manifest_records_what_was_built(tiny_data: Path, trained: tuple[Path, dict]) -> None:
    out, manifest = trained
    assert json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8")) == manifest
    assert manifest["sha256"] == sha256_file(out / MODEL_FILE)
    names = ["newspaper_gold", "train_gold", "train", "other"]
    assert manifest["data"]["files"] == [f"classify/{n}.jsonl" for n in names]
    assert manifest["data_sha256"] == data_hash([tiny_data / f for f in manifest["data"]["files"]])
    # (no articles file, so no rmrb_read.tsv; xwlb_read.tsv as CONFIG says)
    tables = [TV_READ_LABELS] if CONFIG["tv_read"] else []
    assert manifest["labels_sha256"] == data_hash(tables)
    assert set(manifest["libraries"]) >= {"numpy", "scipy", "rjieba"}
    assert "scikit-learn" in manifest["trained_with"]  # fits the model; loading needs none
    by_source = manifest["data"]["rows_by_source"]
    assert set(by_source) == {"newspaper", "tv_gold", "weak"} and all(by_source.values())
    copies = manifest["data"]["commentary_unframed_copies"]
    # at most 25 per label and source (relabelling moves, never adds), plus unframed copies
    assert sum(manifest["data"]["counts"].values()) <= 25 * 5 * 3 + copies
    assert manifest["labels"] == sorted(manifest["data"]["counts"])
    for key in ("newspaper_test", "newspaper_calibration", "dev_gold", "dev_weak"):
        assert 0.0 <= manifest["metrics"][key]["macro_f1"] <= 1.0
    review = manifest["review"]
    assert set(review["thresholds"]) == set(manifest["labels"])
    # chosen on month-held-out predictions (the slice has several months), for that precision
    assert review["chosen_on"].startswith("month-held-out")
    precision = review["heldout_months"]["unflagged_precision"]
    assert precision is None or precision >= 0.95
    assert review["calibration"]["n"] > 0  # the quarter's own figures beside
    # the check behind the fitted target: every month left out, and whether it held
    check = review["new_month_check"][f"{review['fitted_target']:.2f}"]
    assert len(check["months"]) > 1
    # met by the rule the step was chosen by: every month less one standard error (binomial)
    floors = [
        p - (p * (1 - p) / check["unflagged"][m]) ** 0.5 if check["unflagged"][m] else p
        for m, p in check["months"].items()
    ]
    assert review["new_month_met"] == (min(floors) >= 0.95)
    assert sorted(p.name for p in out.parent.iterdir()) == ["desk"]  # no temp folders left


def test_same_data_same_model(tiny_data: Path, trained: tuple[Path, dict], tmp_path: Path) -> None:
    out, manifest = trained
    again = train(tiny_data, tmp_path / "desk", limit=25, progress=False)
    assert again["metrics"] == manifest["metrics"]
    items = [("胡忠雄在北京与中铝集团举行座谈", "双方就深化战略合作深入交流。")]
    a = Classifier.load(out).predict(items)[0]
    b = Classifier.load(tmp_path / "desk").predict(items)[0]
    assert a == b


def test_labels_follow_the_data(tiny_data: Path, tmp_path: Path) -> None:
    # A corpus without `other` trains a four-desk model; nothing in code lists the desks.
    data = tmp_path / "data"
    _slice(tiny_data / "classify" / "train.jsonl", data / "classify" / "train.jsonl", 12)
    _write_jsonl(data / "classify" / "other.jsonl", [dict(GOOD, label="industry")])
    manifest = train(data, tmp_path / "four", progress=False)
    assert Classifier.load(tmp_path / "four").labels == tuple(manifest["labels"])
    assert "other" not in manifest["labels"] and len(manifest["labels"]) == 4
    assert manifest["metrics"] == {}  # this folder has no dev files


def test_failed_training_keeps_the_previous_model(
    tiny_data: Path, trained: tuple[Path, dict], tmp_path: Path
) -> None:
    import shutil

    out = tmp_path / "desk"
    shutil.copytree(trained[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad"
    shutil.copytree(tiny_data, bad)
    with open(bad / "classify" / "train.jsonl", "a", encoding="utf-8") as f:
        f.write('{"title": "t", "text": "x", "label": "weather"}\n')
    with pytest.raises(DataError, match="unknown label 'weather'"):
        train(bad, out, progress=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "desk"]


def test_interrupted_write_keeps_the_previous_model(
    trained: tuple[Path, dict], tmp_path: Path
) -> None:
    import shutil

    from training.train import write_model

    out = tmp_path / "desk"
    shutil.copytree(trained[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    import numpy as np

    class Interrupting(np.ndarray):
        @property
        def dtype(self):
            raise KeyboardInterrupt  # as if the run were stopped mid-write

    model = Classifier.load(out).pipeline
    model.intercept_ = np.zeros(len(model.classes_)).view(Interrupting)
    with pytest.raises(KeyboardInterrupt):
        write_model(model, {"labels": ["a", "b"]}, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk"]


def test_a_model_left_aside_by_a_killed_write_is_put_back(
    trained: tuple[Path, dict], tmp_path: Path
) -> None:
    """A write killed between its swap's two renames left no model folder at all (the old one
    aside, the new one not in yet); the next write puts it back first, so even a failed one
    leaves the previous model in place (write_model once renamed by itself: it now uses
    atomic.atomic_folder, whose writers clean up after dead ones)."""
    import shutil

    import numpy as np

    from training.train import write_model

    out = tmp_path / "desk"
    shutil.copytree(trained[0], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    model = Classifier.load(out).pipeline
    out.rename(tmp_path / ".desk.4242.k9x2.old")  # as the killed writer named it

    class Failing(np.ndarray):
        @property
        def dtype(self):
            raise OSError("disk full")

    model.intercept_ = np.zeros(len(model.classes_)).view(Failing)
    with pytest.raises(OSError, match="disk full"):
        write_model(model, {"labels": ["a", "b"]}, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk"]


def _model_with_report(trained: tuple[Path, dict], out: Path) -> dict:
    import shutil

    shutil.copytree(trained[0], out)
    (out / "report").mkdir()
    (out / "report" / "report.md").write_text("the committed report\n", encoding="utf-8")
    return json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))


def test_retraining_keeps_the_report(trained: tuple[Path, dict], tmp_path: Path) -> None:
    """Issue 13: `make train` removed the committed report/ until `make evaluate` ran again."""
    from training.train import write_model

    out = tmp_path / "desk"
    before = _model_with_report(trained, out)
    write_model(Classifier.load(out).pipeline, {**before, "version": "retrained"}, out)
    assert (out / "report" / "report.md").read_text(encoding="utf-8") == "the committed report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk"]


def test_training_again_on_the_same_data_keeps_version_and_report(
    tiny_data: Path, trained: tuple[Path, dict], tmp_path: Path
) -> None:
    """Issue 13, as `make train` meets it: the same data gives the same artifact, which keeps
    its version, and the folder keeps its report/."""
    out = tmp_path / "desk"
    before = _model_with_report(trained, out)
    again = train(tiny_data, out, limit=25, progress=False)
    assert again["sha256"] == before["sha256"] and again["version"] == before["version"]
    assert (out / "report" / "report.md").exists()


@pytest.mark.parametrize("changed", [False, True])
def test_version_changes_only_with_the_artifact(
    trained: tuple[Path, dict], tmp_path: Path, changed: bool
) -> None:
    """Issue 13: a retrain that reproduces the artifact (same sha256) keeps the version."""
    from training.train import write_model

    out = tmp_path / "desk"
    before = _model_with_report(trained, out)
    model = Classifier.load(out).pipeline
    if changed:
        model.intercept_ = model.intercept_ + 1.0
    write_model(model, {**before, "version": "retrained"}, out, keep_version=True)
    after = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert (after["sha256"] != before["sha256"]) is changed
    assert after["version"] == ("retrained" if changed else before["version"])


# --- evaluation -----------------------------------------------------------------------------


def test_scores_and_calibration_by_hand() -> None:
    import numpy as np

    s = scores(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b", "c"])
    assert s["accuracy"] == 0.75
    assert s["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "n": 2}
    assert s["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)  # `c` has no support: left out
    assert s["confusion"] == [[1, 1, 0], [0, 2, 0], [0, 0, 0]]
    proba = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
    ece, table = calibration(proba, ["a", "b"], ["a", "b", "a", "b"])
    # bin (0.8, 0.9]: conf 0.9, acc 0.5; bins 0.6 and 0.7: acc 1 → |0.4|*.5 + 0.4*.25 + 0.3*.25
    assert ece == pytest.approx(0.5 * 0.4 + 0.25 * 0.4 + 0.25 * 0.3)
    assert sum(b["n"] for b in table) == 4


def test_macro_f1_interval_brackets_the_estimate() -> None:
    from training.evaluate import macro_f1_interval

    rng = __import__("random").Random(5)
    labels = ["a", "b", "c"]
    y = [rng.choice(labels) for _ in range(200)]
    pred = [t if rng.random() < 0.8 else rng.choice(labels) for t in y]
    point = scores(y, pred, labels)["macro_f1"]
    lo, hi = macro_f1_interval(y, pred, labels)
    assert lo < point < hi and hi - lo < 0.2
    assert macro_f1_interval(y, pred, labels) == (lo, hi)  # seeded
    assert macro_f1_interval(y, y, labels) == (1.0, 1.0)


def test_evaluate_writes_report(tiny_data: Path, trained: tuple[Path, dict]) -> None:
    out, _ = trained
    report = evaluate(tiny_data, out, progress=False)
    assert list(report["splits"]) == [
        "newspaper_test",
        "newspaper_calibration",
        "dev_gold",
        "dev_weak",
        "cross_time_newspaper",
        "cross_time_tv",
    ]
    for key in report["splits"]:
        for system in ("model", "usual_script"):
            r = report[key][system]
            assert 0.0 <= r["macro_f1"] <= 1.0 and 0.0 <= r["ece"] <= 1.0
            assert sum(map(sum, r["confusion"])) == r["n"]
    # the review flag is reported for the shipped model's splits (not the cross-time model's)
    review = report["newspaper_test"]["model"]["review"]
    assert 0.0 <= review["review_share"] <= 1.0
    assert set(review["per_label"]) == set(report["labels"])
    assert "review" not in report["cross_time_tv"]["model"]
    names = {p.name for p in (out / "report").iterdir()}
    assert {"report.md", "metrics.json", "confusion_dev_gold.png", "reliability_dev_gold.png"} <= (
        names
    )
    assert json.loads((out / "report" / "metrics.json").read_text(encoding="utf-8")) == report
    assert report["sample_page"] is None  # no ../samples beside this data folder
    assert "dev_gold" in format_summary(report)
    Classifier.load(out)  # the report does not disturb the verified artifact


def test_read_training_cleans_like_serving(tiny_data: Path) -> None:
    from service.text import clean_body

    raw = read_jsonl(tiny_data / "classify" / "train.jsonl")
    cleaned = read_training(tiny_data, ["classify/train.jsonl"])
    assert [r.text for r in cleaned] == [clean_body(r.text).body.text or r.text for r in raw]


# --- augmentation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, text, new_title, new_text",
    [
        (
            "人民日报评论员文章：坚定不移维护新疆稳定",
            "明天出版的人民日报将发表评论员文章，题目是《坚定不移维护新疆稳定》。 "
            "文章说，稳定是福。",
            "坚定不移维护新疆稳定",
            "稳定是福。",
        ),
        ("【央视快评】绿水青山", "珠海坚持生态优先。", "绿水青山", "珠海坚持生态优先。"),
        ("在高质量发展中增进民生福祉", "民生为大。", None, None),  # no frame: no copy
    ],
)
def test_unframe_commentary(title: str, text: str, new_title, new_text) -> None:
    from training.augment import unframe_commentary

    original = Record("1", title, text, "commentary", "f:1")
    other = Record("2", title, text, "industry", "f:2")
    out, added = unframe_commentary([original, other])
    assert out[:2] == [original, other]
    if new_title is None:
        assert added == 0 and len(out) == 2
    else:
        assert added == 1 and (out[2].title, out[2].text) == (new_title, new_text)
        assert out[2].label == "commentary"


def test_train_into_a_log_draws_no_progress_bar(tiny_data: Path, tmp_path: Path) -> None:
    """`make train > log 2>&1` used to fill the log with tqdm's carriage-return redraws."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "train", "--data", str(tiny_data)]
        + ["--out", str(tmp_path / "desk"), "--partial"],  # a slice: no articles.jsonl.gz
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "step/s" not in done.stderr, done.stderr
    assert "model written to" in done.stderr


def test_the_report_and_the_summary_say_what_ece_is() -> None:
    """report.md and `newsdesk evaluate`'s lines printed an ECE column that nothing defined."""
    from training.report import markdown

    r = {
        "macro_f1": 0.8, "accuracy": 0.8, "ece": 0.06, "macro_f1_ci95": [0.7, 0.9], "n": 1,
        "per_class": {}, "labels": [], "confusion": [], "reliability": [],
    }  # fmt: skip
    report = {
        "model": "m", "labels": ["a"], "splits": {"dev_gold": "TV test"},
        "dev_gold": {"model": r, "usual_script": r}, "sample_page": None, "sample_expected": [],
    }  # fmt: skip
    assert "ECE (expected calibration error): the rows put in ten bins" in markdown(report, {})
    assert format_summary(report).splitlines()[-1].startswith("ECE: the gap between")


def test_the_reliability_plot_shows_each_bins_rows(tmp_path: Path) -> None:
    """Bins were drawn alike whatever their rows: one of 3 looked as sure as one of 300."""
    from training.report import plot_reliability

    table = [
        {"lo": 0.4, "hi": 0.5, "n": 3, "acc": 1.0, "conf": 0.45},
        {"lo": 0.9, "hi": 1.0, "n": 300, "acc": 0.9, "conf": 0.95},
    ]
    fig = plot_reliability({"model": table}, "t", tmp_path / "r.png")
    (ax,) = fig.axes
    (points,) = ax.collections
    small, large = points.get_sizes()
    assert large > 10 * small
    assert {t.get_text() for t in ax.texts} == {"3", "300"}
    assert (tmp_path / "r.png").stat().st_size > 0
