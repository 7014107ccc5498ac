"""Heads left inside a body, opened by the learned second look (training.left_heads, stop 55; not
shipped): a sure model opens a candidate run, never under `## `; the features read in one pass
are those read line by line; runs left unread never change a decision."""

from __future__ import annotations

import math
import random

import pytest

from tests.conftest import FIXTURES
from tests.test_opens_fit import PAGE
from training.joins_fit import _text, drafts_of
from training.left_heads import FEATURES, candidates, open_left, runs_of
from training.pages_eval import load_pages, render

ROWS = FIXTURES / "page-articles.jsonl"
SURE = ((0.0,) * len(FEATURES), 50.0, 0.0)


def test_a_sure_model_opens_the_run_never_under_markdown_titles():
    drafts = drafts_of(PAGE)
    open_left(drafts, SURE)
    assert [_text(d.title) for d in drafts] == ["农田建设提速增效", "高标准农田管护"]
    marked = drafts_of(PAGE.replace("农田建设提速增效", "## 农田建设提速增效"))
    open_left(marked, SURE)
    assert [_text(d.title) for d in marked] == ["农田建设提速增效"]


def _fired(drafts, model) -> list:
    weights, bias, cut = model
    return [
        (at, i, k)
        for at, i, k, x in runs_of(drafts)
        if bias + sum(w * v for w, v in zip(weights, x, strict=True)) >= cut
    ]


@pytest.mark.parametrize("seed", range(6))
def test_runs_left_unread_never_change_a_decision(seed):
    """Weights drawn at random, the bias set so that about half the runs fire: the runs opened
    with the text features left out where they cannot lift the score are those the full
    features choose."""
    rng = random.Random(seed)
    weights = tuple(rng.uniform(-4, 4) for _ in FEATURES)
    pages = [render(rows, random.Random(f"{seed}"), False) for rows in load_pages(ROWS)]
    pages += [type(pages[0])(PAGE, [])]
    for page in pages:
        drafts = drafts_of(page.text)
        for x in [r[3] for r in runs_of(drafts)]:
            bias = -sum(w * v for w, v in zip(weights, x, strict=True)) + rng.uniform(-3, 3)
            model = (weights, bias, 0.0)
            want = _fired(drafts, model)
            before = len(drafts)
            open_left(drafts, model)
            assert len(drafts) == before + len(want)
            drafts = drafts_of(page.text)


def test_a_candidate_stands_under_a_finished_paragraph():
    (d,) = drafts_of(PAGE)
    assert [[s.text for s in d.body[i:k]] for i, k in candidates(d)] == [["高标准农田管护"]]
    opened = drafts_of(PAGE)
    open_left(opened, SURE)
    assert [_text(x.title) for x in opened] == ["农田建设提速增效", "高标准农田管护"]
    assert opened[1].body[0].text.startswith("在建设过程中")


def _plain(drafts, at, i, k, runs) -> list[float]:
    """The features as first written (stop 55's month-out runs read them so), line by line."""
    from service.cohesion import bigram_share, cohesion, head_bigrams
    from service.lines import BYLINE_END, BYLINE_START, PARA, SHORT
    from training.left_heads import _LABEL, _ORDINAL

    d = drafts[at]
    body, kinds = d.body, d.kinds
    heads = [s.text for s in body[i:k]]
    last = heads[-1]
    mine = head_bigrams(last)
    above = "".join(s.text for s in body[:i])
    below = "".join(s.text for s in body[k:])
    shorts = [s.text for s, kd in zip(body[:i], kinds[:i], strict=True) if kd == SHORT]
    head = _text(d.title + d.kicker + d.subtitle)
    others = [x for j, x in enumerate(drafts) if j != at]
    return [
        float(k - i), len(last) / 20, len(heads[0]) / 20, math.log1p(len(above)),
        math.log1p(len(shorts)), math.log1p(len(below)),
        math.log1p(sum(kd == SHORT for kd in kinds[k:])), float(d.dated), float(bool(d.kicker)),
        float(bool(d.subtitle)), float(bool(d.title)), float(d.closed),
        float(kinds[-1] == BYLINE_END), float(kinds[k] == PARA and bool(d.values[k])),
        float(kinds[k] == BYLINE_START),
        cohesion(above[-240:], "".join(s.text for s in body[k : k + 3])),
        bigram_share(mine, head), bigram_share(mine, above), bigram_share(mine, below[:600]),
        float(len(last) in {len(s) for s in shorts}),
        float((last[:1], last[-1:]) in {(s[:1], s[-1:]) for s in shorts}),
        float(bool(_LABEL.match(last))), float(bool(_ORDINAL.match(heads[0]))),
        float(last[-1:] in "：:" or last.endswith("——")), float(last[:1] in '“"「'),
        float(last[-1:] in "！？!?"), float("，" in last or "," in last),
        float(" " in last.strip() or "\u3000" in last),
        sum(x.dated for x in others) / len(others) if others else 0.0,
        at / max(1, len(drafts) - 1), math.log1p(len(drafts)),
        math.log1p(sum(x.chars for x in drafts) / len(drafts)),
        float(body[i - 1].text.rstrip()[-1:] in "”」』"),
        len(below) / max(1, len(above) + len(below)), float(not shorts), len(head) / 20,
        math.log1p(runs),
    ]  # fmt: skip


SUBHEADS = "贵阳市召开会议\n会议研究部署产业发展工作，强调要推动企业投产。\n" + (
    "产业发展\n会议研究部署产业发展工作。\n“高质量”\n“产业”发展，企业投产。\n" * 40
)


@pytest.mark.parametrize("seed", range(3))
def test_the_features_read_in_one_pass_are_those_read_line_by_line(seed):
    """Each draft's lines are read once (running counts, the pairs above built top down), so a
    body of many subheads is read in linear time, to the same numbers as the plain reading."""
    rng = random.Random(seed)
    pages = [render(rows, rng, False).text for rows in load_pages(ROWS)] + [PAGE, SUBHEADS]
    seen = 0
    for text in pages:
        drafts = drafts_of(text)
        for at, i, k, x in runs_of(drafts):
            runs = len(candidates(drafts[at]))
            assert x == _plain(drafts, at, i, k, runs)
            seen += 1
    assert seen > 40
