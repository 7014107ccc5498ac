"""The month-held-out protocol: fitting the splitter's parts on chosen development months and
reading the month left out (training.month_out, --months / --month on the fitting and reading
tools)."""

from __future__ import annotations

import argparse

import pytest

from tests.conftest import FIXTURES
from training.pages_eval import DEV_MONTHS, TEST_MONTHS, load_pages, main, month_list

ROWS = FIXTURES / "page-articles.jsonl"


def test_month_list_takes_development_months_only():
    assert month_list("201910, 202002") == ("201910", "202002")
    assert not set(DEV_MONTHS) & set(TEST_MONTHS)
    for bad in ("202005", "201910,202005", "", "2019-10"):
        with pytest.raises(argparse.ArgumentTypeError):
            month_list(bad)


def test_month_option_scores_each_month_alone(data_dir, capsys):
    assert (
        main(["--data", str(data_dir), "--split", "dev", "--month", "202002", "--limit", "4"]) == 0
    )
    table = capsys.readouterr().out
    assert "| dev 202002 |" in table
    assert "test (" not in table and "201910" not in table and "half" not in table
    for argv in (["--month", "202005"], ["--month", "202002", "--halves"]):
        with pytest.raises(SystemExit):
            main(["--data", str(data_dir), *argv])


def _rows(day: int) -> list[dict]:
    row = {"date": f"201910{day:02d}", "page": "1", "text": "本报北京10月1日电 正文。"}
    return [
        row
        | {"seq": "1", "kicker": "春耕备耕正当时", "title": "早稻集中育秧进度过半", "subtitle": ""},
        row
        | {
            "seq": "2",
            "kicker": "",
            "title": "城东公交环线今日开通",
            "subtitle": "首日客流超过三万人次",
        },
        row | {"seq": "3", "kicker": "", "title": "建议", "subtitle": ""},
    ]


def test_roles_fit_leaves_out_the_form_scores_or_the_column_names():
    from training import roles_fit

    pages = [_rows(d) for d in range(1, 21)]
    forms, weights, _ = roles_fit.fit(pages)
    assert forms["columns"] == ["建议"] and forms["kicker"]["weights"]
    forms, weights, _ = roles_fit.fit(pages, names=False)
    assert forms["columns"] == [] and forms["kicker"]["weights"]
    forms, weights, _ = roles_fit.fit(pages, forms=False)
    assert forms["columns"] == ["建议"] and not forms["kicker"]["weights"]
    assert weights[-roles_fit.FORM_SCORES :] == [0.0] * roles_fit.FORM_SCORES
    assert any(weights[: -roles_fit.FORM_SCORES])


def test_head_score_fit_leaves_a_dropped_feature_at_zero():
    from service.heads import FEATURES
    from training.pages_fit import fit

    first, second = load_pages(ROWS)
    weights, _ = fit([first, first, second, second] * 3, drop=["column_label", "lines"])
    assert len(weights) == len(FEATURES)
    assert weights[FEATURES.index("column_label")] == weights[FEATURES.index("lines")] == 0.0
    assert any(weights)


def test_fitted_parts_are_put_in_place_and_the_shipped_ones_back():
    import service.head_parts as head_parts
    import service.heads as heads
    from training import month_out, roles_fit

    shipped = (head_parts.forms(), head_parts.PAIR_WEIGHTS, heads.WEIGHTS, heads.BIAS)
    forms = dict(roles_fit.NO_FORMS, columns=["某栏目"])
    try:
        month_out.use(forms, ([0.0] * 22, 1.0), ((0.0,) * len(heads.FEATURES), -1.0))
        assert head_parts.column_name("某栏目") and not head_parts.column_name("建议")
        assert head_parts.PAIR_BIAS == 1.0 and heads.BIAS == -1.0
    finally:
        month_out.use(*month_out._shipped())
    assert (head_parts.forms(), head_parts.PAIR_WEIGHTS, heads.WEIGHTS, heads.BIAS) == shipped


def test_a_part_not_refitted_stays_as_shipped():
    from training import month_out

    shipped = month_out._shipped()
    assert month_out.fit_without([], refit=()) == shipped
    forms, pair, score = month_out.fit_without([_rows(d) for d in range(1, 21)], refit=("roles",))
    assert score == shipped[2] and forms["columns"] == ["建议"] and pair != shipped[1]


def test_the_knobs_default_to_the_shipped_settings_and_move_the_fits():
    import service.head_trees as head_trees
    from training import month_out, pages_fit, roles_fit

    assert month_out.knobs(score_c=None) == {
        "forms_c": roles_fit.C, "pair_c": roles_fit.PAIR_C, "score_c": pages_fit.C,
        "every": pages_fit.EVERY,
        "seeds": pages_fit.SEEDS, "raise_": pages_fit.RAISE,
        "trees": head_trees.TREES_FILE.is_file(), "passes": 1,
    }  # fmt: skip
    pages = [_rows(d) for d in range(1, 21)]
    loose = roles_fit.fit(pages, c=10.0)[0]
    tight = roles_fit.fit(pages, c=0.001)[0]
    assert max(map(abs, loose["kicker"]["weights"].values())) > max(
        map(abs, tight["kicker"]["weights"].values()), default=0.0
    )
    # the pair score's C, and a pair feature left out of its fit (weight 0)
    weights = roles_fit.fit(pages)[1]
    assert max(map(abs, roles_fit.fit(pages, pair_c=0.001)[1])) < max(map(abs, weights))
    from service.head_parts import PAIR_FEATURES

    dropped = roles_fit.fit(pages, drop=["upper_length"])[1]
    assert dropped[PAIR_FEATURES.index("upper_length")] == 0.0 and dropped != weights
    first, second = load_pages(ROWS)
    few = [first, first, second, second] * 3
    base = pages_fit.fit(few)
    assert pages_fit.fit(few, c=0.01) != base
    assert pages_fit.fit(few, every=2, seeds=(99,)) != base
    _, _, (_, bias, trees) = month_out.fit_without(
        few, refit=("score",), knob={"raise_": 0.0, "trees": True}
    )
    assert bias == base[1] and trees["raise"] == 0.0 and trees["trees"]
    assert month_out.fit_without(few, refit=("score",), knob={"trees": False})[2][2] is None
    # a second pass collects along the first pass's score: its fit differs from the first's
    once = month_out.fit_without(few, refit=("score",), knob={"trees": False})[2]
    twice = month_out.fit_without(few, refit=("score",), knob={"trees": False, "passes": 2})[2]
    assert once != twice and len(twice[0]) == len(once[0])


def test_knobs_are_not_taken_with_shipped():
    from training import month_out

    with pytest.raises(SystemExit):
        month_out.main(["--shipped", "--score-c", "3"])


def test_head_trees_read_as_fitted_and_decide_only_where_the_score_is_unsure():
    """The shipped form of the trees (written out as nested tests) gives sklearn's log-odds;
    outside the band the logistic score decides; without trees it decides every head."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    import service.head_trees as head_trees
    from service.heads import FEATURES
    from training import month_out, pages_fit

    rng = np.random.default_rng(0)
    x = rng.random((400, len(FEATURES)))
    y = (x[:, 0] * x[:, 1] > 0.25).astype(int)  # an interaction: what the trees are for
    fitted = pages_fit.fit_trees(x, y, raise_=0.5, band=2.0)
    model = HistGradientBoostingClassifier(**pages_fit.TREES, early_stopping=False, random_state=0)
    want = model.fit(x, y).decision_function(x[:20]) + 0.5
    try:
        head_trees.use(fitted)
        got = [head_trees.log_odds(list(row)) for row in x[:20]]
        assert np.allclose(got, want, atol=1e-4) and head_trees.band() == 2.0
        yes = next(list(row) for row in x if head_trees.log_odds(list(row)) > 0)
        assert head_trees.decide(yes, -1.0) and not head_trees.decide(yes, -2.5)
        dropped = pages_fit.fit_trees(x, y, drop=["cohesion"])["trees"]
        assert all(0 not in tree["feature"] for tree in dropped)  # (never read)
        with head_trees.off():  # (a fit's collection: the score alone, then the trees back)
            assert head_trees.band() == 0.0 and not head_trees.decide(yes, -1.0)
        assert head_trees.band() == 2.0 and head_trees.decide(yes, -1.0)
        head_trees.use(None)
        assert head_trees.band() == 0.0 and not head_trees.decide(yes, -1.0)
    finally:
        month_out.use(*month_out._shipped())
    assert head_trees.band() == (month_out._shipped()[2][2] or {}).get("band", 0.0)


def test_compiled_head_trees_read_as_a_walk_of_their_nodes():
    """The shipped trees written out as tests (their features read into locals first) give what
    walking each tree's nodes gives, to the last bit, on rows of any features; a longer row (a
    fit's extra feature) reads as well."""
    import json
    import random

    import service.head_trees as head_trees
    from service.heads import FEATURES

    fitted = json.loads(head_trees.TREES_FILE.read_text("utf-8"))
    rng = random.Random(7)
    try:
        head_trees.use(fitted)
        for _ in range(300):
            x = [rng.choice((0.0, 1.0, rng.random(), rng.random() * 5)) for _ in FEATURES]
            t = fitted["baseline"] + fitted["raise"]
            for tree in fitted["trees"]:
                i = 0
                while tree["feature"][i] >= 0:
                    left = x[tree["feature"][i]] <= tree["threshold"][i]
                    i = tree["left"][i] if left else tree["right"][i]
                t += tree["value"][i]
            assert head_trees.log_odds(x) == t
            assert head_trees.log_odds(x + [9.0]) == t
    finally:
        head_trees._LOADED.clear()  # read again from the shipped file when next needed


def _tiny_trees() -> dict:
    """One stump over feature 0, as training.pages_fit.fit_trees writes trees."""
    stump = {"feature": [0, -1, -1], "threshold": [0.5, 0.0, 0.0], "left": [1, 0, 0],
             "right": [2, 0, 0], "value": [0.0, -1.0, 1.0]}  # fmt: skip
    return {"baseline": -0.25, "raise": 1.1, "band": 2.0, "trees": [stump]}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t["trees"][0]["threshold"].__setitem__(0, "0.5:\n        __import__('os')"),
        lambda t: t["trees"][0]["feature"].__setitem__(0, 10**9),
        lambda t: t["trees"][0]["feature"].__setitem__(0, "0] or x[0"),
        lambda t: t["trees"][0]["value"].__setitem__(2, float("nan")),
        lambda t: t["trees"][0]["left"].__setitem__(0, 7),
        lambda t: t["trees"][0]["left"].__setitem__(0, 0),  # a cycle: the root its own child
        lambda t: t["trees"][0]["right"].pop(),
        lambda t: t.__setitem__("raise", "1.1"),
        lambda t: t.__setitem__("band", float("inf")),
        lambda t: t.__setitem__("baseline", True),
    ],
)
def test_tampered_head_trees_are_refused_before_any_code_is_made(tamper, tmp_path, monkeypatch):
    """The trees are compiled into Python source: a file holding anything but ints in range
    and finite floats in well-formed trees is refused (ModelError), from `use` and on load."""
    import json

    import service.head_trees as head_trees
    from service.errors import ModelError

    head_trees.use(_tiny_trees())  # the untampered trees compile and read as fitted
    assert head_trees.log_odds([0.0] * 28) == pytest.approx(-0.25 + 1.1 - 1.0)
    assert head_trees.log_odds([0.9] + [0.0] * 27) == pytest.approx(-0.25 + 1.1 + 1.0)
    fitted = _tiny_trees()
    tamper(fitted)
    try:
        with pytest.raises(ModelError, match="head_trees.json"):
            head_trees.use(fitted)
        path = tmp_path / "head_trees.json"
        path.write_text(json.dumps(fitted), encoding="utf-8")
        monkeypatch.setattr(head_trees, "TREES_FILE", path)
        head_trees._LOADED.clear()
        with pytest.raises(ModelError) as caught:
            head_trees.band()
        assert caught.value.field == "head_trees"
    finally:
        head_trees._LOADED.clear()  # read again from the shipped file when next needed


def test_cached_fold_fits_are_read_back_and_refused_under_other_settings(tmp_path, monkeypatch):
    from training import month_out

    fitted = []

    def fit(fitting, without, refit, knob):
        fitted.append(len(fitting))
        return ({"columns": ["建议"]}, ([0.5], -1.0), ([1.0, 2.0], 0.3, None))

    monkeypatch.setattr(month_out, "load_pages", lambda data, months: [[{"month": months[0]}]])
    monkeypatch.setattr(month_out, "fit_without", fit)
    monkeypatch.setattr(month_out, "use", lambda *parts: None)
    monkeypatch.setattr(month_out, "read", lambda pages, **kw: {"month": pages[0][0]["month"]})
    cache = tmp_path / "folds.json"
    first = month_out.run(tmp_path, ("201910", "202002"), False, (), cache=cache)
    assert fitted == [2, 2] and cache.is_file()
    again = month_out.run(tmp_path, ("201910", "202002"), False, (), cache=cache)
    assert again == first and fitted == [2, 2]  # (read back: nothing refitted)
    with pytest.raises(SystemExit, match="delete it"):
        month_out.run(tmp_path, ("201910",), False, ("forms",), cache=cache)
    month_out.run(tmp_path, ("202001",), False, (), cache=cache)  # (a fold not cached yet)
    assert fitted == [2, 2, 2]
    folds = month_out.Fits(cache, month_out.json.loads(cache.read_text())["settings"])
    assert set(folds.folds) == {"201910", "202001", "202002"}
    assert folds.get("201910") == ({"columns": ["建议"]}, ([0.5], -1.0), ([1.0, 2.0], 0.3, None))


def test_pair_errors_month_out_count_each_months_heads_read_by_the_other_months_roles():
    from training import roles_fit

    def page(month: str, day: int) -> list[dict]:
        return [r | {"date": f"{month}{day:02d}"} for r in _rows(day)]

    every = {m: [page(m, d) for d in range(1, 11)] for m in ("201910", "202001")}
    errors = roles_fit.month_out_errors(every)
    # (each page holds one kicker + title and one title + deck: two printed two-line heads)
    assert set(errors) == {"201910", "202001"}
    assert all(n == 20 and 0 <= wrong <= n for wrong, n in errors.values())

    def flip(r: dict) -> dict:  # (the same two lines, read the other way round)
        if r["kicker"]:
            return r | {"kicker": "", "title": r["kicker"], "subtitle": r["title"]}
        if r["subtitle"]:
            return r | {"kicker": r["title"], "title": r["subtitle"], "subtitle": ""}
        return r

    flipped = [[flip(r) for r in p] for p in every["202001"]]
    # (a month whose heads are all printed the other way round: more of them misread)
    mixed = roles_fit.month_out_errors({"201910": every["201910"], "202001": flipped})
    assert mixed["202001"][0] > errors["202001"][0]


def test_a_fold_score_reaches_the_head_scores_early_exits():
    """A fold's head score is read at the early exits too, not only its weights (stop 33: the
    exits read the shipped, in-sample weights), and the shipped score comes back whole."""
    import service.heads as heads
    from training import month_out

    names = ("_W_ABOVE", "_W_ARTICLE", "_W_BOTH", "_BODY_REACH", "_REACH_FIRST",
             "_REACH_HEAD_COHESION", "_REACH_TITLE", "_PAGE_WEIGHTS")  # fmt: skip
    shipped = {name: getattr(heads, name) for name in names}
    forms, pair, _ = month_out._shipped()
    weights = tuple(w / 2 for w in heads.WEIGHTS)
    try:
        month_out.use(forms, pair, (weights, -1.0))
        assert heads._PAGE_WEIGHTS == weights[2:] and heads._W_ARTICLE == weights[-1]
        assert heads._REACH_FIRST != shipped["_REACH_FIRST"]
        assert heads._REACH_TITLE == heads._reach(
            (weights[heads._TITLE_OVERLAP + 2], *heads._BODY_REACH)
        )
    finally:
        month_out.use(*month_out._shipped())
    assert {name: getattr(heads, name) for name in names} == shipped


def test_a_partial_corpus_is_refused_naming_the_missing_months(one_month_corpus):
    """A corpus holding one development month fitted each fold on what was there and read the
    empty months: figures with the look of a month held out. It is refused before any fit."""
    from service.errors import DataError
    from training import month_out

    with pytest.raises(DataError, match="no pages for 202001, 202002"):
        month_out.main(["--data", str(one_month_corpus), "--months", "201910"])
