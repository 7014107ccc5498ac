"""A window cut by an engine holding only its own words: the same cut as rjieba's whole engine."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.tokenize import Segmenter, _jieba_class, default_segmenter, engine_word_across
from service.windowcut import FILE, FILLER, WordTable, word_hashes
from training.jieba_words import table as fresh_table

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shipped() -> WordTable:
    return WordTable.load()


@pytest.fixture(scope="module")
def full():
    return default_segmenter()._engine()


@pytest.fixture(scope="module")
def dictionary_words() -> list[str]:
    text = resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    return [line.split()[0] for line in text.splitlines()[::40]]


def test_the_shipped_table_is_jieba_and_the_user_dictionary_as_installed(shipped):
    # A new jieba, or a changed service/data/userdict.txt: `python -m training.jieba_words`.
    fresh = fresh_table()
    assert np.array_equal(shipped.keys, fresh.keys)
    assert np.array_equal(shipped.freqs, fresh.freqs)
    assert (shipped.total, shipped.max_len) == (fresh.total, fresh.max_len)
    assert np.array_equal(shipped.pair_bits, fresh.pair_bits)
    assert shipped.userdict_sha256 == default_segmenter().digest
    assert len(shipped.keys) > 349_000 and shipped.total > 60_000_000


def test_window_cuts_equal_the_whole_engine_on_the_sample_page(shipped, full, sample_page):
    jieba = _jieba_class()
    seen = 0
    for line in sample_page.splitlines():
        for k in range(1, len(line) - 1, 3):
            window = line[max(0, k - 8) : k + 8]
            assert shipped.engine_for(window, jieba).cut(window) == full.cut(window), window
            seen += 1
    assert seen > 1000


# Windows made of dictionary words (every 40th of dict.txt) and single characters, CJK or not:
# words that overlap, glue or split, the cases a route and the HMM step decide.
def _window(data, dictionary_words: list[str]) -> str:
    pieces = data.draw(
        st.lists(
            st.one_of(
                st.sampled_from(dictionary_words),
                st.sampled_from(list("的了在是和与，。、“”（）0123456789abcAB-.%中国发展人民经济")),
                st.characters(min_codepoint=0x4E00, max_codepoint=0x9FD5),
            ),
            min_size=1,
            max_size=8,
        )
    )
    return "".join(pieces)[:16]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_window_cuts_equal_the_whole_engine_on_generated_windows(
    data, shipped, full, dictionary_words
):
    window = _window(data, dictionary_words)
    engine = shipped.engine_for(window, _jieba_class())
    assert engine.cut(window) == full.cut(window)
    segmenter = default_segmenter()  # (a seam no word's pair fits is answered with no cut)
    for seam in range(1, len(window)):
        want = engine_word_across(full, window, seam)
        assert engine_word_across(engine, window, seam) == want
        assert segmenter.word_across(window, seam) == want


@pytest.fixture(scope="module")
def keys(shipped) -> set[int]:
    return set(shipped.keys.tolist())


def _every_word_in(table: WordTable, keys: set[int], text: str) -> list[str]:
    """The substrings of `text` the table holds (`keys`), each looked up: what `words_in`
    finds."""
    n = len(text)
    subs = [text[i:j] for i in range(n) for j in range(i + 1, min(n, i + table.max_len) + 1)]
    return [s for s, h in zip(subs, word_hashes(subs).tolist(), strict=True) if h in keys]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_words_in_finds_every_word_though_it_hashes_fewer(data, shipped, keys, dictionary_words):
    # (`words_in` skips substrings with two neighbours no word holds together: pair filter)
    window = _window(data, dictionary_words)
    assert [w for w, _ in shipped.words_in(window)] == _every_word_in(shipped, keys, window)


def test_words_in_finds_every_word_on_the_sample_page(shipped, keys, sample_page):
    lines = [line for line in sample_page.splitlines() if len(line) > 16][:40]
    windows = [line[k : k + 16] for line in lines for k in range(0, len(line) - 16, 5)]
    assert len(windows) > 300
    for window in windows:
        assert [w for w, _ in shipped.words_in(window)] == _every_word_in(shipped, keys, window)


def test_every_two_characters_of_a_dictionary_word_pass_the_pair_filter(shipped):
    """`may_hold_pair` is False only for two characters no word holds together: every pair of
    every dictionary and user word passes, and most pairs no word holds do not."""
    text = resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    words = [line.split()[0] for line in text.splitlines()]
    words += [w for w, _, _ in default_segmenter().userdict]
    pairs = {w[k : k + 2] for w in words for k in range(len(w) - 1)}
    assert all(shipped.may_hold_pair(*p) for p in pairs)
    others = [chr(a) + chr(b) for a in range(0x4E00, 0x4F00, 3) for b in range(0x8000, 0x8100, 5)]
    others = [p for p in others if p not in pairs]
    passed = sum(shipped.may_hold_pair(*p) for p in others) / len(others)
    assert len(others) > 2000 and passed < 0.06
    assert shipped.may_hold_pair("\U00020000", "中")  # (outside the BMP: maybe)
    assert not default_segmenter().word_across("百业兴在", 3)  # (兴在: no word, no cut)


def test_a_window_holding_the_stand_in_word_goes_to_the_whole_engine(shipped):
    assert shipped.engine_for(f"招商{FILLER}引资", _jieba_class()) is None
    assert Segmenter(default_segmenter().userdict).word_across(f"招商引资{FILLER}", 3) is True


def test_another_user_dictionary_is_not_answered_from_the_table():
    # The table folds in the bundled user dictionary only: a model's own one is answered by
    # its whole engine. (贵阳贵安 is a word of the bundled one only.)
    plain = Segmenter()
    assert plain._window_engine("贵阳贵安") is None
    assert plain.word_across("贵阳贵安", 2) is False
    assert default_segmenter().word_across("贵阳贵安", 2) is True


def test_a_record_run_asks_its_seams_without_building_the_whole_engine():
    # The point of the table: a process that asks a few seams never reads the whole dictionary.
    script = (
        "import json; from service import tokenize; from service.text import cuts_word; "
        "print(json.dumps([cuts_word('招商引', '资'), cuts_word('美国企业在华盈利', '美中贸易'), "
        "len(tokenize._CACHE)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [True, False, 0]


def test_a_damaged_table_is_refused_with_a_clear_error(tmp_path):
    bad = tmp_path / "words.npz"
    bad.write_bytes(FILE.read_bytes()[:1000])
    with pytest.raises(ValueError, match="cannot be read"):
        WordTable.load(bad)
    with pytest.raises(ValueError, match="cannot be read"):
        WordTable.load(tmp_path / "missing.npz")
