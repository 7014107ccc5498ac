"""Segmentation: jieba's output, rjieba's speed, a user dictionary that travels with the model."""

from __future__ import annotations

import json
import pickle

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.tokenize import Segmenter, default_segmenter, read_userdict, words

jieba.setLogLevel(60)


@pytest.fixture(scope="module")
def corpus_texts(data_dir):
    with (data_dir / "classify" / "train.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for _, line in zip(range(600), f, strict=False)]
    return [r["title"] + "\n" + r["text"] for r in rows]


def test_plain_segmenter_equals_jieba_lcut_on_corpus(corpus_texts):
    tok = jieba.Tokenizer()
    seg = Segmenter()
    mismatched = [t[:40] for t in corpus_texts if tok.lcut(t) != seg(t)]
    assert mismatched == []


def test_user_dictionary_equals_jieba_with_the_same_dictionary(corpus_texts, sample_page):
    tok = jieba.Tokenizer()
    seg = default_segmenter()
    for word, freq, tag in seg.userdict:
        tok.add_word(word, freq, tag or None)
    for text in corpus_texts[:200] + [sample_page]:
        assert tok.lcut(text) == seg(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("贵阳贵安加快发展新质生产力", ["贵阳贵安", "加快", "发展", "新质生产力"]),
        ("1-5月增长3.5%", ["1", "-", "5", "月", "增长", "3.5%"]),
        ("2016-2020年", ["2016", "-", "2020", "年"]),
    ],
)
def test_known_segmentations(text, expected):
    assert words(text) == expected


def test_segmenter_pickles_with_its_dictionary():
    seg = Segmenter((("龙洞堡机场新航站楼", None, "n"),))
    clone = pickle.loads(pickle.dumps(seg))
    assert clone.userdict == seg.userdict
    assert "龙洞堡机场新航站楼" in clone("贵阳龙洞堡机场新航站楼启用")


@pytest.mark.parametrize(
    "lines, expected",
    [
        (["贵阳贵安 n"], (("贵阳贵安", None, "n"),)),
        (
            ["数据标注 20 n", "# comment", "", "十五五"],
            (("数据标注", 20, "n"), ("十五五", None, "")),
        ),
    ],
)
def test_read_userdict_format(lines, expected):
    assert read_userdict(lines) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("贵阳市发展产业1-2.5%ab ,。\n“”")), max_size=80))
def test_tokens_rebuild_the_text(text):
    assert "".join(words(text)) == text


@pytest.mark.parametrize(
    ("word", "known"),
    [("比较", True), ("招商引资", True), ("贵阳贵安", True), ("兴在", False), ("", False)],
)
def test_has_word_knows_dictionary_words_only(word, known):
    # 兴在 is a word jieba's HMM step glues from two single characters, not a dictionary entry.
    assert default_segmenter().has_word(word) is known


def test_engine_loads_without_rjiebas_default_instance():
    """Only our engine is built: rjieba's module-level Jieba (0.1 s) is never made."""
    import subprocess
    import sys

    code = (
        "import sys; from service.tokenize import words; w = words('发展新质生产力');"
        "loaded = 'rjieba' in sys.modules; import rjieba;"
        "print(w, loaded, rjieba.cut('发展新质生产力') == w)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["['发展',", "'新质生产力']", "False", "False"], out.stderr


def _word_across_by_tokens(text: str, seam: int) -> bool:
    segment = default_segmenter()
    pos = 0
    for tok in segment(text):
        if pos < seam < pos + len(tok):
            return segment.has_word(tok)
        pos += len(tok)
    return False


@pytest.mark.parametrize(
    "left,right",
    [
        ("招商引", "资工作"),
        ("百业兴", "在乡村"),
        ("v1.5-2的招商引", "资"),
        ("中国", "人民"),
        ("a-b", "c.d"),
    ],
)
def test_word_across_reads_as_the_full_tokens(left, right):
    """rjieba's own tokens give the seam's word as the re-split tokens do (text._seam_word)."""
    text = left + right
    assert default_segmenter().word_across(text, len(left)) is _word_across_by_tokens(
        text, len(left)
    )


# A fresh process whose threads ask for rjieba's class while one of them loads it, as a server's
# first concurrent calls do (HTTP AnalysePage answered 500: "module 'rjieba.rjieba' has no
# attribute 'Jieba'", the module registered before it was executed).
_RACE = """
import sys, threading
sys.setswitchinterval(1e-6)
from service.tokenize import _jieba_class
errors, stop = [], threading.Event()
def ask():
    while not stop.is_set():
        if "rjieba.rjieba" in sys.modules:
            try:
                _jieba_class()
            except Exception as exc:
                errors.append(repr(exc))
            return
threads = [threading.Thread(target=ask) for _ in range(8)]
for t in threads:
    t.start()
_jieba_class()
stop.set()
for t in threads:
    t.join()
print(len(errors), errors[:1])
"""


def test_threads_never_see_rjieba_half_loaded():
    import subprocess
    import sys

    from tests.conftest import ROOT

    for _ in range(5):  # one run in ten passed before the fix
        done = subprocess.run(
            [sys.executable, "-c", _RACE], capture_output=True, text=True, cwd=ROOT, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "0 []", done.stdout
