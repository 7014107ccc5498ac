"""A page set in columns side by side (`pdftotext -layout`): read as one column, but said."""

import pytest

from service.pages import read_page
from service.side_by_side import MIN_LINES, MIN_SHARE, side_by_side, warning
from tests.test_pages import assert_accounted
from tests.test_printed_lines import ARTICLES, printed


def column(titles: list[str], width: int = 16) -> list[str]:
    """Articles set in one newspaper column, one printed line a line."""
    out = []
    for title in titles:
        out.append(title)
        for para in ARTICLES[title]:
            out += printed(para, width)
        out.append("")
    return out


def side_by_side_page(gap: str = "      ") -> str:
    """Two columns written beside each other, as `pdftotext -layout` writes a page of columns:
    each line holds a printed line of the left column, padded, then one of the right."""
    titles = list(ARTICLES)
    left, right = column(titles[:2]), column(titles[2:])
    rows = max(len(left), len(right))
    left += [""] * (rows - len(left))
    right += [""] * (rows - len(right))
    head = "人民日报 2020年6月12日 星期五 第5版"
    # (padded with spaces to the column's width: two a Chinese character, as pdftotext lays out)
    rows = (a + " " * 2 * (16 - len(a)) + gap + b for a, b in zip(left, right, strict=True))
    return "\n".join([head, *rows])


def one_column_page() -> str:
    titles = list(ARTICLES)
    return "\n".join(["人民日报 2020年6月12日 星期五 第5版", *column(titles)])


def test_a_page_of_columns_side_by_side_is_said_and_nothing_is_lost() -> None:
    raw = side_by_side_page()
    gaps, lines = side_by_side(raw)
    assert gaps >= MIN_LINES and gaps >= MIN_SHARE * lines
    page = read_page(raw)
    assert len(page.warnings) == 1
    assert "side by side" in page.warnings[0] and f"{gaps} of its {lines} lines" in page.warnings[0]
    assert "pdftotext without -layout" in page.warnings[0]
    assert_accounted(raw)  # read as one column, garbled, but every character still has a place


@pytest.mark.parametrize("gap", ["    ", "\t", " \t  "])
def test_any_run_pdftotext_pads_with_counts(gap: str) -> None:
    assert warning(side_by_side_page(gap)) is not None


def test_the_same_articles_in_one_column_say_nothing() -> None:
    raw = one_column_page()
    assert side_by_side(raw) == (0, 0)
    assert read_page(raw).warnings == ()


def test_the_sample_page_says_nothing(sample_page: str) -> None:
    assert read_page(sample_page).warnings == ()


@pytest.mark.parametrize(
    "line",
    [
        "本报北京10月13日电  （记者刘毅）受较强冷空气影响，13日至15日，我国中东部地区将有大风。",
        "任   勇　　王小明　　李   华",  # a two-character name padded to three: three spaces
        "《秋山图》" + "\u00a0" * 6 + "张大千" + "\u00a0" * 3 + "作",  # no-break spaces
        "读书浸润人生　>6版",
    ],
)
def test_spaces_a_newspaper_prints_are_no_gap(line: str) -> None:
    # Every line of a page like this one: the corpus prints these, and no page of it is flagged.
    assert side_by_side("\n".join([line] * 20)) == (0, 0)


def test_a_few_table_rows_are_not_a_page_of_columns() -> None:
    gap = " " * 8
    rows = [f"品名{gap}单价{gap}产地"] + [f"白菜{i}{gap}1.{i}元{gap}山东" for i in range(4)]
    assert MIN_LINES > len(rows)
    assert side_by_side("\n".join([one_column_page(), *rows])) == (0, 0)
    # and as many as MIN_LINES, among the whole page's lines, are under its share
    rows += [f"萝卜{i}{gap}2.{i}元{gap}河北" for i in range(MIN_LINES)]
    assert side_by_side("\n".join([one_column_page(), *rows])) == (0, 0)


def _as_html(raw: str, indent: str = "    ") -> str:
    """A page as a CMS writes it: `## ` titles as `<h2>`, each other line a `<p>` opening on
    `indent` (the spaces some editors type before a paragraph)."""
    lines = [s for s in raw.split("\n") if s.strip()]
    return "\n".join(
        f"<h2>{s[3:]}</h2>" if s.startswith("## ") else f"<p>{indent}{s}</p>" for s in lines
    )


def test_an_html_page_s_indents_and_the_spaces_between_its_tags_are_no_gap(sample_page) -> None:
    # `<p>    本报讯…</p>`: `p>` + four spaces + text read as a gap between two columns on
    # every paragraph, and the page was said to be set side by side (garbled) while it read
    # as its articles.
    for raw in (_as_html(sample_page), _as_html(sample_page, "").replace("\n", "    ")):
        assert side_by_side(raw) == (0, 0)
        page = read_page(raw)
        assert page.warnings == () and len(page.articles) == 5


def test_columns_side_by_side_inside_an_html_page_are_still_said() -> None:
    raw = side_by_side_page()
    for html in (f"<pre>{raw}</pre><p>完</p>", _as_html(raw, "")):
        assert warning(html) is not None
