"""Paragraph indentation read as where paragraphs open (`service.indents`): an indented line
opens one, an unindented line under an unfinished indented one is a column cut; a page without
indentation, or with stray indents, reads as before."""

from __future__ import annotations

import random

from service.indents import habit
from service.pages import split_page
from service.text import clean_body, single_article
from tests.test_pages import assert_accounted, assert_sound

I = "\u3000\u3000"  # noqa: E741  (two ideographic spaces: a paragraph's indent)
# People's Daily, 2019-10-02 (国际人士积极评价…), set as an e-paper sets it, cut by columns: a
# paragraph's first piece short enough to read as a head (几内亚总统 / 孔戴表示…), a deck-like
# paragraph ending on no sentence end over the next one, a cut mid-word (世界 / 经济大国。).
BODY = [
    I + "本报北京10月1日电  综合本报驻外记者报道：各国人士高度评价新中国成立70年来取得的伟大成就。",
    I + "几内亚总统",
    "孔戴表示，在您领导下，中国发生了翻天覆地的变化，跻身世界强国之列。",
    I + "精益求精、不懈努力，编辑们在“苦”中领略到诸多乐趣",
    I + "摩尔多瓦共和国总统多东表示，70年来，中国人民创造了伟大的奇迹，"
    "使中国在最短的时间内成为世界",
    "经济大国。",
    I + "俄中友协成员伊万·阿尔希波夫十分兴奋地告诉本报记者，"
    "新中国在如此短的时间内取得的成就令人惊叹。",
]
PAGE = "\n".join(["人民日报 2019年10月2日 星期三 第3版", "国际人士积极评价新中国成立70周年", *BODY])
PAGE += "\n本版责编：王伟\n"
PARAGRAPHS = [
    "综合本报驻外记者报道：各国人士高度评价新中国成立70年来取得的伟大成就。",
    "几内亚总统孔戴表示，在您领导下，中国发生了翻天覆地的变化，跻身世界强国之列。",
    "精益求精、不懈努力，编辑们在“苦”中领略到诸多乐趣",
    "摩尔多瓦共和国总统多东表示，70年来，中国人民创造了伟大的奇迹，使中国在最短的时间内成为世界"
    "经济大国。",
    "俄中友协成员伊万·阿尔希波夫十分兴奋地告诉本报记者，新中国在如此短的时间内取得的成就令人惊叹。",
]


def test_an_indented_page_opens_paragraphs_on_its_indents():
    # (before: 几内亚总统 kept apart as a subhead, the deck glued to the paragraph under it)
    (article,) = split_page(PAGE)
    assert article.title == "国际人士积极评价新中国成立70周年"
    assert article.body.text.split("\n") == PARAGRAPHS
    assert_sound(PAGE, [article])
    assert_accounted(PAGE)


def test_a_record_of_indented_paragraphs_reads_the_same():
    text = "\n".join(BODY)
    for body in (single_article("国际人士积极评价", text).body, clean_body(text).body):
        assert body.text.split("\n") == PARAGRAPHS
        assert all(text[int(i)] == c for c, i in zip(body.text, body.index, strict=True))


def test_the_same_page_unindented_reads_as_without_the_rule():
    flat = "\n".join(line.lstrip("\u3000") for line in PAGE.split("\n"))
    assert not habit(flat)
    (article,) = split_page(flat)
    assert "几内亚总统\n孔戴表示" in article.body.text  # (as before: no sign to read)


def test_stray_indents_are_no_habit():
    # A converter's stray indents: a random third of the lines of an unindented page.
    rng = random.Random(3)
    lines = [line.lstrip("\u3000") for line in PAGE.split("\n")] * 3
    stray = "\n".join(I + line if rng.random() < 0.3 else line for line in lines)
    assert not habit(stray)
    assert habit(PAGE)
