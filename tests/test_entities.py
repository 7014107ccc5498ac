"""HTML's space entities (`&nbsp;`, `&ensp;`, `&emsp;`, `&#12288;`, …) in a page copied from
HTML: read as the space they stand for, kept as furniture (`service.markup`)."""

from __future__ import annotations

import html

import pytest

from service.pages import read_page
from tests.conftest import FIXTURES
from tests.test_pages import _parts, assert_accounted

SPACES = [
    *("&nbsp;", "&nbsp", "&ensp;", "&emsp;", "&thinsp;"),  # (`&nbsp`: HTML's legacy form)
    *("&#12288;", "&#160;", "&#x3000;", "&#X00A0;"),
    *("&amp;nbsp;", "&amp;#12288;"),  # (a CMS that escaped its HTML twice)
]


def _space(entity: str) -> str:
    return html.unescape(html.unescape(entity))  # (`&amp;nbsp;` → `&nbsp;` → U+00A0)


def _page(space: str) -> str:
    return (
        f"##{space}习近平{space}会见中国女排代表\n"
        f"本报讯{space}{space}记者从市交通局获悉，今年以来全市公交客运量保持增长。\n"
        f"{space}{space}新开通线路十二条，方便{space}市民出行。\n"
        f"## 第二篇{space}\n"
        f"新华社北京5月3日电{space}（记者 张三）国务院总理李克强3日主持召开会议。\n"
    )


@pytest.mark.parametrize("entity", SPACES)
def test_a_space_entity_reads_as_its_space(entity):
    # It stayed in titles and bodies as text (`习近平&ensp;会见…`), and `&nbsp;` alone was
    # blanked but left its six spaces in the body, indexed at the entity's characters.
    raw = _page(entity)
    page = read_page(raw)
    space = _space(entity)
    first = "记者从市交通局获悉，今年以来全市公交客运量保持增长。\n新开通线路十二条，方便市民出行。"
    second = "国务院总理李克强3日主持召开会议。"
    assert [(a.title, a.dateline, a.byline, a.text) for a in page.articles] == [
        (f"习近平{space}会见中国女排代表", "本报讯", "", first),
        ("第二篇", f"新华社北京5月3日电{space}（记者 张三）", "记者 张三", second),
    ]
    assert [s.text for s in page.furniture if s.text != "##"] == [entity] * 9
    for a in page.articles:
        assert all(raw[int(i)] == c for i, c in zip(a.body.index, a.body.text, strict=True))
    assert_accounted(raw)


def test_other_entities_stay_text():
    raw = "## 研发&amp;创新\n本报讯 记者从市科技局获悉，R&D投入&lt;增长&gt;明显，&#10;全年增长。\n"
    page = read_page(raw)
    assert page.articles[0].title == "研发&amp;创新"
    assert page.articles[0].text == "记者从市科技局获悉，R&D投入&lt;增长&gt;明显，&#10;全年增长。"


@pytest.mark.parametrize("name", ["bare-page.txt", "markdown-page.txt", "plain-page.txt"])
def test_a_page_s_spaces_as_entities_read_as_its_spaces(name):
    # Every space of a page (the ideographic ones of its furniture too) as an entity.
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    marked = raw.replace("\u3000", "&#12288;").replace(" ", "&nbsp;")
    page, plain = read_page(marked), read_page(raw)
    heads = [tuple(t.replace("\xa0", " ") for t in p[:3]) for p in _parts(page)]
    assert heads == [p[:3] for p in _parts(plain)]  # (a title's space as the entity's: U+00A0)
    assert [p[5].replace(" ", "") for p in _parts(page)] == [
        p[5].replace(" ", "") for p in _parts(plain)
    ]
    assert_accounted(marked)


@pytest.mark.parametrize("entity", SPACES)
def test_a_byline_in_a_dateline_s_brackets_reads_the_entity_as_its_space(entity):
    # The byline read from `本报讯&nbsp;（记者&nbsp;李华）` kept the entity's blanked width
    # (`记者      李华`) while the dateline around it read `记者\xa0李华`.
    line = "本报讯{0}（记者{0}李华）近日，贵阳市召开工业经济运行调度会，研究部署下一阶段工作。\n"
    raw = "## 贵阳市召开工业经济运行调度会\n" + line.format(entity)
    space = _space(entity)
    as_character = read_page("## 贵阳市召开工业经济运行调度会\n" + line.format(space))
    [article] = read_page(raw).articles
    assert (article.byline, article.dateline) == (
        f"记者{space}李华",
        f"本报讯{space}（记者{space}李华）",
    )
    assert article.byline == as_character.articles[0].byline
    assert_accounted(raw)
