"""The compiled model: features equal to scikit-learn's, probabilities equal to the pipeline's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from service.model import (
    BASE_CUES,
    CharTfidf,
    CueBlock,
    DeskModel,
    TermTable,
    WordTfidf,
    char_ngram_codes,
    compose,
    cues,
    ngram_code,
)
from service.ngrams import prepared_origins, prepared_positions
from service.termrows import hit_entries, tfidf, tfidf_entries
from training.train import CONFIG, build_pipeline

# Characters where a careless re-implementation parts from sklearn: case (İ lower-cases to two
# code points), whitespace runs of mixed kinds, astral code points, full-width forms.
ODD = "Aa Zz İ ẞ Σ ς Ｘ ｙ 😀 𠀀 🇨🇳 \t \n \r \x0b \u3000 \u00a0 é e\u0301 12.5% 1-5 C++ #tag a_b"
ALPHABET = st.sampled_from(
    list("AaBbZzİẞΣςＸｙ😀𠀀é\u0301 \t\n\r\x0b\u3000\u00a0-.%+#_1")
    + list("发展经济的人民中国新质生产力")
)


def _texts(data_dir: Path, n: int = 160) -> list[tuple[str, str, str]]:
    path = data_dir / "classify" / "train.jsonl"
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows.append((r["title"], r["text"], r["label"]))
            if len(rows) >= n:
                break
    return rows


@pytest.fixture(scope="module")
def fitted(data_dir: Path):
    """A real pipeline fitted on 160 corpus rows (+ odd characters), and its compiled form."""
    from training.export import export

    rows = _texts(data_dir)
    items = [(t, b) for t, b, _ in rows] + [(ODD, ODD + " 发展")] * 3
    labels = [lab for _, _, lab in rows] + ["other"] * 3
    # Every block kind the compiled model has (the shipped CONFIG may leave some out), with
    # heads short enough that the fixture's TV-news bodies run past them.
    config = {
        **CONFIG,
        "words": {"min_df": 2, "sublinear_tf": True, "head_chars": 400},
        "chars": {**CONFIG["chars"], "max_features": 3000, "head_chars": 600},
        "opening": {**CONFIG["chars"], "max_features": 3000, "head_chars": 150},
    }
    pipeline = build_pipeline(config, seed=13)
    pipeline.fit(items, labels)
    return pipeline, export(pipeline), items


def _step(pipeline, name: str):
    return dict(pipeline.named_steps["features"].transformer_list)[name]


def _block(model: DeskModel, kind: type):
    return next(b for b in model.blocks if isinstance(b, kind))


def _same(want, got) -> None:
    want, got = sparse.csr_matrix(want), sparse.csr_matrix(got)
    want.sort_indices()
    got.sort_indices()
    assert want.shape == got.shape and want.dtype == got.dtype
    assert want.nnz == got.nnz
    np.testing.assert_array_equal(want.indptr, got.indptr)
    np.testing.assert_array_equal(want.indices, got.indices)
    np.testing.assert_allclose(want.data, got.data, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, kind", [("chars", CharTfidf), ("words", WordTfidf)])
def test_features_equal_sklearn_on_the_corpus(fitted, name: str, kind: type) -> None:
    pipeline, model, items = fitted
    texts = [compose(t, b) for t, b in items]
    _same(_step(pipeline, name).transform(texts), _block(model, kind).matrix(texts))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(ALPHABET, max_size=40), min_size=1, max_size=6))
def test_features_equal_sklearn_on_generated_text(fitted, texts: list[str]) -> None:
    pipeline, model, _ = fitted
    for name, kind in (("chars", CharTfidf), ("words", WordTfidf)):
        _same(_step(pipeline, name).transform(texts), _block(model, kind).matrix(texts))


@pytest.mark.parametrize(
    "texts",
    [
        ["a\ud800b \udfff  c"],
        ["\ud83d😀", ""],
        ["", "", "x"],
        ["😀\n\n😀 \n"],
        ["\U0010fffd发展\U000e0001"],
    ],
    ids=["lone-surrogates", "half-emoji", "empty-texts", "newline-runs", "past-known-codes"],
)
def test_char_features_equal_sklearn_on_edge_cases(fitted, texts: list[str]) -> None:
    pipeline, model, _ = fitted
    _same(_step(pipeline, "chars").transform(texts), _block(model, CharTfidf).matrix(texts))


def test_probabilities_equal_the_pipeline(fitted) -> None:
    pipeline, model, items = fitted
    probe = items + [("", "x"), ("标题", ""), (ODD, "")]
    np.testing.assert_allclose(model.predict_proba(probe), pipeline.predict_proba(probe), atol=1e-9)
    np.testing.assert_array_equal(model.predict(probe), pipeline.predict(probe))
    assert list(model.classes_) == list(pipeline.classes_)


def test_chunked_scores_equal_one_pass(fitted, monkeypatch: pytest.MonkeyPatch) -> None:
    import service.model

    _, model, items = fitted
    whole = model.decision_function(items)
    monkeypatch.setattr(service.model, "CHUNK_CHARS", 500)  # many chunks, some of one text
    np.testing.assert_array_equal(model.decision_function(items), whole)


def test_two_class_model_is_logistic(fitted) -> None:
    from sklearn.base import clone

    from training.export import export

    pipeline = clone(fitted[0])
    items = fitted[2]
    labels = ["commentary" if i % 3 else "other" for i in range(len(items))]
    pipeline.fit(items, labels)
    np.testing.assert_allclose(
        export(pipeline).predict_proba(items), pipeline.predict_proba(items), atol=1e-9
    )


def test_char_codes_match_ngram_code() -> None:
    codes, owners = char_ngram_codes(["Ab  c", "d"], (1, 3))
    grams = ["a", "b", " ", "c", "ab", "b ", " c", "ab ", "b c", "d"]
    assert sorted(codes.tolist()) == sorted(ngram_code(g) for g in grams)
    assert owners.tolist().count(1) == 1
    # n is folded in: a 2-gram never equals a 1-gram or 3-gram code, NUL included
    assert len({ngram_code("\0"), ngram_code("\0\0"), ngram_code("\0\0\0")}) == 3


@given(st.lists(st.text(alphabet=ODD + "中文  ", max_size=12), max_size=8), st.booleans())
def test_prepared_origins_are_each_texts_prepared_positions(texts: list[str], lower: bool) -> None:
    # The batch shortcut (texts that prepare to themselves) against one text at a time, with
    # whitespace runs inside a text and across two, and characters that lower to two.
    base = np.cumsum([0] + [len(t) + 3 for t in texts])
    want = [prepared_positions(t, lower)[1] + base[i] for i, t in enumerate(texts)]
    got = prepared_origins(texts, lower, base)
    assert got.tolist() == np.concatenate(want + [np.zeros(0, np.int64)]).tolist()


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 40)), max_size=200), st.booleans())
def test_tfidf_entries_equal_tfidf_and_hit_entries(hits: list, by_text: bool) -> None:
    # Hits arrive text by text, as the blocks give them; a sparse or a dense batch picks
    # either layout, and both must give tfidf's matrix bit for bit and hit_entries' numbers.
    hits = sorted(hits)
    owners = np.array([d for d, _ in hits], dtype=np.int64)
    columns = np.array([c for _, c in hits], dtype=np.int64)
    idf = np.linspace(1.0, 3.0, 400 if by_text else 41).astype(np.float32)
    matrix, entry, counts = tfidf_entries(columns, owners, 6, idf, True, "l2")
    want = tfidf(columns, owners, 6, idf, True, "l2")
    assert matrix.by_text == want.by_text
    for a, b in ((matrix.indptr, want.indptr), (matrix.indices, want.indices)):
        assert a.tolist() == b.tolist()
    assert matrix.data.tobytes() == want.data.tobytes()
    got_entry, got_counts = hit_entries(columns, owners, want)
    assert entry.tolist() == got_entry.tolist() and counts.tolist() == got_counts.tolist()


@given(st.sets(st.integers(1, 2**62), max_size=300), st.lists(st.integers(1, 2**62), max_size=50))
def test_term_table_finds_every_key_and_nothing_else(keys: set[int], probes: list[int]) -> None:
    keys_list = sorted(keys)
    table = TermTable.build(np.array(keys_list, dtype=np.int64), np.arange(len(keys_list)))
    assert len(table) == len(keys_list)
    query = np.array(keys_list + probes, dtype=np.int64)
    want = [keys_list.index(q) if q in keys else -1 for q in query.tolist()]
    assert table.lookup(query).tolist() == want


def test_a_term_table_saves_the_same_bytes_after_lookups() -> None:
    """Lookups pair each slot's key and column in memory; the saved arrays must not change
    (`make train` reproduces the manifest's sha256, and models are saved after a check)."""
    from service import modelfile

    keys = np.arange(1, 2000, dtype=np.int64) * 7919
    table = TermTable.build(keys, np.arange(len(keys)))
    before = modelfile.dumps(table)
    assert table.lookup(keys[::-1]).tolist() == list(range(len(keys)))[::-1]
    assert (table.keys_.dtype, table.values_.dtype) == (np.int64, np.int32)
    assert modelfile.dumps(table) == before


@pytest.mark.parametrize(
    "keys, values",
    [([1, 1], [0, 1]), ([0, 2], [0, 1]), ([1, 2], [0])],
    ids=["duplicate", "zero", "lengths"],
)
def test_term_table_refuses_bad_keys(keys: list[int], values: list[int]) -> None:
    with pytest.raises(ValueError):
        TermTable.build(np.array(keys, dtype=np.int64), np.array(values))


@pytest.mark.parametrize(
    "title, body, expected",
    [
        (
            "在高质量发展中不断增进民生福祉 ——九论学习贯彻全会精神",
            "中国式现代化，民生为大。",
            [1, 0, 0, 0],
        ),
        ("新能源汽车产销两旺", "今年以来，新能源汽车产销量持续增长。", [0, 0, 0, 0]),
        (
            "胡忠雄在北京 与王石磊举行座谈",
            "本报讯 12月17日,省委常委、市委书记胡忠雄在北京举行座谈",
            [0, 1, 0, 0],
        ),
        ("九论", "要办好民生实事。" * 20 + "市委书记率队调研", [1, 0, 0, 0]),  # beyond the opening
        (
            "标题",
            "在高质量发展中——九论学习贯彻",
            [0, 0, 0, 0],
        ),  # the series cue reads the title only
        # a bracketed column name on the title line; a signed essay's closing affiliation
        ("看清“AI算命”的真面目（人民时评）", "破除网络迷信，监管必须与时俱进。", [0, 0, 1, 0]),
        ("谱写新篇章", "两国关系进入新时代。（作者为中国驻希腊大使）", [0, 0, 0, 1]),
        ("谱写新篇章", "（作者为中国驻希腊大使）" + "两国关系。" * 40, [0, 0, 0, 0]),  # not its end
        ("标题", "（人民时评）正文。", [0, 0, 0, 0]),  # the tag cue reads the title line only
    ],
)
def test_cues(title: str, body: str, expected: list[int]) -> None:
    assert cues([compose(title, body)])[0].tolist() == expected
    assert CueBlock().matrix([compose(title, body)]).shape == (1, len(BASE_CUES))


def test_model_file_loads_without_sklearn_or_pickle(fitted, tmp_path: Path) -> None:
    import subprocess
    import sys

    from service import modelfile

    _, model, items = fitted
    modelfile.save(model, tmp_path / "m.npz")
    code = (
        "import sys, json, pickle;"
        "pickle.loads = pickle.load = pickle.Unpickler = None;"  # any unpickling would fail
        "from service import modelfile;"
        f"m = modelfile.load({str(tmp_path / 'm.npz')!r});"
        f"p = m.predict_proba({items[:3]!r});"
        "print(json.dumps([p.tolist(), [k for k in sys.modules if k.startswith('sklearn')]]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    proba, loaded = json.loads(out.stdout)
    assert loaded == []
    np.testing.assert_array_equal(proba, model.predict_proba(items[:3]))


def test_head_is_the_title_and_the_bodys_opening() -> None:
    from service.model import head

    text = compose("标题", "正文" * 300)
    assert head(text, 10) == "标题\n" + ("正文" * 5)
    assert head(text, 0) == text  # 0 reads everything
    assert head(compose("标题", "短"), 10) == "标题\n短"


def test_text_past_the_blocks_heads_changes_nothing(fitted) -> None:
    # Each block reads the title and the body's first head_chars characters, at training and
    # serving alike; what lies beyond them cannot move a score (but for the signed-essay cue,
    # which reads the body's last 120 characters: the moved tail here has no 作者为).
    pipeline, model, items = fitted
    features = dict(pipeline.named_steps["features"].transformer_list)
    reach = max(features[n].preprocessor.chars for n in ("chars", "opening"))
    reach = max(reach, features["words"].tokenizer.chars)
    assert reach > 0
    long = [(t, b) for t, b in items if len(b) > reach + 50][:20]
    assert long, "the fixture needs bodies longer than the heads"
    cut = [(t, b[:reach]) for t, b in long]
    moved = [(t, b[:reach] + "教育学校学生课堂" * 40) for t, b in long]
    np.testing.assert_array_equal(model.predict_proba(long), model.predict_proba(cut))
    np.testing.assert_array_equal(model.predict_proba(long), model.predict_proba(moved))


def _layouts(model: DeskModel, texts: list[str], monkeypatch: pytest.MonkeyPatch):
    """Scores and each TF-IDF block's rows, laid out by text and then by feature."""
    import service.termrows

    out = []
    for below in (float("inf"), float("-inf")):  # every batch by text; every batch by feature
        monkeypatch.setattr(service.termrows, "BY_TEXT_BELOW", below)
        rows = [b.terms(texts) for b in model.blocks if isinstance(b, CharTfidf | WordTfidf)]
        assert all(r.by_text == (below > 0) for r in rows)
        alone = np.vstack([model._scores([t]) for t in texts])
        out.append((model._scores(texts), alone, rows))
    return out


def _same_layouts(model: DeskModel, texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (by_text, text_alone, text_rows), (by_feature, feature_alone, feature_rows) = _layouts(
        model, texts, monkeypatch
    )
    # Both layouts add a text's products in column order: the same bits, not merely close.
    np.testing.assert_array_equal(by_text, by_feature)
    np.testing.assert_array_equal(text_alone, feature_alone)
    np.testing.assert_array_equal(text_alone, by_feature)
    for a, b in zip(text_rows, feature_rows, strict=True):
        x, y = a.to_scipy().tocsr(), b.to_scipy().tocsr()
        x.sort_indices()
        y.sort_indices()
        np.testing.assert_array_equal(x.indptr, y.indptr)
        np.testing.assert_array_equal(x.indices, y.indices)
        np.testing.assert_array_equal(x.data, y.data)


def test_rows_by_text_equal_rows_by_feature(fitted, monkeypatch: pytest.MonkeyPatch) -> None:
    _, model, items = fitted
    texts = [compose(t, b) for t, b in items] + ["", "x", compose(ODD, "")]
    _same_layouts(model, texts, monkeypatch)


@pytest.mark.corpus
def test_shipped_model_scores_the_same_by_text_and_by_feature(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The served path (a call's few articles, by text) against the batch path, on the shipped
    model's 150k-column blocks and 200 real dev articles."""
    from service.classifier import DEFAULT_MODEL, Classifier

    model = Classifier.load(DEFAULT_MODEL).pipeline
    rows = []
    with (data_dir / "classify" / "dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows.append(compose(r.get("title") or "", r["text"]))
            if len(rows) >= 200:
                break
    _same_layouts(model, rows, monkeypatch)
    # By default a single article is laid out by text, a large batch by feature.
    monkeypatch.undo()
    block = next(b for b in model.blocks if isinstance(b, CharTfidf))
    assert block.terms(rows[:1]).by_text and not block.terms(rows).by_text


def test_a_word_blocks_vocabulary_is_made_on_first_use_and_saved_whole(tmp_path: Path) -> None:
    from service import modelfile
    from service.classifier import Classifier
    from tests.conftest import ROOT

    model = Classifier.load(ROOT / "models" / "desk").pipeline
    block = model.keywords_block
    assert callable(block.__dict__["vocabulary_"])  # not made by loading
    modelfile.save(model, tmp_path / "again.npz")  # saving makes it (WordTfidf.__getstate__)
    again = modelfile.load(tmp_path / "again.npz").keywords_block
    words = again.vocabulary_
    assert type(words) is type(block.vocabulary_)
    assert list(words.items()) == list(block.vocabulary_.items())
    assert block.__dict__["vocabulary_"] is block.vocabulary_  # made once
