"""The runs experiment (training.runs_fit, stop 54, not kept): a run is a sequence of undated,
uncredited drafts under an open article, decided whole, and never under `## `."""

from __future__ import annotations

import random
from itertools import pairwise

from tests.conftest import FIXTURES
from training.joins_fit import _opened, drafts_of
from training.pages_eval import load_pages, render
from training.runs_fit import FEATURES, all_features, joined, records, runs_of

ROWS = FIXTURES / "page-articles.jsonl"


def _pages(markdown: bool = False):
    rng = random.Random("7")
    return [render(rows, rng, markdown) for rows in load_pages(ROWS)]


def _model(bias: float) -> dict:
    return {"features": list(FEATURES), "weights": [0.0] * len(FEATURES), "bias": bias}


def test_a_run_holds_opened_undated_drafts_under_an_open_article():
    seen = 0
    for page in _pages():
        drafts = drafts_of(page.text)
        runs = runs_of(drafts)
        for start, end in runs:
            seen += 1
            assert 1 <= start < end <= len(drafts)
            for at in range(start, end):
                assert _opened(drafts, at) and not drafts[at].dated
                assert not drafts[at - 1].closed
            assert len(all_features(drafts, start, end)) == len(FEATURES)
        assert all(a[1] < b[0] for a, b in pairwise(runs))  # (apart: maximal)
    assert seen > 0


def test_a_sure_model_joins_every_run_whole_an_unsure_one_none():
    for page in _pages():
        drafts = drafts_of(page.text)
        inside = sum(e - s for s, e in runs_of(drafts))
        assert len(joined(drafts_of(page.text), _model(-50.0))) == len(drafts)
        assert len(joined(drafts_of(page.text), _model(50.0))) == len(drafts) - inside
    for page in _pages(markdown=True):
        n = len(drafts_of(page.text))
        assert len(joined(drafts_of(page.text), _model(50.0))) == n


def test_records_label_the_fixture_runs_as_articles():
    recs = [r for r in records(load_pages(ROWS), seed=1) if "x" in r]
    assert recs and all(len(r["x"]) == len(FEATURES) for r in recs)
    assert not any(any(r["truth"]) for r in recs)  # (each fixture article is read: no piece)
    assert all(r["delta"] <= 0 for r in recs)
