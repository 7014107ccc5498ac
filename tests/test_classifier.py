"""The classifier loader and predictor: real small models, tampering, versions, shipped model."""

from __future__ import annotations

import json
import pickle
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from service.classifier import (
    CHECKED_LIBRARIES,
    DEFAULT_MODEL,
    LIBRARIES,
    MANIFEST_FILE,
    MODEL_FILE,
    Classifier,
    Vocabulary,
    sha256_file,
)
from service.documents import Prediction
from service.errors import InvalidInput, ModelError

ITEMS = [
    ("习近平会见法国总统", "国家主席习近平在人民大会堂会见法国总统，双方就双边关系深入交换意见。"),
    (
        "人民日报评论员文章：坚定发展信心",
        "明天出版的人民日报将发表评论员文章。文章指出，要坚定信心。",
    ),
    ("新能源汽车产销两旺", "今年以来，我国新能源汽车产销量持续增长，产业链企业加快布局。"),
    ("高校毕业生就业工作有序推进", "各地高校积极拓展就业渠道，帮助毕业生找到合适岗位。"),
    ("巴西遭遇强降雨", "巴西南部连日强降雨引发洪水，造成多人死亡，部分道路中断。"),
]


@pytest.fixture(scope="session")
def small_model(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real model trained on 40 rows per label: seconds, not minutes."""
    from training.train import train

    out = tmp_path_factory.mktemp("clf") / "desk"
    train(data_dir, out, limit=40, progress=False)
    return out


@pytest.fixture
def model_copy(small_model: Path, tmp_path: Path) -> Path:
    out = tmp_path / "desk"
    shutil.copytree(small_model, out)
    return out


def _edit_manifest(folder: Path, **changes) -> None:
    path = folder / MANIFEST_FILE
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_load_labels_come_from_manifest(small_model: Path) -> None:
    clf = Classifier.load(small_model)
    manifest = json.loads((small_model / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert clf.labels == tuple(manifest["labels"])
    assert set(clf.labels) == {"leadership", "commentary", "industry", "education", "other"}
    assert clf.manifest["sha256"] == sha256_file(small_model / MODEL_FILE)
    assert clf.path == small_model


def test_predict_gives_sorted_probabilities_summing_to_one(small_model: Path) -> None:
    clf = Classifier.load(small_model)
    preds = clf.predict(ITEMS)
    assert len(preds) == len(ITEMS)
    for p in preds:
        assert isinstance(p, Prediction)
        assert {lab for lab, _ in p.scores} == set(clf.labels)
        probs = [s for _, s in p.scores]
        assert all(type(s) is float and 0.0 <= s <= 1.0 for s in probs)
        assert probs == sorted(probs, reverse=True)
        assert sum(probs) == pytest.approx(1.0, abs=1e-9)
        assert p.label == p.scores[0][0]


def test_batch_equals_one_at_a_time(small_model: Path) -> None:
    clf = Classifier.load(small_model)
    batch = clf.predict(ITEMS)
    single = [clf.predict([item])[0] for item in ITEMS]
    for a, b in zip(batch, single, strict=True):
        assert a.label == b.label
        assert dict(a.scores) == pytest.approx(dict(b.scores))


def test_small_model_learns_something(small_model: Path) -> None:
    # 40 rows per label are enough for these textbook cases; a broken pipeline would not be.
    preds = Classifier.load(small_model).predict(ITEMS[:3])
    assert [p.label for p in preds] == ["leadership", "commentary", "industry"]


def test_empty_batch(small_model: Path) -> None:
    assert Classifier.load(small_model).predict([]) == []


@pytest.mark.parametrize(
    "item",
    [("title only",), ("a", 1), "title and body", ("", "  "), (None, "body")],
    ids=["one-field", "non-string", "bare-string", "empty", "none-title"],
)
def test_bad_items_are_invalid_input(small_model: Path, item) -> None:
    with pytest.raises(InvalidInput) as err:
        Classifier.load(small_model).predict([ITEMS[0], item])
    assert err.value.field == "items"
    assert "item 1" in err.value.message


def test_tampered_artifact_is_refused(model_copy: Path) -> None:
    with open(model_copy / MODEL_FILE, "ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelError, match="sha256") as err:
        Classifier.load(model_copy)
    assert "make train" in err.value.message


@pytest.mark.parametrize("junk", [b"not a zip file at all", b""], ids=["junk", "empty"])
def test_an_unreadable_replacement_is_reported_as_changed_not_as_unreadable(
    model_copy: Path, junk: bytes
):
    # The arrays are read while the file is hashed: a file that is not even a model file still
    # reports the hash first, the cause an operator can act on. An empty one (a full disk, a
    # copy cut short) raised numpy's EOFError, which the CLI took for a truncated gzip input.
    (model_copy / MODEL_FILE).write_bytes(junk)
    with pytest.raises(ModelError, match="sha256 .* the manifest expects"):
        Classifier.load(model_copy)
    _edit_manifest(model_copy, sha256=sha256_file(model_copy / MODEL_FILE))
    with pytest.raises(ModelError, match="not a readable model file"):
        Classifier.load(model_copy)


class _Touch:
    """A pickle that runs `touch PATH` when it is loaded: what an attacker would plant."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.path}",))


def plant_pickle(folder: Path, marker: Path, name: str) -> None:
    """Replace a model folder's artifact by a code-running pickle, manifest hash updated."""
    for old in (MODEL_FILE, "model.joblib"):
        (folder / old).unlink(missing_ok=True)
    (folder / name).write_bytes(pickle.dumps(_Touch(marker)))
    _edit_manifest(folder, sha256=sha256_file(folder / name))


@pytest.mark.parametrize("name", [MODEL_FILE, "model.joblib"])
@pytest.mark.parametrize("format_", [3, 2])
def test_a_planted_pickle_with_a_matching_manifest_runs_no_code(
    model_copy: Path, tmp_path: Path, name: str, format_: int
) -> None:
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(_Touch(control)))  # the planted file does run code if unpickled
    assert control.exists()
    marker = tmp_path / "pwned"
    plant_pickle(model_copy, marker, name)
    _edit_manifest(model_copy, format=format_)
    with pytest.raises(ModelError) as err:
        Classifier.load(model_copy)
    assert not marker.exists()
    if name == "model.joblib" or format_ == 2:  # the old format: the message names the fix
        assert "make train" in err.value.message and "convert-model" in err.value.message
    else:
        assert "not a readable model file" in err.value.message


def test_a_planted_pickle_runs_no_code_in_the_cli(model_copy: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    marker = tmp_path / "pwned"
    plant_pickle(model_copy, marker, MODEL_FILE)
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "classify", "--model", str(model_copy)],
        input='{"title": "标题", "text": "正文。"}\n',
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "ModelError" in run.stderr
    assert not marker.exists()


@pytest.mark.parametrize("target", ["folder", MODEL_FILE, MANIFEST_FILE])
@pytest.mark.parametrize("bits", [0o020, 0o002])
def test_a_model_others_may_write_is_refused(model_copy: Path, target: str, bits: int) -> None:
    path = model_copy if target == "folder" else model_copy / target
    path.chmod(path.stat().st_mode | bits)
    with pytest.raises(ModelError, match="writable by") as err:
        Classifier.load(model_copy)
    assert "chmod go-w" in err.value.message


def test_a_pickled_model_converts_to_the_same_probabilities(
    model_copy: Path, tmp_path: Path
) -> None:
    """`newsdesk convert-model`: the old format-2 folder, converted, answers the same."""
    from service.cli import main

    want = Classifier.load(model_copy)
    # The format-2 folder this model would have been: the same DeskModel, pickled.
    (model_copy / MODEL_FILE).unlink()
    (model_copy / "model.joblib").write_bytes(pickle.dumps(want.pipeline, protocol=5))
    _edit_manifest(model_copy, format=2, sha256=sha256_file(model_copy / "model.joblib"))
    with pytest.raises(ModelError, match="convert-model"):
        Classifier.load(model_copy)
    assert main(["convert-model", str(model_copy), "--out", str(tmp_path / "new")]) == 0
    got = Classifier.load(tmp_path / "new")
    assert got.manifest["sha256"] == want.manifest["sha256"]  # the same bytes as training wrote
    np.testing.assert_array_equal(got.probabilities(ITEMS), want.probabilities(ITEMS))
    # an --out that exists is refused, and nothing is written into it
    assert main(["convert-model", str(model_copy), "--out", str(tmp_path / "new")]) == 1
    assert Classifier.load(tmp_path / "new").manifest["sha256"] == want.manifest["sha256"]
    assert main(["convert-model", str(model_copy)]) == 0  # in place
    assert not (model_copy / "model.joblib").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial left
    assert Classifier.load(model_copy).manifest["sha256"] == want.manifest["sha256"]


def test_a_tree_naming_another_class_is_refused(small_model: Path, tmp_path: Path) -> None:
    import io
    import zipfile

    from service import modelfile

    data = (small_model / MODEL_FILE).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "model.json.npy":
                body = body.replace(b'"$object": "DeskModel"', b'"$object": "Unpickler"')
            dst.writestr(info, body)
    with pytest.raises(ModelError, match="'Unpickler' that is not a model class"):
        modelfile.loads(io.BytesIO(out.getvalue()), "crafted")


@pytest.mark.parametrize("library", CHECKED_LIBRARIES)
def test_other_library_version_is_refused(model_copy: Path, library: str) -> None:
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text(encoding="utf-8"))
    libs = dict(manifest["libraries"], **{library: "0.0.1"})
    _edit_manifest(model_copy, libraries=libs)
    with pytest.raises(ModelError, match=library) as err:
        Classifier.load(model_copy)
    assert "0.0.1" in err.value.message and "make train" in err.value.message


def test_patch_release_of_rjieba_is_accepted(model_copy: Path) -> None:
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text(encoding="utf-8"))
    major, minor, *_ = manifest["libraries"]["rjieba"].split(".")
    libs = dict(manifest["libraries"], rjieba=f"{major}.{minor}.999")
    _edit_manifest(model_copy, libraries=libs)
    assert Classifier.load(model_copy).labels


def test_other_numpy_and_scipy_are_accepted(model_copy: Path) -> None:
    """A data-only file reads the same under any numpy/scipy: recorded, not checked."""
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text(encoding="utf-8"))
    _edit_manifest(model_copy, libraries=dict(manifest["libraries"], numpy="1.0", scipy="0.1"))
    assert Classifier.load(model_copy).labels


def test_manifest_labels_must_match_the_model(model_copy: Path) -> None:
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text(encoding="utf-8"))
    _edit_manifest(model_copy, labels=list(reversed(manifest["labels"])))
    with pytest.raises(ModelError, match="predicts"):
        Classifier.load(model_copy)


@pytest.mark.parametrize(
    "edit, needle",
    [
        (lambda t: {**t, "leadership": "high"}, "not a probability"),
        (lambda t: {**t, "leadership": 1.5}, "not a probability"),
        (lambda t: {**t, "leadership": None}, "not a probability"),
        (lambda t: {"leadership": 0.9}, "not the model's labels"),  # the other labels missing
        (lambda t: list(t.values()), "not an object"),
    ],
)
def test_review_thresholds_are_checked_at_load(model_copy: Path, edit, needle: str) -> None:
    review = json.loads((model_copy / MANIFEST_FILE).read_text(encoding="utf-8"))["review"]
    _edit_manifest(model_copy, review=dict(review, thresholds=edit(review["thresholds"])))
    with pytest.raises(ModelError, match=needle):
        Classifier.load(model_copy)


def test_a_model_without_review_thresholds_loads_and_flags_only_thin_text(model_copy: Path) -> None:
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text(encoding="utf-8"))
    _edit_manifest(model_copy, review=dict(manifest["review"], thresholds={}))
    assert Classifier.load(model_copy).thresholds == {}


@pytest.mark.parametrize(
    "breakage, needle",
    [
        ("no-folder", "does not exist"),
        ("no-manifest", r"is not a newsdesk model folder \(no manifest.json; it holds "),
        ("no-artifact", "model.npz is missing"),
        ("bad-json", "not valid JSON"),
        ("no-sha", "lacks sha256"),
        ("foreign", "is no newsdesk manifest .*is not a newsdesk model folder"),
        ("format", "format"),
        ("one-label", "two or more distinct labels"),
        # hand-edited shapes that raised AttributeError or TypeError at load
        ("a-number", "is not a JSON object"),
        ("review-text", "review is not an object"),
        ("libraries-null", "libraries is None, not an object"),
        ("label-lists", "two or more distinct labels"),
    ],
)
def test_broken_folders_are_model_errors(model_copy: Path, breakage: str, needle: str) -> None:
    path = model_copy
    if breakage == "no-folder":
        path = model_copy / "nowhere"
    elif breakage == "no-manifest":
        (model_copy / MANIFEST_FILE).unlink()
    elif breakage == "no-artifact":
        (model_copy / MODEL_FILE).unlink()
    elif breakage == "bad-json":
        (model_copy / MANIFEST_FILE).write_text("{", encoding="utf-8")
    elif breakage == "no-sha":
        manifest = json.loads((model_copy / MANIFEST_FILE).read_text(encoding="utf-8"))
        del manifest["sha256"]
        (model_copy / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    elif breakage == "foreign":  # another library's manifest.json, none of our keys
        (model_copy / MANIFEST_FILE).write_text('{"model_type": "bert"}', encoding="utf-8")
    elif breakage == "format":
        _edit_manifest(model_copy, format=99)
    elif breakage == "one-label":
        _edit_manifest(model_copy, labels=["leadership"])
    elif breakage == "a-number":
        (model_copy / MANIFEST_FILE).write_text("5", encoding="utf-8")
    elif breakage == "review-text":
        _edit_manifest(model_copy, review="strict")
    elif breakage == "libraries-null":
        _edit_manifest(model_copy, libraries=None)
    elif breakage == "label-lists":
        _edit_manifest(model_copy, labels=[["leadership"], ["other"]])
    with pytest.raises(ModelError, match=needle):
        Classifier.load(path)


def test_a_manifest_nested_past_the_recursion_limit_is_a_model_error(tmp_path: Path) -> None:
    """It was a RecursionError traceback out of every command, and `serve`'s log line."""
    folder = tmp_path / "desk"
    folder.mkdir()
    (folder / MODEL_FILE).write_bytes(b"not read")
    (folder / MANIFEST_FILE).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ModelError, match="manifest.json is not valid JSON"):
        Classifier.load(folder)


@pytest.mark.parametrize("terms", [{"a": 0, "新质生产力": 1, "\n贵": 2}, {}, {"x\0y": 0}])
def test_vocabulary_pickles_to_the_same_mapping(terms: dict) -> None:
    back = pickle.loads(pickle.dumps(Vocabulary(terms)))
    assert dict(back) == terms
    assert all(type(v) is int for v in back.values())


def test_load_and_predict_import_no_sklearn(small_model: Path) -> None:
    """Serving runs the compiled model: scikit-learn is for fitting only, scipy.sparse's 0.1 s
    import is skipped (its kernels load alone)."""
    import subprocess
    import sys

    code = (
        "import sys; from service.classifier import Classifier;"
        f"c = Classifier.load({str(small_model)!r}); c.predict({ITEMS[:2]!r});"
        "print([m for m in sys.modules if m.split('.')[0] in ('sklearn', 'training', 'joblib')"
        " or m == 'scipy.sparse'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_a_file_holding_another_object_is_refused(model_copy: Path) -> None:
    """A data-only file whose root is not a DeskModel (here a bare TermTable) is refused."""
    from service import modelfile
    from service.model import TermTable

    table = TermTable.build(np.array([1, 2], dtype=np.int64), np.array([0, 1], dtype=np.int32))
    modelfile.save(table, model_copy / MODEL_FILE)
    _edit_manifest(model_copy, sha256=sha256_file(model_copy / MODEL_FILE))
    with pytest.raises(ModelError, match="not a compiled DeskModel"):
        Classifier.load(model_copy)


def _past_its_block(model) -> None:
    table = model.blocks[0].table_
    table.values_[table.keys_ != 0] += len(model.blocks[0].idf_)


def _full_table(model) -> None:
    table = model.blocks[0].table_
    table.keys_[table.keys_ == 0] = -np.arange(1, 1 + np.count_nonzero(table.keys_ == 0))  # no code
    table.values_[table.values_ == -1] = 0


def _narrow_weights(model) -> None:
    model.coef_ = np.ascontiguousarray(model.coef_[:, :-7])


def _word_past_its_block(model) -> None:
    block = model.keywords_block
    block.vocabulary_ = {**block.vocabulary_, "越界": len(block.idf_) + 1000}


def _head_as_text(model) -> None:
    model.blocks[0].head_chars = "1500"


def _unknown_mask(model) -> None:
    model.blocks[0].mask = "everything"


def _huge_frequency(model) -> None:
    segment = model.keywords_block.tokenizer.segment
    segment.userdict = (*segment.userdict, ("新词", 10**30, ""))


def _surrogate_word(model) -> None:
    segment = model.keywords_block.tokenizer.segment
    segment.userdict = (*segment.userdict, ("\ud800", 3, ""))


@pytest.mark.parametrize(
    ("craft", "says"),
    [
        (_huge_frequency, "the frequency 1000000000000000000000000000000"),
        (_surrogate_word, "not text"),
        (_head_as_text, "reads '1500' characters"),
        (_unknown_mask, "mask 'everything'"),
        (_past_its_block, "names a column outside its block"),
        (_full_table, "more than half full"),
        (_narrow_weights, "the blocks give"),
        (_word_past_its_block, "vocabulary names a column outside"),
    ],
)
def test_a_model_whose_arrays_disagree_is_refused_at_load(model_copy: Path, craft, says) -> None:
    """The sparse kernels index with a model's columns unchecked: a table naming a column past its
    block crashed the process at predict (SIGSEGV), hash or no hash; now the load refuses it."""
    from service import modelfile

    model = modelfile.load(model_copy / MODEL_FILE)
    craft(model)
    modelfile.save(model, model_copy / MODEL_FILE)
    _edit_manifest(model_copy, sha256=sha256_file(model_copy / MODEL_FILE))
    with pytest.raises(ModelError, match=f"does not hold a sound model .*{says}"):
        Classifier.load(model_copy)


def test_no_change_to_a_model_files_arrays_crashes_the_process(
    small_model: Path, tmp_path: Path
) -> None:
    """Each array of a real model file halved, lengthened, emptied, pushed past its range, made
    NaN or of another type, with a forged manifest: every one is refused at load or serves
    (predict, evidence, keywords). A child process runs them, so a crash fails this test."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "tests.model_mutations", str(small_model), str(tmp_path / "m")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0, f"exit {done.returncode} after {lines[-1:]}: {done.stderr[-800:]}"
    assert len(lines) > 40 and all(line.endswith((" refused", " served")) for line in lines)
    assert sum(line.endswith(" refused") for line in lines) > 30


def test_manifest_records_the_libraries_loading_needs(small_model: Path) -> None:
    manifest = Classifier.load(small_model).manifest
    assert set(manifest["libraries"]) == set(LIBRARIES)
    assert "scikit-learn" not in LIBRARIES and "scikit-learn" in manifest["trained_with"]
    assert manifest["compiled_max_gap"] <= 1e-6


# --- the shipped model --------------------------------------------------------------------

shipped = pytest.mark.skipif(
    not (DEFAULT_MODEL / MANIFEST_FILE).exists(), reason="no shipped model (make train)"
)


@shipped
def test_shipped_model_loads_fast_and_small() -> None:
    Classifier.load(DEFAULT_MODEL)  # imports and page cache warm
    start = time.process_time()
    clf = Classifier.load(DEFAULT_MODEL)
    assert time.process_time() - start < 0.5
    # two char 1-3-gram tables of up to 150k terms each (training/EXPERIMENTS.md, row 116)
    assert (DEFAULT_MODEL / MODEL_FILE).stat().st_size <= 32 * 1024 * 1024
    assert set(clf.labels) == {"leadership", "commentary", "industry", "education", "other"}


@shipped
def test_shipped_model_labels_the_sample_page(sample_page: str) -> None:
    from service.pages import split_page
    from service.pipeline import desk_item

    articles = split_page(sample_page)
    preds = Classifier.load(DEFAULT_MODEL).predict([desk_item(a) for a in articles])
    # LABELS.md: "On the sample page the five articles are, in order: …"
    assert [p.label for p in preds] == [
        "leadership",
        "leadership",
        "commentary",
        "industry",
        "education",
    ]


@shipped
def test_shipped_model_macro_f1_on_gold(data_dir: Path) -> None:
    from training.corpus import read_jsonl
    from training.evaluate import scores

    rows = read_jsonl(data_dir / "classify" / "dev_gold.jsonl")
    clf = Classifier.load(DEFAULT_MODEL)
    proba = clf.probabilities([r.item for r in rows])
    pred = [clf.labels[i] for i in np.argmax(proba, axis=1)]
    result = scores([r.label for r in rows], pred, clf.labels)
    assert result["macro_f1"] >= 0.92  # the TV-news acceptance figure


@shipped
def test_shipped_model_carries_review_thresholds_and_flags_thin_text() -> None:
    clf = Classifier.load(DEFAULT_MODEL)
    assert set(clf.thresholds) == set(clf.labels)
    assert all(0.0 <= t < 1.0 for t in clf.thresholds.values())
    assert clf.manifest["review"]["heldout_months"]["unflagged_precision"] >= 0.95
    greeting, english = clf.predict([("", "你好世界。"), ("", "The State Council met today.")])
    assert greeting.review and english.review


def test_library_versions_equal_importlib_metadata() -> None:
    from importlib import metadata

    from service.classifier import TRAINED_WITH, library_versions

    names = (*LIBRARIES, *TRAINED_WITH, "grpcio", "no-such-library-xyz")
    want = {}
    for name in names:
        try:
            want[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            want[name] = "missing"
    assert library_versions(names) == want
