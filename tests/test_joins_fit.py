"""The learned-join experiment (training.joins_fit, stop 53, not kept): its reading of a page
is the splitter's, its labels lie on the page's make-up, and it never joins under `## `."""

from __future__ import annotations

import random

from service.pages import split_page
from tests.conftest import FIXTURES
from training.joins_fit import FEATURES, articles_of, drafts_of, examples, joined, true_heads
from training.pages_eval import load_pages, render

ROWS = FIXTURES / "page-articles.jsonl"


def _pages(markdown: bool = False):
    pages = load_pages(ROWS)
    rng = random.Random("7")
    return [render(rows, rng, markdown) for rows in pages]


def _model(bias: float) -> dict:
    return {"features": list(FEATURES), "weights": [0.0] * len(FEATURES), "bias": bias}


def _read(articles) -> list[tuple]:
    return [(a.title, a.kicker, a.subtitle, a.body.text, a.byline, a.dateline) for a in articles]


def test_articles_of_the_drafts_are_the_splitters():
    for markdown in (False, True):
        for page in _pages(markdown):
            got = articles_of(page.text, drafts_of(page.text))
            assert _read(got) == _read(split_page(page.text))


def test_true_heads_lie_on_each_articles_head_lines():
    for page in _pages():
        heads = true_heads(page)
        assert len(heads) == len(page.articles)
        for (start, end), truth in zip(heads, page.articles, strict=True):
            assert page.text[start:end].split("\n")[0] == (truth.kicker or truth.title)
            assert (truth.subtitle or truth.title) == page.text[start:end].split("\n")[-1]


def test_a_sure_model_joins_every_opened_draft_and_an_unsure_one_none():
    page = next(p for p in _pages() if len(p.articles) > 1)
    opened = len(drafts_of(page.text))
    assert len(joined(drafts_of(page.text), _model(-50.0))) == opened
    assert len(joined(drafts_of(page.text), _model(50.0))) == 1
    marked = next(p for p in _pages(markdown=True) if len(p.articles) > 1)
    assert len(joined(drafts_of(marked.text), _model(50.0))) == len(drafts_of(marked.text))


def test_examples_label_the_fixture_pages_as_articles():
    x, y, deltas = examples(load_pages(ROWS), seeds=(1,), deltas=True)
    assert x.shape[1] == len(FEATURES) and len(y) == len(deltas) > 0
    assert not y.any()  # (the splitter reads each fixture article: no piece to join)
    assert (deltas <= 0).all()  # (joining any of them loses its title or a body)
