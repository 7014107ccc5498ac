"""Zero-width characters (U+200B–U+200D, U+2060, U+FEFF; the soft hyphen U+00AD and the direction
marks U+200E/F, U+202A–U+202E, U+2066–U+2069) inside a page or a record: taken out before the
lines are read (`service.invisible`), kept as the page's furniture."""

from __future__ import annotations

import pytest

from service.pages import read_page
from service.text import single_article
from tests.conftest import FIXTURES
from tests.test_pages import _parts, assert_accounted

MARKS = [
    "\ufeff",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\u200b\ufeff",
    "\u00ad",
    "\u200e",
    "\u2067",
]
PAGES = ["bare-page.txt", "markdown-page.txt", "plain-page.txt"]


def _furniture(page) -> list[str]:
    return [s.text for s in page.furniture]


def _marked_lines(raw: str, mark: str) -> str:
    return "\n".join(mark + line if line.strip() else line for line in raw.split("\n"))


@pytest.mark.parametrize("mark", MARKS)
@pytest.mark.parametrize("name", PAGES)
def test_a_zero_width_mark_opening_each_line_reads_as_the_page_without_it(name, mark):
    # Files joined, or a web copy: `\ufeff## 标题` mid-page was no heading, and `\u2060标题` a
    # bare title read as odd text. The marks are furniture; the lines read as they would bare.
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    marked = _marked_lines(raw, mark)
    page, plain = read_page(marked), read_page(raw)
    assert _parts(page) == _parts(plain)
    assert [t for t in _furniture(page) if t != mark] == _furniture(plain)
    assert _furniture(page).count(mark) == sum(1 for line in raw.split("\n") if line.strip())
    assert_accounted(marked)


@pytest.mark.parametrize("mark", ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u200f", "\u202c"])
@pytest.mark.parametrize("name", PAGES)
def test_a_zero_width_mark_inside_lines_breaks_no_word_or_cue(name, mark):
    # Inside a title, a dateline (本报\u200b讯) or a line a column cut, the mark split what it
    # stood in: the cue was not read and the title kept it. Every third character here.
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    marked = "".join(c + mark if i % 3 == 1 and not c.isspace() else c for i, c in enumerate(raw))
    page, plain = read_page(marked), read_page(raw)
    assert _parts(page) == _parts(plain)
    assert "".join(t for t in _furniture(page) if t != mark) == "".join(_furniture(plain))
    assert [(a.start, a.end) for a in page.articles] != [(a.start, a.end) for a in plain.articles]
    for a in page.articles:
        assert all(marked[int(i)] == c for i, c in zip(a.body.index, a.body.text, strict=True))
    assert_accounted(marked)


def test_a_byte_order_mark_between_joined_files_opens_the_heading_under_it():
    first = "## 全市早稻集中育秧进度过半\n本报讯 连日来，全市各地开展集中育秧，进度已过半。\n"
    second = "## 城区建成城市书房32家\n本报讯 近年来，城区先后建成城市书房32家。\n"
    page = read_page(first + "\ufeff" + second)
    assert [(a.title, a.dateline) for a in page.articles] == [
        ("全市早稻集中育秧进度过半", "本报讯"),
        ("城区建成城市书房32家", "本报讯"),
    ]
    assert [s.text for s in page.furniture] == ["##", "\ufeff", "##"]
    assert_accounted(first + "\ufeff" + second)


def test_a_joiner_inside_an_emoji_sequence_is_text():
    # ZWJ and ZWNJ join emoji (👨‍👩‍👧) and letters of some scripts: kept where both sides are
    # such characters, taken out beside Chinese, ASCII or a line's edge.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    raw = f"## 春节回家\n本报讯 一家人团聚{family}，吃上了年夜饭。\u200d\n"
    page = read_page(raw)
    assert page.articles[0].text == f"一家人团聚{family}，吃上了年夜饭。"
    assert [s.text for s in page.furniture] == ["##", "\u200d"]
    assert_accounted(raw)


def test_a_record_reads_its_dateline_and_body_without_zero_width_marks():
    text = "\u200b本报\u200b讯 连日来，全市各地\u2060开展集中育秧。\n\ufeff（记者 陈晓）"
    article = single_article("育秧进度过半", text)
    plain = single_article("育秧进度过半", text.translate(dict.fromkeys([0x200B, 0x2060, 0xFEFF])))
    assert (article.dateline, article.byline, article.text) == (
        plain.dateline,
        plain.byline,
        plain.text,
    )
    assert article.dateline == "本报讯" and article.byline == "记者 陈晓"
    assert all(text[int(i)] == c for i, c in zip(article.body.index, article.text, strict=True))


def test_a_record_reads_a_soft_hyphen_and_direction_marks_as_nothing():
    # Copied from a web page or a word processor: 高\xad校 was two words for the model, no span
    # for 高校, and the lead showed the hyphen's place.
    text = "本报讯 12月3日，全市\u200e高\xad校召开\u202b工作会议\u202c，部署明年重点工作。"
    article = single_article("全市高校召开工作会议", text)
    assert article.text == "12月3日，全市高校召开工作会议，部署明年重点工作。"
    assert all(text[int(i)] == c for i, c in zip(article.body.index, article.text, strict=True))
    assert single_article("高\xad校\u2066会议\u2069", "本报讯 开会。").title == "高校会议"


def test_a_record_s_title_reads_without_zero_width_marks():
    # A record's title is tidied (its whitespace one space); a mark in it split its words
    # for the model's tokens (育秧\u200b进度) and showed in what was sent back.
    article = single_article("\ufeff育秧\u200b进度  过半\u2060", "本报讯 全市各地开展集中育秧。")
    assert article.title == "育秧进度 过半"


@pytest.mark.parametrize("mark", ["\u200b", "\ufeff"])
def test_zero_width_marks_on_a_page_of_printed_lines_map_back_through_both_passes(mark):
    # The marks out first, then the printed lines joined (`service.printed_lines`): offsets
    # go back through both maps.
    from tests.test_printed_lines import ARTICLES, printed

    lines = ["第5版 要闻"]
    for title, paras in ARTICLES.items():
        lines += [title, *(line for p in paras for line in printed(p, 18))]
    raw = "\n".join(lines) + "\n"
    marked = "\n".join(mark + t[:5] + mark + t[5:] for t in lines) + "\n"
    page, plain = read_page(marked), read_page(raw)
    assert _parts(page) == _parts(plain) and len(page.articles) == len(ARTICLES)
    for a in page.articles:
        assert all(marked[int(i)] == c for i, c in zip(a.body.index, a.body.text, strict=True))
    assert_accounted(marked)


def test_the_marks_looked_for_are_those_the_pattern_takes():
    # `hidden` looks for each mark alone (stop 55: a find each, not one search of a class): the
    # marks it looks for are every character _ALWAYS names and the two joiners, no more.
    import re

    from service import invisible

    marks = re.compile(rf"[{invisible._ALWAYS}\u200c\u200d]")
    named = {chr(c) for c in range(0x110000) if marks.fullmatch(chr(c))}
    assert named == set(invisible._ANY) and len(invisible._ANY) == len(named)
    for mark in sorted(named):  # (each alone, anywhere on a page: read as the page without it)
        assert invisible.hidden(f"一\n二{mark}三\n") is not None
    assert invisible.hidden("一\n二\u3000三 abc\n") is None
