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
    from training import month_out, pages_fit, roles_fit

    assert month_out.knobs(score_c=None) == {
        "forms_c": roles_fit.C, "score_c": pages_fit.C, "every": pages_fit.EVERY,
        "seeds": pages_fit.SEEDS, "raise_": pages_fit.RAISE,
    }  # fmt: skip
    pages = [_rows(d) for d in range(1, 21)]
    loose = roles_fit.fit(pages, c=10.0)[0]
    tight = roles_fit.fit(pages, c=0.001)[0]
    assert max(map(abs, loose["kicker"]["weights"].values())) > max(
        map(abs, tight["kicker"]["weights"].values()), default=0.0
    )
    first, second = load_pages(ROWS)
    few = [first, first, second, second] * 3
    base = pages_fit.fit(few)
    assert pages_fit.fit(few, c=0.01) != base
    assert pages_fit.fit(few, every=2, seeds=(99,)) != base
    _, _, (_, bias) = month_out.fit_without(few, refit=("score",), knob={"raise_": 0.0})
    assert bias == base[1]


def test_knobs_are_not_taken_with_shipped():
    from training import month_out

    with pytest.raises(SystemExit):
        month_out.main(["--shipped", "--score-c", "3"])
