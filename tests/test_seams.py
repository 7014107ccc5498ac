"""The fitted seam reading: a printed paragraph that ends on a word (a deck, a subhead holding a
comma) kept apart from the next one, a paragraph the column cut joined as before."""

from __future__ import annotations

import json
import math

import pytest

from service import seams
from service.summariser import lead
from service.text import clean_body, single_article
from training import seam_fit

DECK = "守护绿水青山，建设美丽家园"
STORY = "记者日前在浙江安吉采访时看到，竹林连绵起伏，游客络绎不绝。"


def test_a_deck_over_the_story_stays_its_own_paragraph():
    body = f"{DECK}\n{STORY}"
    assert clean_body(body).body.text == body
    with seams.off():  # (without the reading the column-break test joined them)
        assert clean_body(body).body.text == DECK + STORY


@pytest.mark.parametrize("deck", [DECK, "因材施教，教学更精准"])
def test_ascii_marks_read_as_the_full_width_ones(deck):
    # A page typed or converted with ASCII commas (the Guiyang Daily sample prints them): the
    # reading was fitted on full-width marks and saw `,` as a character it never met.
    wide = f"{deck}\n{STORY}"
    narrow = wide.translate(str.maketrans("，", ","))
    assert clean_body(wide).body.text == wide
    assert clean_body(narrow).body.text == narrow
    assert seams.features(*narrow.split("\n"), True) == seams.features(*wide.split("\n"), True)
    digits = "１５个海关在重庆签署\n２０１９年起开通冷链物流"
    ascii_digits = "15个海关在重庆签署\n2019年起开通冷链物流"
    assert seams.reads(*digits.split("\n"), False)
    assert seams.features(*digits.split("\n"), False) == seams.features(
        *ascii_digits.split("\n"), False
    )


def test_a_paragraph_the_column_cut_near_its_start_is_still_joined():
    body = "近年来，我国新能源汽车产\n业快速发展，产销量连续多年位居世界第一。"
    assert clean_body(body).body.text == body.replace("\n", "")
    body = "今年以来，全省上下认真贯彻落实\n党中央决策部署，经济运行稳中向好。"
    assert clean_body(body).body.text == body.replace("\n", "")


def test_the_lead_opens_on_the_story_not_on_its_deck():
    deck, story = (
        "精耕细作，不负春光",
        "在江西南昌县的田野上，农机手们正忙着春耕。合作社负责人说，早稻面积又扩大了。",
    )
    with seams.off():  # (joined, the deck opened the lead glued to the story's first sentence)
        assert lead(single_article("春耕", f"{deck}\n{story}").text, "春耕").text.startswith(deck)
    text = lead(single_article("春耕", f"{deck}\n{story}").text, "春耕").text
    assert "不负春光" not in text and text.endswith("早稻面积又扩大了。")


def test_only_short_lines_ending_on_a_word_are_read():
    assert seams.reads(DECK, STORY, False)
    assert not seams.reads("甲" * (seams.LONGEST + 1), STORY, False)  # (a cut, far likelier)
    # A body's first line is read when longer: a deck or pull quotation, one read an article.
    assert seams.reads("甲" * seams.FIRST_LONGEST, STORY, True)
    assert not seams.reads("甲" * (seams.FIRST_LONGEST + 1), STORY, True)
    assert not seams.reads("守护绿水青山，建设美丽家园2020", STORY, False)
    assert not seams.reads(DECK, "，竹林连绵起伏。", False)
    # The features name the seam's words, the lines' lengths and where the upper line stands.
    names = seams.features(DECK, STORY, True)
    assert len(names) == len(set(names)) == 15
    assert {"a园", "b记", "x园记", "d", "f"} <= set(names)


def test_the_shipped_weights_are_data_and_a_bad_file_is_refused(tmp_path, monkeypatch):
    fitted = json.loads(seams.SEAMS_FILE.read_text(encoding="utf-8"))
    assert fitted["fitted_by"] == "python -m training.seam_fit"
    assert all(isinstance(v, float) for v in fitted["weights"].values())
    bad = tmp_path / "seams.json"
    bad.write_text(json.dumps({**fitted, "bias": math.inf}).replace("Infinity", "1e999"))
    monkeypatch.setattr(seams, "SEAMS_FILE", bad)
    seams._model.cache_clear()
    try:
        with pytest.raises(ValueError, match="finite"):
            seams.ends_printed(DECK, STORY, True)
        monkeypatch.setattr(seams, "SEAMS_FILE", tmp_path / "absent.json")
        seams._model.cache_clear()
        assert not seams.ends_printed(DECK, STORY, True)  # (no file: the test's joins alone)
    finally:
        monkeypatch.undo()
        seams._model.cache_clear()


def _page(month: str, k: int) -> list[dict]:
    # Articles whose first paragraph is a deck (a printed end on a word) over long paragraphs
    # the renderer's cuts fall in.
    story = "记者日前在山区采访时看到，村里新修的公路通到了家门口，群众出行更加方便了。" * 3
    return [
        {
            "date": f"{month}{(k % 28) + 1:02d}",
            "page": str(k),
            "seq": str(j),
            "kicker": "",
            "title": "标题",
            "subtitle": "",
            "text": f"{DECK}\n{story}\n{story}",
        }
        for j in range(3)
    ]


def test_the_fit_learns_printed_ends_against_cuts_month_out():
    pages = [_page(m, k) for m in seam_fit.DEV_MONTHS for k in range(4)]
    with seams.off():
        rows = seam_fit.seams(pages, seeds=(1, 2))
    labels = {r[1] for r in rows}
    assert labels == {0, 1}, "both printed ends and cuts are collected"
    assert {r[2] for r in rows} == set(seam_fit.DEV_MONTHS)
    weights, bias = seam_fit.fit(rows)
    assert all(abs(w) >= seam_fit.KEEP for w in weights.values())
    totals = seam_fit.month_out(rows)
    best = totals[min(seam_fit.THRESHOLDS)]
    assert best["printed"] == 3 * 4 * 3  # (one deck per article, every month read once)
    assert best["kept"] == best["printed"]  # (the deck's words: the same in every month)


def test_features_read_as_the_whole_lines_translated():
    # Only the characters a feature reads are put in the fitted forms (stop 55): the features
    # must be those of both lines translated whole, as they were read before.
    import random

    wide = seams._WIDE

    def whole(prev: str, nxt: str, first: bool) -> tuple[str, ...]:
        p, n = prev.translate(wide), nxt.translate(wide)
        return (
            "s" + p[0], "S" + p[:2], "a" + p[-1], "A" + p[-2:], "3" + p[-3:], "b" + n[0],
            "B" + n[:2], "4" + n[:3], "e" + n[-1], "x" + p[-1] + n[0],
            seams._LENGTH[min(len(p) // 5, 12)], seams._NEXT_LENGTH[min(len(n) // 20, 10)],
            seams._CLAUSES[min(p.count("，") + p.count("、"), 3)],
            "d" if seams._OPENS_REPORT.match(n) else "-", "f" if first else "m",
        )  # fmt: skip

    rng = random.Random(190)
    pool = ",;:()?!０１２３４５６７８９0123，、；本报新华社记者近日月在年去今前甲。" + "x "
    for _ in range(5000):
        prev = "".join(rng.choices(pool, k=rng.randint(1, 40)))
        nxt = "".join(rng.choices(pool, k=rng.randint(1, 120)))
        first = rng.random() < 0.5
        assert seams.features(prev, nxt, first) == whole(prev, nxt, first), (prev, nxt)
