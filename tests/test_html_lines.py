"""A page whose HTML comes on one line (an e-paper API's, a scraper's): its block tags end lines
(`service.html_lines`)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.html_lines import html_lines
from service.lines import lines
from service.pages import read_page
from tests.conftest import FIXTURES
from tests.test_cli import jsonl, run
from tests.test_pages import LINES, _parts, assert_accounted


def _tagged(raw: str) -> list[str]:
    """The page's lines as an HTML writer sets them: `## ` titles as `<h2>`, the rest `<p>`."""
    lines = [line for line in raw.split("\n") if line.strip()]
    return [f"<h2>{s[3:]}</h2>" if s.startswith("## ") else f"<p>{s}</p>" for s in lines]


def _twins(raw: str) -> tuple[str, str]:
    tagged = _tagged(raw)
    return "".join(tagged), "\n".join(tagged)


def test_the_sample_page_as_one_line_of_html_reads_as_its_lines_per_tag(sample_page, tmp_path):
    # It read as one article titled '', its text full of tags. Its `## ` titles are `<h2>` here:
    # a heading's tag makes no heading, so both read bare, five articles, as the bare rules read.
    one, twin = _twins(sample_page)
    page = read_page(one)
    assert _parts(page) == _parts(read_page(twin))
    assert len(page.articles) == 5 and not any("<" in a.text for a in page.articles)
    assert_accounted(one)
    # The "\n" between two paragraphs stands at the `>` of the tags that ended its line.
    for a in page.articles:
        for i, c in zip(a.body.index.tolist(), a.text, strict=True):
            assert one[i] == c or c == "\n" and one[i] == ">"
    labels = []
    for name, text in (("one", one), ("twin", twin)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = run("analyse", "--json", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        labels.append([(r["title"], r["label"]) for r in jsonl(result.stdout)])
    assert labels[0] == labels[1] and len(labels[0]) == 5


ONE_LINE = (
    '<div class="article"><h1>全市教育工作会议召开</h1><p>本报讯 记者从市教育局获悉，'
    "12月3日，全市教育工作会议召开。</p><p>&#12288;&#12288;会议指出，要坚持立德树人。<br/>"
    "办好人民满意的教育。</p></div><div><h1>新建学校12所</h1><p>本报讯 今年以来，全市新建"
    "学校12所，新增学位1.5万个。</p></div>"
)


def test_a_hand_made_one_line_html_page_reads_as_its_block_tags_on_lines_of_their_own():
    # Tags with attributes, a `<br/>`, runs of tags and a space entity's indent.
    page = read_page(ONE_LINE)
    assert [(a.title, a.dateline, a.text) for a in page.articles] == [
        (
            "全市教育工作会议召开",
            "本报讯",
            "记者从市教育局获悉，12月3日，全市教育工作会议召开。\n会议指出，要坚持立德树人。\n"
            "办好人民满意的教育。",
        ),
        ("新建学校12所", "本报讯", "今年以来，全市新建学校12所，新增学位1.5万个。"),
    ]
    lined = ONE_LINE.replace(">", ">\n").replace("<", "\n<")
    assert _parts(read_page(lined)) == _parts(page)
    assert_accounted(ONE_LINE)


@pytest.mark.parametrize(
    "raw",
    [
        "## 数学题\n本报讯 若a<p>b，且p<b>0，求a的范围。\n",  # (no closing tag, no <br>: no HTML)
        "## 标题\n本报讯 正文<b>加粗</b>正文。\n",  # (inline tags end nothing)
        "## 标题\n本报讯 若a<b>c，则成立。\n",  # (nor are they marks: no HTML on the page)
    ],
)
def test_a_page_holding_no_block_tag_of_html_inside_a_line_reads_as_before(raw):
    page = read_page(raw)
    assert "<" in page.articles[0].text
    assert_accounted(raw)


@pytest.mark.parametrize("name", ["plain-page.txt", "markdown-page.txt", "bare-page.txt"])
def test_pages_with_html_tags_around_whole_lines_read_as_before(name):
    # `<p>…</p>` a line: the tags stand at the lines' edges, markup's (no run inside a line).
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    marked = "\n".join(f"<p>{line}</p>" if line else line for line in raw.split("\n"))
    assert html_lines(marked, lines(marked))[2] == []


# (Lines of HTML hold no markdown: `<p>## 标题</p>` reads its `## ` as text, a tag opening the line,
# where after a run inside a line `## 标题` opens its line, a heading, as on a line of its own.)
_TEXT = LINES.filter(lambda line: line[:1] not in "#*!<-|=>")
_TAGS = st.sampled_from(["<p>", "</p>", "<br/>", "<div class='a'>", "</div>", "<h2>", "</h2>"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TAGS, _TAGS), min_size=1, max_size=12))
def test_a_one_line_html_page_reads_as_its_lines_per_tag_and_accounts_for_everything(pieces):
    # Every character is one article's or the furniture's; a body's "\n" from a run stands at
    # the run's last `>`, every other body character at its own offset.
    one = "</p>" + "".join(a + line + b for line, a, b in pieces)
    twin = "\n".join(a + line + b for line, a, b in [("", "</p>", "")] + pieces)
    page = read_page(one)
    assert _parts(page) == _parts(read_page(twin))
    assert_accounted(one)
    for a in page.articles:
        for i, c in zip(a.body.index.tolist(), a.text, strict=True):
            assert one[i] == c or c == "\n" and one[i] == ">"


# A page of HTML with inline tags inside its lines: in a kicker, a title, a body and a credit.
INLINE = [
    "<h3>坚持<b>公交优先</b></h3>",
    "<h2>全市<em>公交</em>客运量增长</h2>",
    '<p>本报讯 记者从<b>市交通局</b>获悉，<span style="color:red">全市</span>公交客运量增长。</p>',
    '<p>今年以来，全市<a href="http://x.cn/a">公交</a>线路新增<strong>12条</strong>，'
    '<font color="#f00">日均</font>客运量达<em>120万</em>人次<img src="a.png"/>。</p>',
    "<p>（记者 <b>王明</b>）</p>",
]
_INLINE_READ = [
    (
        "坚持公交优先",
        "全市公交客运量增长",
        "",
        "记者 王明",
        "本报讯",
        "记者从市交通局获悉，全市公交客运量增长。\n今年以来，全市公交线路新增12条，日均客运量达"
        "120万人次。",
    )
]


@pytest.mark.parametrize("raw", ["\n".join(INLINE), "".join(INLINE)], ids=["lines", "one-line"])
def test_inline_tags_inside_the_lines_of_an_html_page_are_cut_out_of_what_holds_them(raw):
    # They stayed as text (`记者从<b>市交通局</b>获悉，<span style="color:red">全市</span>…`), in
    # the body, the title, the kicker, the credit and the lead: now marks, as a footnote's.
    page = read_page(raw)
    assert _parts(page) == _INLINE_READ
    assert {"<b>", "</b>", '<span style="color:red">', '<img src="a.png"/>'} <= {
        s.text for s in page.furniture
    }
    assert_accounted(raw)
    for a in page.articles:
        for i, c in zip(a.body.index.tolist(), a.text, strict=True):
            assert raw[i] == c or c == "\n" and raw[i] == ">"


def test_the_lead_of_an_html_page_holds_no_inline_tag_and_its_spans_slice_the_page(tmp_path):
    for raw in ("\n".join(INLINE), "".join(INLINE)):
        (tmp_path / "page.txt").write_text(raw, encoding="utf-8")
        result = run("analyse", "--json", str(tmp_path / "page.txt"))
        assert result.returncode == 0, result.stderr
        (out,) = jsonl(result.stdout)
        assert out["lead"] and "<" not in out["lead"] + out["title"] + out["text"]
        assert "".join(raw[a:b] for a, b in out["lead_spans"]) == out["lead"]


_INLINE_TAGS = st.sampled_from(
    ["<b>", "</b>", "<span class='x'>", "</span>", "<a href=/a>", "<em>"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TEXT, st.integers(0, 30), _INLINE_TAGS), min_size=1, max_size=12))
def test_inline_tags_anywhere_in_an_html_page_s_lines_are_furniture_and_nothing_else(pieces):
    raw = "</p>" + "".join(f"<p>{t[:k]}{tag}{t[k:]}</p>" for t, k, tag in pieces)
    page = read_page(raw)
    assert_accounted(raw)
    for a in page.articles:
        assert "<" not in a.title + a.kicker + a.subtitle + a.byline + a.dateline + a.text


def _one_article_as_lines_and_on_one_line(raw: str):
    """The one article of an HTML page and its furniture's texts, the page as written and on one
    line, each page accounted for."""
    for page_text in (raw, raw.replace("\n", "")):
        page = read_page(page_text)
        assert_accounted(page_text)
        [article] = page.articles
        yield article, {s.text for s in page.furniture}


def test_word_s_conditionals_on_an_html_page_are_furniture():
    # HTML pasted from Word wraps a list's number in `<![if !supportLists]>…<![endif]>`: they
    # stood in the body (`<![if !supportLists]>1.<![endif]>会议强调…`).
    raw = (
        "<h2>教育部部署高校毕业生就业工作</h2>\n<p>本报讯 教育部近日召开会议，部署就业工作。</p>\n"
        "<p class=MsoNormal><![if !supportLists]><span lang=EN-US>1.</span><![endif]>"
        "<span style='font-family:宋体'>会议强调，要千方百计促进高校毕业生就业。</span></p>\n"
    )
    for article, furniture in _one_article_as_lines_and_on_one_line(raw):
        assert (
            article.text
            == "教育部近日召开会议，部署就业工作。\n1.会议强调，要千方百计促进高校毕业生就业。"
        )
        assert {"<![if !supportLists]>", "<![endif]>"} <= furniture


def test_a_long_html_page_s_inline_tags_cost_time_linear_in_its_length():
    # Each article's heads, credits and body were cut against every mark of the page (a list of
    # every mark's end or start built per call, the marks to the page's end read per head):
    # 800 such articles read 34x as long as the page without its inline tags.
    import re
    import time

    art = (
        "<h2>第{0}篇 贵阳市召开<b>工业经济</b>运行调度会</h2>\n<p>本报讯 近日，<span style='c'>"
        "贵阳市</span>召开<b>工业</b>经济运行调度会，研究部署<a href=/x>下一阶段</a>工作。</p>\n"
        "<p>会议要求，<em>全力以赴</em>稳增长，<i>确保</i>完成<font color=red>全年</font>"
        "目标任务。</p>\n"
    )
    raw = "".join(art.format(i) for i in range(800))
    plain = re.sub(r"</?(?:b|span|a|em|i|font)\b[^>]*>", "", raw)

    def cpu(page: str) -> float:
        best = float("inf")
        for r in range(3):  # (a page of its own each time: read_page keeps its last few)
            start = time.process_time()
            read_page(f"{page}<p>完{r}</p>")
            best = min(best, time.process_time() - start)
        return best

    assert cpu(raw) < 6 * cpu(plain)  # (2x here; 34x before)


def test_word_s_smart_tags_and_other_inline_tags_on_an_html_page_are_marks():
    # `<st1:chsdate …>5月3日</st1:chsdate>` (Word's smart tags), `<code>`, `<cite>` stayed in the
    # body and the lead: only a list of inline names (and `<o:p>`) was read as marks.
    raw = (
        "<h2>教育部部署高校毕业生就业工作</h2>\n<p class=MsoNormal>本报讯 教育部<st1:chsdate "
        'year="2020" month="5" day="3" w:st="on">5月3日</st1:chsdate>召开会议，涉及<st1:chmetcnv '
        'UnitName="万" SourceValue="800">800万</st1:chmetcnv>名毕业生。<cite>《人民日报》</cite>'
        "<code>x</code>报道。</p>\n"
    )
    for article, furniture in _one_article_as_lines_and_on_one_line(raw):
        assert article.text == "教育部5月3日召开会议，涉及800万名毕业生。《人民日报》x报道。"
        assert {"</st1:chsdate>", "<cite>", "</code>"} <= furniture


def test_an_html_page_reads_amp_as_its_own_ampersand():
    # `研发&amp;创新` stood as written in the title, the body and the lead (a record read `&`).
    raw = "<h2>研发&amp;创新 A&AMP;B</h2>\n<p>本报讯 R&amp;D投入增长明显，全年增长。</p>\n"
    for page_text in (raw, raw.replace("\n", "")):
        page = read_page(page_text)
        [article] = page.articles
        assert (article.title, article.text) == ("研发&创新 A&B", "R&D投入增长明显，全年增长。")
        assert [s.text for s in page.furniture if s.text.lower() == "amp;"] == [
            "amp;",
            "AMP;",
            "amp;",
        ]
        assert_accounted(page_text)
    # a page that is not HTML keeps its entities as text (tests/test_entities.py)
    plain = raw.replace("<h2>", "## ").replace("</h2>", "").replace("<p>", "").replace("</p>", "")
    assert read_page(plain).articles[0].title == ("研发&amp;创新 A&AMP;B")
