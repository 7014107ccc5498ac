"""A place's name over a title glued into the body above (service.place_heads, stop 33, i100)."""

from __future__ import annotations

import pytest

from service.documents import Span
from service.drafts import Draft
from service.lines import PARA, SHORT
from service.place_heads import names_place, split_place

_TEXT = ("今年以来，中心城区占道经营同比降低30%，噪声投诉下降26%，扬尘污染路段得到治理。", PARA)
_NEXT = ("各地加快推进春季农业生产，农资供应总体充足，农机手们抓住晴好天气下田作业。", PARA)
_TITLE = ("网上办事 群众少跑腿", SHORT)


def _draft(*lines: tuple[str, str], kicker: str = "") -> Draft:
    """A draft whose body holds these (text, kind) lines, in a page of its own."""
    d = Draft([Span(0, 2, "标题")], [Span(0, 0, kicker)] if kicker else [], [])
    at = 3
    for text, kind in lines:
        d.add(Span(at, at + len(text), text), kind)
        at += len(text) + 1
    return d


@pytest.mark.parametrize(
    "line",
    ["湖北武汉", "海  南", "江苏连云港连云区", "辽宁沈阳市人大常委会", "武汉汉正街", "内蒙古"],
)
def test_a_province_a_capital_or_a_place_in_them_names_a_place(line):
    assert names_place(line)


@pytest.mark.parametrize("line", ["武汉，我们来了！", "湖北省委书记在会上强调", "城区整治见实效"])
def test_other_lines_name_no_place(line):
    assert not names_place(line)


def test_a_place_over_its_title_under_a_closed_paragraph_opens_an_article():
    d = _draft(_TEXT, _TEXT, ("浙江丽水", SHORT), _TITLE, _NEXT)
    new = split_place(d)
    assert (new.kicker[0].text, new.title[0].text) == ("浙江丽水", _TITLE[0])
    assert [s.text for s in new.body] == [_NEXT[0]] and d.body[-1].text == _TEXT[0]


def test_the_body_s_first_line_the_column_cut_is_running_text():
    cut = ("最近，丽水市纪委书记走访了不少干部家庭，并为他们送去《中", SHORT)
    rest = ("国家规》等书籍，呼吁干部亲属共同营造廉洁和谐文明家风。", PARA)
    new = split_place(_draft(_TEXT, ("浙江丽水", SHORT), _TITLE, cut, rest))
    assert new.title[0].text == _TITLE[0] and new.kinds[0] == PARA and not new.subtitle


def test_a_series_of_places_opens_under_a_draft_whose_kicker_names_one():
    lines = (
        _TEXT,
        ("浙江丽水", SHORT),
        _TITLE,
        _NEXT,
        ("安徽黄山", SHORT),
        ("线上招聘", SHORT),
        _NEXT,
    )
    assert split_place(_draft(*lines)) is None  # (a roundup's places)
    new = split_place(_draft(*lines, kicker="四  川"))
    assert new.kicker[0].text == "浙江丽水"


@pytest.mark.parametrize(
    "lines",
    [
        # under a paragraph the column cut, or over another short line
        [("全省上下团结一心，为打赢这场攻坚战汇聚起", PARA), ("浙江丽水", SHORT), _TITLE, _NEXT],
        [_TEXT, ("浙江丽水", SHORT), _TITLE, ("城区整治见实效", SHORT), _NEXT],
        # a sentence's end or a note under the place
        [_TEXT, ("浙江丽水", SHORT), ("（本报记者 王强）", SHORT), _NEXT],
    ],
)  # fmt: skip
def test_other_place_lines_stay_in_the_body(lines):
    assert split_place(_draft(*lines)) is None
