"""The opens experiment (training.opens_fit, stop 55): a run of short lines under a paragraph
that ends a sentence, over running text, is a candidate head inside a body; a sure model opens
each one as an article, an unsure one none, and never under `## `."""

from __future__ import annotations

import random

from tests.conftest import FIXTURES
from training.joins_fit import _text, articles_of, drafts_of
from training.left_heads import FEATURES, candidates, runs_of
from training.opens_fit import examples, opened
from training.pages_eval import load_pages, render

ROWS = FIXTURES / "page-articles.jsonl"
BODY = "本报北京10月8日电（记者 张三）全省今年新建高标准农田一百万亩，粮食总产再创新高。"
# (a subhead under a finished paragraph, over running text: kept in the body by the pass)
PAGE = (
    "农田建设提速增效\n"
    f"{BODY}\n"
    "各地把高标准农田建设作为保障粮食安全的重要举措，统筹资金投入，强化质量监管。\n"
    "高标准农田管护\n"
    "在建设过程中，各地坚持先建机制、后建工程，确保农田建成一块、管好一块、用好一块。\n"
    "工程建成后，村里成立管护队伍，定期巡查沟渠和道路，保证设施长期发挥效益。\n"
)


def _model(bias: float) -> dict:
    return {"features": list(FEATURES), "weights": [0.0] * len(FEATURES), "bias": bias}


def test_a_subhead_under_a_finished_paragraph_is_a_candidate_head():
    drafts = drafts_of(PAGE)
    assert len(drafts) == 1 and _text(drafts[0].title) == "农田建设提速增效"
    d = drafts[0]
    found = candidates(d)
    assert [[s.text for s in d.body[i:k]] for i, k in found] == [["高标准农田管护"]]
    (run,) = runs_of(drafts)
    assert run[:3] == (0, *found[0]) and len(run[3]) == len(FEATURES)


def test_no_candidate_under_an_unfinished_line_or_over_a_cut_piece():
    cut = PAGE.replace("强化质量监管。\n", "强化质量\n")  # (the line above ends no sentence)
    assert candidates(drafts_of(cut)[0]) == []
    # (more than three short lines: a list or a poem, as the pass gives a long run to the body)
    long = PAGE.replace("高标准农田管护\n", "一\n二\n三\n高标准农田管护\n")
    assert candidates(drafts_of(long)[0]) == []


def test_a_sure_model_opens_the_run_an_unsure_one_nothing():
    drafts = drafts_of(PAGE)
    assert [_text(d.title) for d in opened(drafts, _model(-50.0))] == ["农田建设提速增效"]
    out = opened(drafts, _model(50.0))
    assert [_text(d.title) for d in out] == ["农田建设提速增效", "高标准农田管护"]
    assert len(drafts) == 1 and "高标准农田管护" in [s.text for s in drafts[0].body]  # (copies)
    arts = articles_of(PAGE, out)
    assert arts[1].text.startswith("在建设过程中") and "高标准农田管护" not in arts[0].text
    marked = PAGE.replace("农田建设提速增效", "## 农田建设提速增效")
    assert runs_of(drafts_of(marked)) == []


def test_examples_label_the_fixture_pages():
    x, y = examples(load_pages(ROWS), seeds=(1,))
    assert len(x) == len(y) and all(len(r) == len(FEATURES) for r in x)
    assert set(y) <= {0, 1}
    rng, seen = random.Random("7"), 0
    for rows in load_pages(ROWS):
        page = render(rows, rng, False)
        drafts = drafts_of(page.text)
        for at, i, k, _ in runs_of(drafts):
            body = drafts[at].body
            assert 0 < i < k <= i + 3 < len(body) + 3  # (never the body's first line: the head's)
            assert body[i - 1].text.rstrip()[-1] in "。！？”"
            seen += 1
    assert seen and y == [0] * len(y)  # (the fixture's articles are all read: no head left)
