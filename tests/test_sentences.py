"""Sentence and clause splitting: each rule, offsets that round-trip, and arbitrary input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.sentences import clauses, ends_sentence, iter_lead_sentences, iter_sentences, split


def texts(text: str) -> list[str]:
    return [s.text for s in split(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # full-width terminators, each run ending one sentence
        ("今天下雨。明天晴！后天呢？", ["今天下雨。", "明天晴！", "后天呢？"]),
        ("真的吗？！当然。", ["真的吗？！", "当然。"]),
        ("第一；第二。", ["第一；", "第二。"]),
        # half-width forms, as typed on the sample page
        ("今天下雨!明天晴?好;", ["今天下雨!", "明天晴?", "好;"]),
        # a closing quote or bracket belongs to the sentence it closes
        ("他说：“我们要加油！”然后走了。", ["他说：“我们要加油！”", "然后走了。"]),
        ("（全文完。）下一篇。", ["（全文完。）", "下一篇。"]),
        # a short attribution after a quoted full stop stays with the quotation
        (
            "“这是基础。”赵玉侠解释道。近年来需求旺盛。",
            ["“这是基础。”赵玉侠解释道。", "近年来需求旺盛。"],
        ),
        # ellipses close an elided list
        (
            "引进人才百余人……2021年至2025年，学院发展。",
            ["引进人才百余人……", "2021年至2025年，学院发展。"],
        ),
        ("等等...然后呢。", ["等等...", "然后呢。"]),
        # decimals, dates and list numbers are not sentence ends
        ("增长3.5%，达12.17亿元。", ["增长3.5%，达12.17亿元。"]),
        ("1.坚持党建引领\n2.加强师资", ["1.坚持党建引领", "2.加强师资"]),
        ("版本2.0发布了。", ["版本2.0发布了。"]),
        # a half-width full stop between Chinese characters ends a sentence
        ("经济发展.下一步", ["经济发展.", "下一步"]),
        # English: a full stop before a space
        ("Hello world. This is a test", ["Hello world.", "This is a test"]),
        # mixed half-width commas do not split sentences
        (
            "本报讯 12月17日,胡忠雄在北京举行座谈,深入交流。",
            ["本报讯 12月17日,胡忠雄在北京举行座谈,深入交流。"],
        ),
        # a line break always ends a paragraph; blank and punctuation-only lines vanish
        ("标题\n\n正文第一句。\n。\n", ["标题", "正文第一句。"]),
        ("没有标点的文本", ["没有标点的文本"]),
        ("   \n\u3000 ", []),
        ("", []),
    ],
)
def test_split_rules(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "北京时间今天下午，雪龙号出动直升机，转移乘客。",
            ["北京时间今天下午，", "雪龙号出动直升机，", "转移乘客。"],
        ),
        # no cut inside a book title, quotation or bracket
        (
            "发表文章《走自己的路，坚定制度自信》，文章说。",
            ["发表文章《走自己的路，坚定制度自信》，", "文章说。"],
        ),
        ("他说“好，很好”，然后走了。", ["他说“好，很好”，", "然后走了。"]),
        # numbers keep their separators; the enumeration comma never cuts
        ("收入1,000元，时间3:30。", ["收入1,000元，", "时间3:30。"]),
        ("铝规划、铝土矿、铝冶炼。", ["铝规划、铝土矿、铝冶炼。"]),
        ("会议指出：要加强。", ["会议指出：", "要加强。"]),
    ],
)
def test_clause_rules(sentence: str, expected: list[str]) -> None:
    (span,) = split(sentence)
    assert [c.text for c in clauses(span)] == expected


def test_offsets_are_code_points_of_the_input() -> None:
    # astral characters count as one code point each, as the offset contract says
    text = "前言 𠀀好。\n  第二句：𝄞音乐！"
    spans = split(text)
    assert [s.text for s in spans] == ["前言 𠀀好。", "第二句：𝄞音乐！"]
    for s in spans:
        assert text[s.start : s.end] == s.text
    for c in clauses(spans[1]):
        assert text[c.start : c.end] == c.text


def test_sample_page_sentences_round_trip(sample_page: str) -> None:
    spans = split(sample_page)
    assert len(spans) > 100
    for a, b in zip(spans, spans[1:], strict=False):
        assert a.end <= b.start
    for s in spans:
        assert sample_page[s.start : s.end] == s.text
        assert s.text == s.text.strip()
    # the quoted statements of the data-annotation story keep their attribution
    assert any(s.text.endswith("”赵玉侠解释道。") for s in spans)


def test_iter_sentences_is_lazy() -> None:
    it = iter_sentences("一句。" * 1_000_000)
    assert next(it).text == "一句。"


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("我们的经济。！？；!?;…,，.：“”《》（）()0123456789ab \n\u3000𠀀")
        ),
        max_size=120,
    )
)
def test_spans_always_valid_and_in_order(text: str) -> None:
    last = 0
    for s in split(text):
        assert 0 <= last <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        last = s.end
        clause_last = s.start
        for c in clauses(s):
            assert clause_last <= c.start < c.end <= s.end
            assert text[c.start : c.end] == c.text
            clause_last = c.end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发展。", True),
        ("真的吗？", True),
        ("好!", True),
        ("等等……", True),
        ("他说：“要加油！”", True),
        ("（全文完。）", True),
        ("第一；", False),  # a semicolon never ends a lead
        ("会议开得短", False),  # a subhead
        ("增长3.5", False),
        ("Hello world.", False),  # a half-width full stop is not trusted
        ("“好”", False),
        ("", False),
    ],
)
def test_ends_sentence(text: str, expected: bool) -> None:
    assert ends_sentence(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("甲；乙。丙！", ["甲；乙。", "丙！"]),
        ("甲；乙；丙。", ["甲；乙；丙。"]),
        ("甲；\n乙。", ["甲；", "乙。"]),  # never across a line break
        ("会议开得短\n落实多了。", ["会议开得短", "落实多了。"]),
        ("甲；", ["甲；"]),
    ],
)
def test_lead_sentences_join_semicolon_pieces_on_a_line(text: str, expected: list[str]) -> None:
    spans = list(iter_lead_sentences(text))
    assert [s.text for s in spans] == expected
    assert all(text[s.start : s.end] == s.text for s in spans)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他说：“甲。乙！”丙。", ["他说：“甲。乙！”", "丙。"]),
        (
            "“甲。乙。”一位到村里挂职的青年干部说。丙。",
            ["“甲。乙。”一位到村里挂职的青年干部说。", "丙。"],
        ),
        ("“甲。”\n一位青年干部说。", ["“甲。”", "一位青年干部说。"]),  # never across a line
        ("“甲。\n“乙。”", ["“甲。", "“乙。”"]),  # a quotation of paragraphs: each line
        ("他说：“甲；乙。丙。”", ["他说：“甲；乙。丙。”"]),
        ("丙说：“" + "甲" * 160 + "。乙。”", ["丙说：“" + "甲" * 160 + "。", "乙。”"]),
    ],
)
def test_lead_sentences_join_a_quotation_up_to_quote_chars(text: str, expected: list[str]) -> None:
    spans = list(iter_lead_sentences(text))
    assert [s.text for s in spans] == expected
    assert all(text[s.start : s.end] == s.text for s in spans)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他说：“甲。”", (False, False)),
        ("他说：“甲。", (False, True)),
        ("乙。”", (True, False)),
        ("乙。”他又说：“丙。", (True, True)),
        ("「甲“乙”丙」", (False, False)),
        ("没有引号。", (False, False)),
    ],
)
def test_quote_state(text: str, expected: tuple[bool, bool]) -> None:
    from service.sentences import quote_state

    assert quote_state(text) == expected
