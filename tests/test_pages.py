"""Page splitting: line kinds, the sample page, our own fixtures, properties on any text."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import InvalidInput
from service.pages import (
    BYLINE_END,
    BYLINE_START,
    CONTINUES,
    FURNITURE,
    HEADING,
    PARA,
    SHORT,
    article_record,
    line_kind,
    read_page,
    single_article,
    split_page,
)
from tests.conftest import FIXTURES

FURNITURE_WORDS = ["今日导读", "贵阳新闻", "贵阳网", ">2版", "下转", "奋力走出", "本报讯", "代晓龙"]


def assert_sound(raw: str, articles) -> None:
    """Nothing lost or invented: bodies come from the input, articles in order, apart."""
    prev_end = 0
    for a in articles:
        assert prev_end <= a.start <= a.end <= len(raw)
        prev_end = a.end
        chunk = raw[a.start : a.end]
        assert chunk == chunk.strip()
        # A head line set over two printed lines is read joined across its line end, as a
        # body's is (`service.printed_lines`), and a mark inside it (`标题\:`) is furniture cut
        # out of it (`service.markup`): its pieces are the chunk's, less whitespace and marks.
        marks = {i for f in read_page(raw).furniture for i in range(f.start, f.end)}
        kept = "".join(
            c for i, c in enumerate(chunk, a.start) if i not in marks and not c.isspace()
        )
        for piece in (a.title + " " + a.kicker).split():
            assert piece in chunk or piece in kept
        idx = a.body.index
        assert len(idx) == len(a.text)
        assert np.all(np.diff(idx) > 0)
        if len(idx):
            assert a.start <= idx[0] and idx[-1] < a.end
        for ch, i in zip(a.text, idx, strict=True):
            assert raw[int(i)] == ch


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("## 大山深处,数据标注员越来越多", HEADING),
        ("## 今日导读", FURNITURE),
        ("##大山深处,数据标注员越来越多", HEADING),  # extracted text that dropped the space
        ("###今日导读", FURNITURE),
        ("#话题#", SHORT),  # one mark and no space: a hashtag, not a heading
        ("(下转3版)", CONTINUES),
        (">2版", FURNITURE),
        ("(贵阳日报融媒体中心 代晓龙)", BYLINE_END),
        ("新华社记者 周芷若 倪远诗", BYLINE_START),
        ("记者 张三、李四", BYLINE_START),
        ("本台记者 蒋林：", PARA),  # a handover mid-report, not a credit that closes it
        ("胡忠雄率队在北京招商引资并召开驻外招商座谈会", SHORT),
        ("党建工作持续稳固", SHORT),
        ("“要撑起这样大规模的产业布局,", PARA),
        ("市有关部门负责人参加。", PARA),
        ("本报讯 近日", PARA),
        # A sentence ended inside the line and another began: running text the column cut.
        ("法国国会近日通过了反污染和循环经济法案的主要内容。新法案", PARA),
        ("“我们做到了。”", SHORT),  # a quoted title ends on its full stop
        # a long kicker leading in to its title with a dash
        ("将6艘载人飞船、5艘无人飞船和2个空间实验室顺利送入太空，平均年龄38岁的团队——", SHORT),
    ],
)
def test_line_kind(line, kind):
    assert line_kind(line) == kind


def test_sample_page(sample_page):
    arts = split_page(sample_page)
    assert_sound(sample_page, arts)
    assert [a.title for a in arts] == [
        "胡忠雄在北京 与中铝集团总经理王石磊举行座谈",
        "深化大抓产业大抓项目大抓招商 为高质量发展现代化建设注入强大动力",
        # The ——九论… subtitle stays in the title: a numbered series marks commentary.
        "在高质量发展中不断增进民生福祉 ——九论学习贯彻市委十一届十一次全会精神",
        "大山深处,数据标注员越来越多",
        # No headline survived extraction; the column line above the body stands in.
        "贵阳贵安的“十四五”",
    ]
    assert [a.kicker for a in arts] == [
        "",
        "胡忠雄率队在北京招商引资并召开驻外招商座谈会",
        "",
        "",
        "",
    ]
    assert [a.byline for a in arts] == [
        "贵阳日报融媒体中心 代晓龙",
        "贵阳日报融媒体中心 代晓龙",
        "本报评论员",
        "新华社记者 周芷若 倪远诗",
        "",
    ]
    assert [a.dateline for a in arts] == ["本报讯", "本报讯", "", "", ""]
    assert [a.continues for a in arts] == ["", "", "", "", "3版"]
    for a in arts:
        for word in FURNITURE_WORDS:
            assert word not in a.text, (a.title, word)
    everything = "\n".join(a.text for a in arts)
    for joined in ["强化比较优势战略", "招商引资的重点任务", "胡忠雄召开贵阳贵安驻外招商座谈会"]:
        assert joined in everything
    assert arts[0].text.startswith("12月17日,省委常委")
    fifth = arts[4]
    assert fifth.text.startswith("打造“红领黔程”党建品牌")
    assert fifth.text.endswith("4个团总支获评“贵阳市五四红旗团总支”。")
    # The subhead stays a paragraph of its own, inside the fifth article.
    assert "\n党建工作持续稳固\n" in fifth.text
    assert fifth.end == sample_page.index("(下转3版)") + len("(下转3版)")


def test_sample_page_source_spans(sample_page):
    for a in split_page(sample_page):
        spans = a.body.source_spans(0, len(a.text), sample_page)
        assert all(sample_page[s.start : s.end] == s.text for s in spans)
        assert "".join(s.text for s in spans) == a.text


PLAIN = [
    (
        "秋粮入仓颗粒归仓",
        "全县晚稻收割进度超过九成",
        "",
        "记者 陈晓 通讯员 王磊",
        "本报讯（记者 陈晓 通讯员 王磊）",
        "",
    ),
    ("", "社区食堂开进老旧小区", "", "本报记者 赵宁", "", ""),
    ("", "让阅读成为城市的生活方式", "", "本报评论员", "", ""),
    ("", "新能源公交线路开通", "", "", "本报讯", "2版"),
]
MARKDOWN = [
    ("", "新区首批人才公寓 交付使用", "", "城东融媒体中心 李航", "本报讯", ""),
    ("", "让“小修小补”回到街巷", "——三论优化城市便民服务", "本报评论员", "", ""),
    ("保供稳价惠民生", "冬储大白菜集中上市", "", "记者 孙悦", "本报讯（记者 孙悦）", "2版"),
]


@pytest.mark.parametrize(
    ("name", "expected", "joined", "apart"),
    [
        (
            "plain-page.txt",
            PLAIN,
            ["6.1万吨，其中优质稻", "就餐补贴。", "城市书房32家"],
            ["\n老人吃饭更方便\n"],
        ),
        (
            "markdown-page.txt",
            MARKDOWN,
            ["办理入住手续", "预留便民服务点位，对流动摊点", "大白菜亩产量达到"],
            ["\n价格总体平稳\n"],
        ),
    ],
)
def test_fixture_pages(name, expected, joined, apart):
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    arts = split_page(raw)
    assert_sound(raw, arts)
    got = [(a.kicker, a.title, a.subtitle, a.byline, a.dateline, a.continues) for a in arts]
    assert got == expected
    everything = "\n".join(a.text for a in arts)
    for words in joined + apart:
        assert words in everything
    for furniture in ["星期", "编辑", "导读", "城东网", "城东要闻", "冬季供暖", "宜居韧性", "下转"]:
        assert furniture not in everything


def test_handover_credit_stays_inside_its_article():
    page = (
        "今天是芦山地震一周年，灾后重建有序推进。\n"
        "本台记者 蒋林：\n"
        "我现在就在冷木沟综合治理工程的7号坝。\n"
        "重建一年来，灾区开工项目超过五成。\n"
    )
    articles = split_page(page)
    assert len(articles) == 1
    assert "本台记者 蒋林：" in articles[0].text
    assert articles[0].byline == ""


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("■ 本报评论员 李斌", "本报评论员 李斌"),
        ("□本报记者  张三", "本报记者 张三"),
        ("□李斌", "李斌"),
        ("作者：李斌", "作者：李斌"),
    ],
)
def test_a_marked_or_named_credit_under_the_title_is_the_byline(line, byline):
    # City dailies set a credit after ■ or □, or as 作者：; it was read as the subtitle.
    page = (
        f"人民时评\n让老旧小区焕发新活力\n{line}\n"
        "老旧小区改造，是重大民生工程和发展工程。各地要因地制宜，量力而行。\n"
        "改造不是简单的粉刷，更要补齐功能短板。\n"
    )
    (a,) = split_page(page)
    assert (a.kicker, a.title, a.subtitle) == ("人民时评", "让老旧小区焕发新活力", "")
    assert a.byline == byline
    assert a.text.startswith("老旧小区改造")


def test_single_article():
    text = "本报讯（记者 陈晓）连日来，全县晚稻收割进度已超过\n\n九成。\n\n（下转2版）\n"
    a = single_article("  全县晚稻 收割过九成 ", text, id="a-1")
    assert (a.title, a.id, a.start, a.end) == ("全县晚稻 收割过九成", "a-1", 0, len(text))
    assert a.text == "连日来，全县晚稻收割进度已超过九成。"
    assert (a.dateline, a.byline, a.continues) == ("本报讯（记者 陈晓）", "记者 陈晓", "2版")
    spans = a.body.source_spans(0, len(a.text), text)
    assert [s.text for s in spans] == ["连日来，全县晚稻收割进度已超过", "九成。"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: split_page(b"page"), "raw"),
        (lambda: single_article(None, "正文"), "title"),
        (lambda: single_article("标题", 3), "text"),
        (lambda: single_article("标题", "正文", id=7), "id"),
    ],
)
def test_rejects_non_text(call, field):
    with pytest.raises(InvalidInput) as err:
        call()
    assert err.value.field == field


def test_article_record(sample_page):
    records = [article_record(a) for a in split_page(sample_page)]
    keys = {
        "title",
        "kicker",
        "subtitle",
        "byline",
        "dateline",
        "text",
        "start",
        "end",
        "continues",
    }
    assert all(set(r) == keys for r in records)
    assert json.loads(json.dumps(records, ensure_ascii=False)) == records
    assert records[1]["kicker"] == "胡忠雄率队在北京招商引资并召开驻外招商座谈会"
    assert sample_page[records[4]["start"] : records[4]["end"]].startswith("贵阳贵安的“十四五”")


def test_empty_page():
    assert split_page("") == []
    assert split_page("\n\n今日导读\n\n>2版\n") == []


def test_a_page_over_the_cached_length_is_read_anew_and_never_kept(monkeypatch):
    # A burst of big pages must not leave their readings behind (tests.soak memory-pages).
    from service import pages

    raw = (FIXTURES / "bare-page.txt").read_text(encoding="utf-8")
    pages._read.cache_clear()
    monkeypatch.setattr(pages, "CACHED_PAGE_CHARS", len(raw) - 1)
    first, again = read_page(raw), read_page(raw)
    records = [article_record(a) for a in first.articles]
    assert first is not again and [article_record(a) for a in again.articles] == records
    assert first.furniture == again.furniture and first.parts == again.parts
    assert pages._read.cache_info().currsize == 0
    monkeypatch.setattr(pages, "CACHED_PAGE_CHARS", len(raw))
    kept = read_page(raw)
    assert read_page(raw) is kept and [article_record(a) for a in kept.articles] == records
    assert pages._read.cache_info().currsize == 1
    pages._read.cache_clear()


@pytest.mark.parametrize("head", ["\ufeff", "\ufeff\n\n", "\ufeff## "])
def test_a_byte_order_mark_opening_the_page_is_furniture(sample_page, head):
    # The CLI reads a page file as utf-8-sig; a gRPC or HTTP caller that read it as utf-8 sends
    # the mark (U+FEFF): it read as the first article's kicker, or hid its `## ` heading, and
    # the page header under it was no longer furniture. Now the same page, offsets shifted by 1.
    from service.validation import check_page

    raw = head[1:] + "人民日报 2020年5月6日 星期三 第6版\n" + sample_page
    with_mark = read_page("\ufeff" + raw)
    plain = read_page(raw)
    assert [
        (a.kicker, a.title, a.subtitle, a.text, a.start + 1, a.end + 1) for a in plain.articles
    ] == [(a.kicker, a.title, a.subtitle, a.text, a.start, a.end) for a in with_mark.articles]
    assert [(s.start, s.text) for s in with_mark.furniture][:1] == [(0, "\ufeff")]
    assert_accounted("\ufeff" + raw)
    for empty in ("\ufeff\n", "\u200b\n", "\ufeff \u2060\n\u200b"):  # no page, marks and all
        with pytest.raises(InvalidInput, match="the page text is empty"):
            check_page(empty, field="text")


@pytest.mark.parametrize("end", ["\r", "\u2028", "\u2029", "\x85"])
def test_a_page_whose_lines_end_otherwise_than_newline_is_refused_with_the_fix(sample_page, end):
    # Read at "\n", such a page was one line: one article of everything, or none, said nowhere.
    from service.validation import check_page

    page = sample_page.replace("\n", end)
    assert len(split_page(page)) <= 1
    with pytest.raises(InvalidInput, match="line ends to \\\\n"):
        check_page(page, field="text")
    for fine in (sample_page, sample_page.replace("\n", "\r\n"), sample_page + end):
        assert check_page(fine, field="text") is fine  # \n, \r\n, and one stray mark read on


# Lines a page is made of, so that hypothesis exercises every rule, mixed with free text.
LINES = st.sampled_from(
    [
        "## 胡忠雄在北京 与中铝集团总经理王石磊举行座谈",
        "## ",
        "胡忠雄率队在北京招商引资并召开驻外招商座谈会",
        "本报讯 12月17日,省委常委胡忠雄举行座谈。",
        "新华社北京12月17日电（记者 张三）近日，",
        "培育和发展新质生产力是本次招商引",
        "资的重点任务。",
        "党建工作持续稳固",
        "本报评论员",
        "新华社记者 周芷若 倪远诗",
        "(贵阳日报融媒体中心 代晓龙)",
        "(下转3版)",
        "今日导读",
        ">2版",
        "贵阳网",
        "市有关部门负责人参加。",
        "“要撑起这样大规模的产业布局,",
        "——九论学习贯彻",
        "**秋粮入仓颗粒归仓**",
        "## **社区食堂开进老旧小区**",
        "__新能源公交线路开通__",
        "****",
        "** **",
        "**一半**加粗",
        "### 稳中求进，确保谷物基本自给",
        "# 人民日报 2019年2月21日 星期四 第6版",
        "# ",
        "### \u200b",
        "![](images/p4_1.jpg)",
        "![图片](https://img.example.com/a.png) ![]()",
        "<br>",
        "</p><p>",
        "---",
        "* * *",
        "<张三>",
        "| --- | :---: |",
        "| 指标 | 数值 |",
        "",
        "  ",
    ]
)
PAGES = st.one_of(
    st.text(max_size=400),
    st.lists(LINES | st.text(max_size=12), max_size=40).map("\n".join),
    st.lists(LINES, max_size=40).map("\n\n".join),
)


@settings(max_examples=300, deadline=None)
@given(raw=PAGES)
def test_split_never_loses_or_invents(raw):
    arts = split_page(raw)
    assert_sound(raw, arts)
    for a in arts:
        for s in a.body.source_spans(0, len(a.text), raw):
            assert raw[s.start : s.end] == s.text


SENTENCES = [
    "全县晚稻收割进度已超过九成，预计总产量达到6.1万吨。",
    "社区食堂每天为周边居民提供早餐和午餐，其中对老人给予就餐补贴。",
    "该线路串联起火车站、中心医院和三所中学，高峰时段发车间隔缩短至6分钟。",
    "“今年雨水匀，稻子长得好。”种粮大户刘国强说。",
    "城区先后建成城市书房32家,把书架搬到了公园、地铁站和商场。",
]
TITLES = [
    "秋粮入仓颗粒归仓",
    "社区食堂开进老旧小区",
    "新能源公交线路开通",
    "让阅读成为城市的生活方式",
]


@st.composite
def built_pages(draw):
    """A page assembled from known articles, with column cuts after commas and furniture between."""
    markdown = draw(st.booleans())
    n = draw(st.integers(1, 4))
    blocks, expected = [], []
    for i in range(n):
        title = TITLES[i]
        paras = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4))
        lines_ = []
        for p in paras:
            cut = p.find("，") + 1 or p.find(",") + 1
            if cut and draw(st.booleans()):
                lines_ += [p[:cut], p[cut:]]  # a column break right after a comma
            else:
                lines_.append(p)
        lines_[0] = "本报讯 " + lines_[0]
        if i and draw(st.booleans()):
            blocks.append(draw(st.sampled_from(["今日导读\n\n>2版", "责任编辑：王芳", "贵阳新闻"])))
        if draw(st.booleans()):
            title_line = f"**{title}**"
        else:
            title_line = title  # (a converter's bold head reads as the same head unmarked)
        # (a lead story's title a level over the rest: the others read on the bare rules)
        marks = "#" if i == 0 and draw(st.booleans()) else "##"
        head = f"{marks} {title_line}" if markdown else title_line
        if markdown and draw(st.booleans()):
            # (a converter marks the deck as it marks the title: `## ——副题` under it)
            head += f"\n\n{marks} ——{TITLES[(i + 1) % len(TITLES)]}侧记"
        blocks.append("\n\n".join([head, *lines_, "（记者 陈晓）"]))
        expected.append((title, "\n".join(paras)))
    return "\n\n".join(blocks) + "\n", expected


@settings(max_examples=150, deadline=None)
@given(page=built_pages())
def test_split_recovers_built_pages(page):
    raw, expected = page
    arts = split_page(raw)
    assert_sound(raw, arts)
    assert [(a.title, a.text) for a in arts] == expected
    assert all((a.dateline, a.byline) == ("本报讯", "记者 陈晓") for a in arts)


def assert_accounted(raw: str) -> None:
    """Every non-whitespace character of the page sits in exactly one place: a title, kicker,
    subtitle, byline, dateline or body of one article, or the page's furniture."""
    page = read_page(raw)
    owner: dict[int, str] = {}

    def claim(i: int, where: str) -> None:
        assert i not in owner, (i, raw[i], owner[i], where)
        owner[i] = where

    # The one body character that is not the page's own: a "\n" between two lines a run of
    # block tags ended inside a line of HTML stands at the run's last `>`, the furniture's
    # (service.html_lines); it claims nothing.
    tag_ends = {s.end - 1 for s in page.furniture if s.text.endswith(">")}
    for n, (a, parts) in enumerate(zip(page.articles, page.parts, strict=True)):
        for i, c in zip(a.body.index.tolist(), a.body.text, strict=True):
            if c == "\n" and raw[i] == ">" and i in tag_ends:
                continue
            if not raw[i].isspace():
                claim(i, f"{n}.body")
        for name, spans in parts.items():
            for s in spans:
                assert raw[s.start : s.end] == s.text
                for i in range(s.start, s.end):
                    if not raw[i].isspace():
                        claim(i, f"{n}.{name}")
    for s in page.furniture:
        assert raw[s.start : s.end] == s.text
        for i in range(s.start, s.end):
            if not raw[i].isspace():
                claim(i, "furniture")
    blank = {i for i, c in enumerate(raw) if c in "\u200b\u200c\u200d\u2060\ufeff"}
    blank -= {i for a in page.articles for i in map(int, a.body.index)} | set(owner)
    for i in blank:  # a zero-width character left out stands on a line of them alone: blank
        line = raw[raw.rfind("\n", 0, i) + 1 : (raw.find("\n", i) + 1 or len(raw) + 1) - 1]
        assert not line.strip("\u200b\u200c\u200d\u2060\ufeff").strip(), (i, line)
    missing = [
        (i, c) for i, c in enumerate(raw) if not c.isspace() and i not in owner and i not in blank
    ]
    assert not missing, missing[:10]


def test_sample_page_accounts_for_every_character(sample_page):
    assert_accounted(sample_page)
    furniture = [s.text for s in read_page(sample_page).furniture]
    assert "今日导读" in furniture and "(下转3版)" in furniture and "##" in furniture


def test_a_heading_whose_space_was_dropped_reads_as_one_with_it():
    # Extracted text often loses the space after the marks: `##标题` is the `## 标题` heading
    # (title without the marks, `##` furniture), and the page splits as it would with it.
    body = "会议强调，要抓好项目建设和产业发展，推动经济高质量发展。会议还研究部署了重点工作。"
    spaced = f"## 贵阳市召开经济工作会议\n{body}\n\n## 多地高校开学迎新生\n各地高校迎来新生。\n"
    glued = spaced.replace("## ", "##")
    page = read_page(glued)
    assert [a.title for a in page.articles] == ["贵阳市召开经济工作会议", "多地高校开学迎新生"]
    assert [a.text for a in page.articles] == [a.text for a in read_page(spaced).articles]
    assert [s.text for s in page.furniture] == ["##", "##"]
    assert_accounted(glued)


STACKED = """人民日报 2020年1月5日 星期日 第4版

## 深化改革开放
## 推动高质量发展取得新成效

## ——访国家发展改革委主任

本报北京1月4日电（记者王浩）国家发展改革委主任近日接受本报记者专访时表示，今年将继续深化改革。

他说，要坚持稳中求进工作总基调。

## 全国春耕备耕有序展开
## ——农资供应充足

本报北京1月4日电（记者李晓）记者从农业农村部获悉，各地春耕备耕工作有序展开。
"""


@pytest.mark.parametrize("marks", ["## ", "# "])
def test_headings_stacked_with_no_text_between_are_one_head(marks):
    # Converters mark every line set in a head's fonts alike (MinerU: all `# `): kicker, title
    # and deck each a heading. Each opened an article of its own, the title's with no body
    # (`pages_eval --markup stacked` on the development months: 2,967 extra articles, the
    # title on its body 0.852).
    raw = STACKED.replace("## ", marks)
    arts = split_page(raw)
    assert [(a.kicker, a.title, a.subtitle) for a in arts] == [
        ("深化改革开放", "推动高质量发展取得新成效", "——访国家发展改革委主任"),
        ("", "全国春耕备耕有序展开", "——农资供应充足"),
    ]
    assert arts[0].text.startswith("国家发展改革委主任") and arts[0].dateline.startswith("本报北京")
    assert_accounted(raw)


def test_a_run_of_headings_longer_than_a_head_is_headings_apart():
    # Four headings with no text between are no one head (kicker, title, subtitle at most):
    # the fourth opens an article of its own; so does a heading under text.
    heads = "## 春风送暖\n## 深化改革开放\n## 推动高质量发展\n## 乡村振兴开新局\n\n"
    raw = heads + "本报讯 正文。\n\n## 另一篇\n\n本报讯 又一篇正文。\n"
    arts = split_page(raw)
    assert [a.title for a in arts] == ["深化改革开放", "乡村振兴开新局", "另一篇"]
    assert (arts[0].kicker, arts[0].subtitle, arts[0].text) == ("春风送暖", "推动高质量发展", "")
    assert_accounted(raw)


@pytest.mark.parametrize("name", ["plain-page.txt", "markdown-page.txt", "bare-page.txt"])
def test_heads_in_bold_read_as_they_would_unmarked(name):
    # Converters from PDF or HTML to markdown set heads in bold (`**标题**`, `## **标题**`): the
    # marks are furniture; the page splits as it does without them (bold is no head's sign:
    # subheads and captions are set in bold too). The marks were kept in the title, and bare
    # bold titles (`**标题**` over its kicker) lost their kickers on the development months.
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    plain = read_page(raw)
    heads = {a.title for a in plain.articles}
    bold = "**{}**"
    marked = "\n".join(
        bold.format(line)
        if line.removeprefix("## ") in heads and not line.startswith("## ")
        else "## " + bold.format(line[3:])
        if line[3:] in heads and line.startswith("## ")
        else line
        for line in raw.split("\n")
    )
    assert marked != raw
    page = read_page(marked)
    parts = [(a.kicker, a.title, a.subtitle, a.byline, a.text) for a in page.articles]
    assert parts == [(a.kicker, a.title, a.subtitle, a.byline, a.text) for a in plain.articles]
    assert [s.text for s in page.furniture].count("**") == 2 * len(heads)
    assert_accounted(marked)


def test_headings_under_the_titles_level_read_as_bare_lines():
    # Converters set a page's titles at one level and subheads, kickers and decks deeper (or a
    # lead story's title a level over the rest): a deeper heading reads on the bare page's rules.
    # Each opened an article of its own: subheads cut bodies in two, kickers were articles with
    # no body (2020-01 with `### ` subheads under `## ` titles: bodies whole 0.987 -> 0.748).
    dated = "本报北京1月2日电  记者王伟报道：今天，农业农村部召开会议，部署今年工作。"
    raw = (
        "# 人民日报 2020年1月3日 星期五 第4版\n"  # a header at the top level: furniture
        f"### 坚持稳中求进\n## 全面推进乡村振兴\n### ——写在新春之际\n{dated}\n"
        "### 稳中求进，确保谷物基本自给\n今年要继续稳定粮食播种面积，确保产量稳定。\n"
        "## 加快建设现代化教育体系\n本报北京1月2日电  教育部今天发布通知，要求各地加快建设。\n"
    )
    page = read_page(raw)
    assert [(a.kicker, a.title, a.subtitle) for a in page.articles] == [
        ("坚持稳中求进", "全面推进乡村振兴", "——写在新春之际"),
        ("", "加快建设现代化教育体系", ""),
    ]
    assert page.articles[0].text.split("\n")[1] == "稳中求进，确保谷物基本自给"
    assert [s.text for s in page.furniture].count("###") == 3
    assert_accounted(raw)


def test_a_lead_story_a_level_over_the_rest_splits_as_one_level():
    raw = (FIXTURES / "markdown-page.txt").read_text(encoding="utf-8")
    at = raw.find("## ") + 3
    plain = [(a.kicker, a.title, a.subtitle, a.byline, a.text) for a in read_page(raw).articles]
    for mixed in (raw.replace("## ", "# ", 1), raw[:at] + raw[at:].replace("## ", "### ")):
        page = read_page(mixed)
        assert [(a.kicker, a.title, a.subtitle, a.byline, a.text) for a in page.articles] == plain
        assert_accounted(mixed)


_LEAD = "# 全面推进乡村振兴\n本报北京1月2日电  记者王伟报道：今天，农业农村部召开会议，部署工作。\n"
_PIECE = (
    "## {}\n乡村要振兴，产业是关键。各地发展特色产业，群众的日子越过越好。"
    "这说明，只有把产业做实，才能让老乡增收。\n"
)


@pytest.mark.parametrize(
    "raw",
    [
        # one title under the lead stands over a dateline: its level is the titles'
        _LEAD
        + _PIECE.format("让老乡的钱袋子鼓起来")
        + "## 加快建设现代化教育体系\n本报北京1月2日电  教育部今天发布通知，要求各地加快建设。\n",
        # or over its ——subtitle, set a level deeper: a section has none
        _LEAD
        + _PIECE.format("让老乡的钱袋子鼓起来")
        + _PIECE.format("把好事办到群众心坎上").replace("\n", "\n### ——写在新春之际\n", 1),
    ],
)
def test_titles_a_level_under_a_lone_lead_open_their_articles(raw):
    # A converter sets the lead story's title a level over the rest (`# ` / `## `). Read bare,
    # as headings deeper than the page's shallowest are, a title over a text with no dateline
    # or credit was glued to the article above: on the development months with a converter's
    # markup, titles 0.974, bodies 0.954, where plain `## ` pages read 1.000 / 0.985.
    titles = [a.title for a in read_page(raw).articles]
    assert titles == re.findall(r"^#{1,2} (.+)$", raw, re.M)
    assert_accounted(raw)


def test_sections_under_an_article_title_stay_in_its_body():
    # One article, its title over its sections (`# 标题` / `## 一、…`): no heading under the
    # title stands over a dateline, a credit or a ——subtitle. A page header says nothing more.
    raw = "人民日报 2020年1月3日 星期五 第4版\n" + (
        "# 全面推进乡村振兴\n乡村要振兴，产业是关键。各地因地制宜发展特色产业。\n"
        "## 稳定粮食生产\n今年要继续稳定粮食播种面积，确保产量稳定。\n"
        "## 发展特色产业\n各地要因地制宜，发展特色产业，带动群众增收。\n"
    )
    (art,) = read_page(raw).articles
    assert art.title == "全面推进乡村振兴"
    assert art.text.split("\n")[1::2] == ["稳定粮食生产", "发展特色产业"]
    assert_accounted(raw)


def test_lines_of_markup_alone_are_furniture(sample_page):
    # A converter's image links, HTML tags and thematic breaks, each on a line of its own, say
    # nothing of the articles: furniture. They were glued into bodies (…基本盘。![](…)) and read
    # as subtitles.
    lines_ = sample_page.split("\n")
    markup = [
        "![](images/p4_1.jpg)",
        "<br/>",
        "![图](a.png) ![](b.png)",
        "---",
        "</p>",
        "|---|:-:|",
    ]
    marked = "\n".join(
        line + ("\n" + markup[i % len(markup)] if line.startswith("## ") or i % 7 == 3 else "")
        for i, line in enumerate(lines_)
    )
    plain = read_page(sample_page)
    page = read_page(marked)
    parts = [(a.kicker, a.title, a.subtitle, a.byline, a.text) for a in page.articles]
    assert parts == [(a.kicker, a.title, a.subtitle, a.byline, a.text) for a in plain.articles]
    furniture = [s.text for s in page.furniture]
    assert sum(line in markup for line in furniture) == marked.count("\n") - sample_page.count("\n")
    assert_accounted(marked)


def test_bold_inside_a_line_is_text():
    body = "会议强调，要**抓好项目建设**和产业发展，推动经济高质量发展。"
    (art,) = read_page(f"## 贵阳市召开经济工作会议\n{body}\n").articles
    assert art.text == body


def _parts(page):
    return [(a.kicker, a.title, a.subtitle, a.byline, a.dateline, a.text) for a in page.articles]


@pytest.mark.parametrize("close", [" ##", " #", " {#sec-2}", " {#id .unnumbered}", " ## {#h2}"])
def test_a_heading_s_closing_marks_and_attributes_are_furniture(close):
    # An ATX heading may close on a run of marks (`## 标题 ##`: CommonMark's closing sequence),
    # and pandoc writes an id read from the HTML after it (`## 标题 {#sec-2}`). Neither is
    # the title's: they were kept in it (`标题 {#sec-2}`) and a `### ` deck closing so too.
    raw = (FIXTURES / "markdown-page.txt").read_text(encoding="utf-8")
    marked = re.sub(r"^(#{2,3} .+)$", lambda m: m.group(1) + close, raw, flags=re.M)
    assert marked != raw
    page = read_page(marked)
    assert _parts(page) == _parts(read_page(raw))
    assert_accounted(marked)


@pytest.mark.parametrize("name", ["bare-page.txt", "plain-page.txt"])
def test_a_setext_underline_is_furniture(name):
    # pandoc writes a level-1 heading as its text over a line of `=` (setext); level 2 over
    # `---`. The `=` line was read as the title, its heading as the kicker (`=====…` titled
    # four of seven articles). (Since stop 49 the line over it is a `# ` heading: a bare page's
    # titles so marked read as they do bare.)
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    heads = {a.title for a in read_page(raw).articles}
    marked = "\n".join(
        line + "\n" + "=" * 2 * len(line) if line in heads else line for line in raw.split("\n")
    )
    assert marked != raw
    page = read_page(marked)
    assert _parts(page) == _parts(read_page(raw))
    assert sum(set(s.text) == {"="} for s in page.furniture) == marked.count("==\n")
    assert_accounted(marked)


def _setext(raw: str) -> str:
    """`raw` with its `# ` and `## ` headings written as setext ones (`标题` over `===` / `---`)."""
    under = {1: "=", 2: "-"}
    return re.sub(r"^(#{1,2}) (.+)$", lambda m: f"{m[2]}\n{under[len(m[1])] * 8}", raw, flags=re.M)


@pytest.mark.parametrize(
    "raw",
    [
        (FIXTURES / "markdown-page.txt").read_text(encoding="utf-8"),
        # a lone lead's `# ` title over `## ` titles standing over their datelines
        (FIXTURES / "markdown-page.txt").read_text(encoding="utf-8").replace("## ", "# ", 1),
        # the lead over sections of one article: the next level is read bare
        "人民日报 2020年1月3日 星期五 第4版\n\n# 全面推进乡村振兴\n\n乡村要振兴，产业是关键。\n\n"
        "## 稳定粮食生产\n\n今年要继续稳定粮食播种面积。\n\n"
        "## 发展特色产业\n\n各地要发展特色产业。\n",
    ],
)
def test_a_setext_heading_reads_as_the_atx_heading_it_is(raw):
    # pandoc writes level-1 and level-2 headings as their text over a line of `=` or `-`
    # (setext). The underline was furniture and its title read as a bare line: a title over
    # no dateline or credit was glued to the article above (2 of 3 on the first page).
    marked = _setext(raw)
    assert marked != raw
    page = read_page(marked)
    assert _parts(page) == _parts(read_page(raw))
    underlines = [s.text for s in page.furniture if set(s.text) <= set("=-")]
    assert len(underlines) == len(re.findall(r"^#{1,2} ", raw, re.M))
    assert_accounted(marked)


def test_a_rule_apart_or_under_running_text_is_no_setext_underline(sample_page):
    # `---` is a thematic break where a blank line stands over it, or under running text (a
    # converter that drops the blank line around a rule).
    paragraph = next(line for line in sample_page.split("\n") if line.endswith("。"))
    for rule in ("\n\n---\n", "\n---\n", "\n***\n"):
        page = read_page(sample_page.replace(paragraph, paragraph + rule, 1))
        assert _parts(page) == _parts(read_page(sample_page))


_INSERTED = {
    "footnote": ("，", "[^1]，", "[^1]"),
    "sup": ("，", "<sup>1</sup>，", "<sup>1</sup>"),
    "emphasis": ("，", "，*市农业农村局*", "*"),
    "escape": ("，", "，\\*", "\\"),
    "image": ("，", "，![图为育秧现场](images/p4_1.jpg)", "![图为育秧现场](images/p4_1.jpg)"),
}


@pytest.mark.parametrize("name", sorted(_INSERTED))
def test_marks_inside_a_line_are_furniture(name):
    # Converters leave marks inside a paragraph: footnote marks, emphasis in single marks,
    # pandoc's backslash escapes, a picture set in the text. They stayed in the bodies; now
    # they are furniture and the page reads as it would without them.
    raw = (FIXTURES / "bare-page.txt").read_text(encoding="utf-8")
    at, put, mark = _INSERTED[name]
    marked = "\n".join(
        line.replace(at, put, 1) if len(line) > 30 else line for line in raw.split("\n")
    )
    n = marked.count(put)
    assert n >= 5
    page = read_page(marked)
    assert _parts(page) == _parts(read_page(marked.replace(put, put.replace(mark, ""))))
    assert [s.text for s in page.furniture].count(mark) == n * put.count(mark)
    assert_accounted(marked)


def test_a_footnote_s_note_reads_on_and_its_marks_are_furniture():
    # A note's mark in a title, in a paragraph and closing one (`<sup>1</sup>` at the line's
    # end, whose `</sup>` a line's closing tags took), and the note's line (`[^1]: …`).
    raw = (FIXTURES / "markdown-page.txt").read_text(encoding="utf-8")
    note = "\n\n[^1]: 注：人才公寓租金按市场价的六折收取。\n"
    marked = (
        raw.replace("正式交付，", "正式交付[^1]，", 1)
        .replace("人才公寓 交付", "人才公寓[^2] 交付", 1)
        .replace("拎包入住。", "拎包入住。<sup>2</sup>", 1)
        + note
    )
    page = read_page(marked)
    assert _parts(page) == _parts(read_page(raw + note.replace("[^1]:", "")))
    assert page.articles[-1].text.endswith("注：人才公寓租金按市场价的六折收取。")
    marks = [s.text for s in page.furniture]
    assert {"[^1]", "[^2]", "<sup>2</sup>", "[^1]:"} <= set(marks) and "</sup>" not in marks
    assert_accounted(marked)


def test_ascii_stars_underscores_exponents_and_an_escaped_heading_stay_text():
    body = (
        "面积100m<sup>2</sup>，增长10<sup>5</sup>倍，算式2*3*4，"
        "变量snake_case_name，a*中文*b，这是_重点_内容。"
    )
    page = read_page(f"## 贵阳市召开经济工作会议\n{body}\n\\#话题 今日开幕\n")
    (art,) = page.articles
    assert art.text == body + "\n\\#话题 今日开幕"
    assert [s.text for s in page.furniture] == ["##"]


def test_front_matter_opening_the_page_is_furniture(sample_page):
    # pandoc -s and static-site tools open a markdown file with YAML front matter between `---`
    # lines: the converter's, not the page's. Its lines were read as the first article's kicker.
    front = '---\ntitle: "人民日报 第13版"\ndate: 2019-10-14\ntags:\n  - 要闻\n---\n\n'
    page = read_page(front + sample_page)
    assert _parts(page) == _parts(read_page(sample_page))
    assert {"date: 2019-10-14", "- 要闻"} <= {s.text for s in page.furniture}
    assert_accounted(front + sample_page)


def test_a_block_quotes_marks_are_furniture(sample_page):
    # Converters set an editor's note or a quotation as a block quote (`> 编者按：…`, `> > …`,
    # `>` alone between its paragraphs): the marks stayed in the body (i163). A digest's teaser
    # `>6版` has no space after its mark and stays the digest's.
    lines_ = sample_page.split("\n")
    marked = "\n".join(
        ("> > " if i % 5 == 0 else "> ") + line if line and not line.startswith("## ") else line
        for i, line in enumerate(lines_)
    )
    marked = marked.replace("\n\n", "\n>\n", 3)
    page = read_page(marked)
    assert _parts(page) == _parts(read_page(sample_page))
    assert not any(">" in a.text for a in page.articles)
    assert_accounted(marked)
    teaser = read_page("今日导读\n守护长江清且美\n>6版\n" + sample_page)
    assert ">6版" in {s.text for s in teaser.furniture}


@pytest.mark.parametrize(
    "tags", [("<p>", "</p>"), ("<p><strong>", "</strong></p>"), ("<h2>", "</h2>")]
)
def test_html_tags_around_a_whole_line_are_furniture(tags):
    # Text taken from HTML keeps the tags around each line (`<p>…</p>`, `<h2>标题</h2>`): they
    # say nothing of the articles, as a line of tags alone does not. They were kept in titles
    # and bodies. (A heading's tag is no heading: the line reads bare, as bold does.)
    raw = (FIXTURES / "bare-page.txt").read_text(encoding="utf-8")
    marked = "\n".join(tags[0] + line + tags[1] if line else line for line in raw.split("\n"))
    page = read_page(marked)
    assert _parts(page) == _parts(read_page(raw))
    assert_accounted(marked)


@pytest.mark.parametrize("mark", ["\u200b", "\u200b \u2060", "\ufeff"])
def test_a_line_of_zero_width_characters_alone_is_blank(sample_page, mark):
    # Text taken from the web may hold a zero-width space (or joiner, or BOM) on a blank line:
    # it was a line of its own, read as the articles' kicker and subtitle ('\u200b').
    plain = read_page(sample_page)
    page = read_page(sample_page.replace("\n\n", f"\n{mark}\n"))
    assert [(a.kicker, a.title, a.subtitle, a.text) for a in page.articles] == [
        (a.kicker, a.title, a.subtitle, a.text) for a in plain.articles
    ]
    assert_accounted(sample_page.replace("\n\n", f"\n{mark}\n"))


@pytest.mark.parametrize("space", ["\u00a0", "\u2002", "\u3000\u00a0"])
def test_a_heading_with_a_no_break_space_reads_as_one_with_a_space(sample_page, space):
    # Text taken from HTML keeps `&nbsp;` as U+00A0: `##\u00a0标题` is the `## 标题` heading.
    # It was read as a bare line titled "##\u00a0标题", and the heads around it moved.
    spaced = read_page(sample_page)
    page = read_page(sample_page.replace("## ", "##" + space))
    assert [(a.kicker, a.title, a.text) for a in page.articles] == [
        (a.kicker, a.title, a.text) for a in spaced.articles
    ]
    assert [s.text for s in page.furniture].count("##") == 4


@pytest.mark.parametrize("name", ["plain-page.txt", "markdown-page.txt", "bare-page.txt"])
def test_fixture_pages_account_for_every_character(name):
    assert_accounted((FIXTURES / name).read_text(encoding="utf-8"))


@settings(max_examples=300, deadline=None)
@given(raw=PAGES)
def test_nothing_is_lost_on_any_text(raw):
    assert_accounted(raw)


@settings(max_examples=150, deadline=None)
@given(page=built_pages())
def test_nothing_is_lost_on_built_pages(page):
    assert_accounted(page[0])


def test_bare_page_heads_subheads_boxes_and_furniture():
    raw = (FIXTURES / "bare-page.txt").read_text(encoding="utf-8")
    page = read_page(raw)
    arts = page.articles
    assert_sound(raw, arts)
    assert [(a.kicker, a.title, a.subtitle) for a in arts] == [
        ("春耕备耕正当时", "全市早稻集中育秧进度过半", ""),
        ("", "让阅读成为城市的生活方式", "——三论建设书香城东"),
        ("", "社区食堂开进老旧小区（民生观察）", ""),
    ]
    assert [(a.byline, a.dateline, a.continues) for a in arts] == [
        ("本报记者 陈晓", "", ""),
        ("本报评论员", "", ""),
        ("", "", "6版"),
    ]
    first = arts[0].text
    # A subhead and its deck stay paragraphs of their own; the ■ box stays in the body.
    assert "\n稳面积，确保口粮绝对安全\n育秧工厂一天能出秧盘两万张\n" in first
    assert "\n■记者手记\n田间地头的新变化\n过去靠天吃饭" in first
    assert "比上年增加12个" in first  # a column break repaired where the text reads on
    assert "——三论" not in arts[1].text and "作者为" not in arts[1].text
    assert arts[2].text.endswith("行动不便的老人。")
    assert [s.text for s in page.furniture] == [
        "城东日报 2024年3月12日 星期二 第4版",
        "（下转第6版）",
        "本版责编：王芳\u3000李明\u3000版式设计：赵宁",
    ]


def test_short_lines_over_the_pages_credits_close_the_article_above_them():
    # (the last article's closing line and signature sit right over the page's credits)
    raw = (
        "城东日报 2024年3月12日 星期二 第4版\n"
        "社区食堂开进老旧小区（民生观察）\n"
        "本报讯 城东区第一家社区食堂昨天开张，首日接待老人三百余人次，"
        "老人们说饭菜可口、价钱实惠，子女上班也放心了。\n"
        "食堂好，日子更好！\n"
        "城东区老龄办\n"
        "本版责编：王芳\u3000版式设计：赵宁\n"
    )
    page = read_page(raw)
    assert [a.title for a in page.articles] == ["社区食堂开进老旧小区（民生观察）"]
    assert page.articles[0].text.endswith("食堂好，日子更好！\n城东区老龄办")
    assert [s.text for s in page.furniture][-1] == "本版责编：王芳\u3000版式设计：赵宁"


def test_a_line_cut_off_the_paragraph_above_is_not_a_head():
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。退休教师王芳每天都来，"
        "她说这里安静、明亮，书也多，和我年纪差不多\n"
        "的老朋友也常来，大家一起读书哩！”\n"
        "社区食堂开进老旧小区\n"
        "本报讯 城东区第一家社区食堂昨天开张，首日接待老人三百余人次。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "城东书房开门迎客"),
        ("", "社区食堂开进老旧小区"),
    ]
    assert "和我年纪差不多的老朋友也常来" in arts[0].text
    assert_accounted(raw)


def test_a_closing_note_cut_over_two_lines_closes_its_article():
    # The note that ends an opinion piece, cut by the column; the next story has no dateline.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。书房里的书都是居民捐的，"
        "一本本贴好了标签，按类别摆上书架，借阅全凭自觉。\n"
        "（作者为城东区图书馆馆员、社区读书会召\n"
        "集人）\n"
        "老街菜市场换新颜\n"
        "老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖，顶棚换成了透光板，"
        "摊主们说进货出货都方便了不少，周边居民买菜也更舒心了。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客", "老街菜市场换新颜"]
    assert arts[0].text.endswith("读书会召集人）")
    assert arts[1].text.startswith("老街菜市场改造完工")
    assert_accounted(raw)


@pytest.mark.parametrize(
    "note",
    [
        "（作者为中央党校（国家行政学院）社区治理研究中心研究员）",
        "（综合本报记者王芳、李明报道）",
    ],
)
def test_a_closing_note_naming_a_body_in_brackets_closes_its_article(note):
    # A note wholly in brackets may name a body in brackets of its own; a 综合 note closes too.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。书房里的书都是居民捐的，"
        "一本本贴好了标签，按类别摆上书架，借阅全凭自觉。\n"
        f"{note}\n"
        "老街菜市场换新颜\n"
        "老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖，顶棚换成了透光板，"
        "摊主们说进货出货都方便了不少，周边居民买菜也更舒心了。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客", "老街菜市场换新颜"]
    assert arts[1].text.startswith("老街菜市场改造完工")
    assert_accounted(raw)


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("董必武：中国共产党的创始人之一（为了民族复兴·英雄烈士谱）", True),
        ("古厝人家新时光（70年，共同走过·大国小家）", True),
        ("中国太平：立足大湾区 迈向全球化（中国品牌 中国故事）", True),
        ("共同推进网络空间全球治理（钟声）", True),
        ("写信人：李光洁（演员）", False),
        ("收信人：张定宇（武汉市金银潭医院党委副书记、院长）", False),
        ("摄影：陈广程  李远波（影像中国）", False),
        ("铁  凝（中国作协主席）", False),
    ],
)
def test_a_column_label_in_parts_is_a_label_whatever_stands_before_it(line, label):
    # The head score's column_label: a label set in parts (· or a space) is no role, even
    # after a colon or with a comma inside; a name with its role stays none.
    from service.heads import closes_on_label

    assert closes_on_label(line) is label


def test_an_introduction_label_under_a_head_opens_its_body():
    # 引子 is a body label (as 导语), not a writer's bare name under the head.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。书房里的书都是居民捐的，"
        "一本本贴好了标签，按类别摆上书架，借阅全凭自觉。\n"
        "石家庄岗上村37年书写211册《功德录》\n"
        "传颂好人好事 树立新风正气（人民眼·乡村善治）\n"
        "引子\n"
        "在岗上村，“好事抢着做，好人特别吃香”。村里的功德录记了三十七年。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts][1] == "传颂好人好事 树立新风正气（人民眼·乡村善治）"
    assert arts[1].kicker == "石家庄岗上村37年书写211册《功德录》"
    assert arts[1].text.startswith("引子")
    assert_accounted(raw)


def test_a_column_label_closes_a_title_that_exclaims():
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。书房里的书都是居民捐的，"
        "一本本贴好了标签，按类别摆上书架，借阅全凭自觉。\n"
        "目的地，湖北！（记录中国）\n"
        "各地的医疗队陆续出发，带着防护物资和设备，连夜赶往湖北各地的定点医院，"
        "队员们说，早一天到，就能早一天帮上忙。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客", "目的地，湖北！（记录中国）"]
    assert_accounted(raw)


def test_the_head_score_skips_only_overlaps_that_cannot_turn_it(monkeypatch):
    """The head score leaves out its bigram overlaps when they cannot change the decision;
    with every feature computed (as when fitting, heads.LOG set) each page splits the same."""
    import random

    import service.heads as heads
    from service.pages import _read
    from training.pages_eval import render

    pages = [
        (FIXTURES / n).read_text(encoding="utf-8") for n in ("bare-page.txt", "plain-page.txt")
    ]
    rows = [json.loads(line) for line in (FIXTURES / "page-articles.jsonl").open(encoding="utf-8")]
    for seed in range(20):  # the fixture articles as one page, furniture and column cuts added
        pages.append(render(rows, random.Random(seed), markdown=False).text)
    quick = [[(a.title, a.text) for a in _read.__wrapped__(p).articles] for p in pages]
    monkeypatch.setattr(heads, "LOG", [])
    full = [[(a.title, a.text) for a in _read.__wrapped__(p).articles] for p in pages]
    assert full == quick
    assert heads.LOG  # the fixtures do reach the score


def test_the_head_score_s_reach_sums_each_sign_of_the_unknown_weights():
    # heads._reach, summed in a loop: what the features still unknown (each in [0, 1]) can add
    # at least and at most, as the sums of min(w, 0) and max(w, 0) give it.
    import random

    import service.heads as heads

    rng = random.Random(110)
    for _ in range(2000):
        weights = tuple(
            rng.choice([-4.868, 1.323, 0.0, -0.0, rng.uniform(-20, 20)])
            for _ in range(rng.randint(0, 6))
        )
        low, high = heads._reach(weights)
        assert low == sum(min(w, 0.0) for w in weights)
        assert high == sum(max(w, 0.0) for w in weights)
    assert heads._reach(()) == (0.0, 0.0) and heads._reach((-1.5, 2.0)) == (-1.5, 2.0)


def test_pieces_under_one_heading_are_one_article():
    # A composite item: a heading, then pieces each with its writer's name under its head;
    # the story after it opens with a dateline and is an article of its own.
    raw = (
        "老城新生活\n"
        "餐餐好滋味\n"
        "本报记者  陈  晓\n"
        "距离开饭还有半个小时，社区食堂里已经坐满了老人，窗口前排起了队，大家说说笑笑。\n"
        "健身花样多\n"
        "本报记者  王  芳\n"
        "在城东公园，不分酷暑寒冬，老人们总是准时出现在广场上，打拳、跳舞、踢毽子。\n"
        "家门口养老\n"
        "李\u3000\u3000明（城东区民政局局长）\n"
        "社区养老服务中心宽敞明亮，子女上下班路过也能顺道看望，老人们都说方便。\n"
        "老街菜市场换新颜\n"
        "本报城东3月12日电  老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [("", "老城新生活"), ("", "老街菜市场换新颜")]
    body = arts[0].text
    assert body.startswith("餐餐好滋味\n")
    assert "\n健身花样多\n本报记者  王  芳\n" in body
    assert "\n家门口养老\n李\u3000\u3000明（城东区民政局局长）\n" in body
    assert_accounted(raw)


def test_pieces_with_two_line_heads_under_one_heading_are_one_article():
    # Each piece's head a kicker closing on a lead-in dash over its title: the item's heading
    # is the title (no title closes on a dash), the pieces its body.
    raw = (
        "礼赞新中国\n"
        "上海中共一大会址——\n"
        "重温入党誓词 追忆光辉历史\n"
        "本报记者  陈  晓\n"
        "一面看上去鲜红依旧的五星红旗，是70年前上海市民怀着喜悦心情上街抢购并珍藏下来的。\n"
        "江西井冈山——\n"
        "红色旅游兴起 迎来发展机遇\n"
        "本报记者  王  芳\n"
        "车入江西吉安井冈山茨坪村，迎风飘扬的五星红旗、喜迎国庆的红灯笼扑面而来，一片火红。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [("", "礼赞新中国")]
    # (a line closing on a dash reads on into the next when the body is cleaned)
    assert arts[0].text.startswith("上海中共一大会址——重温入党誓词 追忆光辉历史\n")
    assert "\n江西井冈山——红色旅游兴起 迎来发展机遇\n本报记者  王  芳\n" in arts[0].text
    assert_accounted(raw)


def test_pieces_under_an_items_introduction_are_its_article():
    # An item's heading over its introduction (an editor's note signed ——编者, or a short
    # text with no credit) and then its pieces: the pieces are the item's, not articles.
    pieces = (
        "老街菜市场换新颜\n"
        "本报记者  陈  晓\n"
        "老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖，老人们都说买菜方便了。\n"
        "社区食堂开张了\n"
        "本报记者  王  芳\n"
        "距离开饭还有半个小时，社区食堂里已经坐满了老人，窗口前排起了队，大家说说笑笑。\n"
    )
    for intro in (
        "城东的变化，就在老百姓的身边。本报记者走进社区，记录下这些变化。\n——编\u3000者\n",
        "城东的变化，就在老百姓的身边。本报记者走进社区，记录下这些变化。\n",
    ):
        raw = "老城新生活（走基层）\n" + intro + pieces
        arts = split_page(raw)
        assert [a.title for a in arts] == ["老城新生活（走基层）"]
        assert "\n老街菜市场换新颜\n本报记者  陈  晓\n" in arts[0].text
        assert "\n社区食堂开张了\n本报记者  王  芳\n" in arts[0].text
        assert_accounted(raw)
    # A single piece under a short text with no note is no item: two articles
    raw = "老城新生活（走基层）\n" + intro + pieces.split("社区食堂")[0]
    assert len(split_page(raw)) == 2


def test_a_piece_after_an_article_holding_one_named_alike_goes_on_with_its_item():
    # The item's heading over its first piece (kept in its body, under the item's text): a
    # later piece named alike that the head score opened goes on with the item.
    from service.composite import merge_pieces
    from service.documents import Span
    from service.drafts import Draft

    def draft(title: str, lines: list[tuple[str, str]]) -> Draft:
        d = Draft([Span(0, len(title), title)], [], [])
        for text, kind in lines:
            d.add(Span(0, len(text), text), kind)
        return d

    text = "老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖，老人们都说买菜方便了。"
    item = draft(
        "城乡变化见证美好生活（大家谈）",
        [("城东的变化，就在老百姓身边。", PARA), ("菜市场换新颜", SHORT),
         ("本报记者  陈  晓", BYLINE_START), (text, PARA)],
    )  # fmt: skip
    piece = draft("博物馆有了二维码", [("本报记者  王  芳", BYLINE_START), (text, PARA)])
    assert merge_pieces([item, piece]) == [item]
    assert [s.text for s in item.body[-3:-1]] == ["博物馆有了二维码", "本报记者  王  芳"]
    # an article holding no piece is left alone
    plain = draft("城乡变化见证美好生活", [("城东的变化，就在老百姓身边。", PARA), (text, PARA)])
    piece = draft("博物馆有了二维码", [("本报记者  王  芳", BYLINE_START), (text, PARA)])
    assert len(merge_pieces([plain, piece])) == 2


def test_name_lines_of_pieces():
    from service.composite import is_name_line

    assert is_name_line("铁  凝（中国作协主席）")
    assert is_name_line("（墨西哥）亚历杭德罗·马西亚斯")
    assert is_name_line("何建明（中国作协副主席）")
    assert is_name_line("（法国）让—马里·莱恩")  # (head_parts.WRITER: a name with a dash)
    assert not is_name_line("共同推进网络空间全球治理（钟声）")
    assert not is_name_line("餐餐好滋味")


def test_more_forms_of_a_piece_join_its_item():
    # Writers set apart by single spaces under a piece's head; a piece read upside down (its
    # head as the kicker over its writer's line as the title); testimonies each under a
    # lead-in kicker (Name——) after an item opening with one. A lone upside-down draft, and
    # a lead-in after a body not opening with one, are left alone.
    from service.composite import merge_pieces
    from service.documents import Span
    from service.drafts import Draft

    def draft(title, lines, kicker=(), subtitle=()):
        span = lambda t: Span(0, len(t), t)  # noqa: E731
        d = Draft([span(title)], [span(t) for t in kicker], [span(t) for t in subtitle])
        for text, kind in lines:
            d.add(span(text), kind)
        return d

    text = [("老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖，老人们都说买菜方便了。", PARA)]
    first = draft("餐餐好滋味", text, subtitle=["王伟健\xa0蔡铭越"])
    second = draft("健身花样多", text, subtitle=["靳\xa0博\xa0马\xa0坤"])
    upside = draft("天蚕土豆（网络作家）", text, kicker=["以真善美鼓舞读者"])
    assert merge_pieces([first, second, upside]) == [first]
    lone = draft("天蚕土豆（网络作家）", text, kicker=["以真善美鼓舞读者"])
    assert merge_pieces([lone])[0].kicker[0].text == "以真善美鼓舞读者"
    label = draft("健身花样多", text, subtitle=["贺\xa0信"])
    assert len(merge_pieces([draft("餐餐好滋味", text, subtitle=["王伟健\xa0蔡铭越"]), label])) == 2

    opened = [("仪仗方队擎旗手郭凤通——", SHORT), ("手中的旗杆重千钧", SHORT), *text]
    item = draft("走过天安门，我们无比自豪", opened)
    led = draft("不辜负英雄集体的荣誉", text, kicker=["“黄继光班”第三十八任班长程强——"])
    assert merge_pieces([item, led]) == [item]
    assert item.title[0].text == "走过天安门，我们无比自豪"
    plain = draft("走过天安门，我们无比自豪", text + opened)
    led = draft("不辜负英雄集体的荣誉", text, kicker=["“黄继光班”第三十八任班长程强——"])
    assert len(merge_pieces([plain, led])) == 2


@pytest.mark.parametrize(
    "name",
    ["（陈\u3000\u3000晓）", "（丁怡婷\xa0\xa0倪\xa0\xa0弋）"],  # one writer, or two
)
def test_a_name_in_brackets_closes_the_brief_above(name):
    raw = (
        "城东书房开门迎客\n"
        "本报电  周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。\n"
        f"{name}\n"
        "老街菜市场换新颜\n"
        "本报电  老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖。\n"
        "（王芳）\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "城东书房开门迎客"),
        ("", "老街菜市场换新颜"),
    ]
    assert arts[0].text.endswith(name)
    assert_accounted(raw)


@pytest.mark.parametrize(
    ("cut", "title"),
    [
        ("（本报开罗1\n月13日电）", "老街菜市场换新颜"),  # a closing note cut by the column
        ("（作者为城东区图书馆馆员，本报记者王\n芳采访整理）", "老街菜市场换新颜"),
        ("——编\u3000者", "老街菜市场换新颜"),  # the signature closing an editor's note
        ("（相关报道见第十二版）", "老街菜市场换新颜"),  # a note wholly in brackets
        ("带动更多人走进书房。”", "老街菜市场换新颜"),  # closing a quote opened above
        ("数据来源：城东区文化馆", "老街菜市场换新颜"),  # a chart's source
    ],
)
def test_lines_that_end_the_text_above_never_head_the_next(cut, title):
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        f"{cut}\n"
        f"{title}\n"
        "本报讯  老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖，顶棚换成了透光板。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [("", "城东书房开门迎客"), ("", title)]
    assert cut.split("\n")[-1] in arts[0].text + arts[0].byline
    assert_accounted(raw)


def test_a_closing_dateline_cut_inside_its_brackets_closes_its_article():
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "（本报开罗1\n"
        "月13日电）\n"
        "老街菜市场换新颜\n"
        "老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖，顶棚换成了透光板，"
        "摊主们说进货出货都方便了不少，周边居民买菜也更舒心了。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客", "老街菜市场换新颜"]
    assert_accounted(raw)


def test_head_score_sees_a_place_kicker_and_a_short_subhead_pair():
    import service.heads as heads
    from service.documents import Span
    from service.drafts import Draft

    cur = Draft([Span(0, 4, "城东书房")], [], [])
    cur.add(Span(5, 40, "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。"), PARA)
    below = [(Span(60, 90, "老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖。"), PARA, "")]

    def feats(upper, lower):
        run = [Span(41, 41 + len(upper), upper), Span(50, 50 + len(lower), lower)]
        x = heads.features(cur, run, below, 0)
        return dict(zip(heads.FEATURES, x, strict=True))

    place = feats("重庆垫江县", "干部帮忙 农资到家")
    assert place["place_kicker"] == 1.0 and place["short_pair"] == 1.0
    pair = feats("开发公益岗位", "保障大龄人员就业")
    assert pair["place_kicker"] == 0.0 and pair["short_pair"] == 1.0
    long = feats("湖北丹江口市", "人人都是“护水员”，库区护水队伍不断壮大起来")
    assert long["place_kicker"] == 1.0 and long["short_pair"] == 0.0


def test_a_column_of_briefs_is_one_article():
    raw = (
        "城东书房开门迎客\n"
        "本报讯  周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。\n"
        "（陈\u3000\u3000晓）\n"
        "新闻速递\n"
        "科技馆基金会颁奖\n"
        "本报电  城东科技馆发展基金会年度颁奖典礼日前举行，十位科普工作者获奖。\n"
        "（喻思南）\n"
        "专利药在美获批上市\n"
        "本报电  日前，城东一家药企自主研发的降压专利药在美国获批上市。\n"
        "（徐运平）\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "城东书房开门迎客"),
        ("", "新闻速递"),
    ]
    body = arts[1].text
    assert body.startswith("科技馆基金会颁奖\n") and "\n专利药在美获批上市\n" in body
    assert_accounted(raw)


def test_a_column_of_undated_briefs_under_its_name_is_one_article():
    # Briefs sourced without a date (本报电, （据新华社悉尼电）) under a column's name, with no
    # writer's name closing them; a dated report after them is an article of its own.
    raw = (
        "城东书房开门迎客\n"
        "本报北京2月4日电  周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。\n"
        "（记者 陈晓）\n"
        "微阅读\n"
        "研究显示高山植被有增加趋势\n"
        "英国一所大学日前发布研究说，高山冰缘植物覆盖的面积都出现了一定增长。\n"
        "（据新华社伦敦电）\n"
        "澳大利亚经历最干旱的一年\n"
        "澳大利亚气象局近日发布报告说，去年是当地有记录以来降雨量最少的一年。\n"
        "（据新华社悉尼电）\n"
        "轻工企业加紧生产消毒产品\n"
        "本报电  记者日前从中国轻工业联合会获悉，多家企业加班加点复工生产。\n"
        "老街菜市场换新颜\n"
        "本报上海2月4日电  老街菜市场改造完工，摊位重新排布，地面铺上了防滑砖。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "城东书房开门迎客"),
        ("", "微阅读"),
        ("", "老街菜市场换新颜"),
    ]
    body = arts[1].text
    assert body.startswith("研究显示高山植被有增加趋势\n")
    assert "\n澳大利亚经历最干旱的一年\n" in body and "\n轻工企业加紧生产消毒产品\n" in body
    assert_accounted(raw)


def _roles(upper: str, lower: str) -> tuple[str, str, str]:
    from service.documents import Span
    from service.head_parts import parse_heads

    heads = [Span(0, len(upper), upper), Span(len(upper) + 1, len(upper) + 1 + len(lower), lower)]
    title, kicker, subtitle, _ = parse_heads(heads)
    return tuple(" ".join(s.text for s in part) for part in (kicker, title, subtitle))


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        # (without the rule the pair score reads these as kicker over title)
        ("城东县局（一线）", "村里来了“科技特派员”，带着致富新技术"),
        ("市委强调（一线）", "稳就业、保民生，全力推进复工复产"),
    ],
)
def test_a_two_line_heads_upper_line_closing_on_a_column_label_is_the_title(upper, lower):
    # No kicker of the development months' two-line heads closes on a column label.
    assert _roles(upper, lower) == ("", upper, lower)


def test_the_form_models_tell_kicker_and_deck_lines_from_titles():
    from service.head_parts import _form, forms

    def kicker(line: str) -> float:
        return _form(forms(), line)[0]

    def deck(line: str) -> float:
        return _form(forms(), line)[1]

    # a kicker's verb, a deck's figures; a title's column label
    assert kicker("国务院常务会议强调") > 1 > kicker("守护一方碧水（一线视角）")
    assert deck("人均产值达两万美元，同比增长6%") > deck("守护一方碧水")
    # the form scores turn heads the pair score read as kicker over title before them
    upper, lower = "我省全面禁止违规捕捞", "革除滥捕野生鱼类陋习"
    assert _roles(upper, lower) == ("", upper, lower)
    upper, lower = "快讯", "日本上月出口额同比下降12%"
    assert _roles(upper, lower) == ("", upper, lower)


def test_the_form_models_are_read_from_json_without_pickles():
    import json

    from service.head_parts import FORMS_FILE, PAIR_FEATURES, PAIR_WEIGHTS

    data = json.loads(FORMS_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"kicker", "subtitle", "columns"}
    assert all(
        isinstance(w, float) for k in ("kicker", "subtitle") for w in data[k]["weights"].values()
    )
    assert all(isinstance(c, str) for c in data["columns"])
    assert len(PAIR_WEIGHTS) == len(PAIR_FEATURES)


def test_a_column_name_read_as_a_title_over_its_first_briefs_title_opens_the_column():
    # A column's name over a deck-like first brief's title reads as title + subtitle, not
    # kicker + title: the column of undated briefs is still one article, the brief's title
    # back in its body.
    raw = (
        "城东书房开门迎客\n"
        "本报北京2月4日电  周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。\n"
        "（记者 陈晓）\n"
        "快讯\n"
        "日本上月出口额同比下降12%\n"
        "日本财务省日前公布的数据显示，受海外需求减弱影响，日本上月出口额连续下降。\n"
        "（据新华社东京电）\n"
        "澳大利亚经历最干旱的一年\n"
        "澳大利亚气象局近日发布报告说，去年是当地有记录以来降雨量最少的一年。\n"
        "（据新华社悉尼电）\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title, a.subtitle) for a in arts] == [
        ("", "城东书房开门迎客", ""),
        ("", "快讯", ""),
    ]
    assert arts[1].text.startswith("日本上月出口额同比下降12%\n")
    assert "\n澳大利亚经历最干旱的一年\n" in arts[1].text
    assert_accounted(raw)


def test_a_column_or_series_name_is_the_title_over_its_pieces_head():
    # 建议 heads letters on many days of the development months, never as a kicker: the title
    # over its piece's head (the pair score would read 建议 as the head's kicker).
    from service.head_parts import column_name

    assert column_name("建议") and column_name("新中国峥嵘岁月") and not column_name("快讯")
    raw = (
        "建议\n"
        "严格监管小区直饮水机\n"
        "不少小区安装了直饮水机，方便了居民，但滤芯多久更换、水质是否达标，居民并不清楚。\n"
    )
    (art,) = split_page(raw)
    # (the piece's head, a short line right under the title, is then read as its subtitle)
    assert (art.kicker, art.title, art.subtitle) == ("", "建议", "严格监管小区直饮水机")
    assert art.text.startswith("不少小区安装了直饮水机")
    assert_accounted(raw)


@pytest.mark.parametrize(
    ("line", "nxt"),
    [
        # a quote left open; a number cut in two
        ("“培养担当民族复兴大任", "时代新人”，是学校一直以来的追求，老师们说。"),
        ("张闻天，190", "0年出生于上海，早年投身革命，一生忠于党忠于人民。"),
        # a number cut from its unit (万, 亿, %)
        ("全年农作物受灾面积1926", "万公顷，其中绝收面积较上年明显减少，灾情总体偏轻。"),
        # ... or from a date's or count's unit (rmrb-20191018-05-03: 进入10月，…)
        ("张祖强提醒，进入10", "月，冷空气活动将逐渐增多、增强。"),
        ("庆祝新中国成立70", "周年大会在北京天安门广场隆重举行。"),
    ],
)
def test_a_line_leaving_a_quote_or_number_open_is_cut_from_the_next(line, nxt):
    from service.cut_pieces import is_cut_piece

    assert is_cut_piece(line, nxt)
    assert not is_cut_piece("“十四五”开局之年", "时代新人在城东书房相聚，读者说。")
    assert not is_cut_piece("瞩目新时代的中国与世界②", "新中国成立70周年之际，各国人士说。")


def test_a_line_over_a_closed_stub_is_cut_from_it_and_no_subtitle():
    # The column cut the body's first line between words (创业 / 工作。): no word test reads
    # the seam, but a printed paragraph does not open on a sentence's last word.
    from service.cut_pieces import is_cut_piece

    raw = (
        "教育部部署高校毕业生就业工作\n"
        "教育部近日召开会议，部署高校毕业生就业创业\n"
        "工作。会议要求各地各高校把毕业生就业工作作为头等大事，千方百计拓宽就业渠道。\n"
        "会议指出，今年高校毕业生规模再创新高，就业形势复杂严峻。各地要压实责任。\n"
    )
    (art,) = split_page(raw)
    assert (art.title, art.subtitle) == ("教育部部署高校毕业生就业工作", "")
    assert art.text.startswith("教育部近日召开会议，部署高校毕业生就业创业工作。会议要求")
    assert_accounted(raw)
    # a head over a paragraph opening on a word and a comma, or on a longer sentence, stays
    assert not is_cut_piece("稳中求进", "近日，省里召开会议，部署全年工作。")
    assert not is_cut_piece("说干就干", "说干就干。村里连夜开会，定下方案。")


def test_captions_each_closed_by_a_credit_stay_in_their_article():
    raw = (
        "城东书房开门迎客\n"
        "本报讯  周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。\n"
        "（记者 陈晓）\n"
        "图①：读者在书房里看书。\n"
        "王  芳摄\n"
        "图②：孩子们在绘本区听故事。\n"
        "李  明摄\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客"]
    assert "图①：读者在书房里看书。" in arts[0].text and "图②" in arts[0].text
    assert_accounted(raw)


def test_a_quotation_left_open_over_paragraphs_does_not_swallow_the_next_head():
    from service.cut_pieces import is_cut_piece

    para = "“今年的书房比去年热闹多了，每到周末都坐满了人，大家读书、聊天、交朋友，" * 2
    assert not is_cut_piece(para + "这里成了我们的第二个家。", "老街菜市场换新颜")


def test_the_head_score_reads_a_cut_opening_line_whole():
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "美滋滋\n"
        "1月2日，重庆市黔江区举\n"
        "行腊八公益活动，志愿者为市民送上免费腊八粥，并表演了丰富多彩的文艺节目。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客", "美滋滋"]
    assert arts[1].text.startswith("1月2日，重庆市黔江区举行腊八公益活动")
    assert_accounted(raw)


def test_a_heading_over_its_only_piece_and_the_writers_name_is_the_title():
    raw = (
        "城东书房开门迎客\n"
        "本报讯  周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。\n"
        "（记者 陈晓）\n"
        "来论\n"
        "为读书注入新的活力\n"
        "城东区\u3000\u3000王芳\n"
        "书房开进社区，读书便成了家门口的事。希望更多的社区能有这样的书房。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [("", "城东书房开门迎客"), ("", "来论")]
    assert arts[1].text.startswith("为读书注入新的活力\n城东区")
    assert_accounted(raw)


def test_pieces_signed_with_a_country_under_one_heading_are_one_article():
    # Each piece: its head, then its writer with a country in brackets (a byline, never a
    # title); the item's heading stands right over the first piece.
    raw = (
        "讲述亲历故事  见证辉煌历程（国际人士谈）\n"
        "各个地方都散发着前进的活力\n"
        "（摩洛哥）阿齐兹·梅库阿尔\n"
        "我第一次来到这里是在二十年前，街道两旁的变化让我每次回来都感到惊讶。\n"
        "（作者为摩洛哥驻华大使，本报记者李琰采访整理）\n"
        "为创新打下坚实基础\n"
        "（英国）大卫·安德鲁·菲尼克斯\n"
        "我深切感受到这里对科技创新的高度重视，科研合作也越来越多。\n"
        "（作者为伦敦南岸大学校长）\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [("", "讲述亲历故事  见证辉煌历程（国际人士谈）")]
    assert "\n为创新打下坚实基础\n（英国）大卫·安德鲁·菲尼克斯" in arts[0].text
    assert_accounted(raw)


def test_a_writers_post_under_a_title_leaves_it_the_title():
    raw = (
        "建设廉洁社会的理论思考\n"
        "城东廉政法制研究会副会长\n"
        "廉洁是社会治理的基础，制度建设要走在前面，监督要覆盖权力运行的全过程。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [("", "建设廉洁社会的理论思考")]
    assert_accounted(raw)


def test_a_photo_report_label_opens_an_item_of_its_own():
    # 图片报道 (and 来论) head items of their own, never a subhead of the article above.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "书房还开设了亲子阅读课，每周六上午由志愿者给孩子们讲绘本故事。\n"
        "图片报道\n"
        "周末的书房里，孩子们跟着志愿者读绘本，带着孩子的家长也坐满了书房。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "城东书房开门迎客"),
        ("", "图片报道"),
    ]
    assert_accounted(raw)


def test_a_photo_report_label_under_a_signature_opens_its_item():
    # Lines over 图片报道 (——@…, the caption's signature above) end the article being read.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "书房还开设了亲子阅读课，每周六上午由志愿者给孩子们讲绘本故事。\n"
        "——@书香满城\n"
        "图片报道\n"
        "周末的书房里，孩子们跟着志愿者读绘本，带着孩子的家长也坐满了书房。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "城东书房开门迎客"),
        ("", "图片报道"),
    ]
    assert arts[0].text.endswith("——@书香满城")
    assert_accounted(raw)


def test_a_body_label_under_head_lines_opens_an_article():
    # 核心阅读 (内容提要, 开栏的话…) opens an article's body: the lines over it are a head,
    # never a subhead of the article above, however the text goes on.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "书房还开设了亲子阅读课，每周六上午由志愿者给孩子们讲绘本故事。\n"
        "书房读者越来越多\n"
        "核心阅读\n"
        "书房开门一年，读者越来越多，周末的书房里常常坐满了带着孩子的家长。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客", "书房读者越来越多"]
    assert arts[1].text.startswith("核心阅读")
    assert_accounted(raw)


def test_lines_under_a_jump_in_note_open_the_body():
    # A 上接 note sits under its head: the short lines under it (points ●…) are the continued
    # body's, so a run longer than a head still has its head above the note.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "书房读者越来越多\n"
        "（上接第2版）\n"
        "●开门一年接待读者三万人次\n"
        "●周末亲子阅读课场场坐满\n"
        "●居民捐书已有五千余册\n"
        "书房开门一年，读者越来越多，周末的书房里常常坐满了带着孩子的家长。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客", "书房读者越来越多"]
    assert arts[1].text.startswith("●开门一年")
    assert_accounted(raw)


def test_an_as_told_to_credit_closes_the_account_above():
    # 本报记者 …整理 under a speaker's line (…讲述) closes the account: the next head opens
    # an article of its own, never a body under the speaker's line read as a title.
    raw = (
        "还得抓紧奔小康哩\n"
        "脱贫以后，我家又养了两头母牛，日子一天比一天好，腰杆越来越挺直了。\n"
        "陕西省铜川市耀州区照金村村民张耀军讲述\n"
        "本报记者  原韬雄整理\n"
        "安徽枞阳推进供水一体化\n"
        "城乡同饮一江水\n"
        "节日里，安徽枞阳县雨坛镇合响村的村民喝上了来自长江的自来水，村里人打心眼里高兴。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["还得抓紧奔小康哩", "城乡同饮一江水"]
    assert "张耀军讲述" in arts[0].text
    assert_accounted(raw)


def test_a_title_over_a_dateline_is_no_cut_first_line():
    # A dateline opens its paragraph: a title reading as a clause (…，…) over it stays the
    # title under its kicker, never the body's first line.
    raw = (
        "9月人民币贷款增加1.69万亿元\n"
        "信贷社融超预期，实体经济融资需求回暖\n"
        "本报北京10月16日电  （记者王观）中国人民银行15日公布的数据显示，9月人民币贷款增加。\n"
    )
    (art,) = split_page(raw)
    # (printed as kicker + title; the lead taking up the upper line, `lead_roles` reads it as
    # title + deck, one of the 4 such kicker heads it misreads on the development months)
    assert "信贷社融超预期" not in art.text
    assert (art.kicker or art.title, art.title if art.kicker else art.subtitle) == (
        "9月人民币贷款增加1.69万亿元",
        "信贷社融超预期，实体经济融资需求回暖",
    )
    assert_accounted(raw)


def test_a_long_column_label_closes_a_title():
    # A series' label may run past 24 characters: 打通堵点（守初心 担使命 找差距 抓落实·…）.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "书房还开设了亲子阅读课，每周六上午由志愿者给孩子们讲绘本故事。\n"
        "书房服务更贴心（守初心 担使命 找差距 抓落实·深入开展主题教育·整改落实）\n"
        # (its body its own: a line reading on from the paragraph above, 周末的书房里…, keeps
        # the head in that article under the head score fitted month out: docs/pages.md)
        "社区把借还书的时间延长到晚上九点，下班的居民也能来借书，还书不用排队。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == [
        "城东书房开门迎客",
        "书房服务更贴心（守初心 担使命 找差距 抓落实·深入开展主题教育·整改落实）",
    ]
    assert_accounted(raw)


def test_a_writers_name_under_a_head_is_its_byline_line_never_the_title():
    # Short commentaries, each a head over its writer's name (bare, or with a role in
    # brackets): the name is never the title under a kicker, and the pieces are one item.
    from service.writers import writer_under

    raw = (
        "城东书房开门迎客\n"
        "本报讯  周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。\n"
        "（记者 陈晓）\n"
        "守好社区责任田\n"
        "王明钦\n"
        "疫情面前，社区工作者挨家挨户上门登记，把每一户的情况都记在本子上。\n"
        "把好剧带给更多孩子\n"
        "尹晓东（城东儿童剧院院长）\n"
        "剧院把演出送进山区学校，孩子们第一次在家门口看到了舞台剧，笑声不断。\n"
        "真正的力量藏在这里\n"
        "郭文斌\n"
        "一档节目走进乡村，镜头里的普通人讲着自己的故事，打动了许多观众。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "城东书房开门迎客"),
        ("", "守好社区责任田"),
    ]
    assert "\n把好剧带给更多孩子\n尹晓东（城东儿童剧院院长）\n" in arts[1].text
    assert "\n真正的力量藏在这里\n郭文斌\n" in arts[1].text
    assert_accounted(raw)
    assert writer_under("守好社区责任田", "王明钦")
    assert writer_under("把好剧带给更多孩子", "王  雷（电视剧《陆战之王》主演）")
    assert not writer_under("广东古蓬村", "古村希望(寻找最美乡村)")  # a title with its label
    assert not writer_under("城东", "春耕忙")  # a head no longer than the line under it


def test_a_title_over_its_dash_subtitle_opens_an_article():
    # A commentary's title over its ——subtitle (——论…) opens an article even where its text
    # goes on with the text above: an in-article subhead has no subtitle.
    raw = (
        "把从严治党的要求长期坚持下去\n"
        "与会同志表示，要坚持把从严治党的要求长期坚持下去，不断巩固发展从严治党的成果，"
        "以优异成绩迎接新的考验。\n"
        "大家认为，从严治党永远在路上，必须坚持不懈抓下去。\n"
        "以赶考心态交出满意答卷\n"
        "——论学习贯彻总结大会上的重要讲话\n"
        "风成于上，俗化于下。从严治党，必须坚持不懈抓下去，把从严治党的要求长期坚持下去，"
        "以赶考心态交出满意答卷。\n"
    )
    arts = split_page(raw)
    assert [(a.title, a.subtitle) for a in arts] == [
        ("把从严治党的要求长期坚持下去", ""),
        ("以赶考心态交出满意答卷", "——论学习贯彻总结大会上的重要讲话"),
    ]
    assert_accounted(raw)


def test_a_photo_report_label_is_the_title_over_its_captions():
    # 图片报道 names its item: never a kicker over a caption's first words, which open the
    # body (here cut by the column and joined back), never a subtitle.
    raw = (
        "城东书房开门迎客\n"
        "本报讯  周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。\n"
        "（记者 陈晓）\n"
        "图片报道\n"
        "金秋时节，福建省\n"
        "宁德市的茶农在茶园里采摘秋茶，一派丰收景象。\n"
        "张  三摄\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title, a.subtitle) for a in arts] == [
        ("", "城东书房开门迎客", ""),
        ("", "图片报道", ""),
    ]
    assert arts[1].text.startswith("金秋时节，福建省宁德市的茶农")
    assert_accounted(raw)


def test_a_columns_mailbox_after_its_closing_credit_stays_in_the_article():
    # 栏目投稿邮箱：… closes the column's text (after its writer's note): never a head line.
    raw = (
        "给基层干部搭把手\n"
        "基层干部任务重、压力大，我们不仅要提要求、找问题，更要扶一把、引明路，建立长效机制。\n"
        "（作者为本报云南分社记者）\n"
        "栏目投稿邮箱：yxxz8494@163.com\n"
        "两支救援队通过测评复测\n"
        "本报北京10月23日电  两支重型救援队通过了测评复测，队员们展示了搜救技能。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "给基层干部搭把手"),
        ("", "两支救援队通过测评复测"),
    ]
    assert arts[0].text.endswith("栏目投稿邮箱：yxxz8494@163.com")
    assert_accounted(raw)


def test_a_columns_mailbox_closes_the_column():
    # 信箱：… under a letters column ends it: the head below opens an article even where the
    # score alone would read it as a subhead of the column.
    raw = (
        "建议\n"
        "别让年夜饭消费倒胃口\n"
        "如今，在餐馆吃顿年夜饭，成为一种消费时尚。但一些饭馆夸大宣传，价格虚高、菜量变少。\n"
        "对此，建议市场监管部门加大对承办年夜饭餐饮单位的检查力度，依法严惩欺诈消费者的行为。\n"
        "下期话题：春节出游舒心吗\n"
        "欢迎读者就此话题来信，结合身边所见所闻，摆现象、谈危害、找原因、提建议。\n"
        "信箱：rmrbdzlx@126.com；传真：（010）65368495\n"
        "消防救援局提醒社会公众\n"
        "春节期间要消除消防安全隐患\n"
        "岁末年初，各地小火亡人事故频发，临近春节，燃放烟花爆竹将带来更多火灾风险。\n"
        "对此，消防救援局提醒公众，冬季风干物燥，用火用电用气增多，做好火灾防范刻不容缓。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts][-1] == "春节期间要消除消防安全隐患"
    assert arts[-2].text.endswith("信箱：rmrbdzlx@126.com；传真：（010）65368495")
    assert_accounted(raw)


_BOOKS = (
    "城东书房开门迎客\n"
    "周末的城东书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书架上的书都是居民捐的。\n"
    "书房负责人介绍，开门半年来，书房接待读者两万多人次，借出图书一万多册，还办了三十多场读书会。\n"
)


@pytest.mark.parametrize(
    "subhead",
    [
        "城东书房迎客忙",  # it takes up the title's words
        "孩子们爱上了古诗！",  # it exclaims: a subhead's voice
    ],
)
def test_a_subhead_that_reads_like_one_stays_in_its_article(subhead):
    # The head score reads how much of the head the article's own title holds and whether
    # the head exclaims; with a story-like opening below (10月4日上午，) it would open otherwise.
    raw = (
        _BOOKS + f"{subhead}\n"
        "10月4日上午，十几个孩子围坐在一起，跟着老师朗读古诗，稚嫩的声音此起彼伏，引得路人驻足。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客"]
    assert subhead in arts[0].text.split("\n")
    assert_accounted(raw)


def test_a_subhead_taking_up_the_lines_above_stays_in_its_article():
    # 古诗朗读会 comes back from the paragraph right above the head: a subhead's words.
    raw = (
        "城东书房开门迎客\n"
        "周末的城东书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书架上的书都是居民捐的。\n"
        "书房负责人介绍，开门半年来，这里还办了三十多场古诗朗读会，请来退休教师领读。\n"
        "古诗朗读会办进社区\n"
        "10月4日上午，十几个孩子围坐在一起，跟着老师一句一句地念，稚嫩的声音此起彼伏，引得路人驻足。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客"]
    assert "古诗朗读会办进社区" in arts[0].text.split("\n")
    assert_accounted(raw)


def test_a_subhead_taking_up_the_articles_earlier_words_stays_in_it():
    # 古诗朗读会 comes back from the article's first paragraph, seven lines up.
    paras = [
        "周末的城东书房里坐满了读者，书房还办起了古诗朗读会，请来退休教师领读。",
        "书架上的书都是居民捐的，有小说、有画册，也有不少孩子们爱看的绘本。",
        "负责人说，开门半年来，这里接待读者两万多人次，借出图书一万多册。",
        "街道为此添置了桌椅和台灯，延长了开放时间，周末一直开到晚上九点。",
        "不少家长下班后来接孩子，顺手也借上一两本，带回家睡前读。",
        "附近的小学还把这里当作第二课堂，每周三下午组织学生来上阅读课。",
        "志愿者们轮流值班，帮读者找书、登记，还把破损的旧书一本本修补好。",
    ]
    raw = (
        "城东书房开门迎客\n" + "\n".join(paras) + "\n古诗朗读会办进社区\n"
        "10月4日上午，十几个孩子围坐在一起，跟着老师一句一句地念，稚嫩的声音此起彼伏，引得路人驻足。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客"]
    assert "古诗朗读会办进社区" in arts[0].text.split("\n")
    assert_accounted(raw)


def test_a_title_over_its_dash_subtitle_opens_with_a_cut_first_line_under_it():
    # The body's first line, cut by the column where no word runs across the seam, sits under
    # the ——subtitle like a third head line: the head still opens an article, the subtitle is
    # the dash line alone and the cut line goes back to its paragraph.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "“时刻保持120%的工作状态”\n"
        "——抗疫一线医护人员的故事\n"
        "得知哥哥王剑疑似感染的消息，王源媛的眼泪\n"
        "夺眶而出。她没想到，身为武汉中心医院消化内科医生的哥哥也冲到了一线。\n"
    )
    arts = split_page(raw)
    assert [(a.title, a.subtitle) for a in arts] == [
        ("城东书房开门迎客", ""),
        ("“时刻保持120%的工作状态”", "——抗疫一线医护人员的故事"),
    ]
    assert arts[1].text.startswith("得知哥哥王剑疑似感染的消息，王源媛的眼泪夺眶而出。")
    assert_accounted(raw)


def test_a_box_label_never_opens_an_article():
    # A ■ box (■链接, ■记者手记) is part of the article it follows, whatever its text says.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "■链接\n"
        "西郊农场\n"
        "葡萄喜获丰收\n"
        "10月4日，西郊农场的葡萄迎来丰收，果农们忙着采摘装箱，订单排到了下个月。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [("", "城东书房开门迎客")]
    assert "\n■链接\n" in arts[0].text
    assert_accounted(raw)


def test_a_title_over_a_dateline_is_never_a_piece_cut_off_it():
    # 约翰·基 / 本报北京…电 reads on as 基本 across the seam, but a line opening with a
    # dateline opens its paragraph: the head above it is a title, not its cut first words.
    raw = (
        "习近平会见外宾\n"
        "本报北京10月16日电  （记者王远）国家主席习近平16日在人民大会堂会见外宾。\n"
        "双方就共同关心的国际和地区问题交换了意见，一致同意进一步加强交流合作。\n"
        "（新华社北京10月16日电  记者侯雪静  参与采写：李松）\n"
        "习近平会见新西兰前总理约翰·基\n"
        "本报北京10月16日电  （记者王远）国家主席习近平16日在人民大会堂会见新西兰前总理约翰·基。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["习近平会见外宾", "习近平会见新西兰前总理约翰·基"]
    assert arts[1].text.startswith("国家主席习近平16日")
    assert_accounted(raw)


def test_a_title_with_a_long_column_label_and_a_comma_is_a_head():
    # Over 40 characters with its label, and a comma in the title itself: without the label
    # the line is a head's length, so it is judged as one (it heads the article below).
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生，书都是居民捐的。\n"
        "浙江、广东、四川、新疆——\n"
        "专项整治，以群众满意为目标（守初心 担使命 找差距 抓落实·深入开展主题教育·整改落实）\n"
        "日前，中央决定在主题教育中开展专项整治漠视侵害群众利益问题工作。\n"
    )
    arts = split_page(raw)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "城东书房开门迎客"),
        (
            "浙江、广东、四川、新疆——",
            "专项整治，以群众满意为目标（守初心 担使命 找差距 抓落实·深入开展主题教育·整改落实）",
        ),
    ]
    assert_accounted(raw)


@pytest.mark.parametrize(
    ("module", "features"),
    [("service/head_parts.py", "PAIR_FEATURES = ("), ("service/heads.py", "FEATURES = (")],
)
def test_weights_out_of_step_with_their_features_fail_at_import(module, features):
    # The scores zip weights with features: a feature added without a refit must not load.
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent.parent / module
    source = path.read_text(encoding="utf-8")
    assert source.count(f"\n{features}\n") == 1
    source = source.replace(f"\n{features}\n", f'\n{features}\n    "added",\n')
    spec = importlib.util.spec_from_loader("out_of_step", loader=None)
    with pytest.raises(ImportError, match="run (roles|pages)_fit"):
        exec(compile(source, str(path), "exec"), importlib.util.module_from_spec(spec).__dict__)


@pytest.mark.parametrize(
    "head",
    [
        "——严文明（北京大学考古文博学院教授、考古学家）",
        "——健全粮食应急保供",
        "写好后半篇文章（记者手记）",
        "提振民企发展信心（编后）",
    ],
)
def test_a_dash_led_line_or_a_companion_box_stays_in_the_article_it_follows(head):
    # No title opens with a dash (a quote's speaker, a section's ——subtitle); a piece labelled
    # as a report's companion (记者手记, 编后) is a box of it, as ■记者手记 is.
    raw = (
        "城东书房开门迎客\n"
        "周末的书房里坐满了读者，有带着孩子的家长，也有赶来自习的学生。书房里的书都是居民捐的，"
        "一本本贴好了标签，按类别摆上书架，借阅全凭自觉。\n"
        "书房管理员说，开门半年来，借出的书没有一本没还回来。\n"
        f"{head}\n"
        "近日，记者走访了城里的几家社区书房，发现读者一天比一天多，不少人把这里当成了第二个家。"
        "这样的书房，城里已经有了二十多家。\n"
    )
    arts = split_page(raw)
    assert [a.title for a in arts] == ["城东书房开门迎客"]
    assert head.lstrip("—") in arts[0].text
    assert_accounted(raw)


@pytest.mark.parametrize(
    "upper, lower, want",
    [
        # the body's first line cut after a document's name and two commas (issue 11, i96)
        ("方寸之间见证历史", "建国七十周年之际，回望美术史，油画《开国大典》", True),
        ("新书推介", "读懂中国经济《大国经济》", False),  # a title closing on 》
        ("方寸之间见证历史", "回望美术史的名作《开国大典》", False),
    ],
)
def test_a_cut_first_line_closing_on_a_document_s_name_runs_on(upper, lower, want):
    from service.head_parts import running_on

    assert running_on(upper, lower) is want


def test_a_lone_title_over_its_cut_first_line_keeps_the_line_in_the_body():
    # (the column cut the body's first paragraph after 各地: no kicker + title)
    page = (
        "人民日报\n我为祖国祝福  我为祖国自豪\n国庆期间，各地\n"
        "纷纷开展丰富多彩的庆祝活动，大家把对祖国的热爱和自豪化为歌声，献给新中国70华诞。"
        "各地群众纷纷走上街头，用歌声和笑容祝福伟大祖国。\n"
    )
    (art,) = [a for a in split_page(page) if a.title]
    assert (art.kicker, art.title) == ("", "我为祖国祝福  我为祖国自豪")
    assert art.text.startswith("国庆期间，各地纷纷开展")


_ABOVE = (
    "人民日报\n旧闻一则\n本报北京2月1日电  （记者王明）退役军人事务部近日召开会议，"
    "部署下一阶段的工作，要求各地结合实际抓好落实，确保各项政策落到实处、取得实效，让广大群众切实感受到变化。\n"
)
_BELOW = (
    "\n本报北京2月2日电  （记者金歆）退役军人事务部、中央军委政治工作部近日联合印发通知，"
    "对因工作感染新冠肺炎殉职人员的烈士评定工作作出安排，要求各地及时做好评定和抚恤工作。\n"
)


_SENTENCE = "采访结束前，张琳收到了意向公司的邀请，“心里总算有了着落。”"
_TWO = ("两部门印发通知", "符合条件的殉职人员应评定为烈士")
_PHOTO = ("武汉市杏园社区党委书记许正文", "小区居民的贴心人")


@pytest.mark.parametrize(
    "above, want",
    [
        (_SENTENCE, _TWO),  # the last line of the text above, ending a sentence
        ("新华社发", _PHOTO),  # a photo's credit
    ],
)
def test_a_first_head_line_closing_the_text_above_goes_back_to_it(above, want):
    page = _ABOVE + above + "\n" + "\n".join(want) + _BELOW
    arts = split_page(page)
    assert [(a.kicker, a.title) for a in arts][-1] == want
    assert arts[-2].text.endswith(above)


def test_a_decree_and_its_number_under_a_title_open_the_body():
    page = (
        "人民日报\n优化营商环境条例\n中华人民共和国国务院令\n第722号\n"
        "《优化营商环境条例》已经2019年10月8日国务院第66次常务会议通过，现予公布，自2020年1月1日起施行。\n"
        "总理  李克强\n"
    )
    (art,) = [a for a in split_page(page) if a.title]
    assert (art.kicker, art.title, art.subtitle) == ("", "优化营商环境条例", "")
    assert art.text.startswith("中华人民共和国国务院令")


@pytest.mark.parametrize("markdown", ["", "## "])
@pytest.mark.parametrize(
    "signed",
    [
        ["重阳节就要到了，我祝你们、祝全国的老人们健康长寿、生活幸福！", "习近平", "2019年10月6日"],
        ["中华人民共和国主席  习近平", "2019年10月26日"],
    ],
)
def test_a_letter_signed_and_dated_keeps_its_signature_and_the_next_title_opens(markdown, signed):
    # A date alone on its line reads as a page header; under a letter's or a decree's text
    # it is the date it was signed: it went to furniture with the lines over it.
    page = "\n".join(
        [
            "2019年10月8日 星期二 第1版",
            markdown + "习近平回信问候勉励澳门退休老人",
            "新华社北京10月7日电  国家主席习近平10月6日给澳门街坊总会颐骏中心长者义工组的"
            "30位老人回信，向他们表示亲切问候和勉励。",
            "你们好！看到你们的来信，我想起了十年前在澳门同大家见面的情景，我很高兴。",
            *signed,
            "（新华社北京10月7日电）",
            markdown + "澳门社会各界深受鼓舞倍感振奋",
            "本报澳门10月7日电  重阳节当天，30位老人收到国家主席习近平的回信，在澳门社会各界"
            "引起热烈反响。",
        ]
    )
    page = read_page(page)
    assert [a.title for a in page.articles] == [
        "习近平回信问候勉励澳门退休老人",
        "澳门社会各界深受鼓舞倍感振奋",
    ]
    letter = page.articles[0]
    for line in signed:
        assert line in letter.text
    assert [s.text for s in page.furniture if s.text != "##"] == ["2019年10月8日 星期二 第1版"]
    assert_accounted("\n".join(signed))  # (the lines alone: a page of furniture, all kept)


def test_a_short_place_between_a_columns_title_and_a_pieces_head_opens_the_body():
    page = (
        "人民日报\n关注地方两会\n黑龙江\n报告起草听听网友心里话\n"
        "黑龙江佳木斯市民朱女士怎么也没想到，自己在网上提的一条意见，竟然被写进了政府工作报告。"
        "今年，黑龙江省政府工作报告起草过程中，首次通过网络征求网友意见。\n"
    )
    (art,) = [a for a in split_page(page) if a.title]
    assert (art.kicker, art.title, art.subtitle) == ("", "关注地方两会", "")
    assert art.text.startswith("黑龙江")


_BOOK_LIST = "\n".join(
    f"书名：{b}        作者：{w}"
    for b, w in [("繁花", "金宇澄"), ("推拿", "毕飞宇"), ("黄雀记", "苏童"), ("装台", "陈彦")]
)


@pytest.mark.parametrize(
    "above, want",
    [
        ("曹  一\n图  于  石文", ("", _TWO[1])),  # a photo's and text's credit, cut
        ("栏目投稿邮箱：yxxz849\n4@163.com", ("", _TWO[1])),  # a column's mailbox, cut
        ("内蒙古赤峰市 刘 才", _TWO),  # a reader's place and spaced name
        ("——江苏省太仓市纪委书记、市监委主任 杨 庆", _TWO),  # a writer's post and name
        ("——@好日子", _TWO),  # a caption's poster
        ("本期统筹：许  诺", _TWO),  # the page's editor
        ("祝福伟大祖国更加繁荣昌盛！\n祝福中华民族昂首走向复兴！", ("", _TWO[1])),  # wishes
        ("（本报记者徐隽、张意轩）\n（相关报道见第四版）", _TWO),  # after the credit too
        ("百年南开，风华正茂！", ("", _TWO[1])),  # a sentence over a one-line head
        ("诗中写道：“我爱你，中国！”\n百年南开，风华正茂！", ("", _TWO[1])),  # two such lines
        (_BOOK_LIST, ("", _TWO[1])),  # a list's lines labelled as the one above
    ],
)
def test_closing_lines_over_a_head_go_back_to_the_text_above(above, want):
    page = _ABOVE + above + "\n" + "\n".join(w for w in want if w) + _BELOW
    arts = split_page(page)
    assert [(a.kicker, a.title) for a in arts][-1] == want
    last = "".join(above.split("\n")[-1].split())
    prev = arts[-2]
    assert any("".join(t.split()).endswith(last) for t in (prev.text, prev.byline))
    assert_accounted(page)


def test_a_head_of_points_under_lines_left_after_a_closing_note_takes_them_as_its_head():
    # (a run of five short lines gives its first two to the article above, closed by its note:
    # one too long to be read as a credit line)
    page = (
        _ABOVE + "（综合本报记者鲜敢、王丹、程远州、吴君、李中文、窦瀚洋、江南、刘新吾、"
        "潘俊强、何勇、王云娜、施芳报道）\n防控工作取得阶段性积极成效\n"
        "医用物资供应要应保尽保特事特办\n●19日，供应到湖北的N95口罩达到33.6万只\n"
        "●武汉3万张定点医院床位已全面落实\n●大量临床实践证实，中西医结合治疗的效果是肯定的\n"
        "本报武汉2月20日电  （记者李龙伊）“总体看，湖北以外地区疫情形势平稳，"
        "如果防控措施落实到位，下降的趋势不会改变。”中央指导组成员在发布会上说。\n"
    )
    arts = split_page(page)
    assert "防控工作取得阶段性积极成效" in arts[-1].kicker + arts[-1].title
    assert arts[-1].text.startswith("●19日")
    assert "".join(arts[-2].text.split()).endswith("报道）")
    assert_accounted(page)


def _spans(texts: list[str], at: int) -> list:
    from service.documents import Span

    out = []
    for t in texts:
        out.append(Span(at, at + len(t), t))
        at += len(t) + 1
    return out


@pytest.mark.parametrize("labelled", [True, False])
def test_a_head_of_points_under_a_column_s_title_closing_the_body_above_takes_it(labelled):
    # (issue 11, i96: a labelled title under a closed paragraph, over ● points the pass read as
    # the next article's head; 8 printed labelled titles stand over points, no body line)
    from service.drafts import Draft
    from service.lines import PARA, SHORT
    from service.settle import _points

    last = "多措并举稳定物价（政策解读）" if labelled else "多措并举稳定物价"
    text, points = "各地出台措施保障市场供应，价格总体平稳。", ["●一是保障供应", "●二是加强监管"]
    above = Draft(_spans(["旧闻一则"], 0), [], [])
    for span, kind in zip(_spans([text, last], 5), (PARA, SHORT), strict=True):
        above.add(span, kind)
    heads = _spans(points, 40)
    d = Draft(heads[1:], heads[:1], [])
    d.heads = heads
    (below,) = _spans(["有关部门表示，将继续做好保供稳价工作，确保群众生活必需品供应充足。"], 70)
    d.add(below, PARA)
    assert _points(d, above) is labelled
    if labelled:
        assert ([s.text for s in d.title], d.kicker) == ([last], [])
        assert [s.text for s in d.body][:2] == points and [s.text for s in above.body] == [text]


def test_points_under_a_head_open_its_body():
    page = (
        "人民日报\n国家卫健委发布会介绍老年群体和社区防控\n服务管理措施覆盖到户落实到人\n"
        "●全国近4万家养老机构总体防控情况平稳\n●对外地返回人员进行有效管理\n"
        "本报北京1月31日电  （记者王君平）国家卫健委31日举行新闻发布会，介绍老年群体和社区防控"
        "工作情况，要求各地把服务管理措施覆盖到户、落实到人。\n"
    )
    (art,) = [a for a in split_page(page) if a.title]
    assert (art.kicker, art.title) == (
        "国家卫健委发布会介绍老年群体和社区防控",
        "服务管理措施覆盖到户落实到人",
    )
    assert art.subtitle == ""
    assert art.text.startswith("●全国近4万家养老机构")
    assert_accounted(page)


def test_a_title_under_a_closing_note_cut_with_a_long_lower_part_opens_an_article():
    note = (
        "（本报北京、东京、巴黎、曼谷、\n"
        "伊斯兰堡、日内瓦2月27日电  记者曲颂、苑基荣、刘军国、李永群、林芮、丁雪真、张朋辉）"
    )
    below = _BELOW.replace("本报北京2月2日电  （记者金歆）", "")  # (no dateline to open it)
    page = _ABOVE + note + "\n“把中国抗疫的感人故事带到我的国家”" + below
    arts = split_page(page)
    assert [a.title for a in arts] == ["旧闻一则", "“把中国抗疫的感人故事带到我的国家”"]
    assert arts[0].text.endswith("张朋辉）") or arts[0].byline.endswith("张朋辉")
    assert arts[1].text.startswith("退役军人事务部、中央军委政治工作部")
    assert_accounted(page)


def test_a_colon_kicker_over_a_lone_title_is_taken_back_from_the_article_above():
    # (the line kinds read 国台办： as running text: it ends the article above in the pass)
    head = ("国台办：", "搞对抗没有出路，谋“台独”更是绝路")
    arts = split_page(_ABOVE + "\n".join(head) + _BELOW)
    assert (arts[-1].kicker, arts[-1].title) == head
    assert arts[-2].text.endswith("切实感受到变化。")


_LEAD = (
    "苦氟水让陕西省靖边县不少乡亲吃了多年苦头。为了啃下饮水安全这块硬骨头，当地干部群众找水源、"
    "架管线，白天黑夜连轴转，经过一番苦干，终于——"
)


@pytest.mark.parametrize(
    "kicker, title",
    [
        (_LEAD, "汩汩清水入村来（脱贫故事）"),  # a lead-in the title seemed cut off
        ("举办“云聘会”、建设人才平台、提供专项奖励……", "杭州出实招 八方引贤才"),
        ("沈铁梅：", "唱出川剧的麻辣味（艺术生涯·“梅花”这样绽放④）"),
    ],
)
def test_a_kicker_read_as_running_text_at_the_top_of_the_page_heads_its_title(kicker, title):
    page = (
        f"人民日报 2020年2月26日 星期三 第13版\n{kicker}\n{title}\n"
        "在当前统筹推进疫情防控和经济社会发展的特殊时期，为给“抓防控、促发展”提供充足的人才保障，"
        "当地出台了八大举措。\n八大举措从补贴政策、引才宣传、服务环境等各个方面涵养人才生态，激发发展活力。\n"
    )
    (art,) = split_page(page)
    assert (art.kicker, art.title) == (kicker, title)
    assert art.text.startswith("在当前统筹推进")


def test_a_photo_credit_taken_as_the_title_gives_the_head_lines_under_it_their_roles():
    # (three lines over a dateline, the second closing on a dash: the pass read the credit as the
    # title and the head under it as a piece's; once the credit goes back, they are the head)
    page = (
        "人民日报\n图片报道\n近日，大量来自中美洲国家的移民抵达危地马拉与墨西哥边境，北上赴美。"
        "图为1月20日，移民试图通过苏恰特河进入墨西哥。\n新华社发\n联合国儿童基金会报告——\n"
        "近1/3最贫困家庭少女未上过学\n新华社联合国1月20日电  （记者林远）"
        "联合国儿童基金会20日发布报告说，全球近三分之一来自最贫困家庭的少女从未上过学。\n"
    )
    photo, art = split_page(page)
    assert photo.text.endswith("新华社发")
    assert (art.kicker, art.title) == ("联合国儿童基金会报告——", "近1/3最贫困家庭少女未上过学")
    assert art.text.startswith("联合国儿童基金会20日")


def test_a_title_under_a_kicker_naming_the_document_issued_stays_the_title():
    # (a verb before the document it names, like one closing the kicker: the title may run on)
    head = (
        "“两高一部”联合印发《关于依法惩治袭警违法犯罪行为的指导意见》",
        "对民警人身进行攻击属暴力袭警，从重处罚",
    )
    page = (
        "人民日报\n"
        + "\n".join(head)
        + "\n最高人民法院、最高人民检察院、公安部近日联合印发指导意见，"
        "明确对袭警违法犯罪行为依法从严惩处。\n"
    )
    (art,) = split_page(page)
    assert (art.kicker, art.title) == head


_NOTE_BELOW = (
    "（相关报道见第十三版）\n习近平会见所罗门群岛总理索加瓦雷\n本报北京10月9日电  （记者王远）"
    "国家主席习近平9日在钓鱼台国宾馆会见所罗门群岛总理索加瓦雷。习近平欢迎索加瓦雷访华。\n"
)


@pytest.mark.parametrize(
    "end",
    [
        "风雨一甲子，大\n庆正青春！",  # a paragraph's end the column cut, left in the run
        "风雨一甲子，大庆正青春！\n（本报记者徐隽、张意轩）",  # after the closing credit
    ],
)
def test_a_note_in_brackets_over_a_title_goes_back_to_the_article_above(end):
    page = (
        "人民日报\n新时代大庆这样回答“铁人三问”\n本报大庆10月8日电  （记者刘成友）一张泛黄的报纸，"
        "把人们的思绪拉回到60年前。大庆油田多年来始终坚持以科技创新破解发展难题。\n"
        + end
        + "\n"
        + _NOTE_BELOW
    )
    above, art = split_page(page)
    assert (art.title, art.subtitle) == ("习近平会见所罗门群岛总理索加瓦雷", "")
    assert "相关报道见第十三版" not in art.text
    assert above.text.endswith("（相关报道见第十三版）")


def test_a_question_under_a_title_opens_the_body_never_a_subtitle():
    # A subtitle ends no sentence (1 of 1,229 printed ones ends on 。！？); a question or a cry
    # under the title is the commentary's first line. A ——deck ending on ！ stays the subtitle.
    page = (
        "口红和油井原来是一家\n"
        "口红和油井有啥关系？\n"
        "说起石油，很多人想到的是油井和加油站。其实，从口红到衣服，石油化工产品早已走进"
        "生活的方方面面。\n"
        "读懂一座城市的精神\n"
        "——母亲延安就在这里！\n"
        "延安是中国革命的圣地，一代代人从这里出发，把延安精神带到祖国的四面八方。\n"
    )
    arts = [a for a in split_page(page) if a.title]
    assert [(a.title, a.subtitle) for a in arts] == [
        ("口红和油井原来是一家", ""),
        ("读懂一座城市的精神", "——母亲延安就在这里！"),
    ]
    assert arts[0].text.startswith("口红和油井有啥关系？")
    assert_accounted(page)


def test_a_span_keeps_its_fields_in_slots_and_stays_a_frozen_dataclass():
    # Spans hold their fields in slots (read many times a line by the splitter), set by their
    # own __init__: still equal, hashable, picklable, frozen and replaceable as before.
    import copy
    import dataclasses
    import pickle

    from service.documents import Span

    s = Span(3, 7, "中国人民")
    assert not hasattr(s, "__dict__")
    assert (s.start, s.end, s.text) == (3, 7, "中国人民") and Span(1, 1).text == ""
    assert s == Span(3, 7, "中国人民") and hash(s) == hash(Span(3, 7, "中国人民"))
    assert s != Span(3, 7, "中国") and pickle.loads(pickle.dumps(s)) == s == copy.deepcopy(s)
    assert dataclasses.asdict(s) == {"start": 3, "end": 7, "text": "中国人民"}
    assert dataclasses.replace(s, end=5, text="中国") == Span(3, 5, "中国")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.start = 0  # type: ignore[misc]


def test_classify_asks_each_check_only_where_its_first_test_can_pass():
    """`lines.classify` looks for a jump's 转, a closing credit's last character and a
    dateline's first character before calling the check: strings of their pieces (20,000,
    seeded) that a check finds something in all have what the guard looks for, and lines of
    each kind are classified as before."""
    import random

    from service.credits import CREDIT_LAST, DATELINE_FIRST, byline_end, split_dateline
    from service.furniture import JUMP_MARK, continues_to
    from service.lines import classify

    noise = ["，", "。", " ", "第", "3", "版", "（", "）", "记者", "张三"]
    pools = [
        (lambda line: split_dateline(line)[0], lambda line: line[0] in DATELINE_FIRST,
         ["本报", "新华社", "北京", "12月17日", "电", "讯", "据", "中新网", "消息", "：", *noise]),
        (byline_end, lambda line: line[-1] in CREDIT_LAST,
         ["新华社", "通讯员", "摄", "影", "供图", "文", "图", "(", ")", "作者为", "本报", *noise]),
        (continues_to, lambda line: JUMP_MARK in line,
         ["（下", "转", "转第", "3", "十二", "版", "版）", " ", "，"]),
    ]  # fmt: skip
    rng = random.Random(104)
    found = [0, 0, 0]
    for k, (check, guard, pieces) in enumerate(pools):
        for _ in range(20000):
            line = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))).strip()
            if line and check(line):
                found[k] += 1
                assert guard(line), line
    assert min(found) > 50, found
    assert classify("（下转第3版）") == (CONTINUES, "3版")
    assert classify("新华社记者 张三摄") == (BYLINE_END, "新华社记者 张三摄")
    assert classify("本报北京12月17日电 党建工作持续稳固。") == (PARA, "本报北京12月17日电 ")
    long = "新华社北京12月17日电（记者 张三）" + "党建工作持续稳固，" * 8 + "带动就业。"
    assert classify(long) == (PARA, "新华社北京12月17日电（记者 张三）")
    assert classify("据" + "党建工作持续稳固，" * 10) == (PARA, "")
    assert classify("党建工作持续稳固") == (SHORT, "")


# Pages in the manners of other papers than People's Daily (our own writing): each paper's
# header, credits, datelines and notes around the articles. (kicker, title, subtitle, byline,
# dateline, continues) of each article, words each body holds, and furniture no body holds.
OTHER_PAPERS = {
    "jiefang.txt": (
        [
            ("", "浦东启动新一轮城市更新行动", "三年内完成120个街坊改造",
             "本报记者 陈静 通讯员 周红", "", ""),
            ("长三角生态绿色一体化发展示范区", "跨省公交线路增至12条", "", "记者 吴越",
             "本报讯（记者 吴越）", ""),
            ("", "夜间经济点亮“深夜食堂”", "", "本报记者 黄勇", "", ""),
        ],
        ["我们等这一天等了好多年", "跨省通办", "图为游客在老街品尝小吃"],
        ["解放日报", "责任编辑", "视觉设计", "■"],
    ),
    "guangzhou.txt": (
        [
            ("", "广州地铁新增三条线路开工", "", "文/广州日报全媒体记者 张宇 通讯员 穗铁宣",
             "广州日报讯", ""),
            ("", "荔枝上市 “一颗荔枝”带动乡村振兴", "", "广州日报全媒体记者 刘洋", "", ""),
            ("", "市民信箱", "小区门口的路灯坏了半个月", "", "", ""),
        ],
        ["突破600公里", "一斤能卖15块钱", "编辑同志：", "预计本周内修复"],
        ["广州新闻", "责任编辑", "广州日报讯", "扫码", "荔枝故事"],
    ),
    "guangming.txt": (
        [
            ("", "推动高校毕业生更加充分更高质量就业", "", "记者 李丹 陈鹏",
             "本报北京6月11日电（记者 李丹 陈鹏）", ""),
            ("", "让中华优秀传统文化“活”起来", "——访中国艺术研究院研究员王明",
             "光明日报记者 韩寒", "", ""),
            ("", "科技工作者在抗疫一线", "", "来源：新华社", "据新华社北京6月11日电", ""),
        ],
        ["同比增加40万人", "问：怎样让传统文化", "取得了一批重要成果"],
        ["光明日报", "要闻", "本版编辑", "校对"],
    ),
    "zhongqing.txt": (
        [
            ("", "“云招聘”为毕业生搭起求职快车道", "", "中青报·中青网记者 张渺", "", ""),
            ("", "青年志愿者走进社区", "", "中青报·中青网记者 王林",
             "本报讯（中青报·中青网记者 王林）", ""),
            ("", "大学生自制“口罩收纳盒”获专利", "", "本报记者 李强 实习生 赵敏", "", ""),
        ],
        ["收到3个面试通知", "招募志愿者10万名", "已有企业表示有意向合作生产"],
        ["中国青年报", "责任编辑"],
    ),
    "county.txt": (
        [
            ("", "我县夏收夏种工作有序推进", "", "通讯员 杨帆", "本报讯（通讯员 杨帆）", ""),
            ("", "简讯", "", "", "", ""),  # (each item keeps its credit: no byline of the column)
            ("", "县城新增两个公园向市民开放", "", "记者 王伟 报道", "", ""),
        ],
        ["确保不误农时", "责令整改问题8个", "空气好，环境也美。”市民刘女士说。",
         "参加。（记者 李琳）"],
        ["瓮安报", "广告热线", "责编", "排版"],
    ),
    "xinmin.txt": (
        [
            ("", "地铁18号线一期北段年内开通", "", "记者 钱勇", "本报讯 （记者 钱勇）", ""),
            ("", "本地新闻速览", "", "", "", ""),
            ("", "老洋房里开出社区图书馆", "", "本报记者 孙佳", "", ""),
        ],
        ["全自动运行系统的线路之一。", "●昨天上午，本市举行防汛防台综合演练", "每天开放至晚上9点"],
        ["今天天气", "多云到阴", "22℃", "相对湿度", "本版编辑", "扫码看视频", "■"],
    ),
    "jingji.txt": (
        [
            ("", "5月份CPI同比上涨2.4%", "", "经济日报记者 林火灿", "", ""),
            ("", "小微企业融资成本持续下降", "", "本报记者 姚进", "", ""),
            ("", "简讯", "", "", "", ""),  # (each item keeps its dateline and credit)
        ],
        ["（数据来源：国家统计局）", "有望继续下降。", "本报讯 国家发展改革委11日表示",
         "本报讯 商务部11日表示", "稳步复苏。（记者 黄鑫）"],
        ["经济日报 2020", "■", "简讯"],
    ),
    "shanghai_jump.txt": (
        [
            ("", "", "", "", "", ""),
            ("", "全市首批“智慧菜场”投入运营", "", "文汇报记者 周敏", "", ""),
            ("来信选登", "公交站台能否加装遮阳棚", "", "读者 李明", "", ""),
            ("■ 本报讯", "本市启动第二届“五五购物节”", "", "记者 陈静", "本报讯（记者 陈静）", ""),
        ],
        ["会议指出，要坚持稳中求进", "建成智慧菜场100家", "方便市民候车。", "促销活动5000余场。"],
        ["文汇报", "上接", "读者 李明", "www.whb.cn", "■"],
    ),
    "beijingwanbao.txt": (
        [
            ("", "", "", "", "", ""),
            ("", "二环路绿道年底前全线贯通", "", "本报记者 刘冕", "", ""),
            ("", "胡同里的“小修小补”回来了", "", "本报记者 孙毅", "", ""),
        ],
        ["缓解早晚高峰拥堵。", "感受老北京的城市风貌。", "家门口就能修。"],
        ["北京晚报", "紧接", "天气", "最高气温32℃", "胡同里的“小修小补”回来了", "本报记者 孙毅",
         "本版摄影"],
    ),
    "nanfang.txt": (
        [
            ("", "广东出台稳外贸十条措施", "", "记者/林晓 通讯员/粤商",
             "南方日报讯 （记者/林晓 通讯员/粤商）", ""),
            ("粤港澳大湾区", "“湾区通”工程再添新成果", "", "南方日报记者 陈思 通讯员 粤宣", "",
             "A5版"),
            ("", "", "", "", "", ""),
            ("", "返乡青年种出“致富果”", "", "文/图 南方日报记者 黄杰", "", ""),
        ],
        ["稳岗位、稳预期。", "促进三地规则衔接。", "编者按\n乡村振兴，人才是关键。",
         "户均年增收2万多元。"],
        ["责编", "下转", "南方日报讯"],
    ),
    "tiyu.txt": (
        [
            ("中超联赛第三轮", "申花主场2比1逆转力帆", "", "本报记者 郑宇", "", ""),
            ("", "全国游泳冠军赛落幕", "浙江队金牌数居首", "记者 王浩",
             "新华社青岛6月13日电（记者 王浩）", ""),
            ("", "CBA复赛赛程公布", "", "记者 马丽", "本报讯（记者 马丽）", ""),
        ],
        ["武汉卓尔 0:1 深圳佳兆业\n积分榜（前四名）", "3 北京国安 3 5\n4 深圳佳兆业 3 5",
         "同时开始。\n6月20日 19:35 广东—深圳（东莞赛区）\n6月20日 20:00", "8月中旬结束。"],
        ["责任编辑", "版式设计"],
    ),
    "cankao.txt": (
        [
            ("", "美媒：美国失业率仍处高位", "", "", "", ""),
            ("", "日本考虑放宽入境限制", "", "环球时报驻日本特约记者 王欣",
             "【环球时报驻日本特约记者 王欣】", ""),
            ("", "欧洲多国重开边境", "", "", "【环球时报综合报道】", ""),
            ("外媒看中国", "“中国经济复苏势头明显”", "", "编译/李文", "", ""),
        ],
        ["据美国《纽约时报》网站6月10日报道，", "据日本共同社11日报道，", "据法新社11日报道，"],
        ["参考消息", "责任编辑", "【", "编译/李文"],
    ),
    "minsheng.txt": (
        [
            ("", "小区电梯频繁故障何时修？", "", "来信人：海淀区某小区居民 王先生", "", ""),
            ("", "公交站牌字太小看不清", "", "读者 张华", "", ""),
            ("", "本版来信摘登", "", "", "", ""),
        ],
        ["编辑同志：\n我家住在", "编辑回复：\n接到来信后", "●读者刘先生反映："],
        ["读者热线", "责编", "来信人", "读者 张华"],
    ),
    # a picture page: a story's captions and their credits stay together, as People's Daily
    # keeps a group of pictures, the last credit too (the last picture's, no byline of the
    # group); the header (图片新闻 …, 摄影编辑) is no kicker
    "tupian.txt": (
        [
            ("", "麦收时节", "", "", "", ""),
            ("", "荷花绽放", "", "孟德龙 摄（人民图片）", "", ""),
        ],
        ["高峰期。\n新华社记者 李安 摄\n6月12日，在安徽省", "本报记者 赵亮 摄\n6月11日",
         "（无人机照片）。\n张波 摄"],
        ["图片新闻", "摄影编辑", "责任编辑"],
    ),
    # a 副刊 page: an essay under its writer's bare name (the byline), a book review under its
    # ——deck (the reviewer's name under the deck, over the book's line, stays in the body: left)
    "fukan.txt": (
        [
            ("", "母亲的菜园", "", "刘云", "", ""),
            ("", "在文字里触摸历史的温度", "——读《大河之北》", "", "", ""),
        ],
        ["全部热爱。", "王远\n《大河之北》 陈明 著 人民文学出版社\n翻开《大河之北》"],
        ["大地副刊", "责任编辑", "在文字里触摸历史的温度"],
    ),
    # a credit between two articles, over the lower title, when the upper one's dateline names
    # its reporter: the lower one's (a 链接 box stays in the body above it, as on People's Daily)
    "keji.txt": (
        [
            ("", "我国科学家研发出新型钙钛矿太阳能电池", "光电转换效率达25.2%", "记者陈曦",
             "科技日报北京6月9日电 （记者陈曦）", ""),
            ("", "“天问一号”探测器发射准备工作有序推进", "", "科技日报记者 张佳星", "", ""),
        ],
        ["初始效率的95%以上。", "尚属首次。\n链接\n什么是钙钛矿\n钙钛矿是一类"],
        ["科技日报 2020", "电话", "科技日报记者 张佳星"],
    ),
    "huanqiu.txt": (
        [
            ("社评", "外部干预只会让局势更复杂", "", "", "", ""),
            ("", "德国经济有望下半年企稳", "", "环球时报驻德国特约记者 青木",
             "【环球时报驻德国特约记者 青木】", ""),
            ("", "美国多地出现抗议活动", "", "本报驻美国特派记者 李珊", "", ""),
        ],
        ["通过对话协商解决分歧。", "起到重要作用。", "据美联社报道，截至10日"],
        ["环球时报", "国际论坛", "责编", "本报驻美国特派记者 李珊", "【"],
    ),
    # a column's name over its writer's bare name and text: the name is the byline, the title
    # no column heading over a piece (People's Daily's 来论 form); a name of three characters
    # under a kicker is read as 来论 is (社区人物 / 修鞋匠老周 / 张红梅: heading as title; left)
    "shequ.txt": (
        [
            ("民生视点", "快递小哥的一天", "", "李斌", "", ""),
            ("", "老旧小区加装电梯提速", "", "本报记者 陈晨", "", ""),
            ("", "社区人物", "", "", "", ""),
        ],
        ["一天跑80多公里。", "最高20万元的补贴。", "修鞋匠老周\n张红梅\n在东城区"],
        ["责任编辑", "美术编辑", "快递小哥的一天", "本报记者 陈晨"],
    ),
    # a 简讯 column (items without heads): one article, each item keeping its dateline and
    # credit; a 短讯 column whose items carry heads: an article each, the column's name the
    # first one's kicker
    "jianxun.txt": (
        [
            ("", "我市启动夏季治安巡防", "", "记者 孙涛", "本报讯（记者 孙涛）", ""),
            ("", "简讯", "", "", "", ""),
            ("短讯", "高新区新增两家科技孵化器", "", "记者 王磊", "本报讯（记者 王磊）", ""),
            ("", "市区新开三条公交线路", "", "记者 赵敏", "本报讯（记者 赵敏）", ""),
            ("", "江滨公园夜间延时开放", "", "通讯员 周洁", "本报讯（通讯员 周洁）", ""),
            ("", "滨江湿地迎来候鸟", "", "本报记者 钱程", "", ""),
        ],
        ["本报讯 6月14日，市图书馆", "参加。（记者 刘芳）\n本报讯 近日", "检查视力。（记者 陈静）"],
        ["滨江日报", "责编"],
    ),
    # a poem between two essays: its lines its body, the essay under it an article of its own
    "shige.txt": (
        [
            ("", "故乡的小河", "", "陈立", "", ""),
            ("", "麦田", "", "王雪", "", ""),
            ("", "读书的乐趣", "", "赵平", "", ""),
        ],
        ["当年的自己。", "风从南边吹过来\n麦子一垄一垄地黄了", "捆进镰刀的光里", "新的收获。"],
        ["文艺副刊", "责任编辑", "读书的乐趣", "赵平"],
    ),
    # pictures under one title, each caption closed by its credit (the first credited in the
    # header's 本版摄影): no byline of the group
    "shijue.txt": (
        [("", "端午临近粽飘香", "", "", "", "")],
        ["训练。\n马骏 摄", "社区活动中学包粽子。\n刘军 摄"],
        ["视觉", "责任编辑", "本版摄影"],
    ),
    # e-paper extraction: a big title spaced out, a writer's two-character name with one blank
    # (王　蒙) under an essay's head: the byline, never the title under a kicker
    "spaced.txt": (
        [
            ("", "稳 就 业  保 民 生", "", "本报记者 李 明", "本报讯", ""),
            ("", "读书的日子", "", "王\u3000蒙", "", ""),
        ],
        ["城镇新增就业32.6万人。", "每得到一本新书"],
        ["要闻", "读书的日子\n", "王\u3000蒙"],
    ),
    # 文汇报's 笔会: essays signed with a bare name (陈思和, 李 敬), closed by the writer's post
    "bihui.txt": (
        [
            ("", "江南的雨", "", "陈思和", "", ""),
            ("", "书房里的光阴", "", "李 敬", "", ""),
        ],
        ["几乎听不到声音；", "可以想念的。", "最愿意待的地方。"],
        ["文汇报", "责任编辑", "书房里的光阴", "李 敬"],
    ),
    # a review's ——deck over the reviewer's name: the name its byline
    "pinglun.txt": (
        [
            ("", "在山海之间书写奋斗者的史诗", "——评电视剧《山海情》", "王 峰", "", ""),
            ("", "让经典在舞台上焕发新生", "", "本报记者 周敏", "", ""),
        ],
        ["建设出“金沙滩”的故事。", "新鲜的感受。"],
        ["文艺评论", "王 峰", "本报记者 周敏"],
    ),
    # a 法治 page: a title over its longer deck over its credit is one article, never an item's
    # heading over its first piece (which glued the next credited article into it)
    "sifa.txt": (
        [
            ("", "职业索赔人批量起诉超市获赔被驳回", "法院认定其购买行为不以生活消费为目的",
             "本报记者 刘洋", "", ""),
            ("", "外卖骑手送餐途中受伤算不算工伤", "", "本报记者 陈静", "", ""),
        ],
        ["驳回原告的诉讼请求。", "应当认定为工伤。"],
        ["法治", "编辑", "外卖骑手送餐途中受伤算不算工伤", "本报记者"],
    ),
    # a three-character name under kicker + title, and an article credited under its title
    # after it (a city daily's page): the name is the byline, not 来论's heading over its piece
    "jiexiang.txt": (
        [
            ("街巷故事", "修鞋匠老周", "", "张红梅", "", ""),
            ("", "背街小巷换新颜", "", "本报记者 孙立", "", ""),
        ],
        ["就是他的全部家当。", "一直摆下去。", "完成全部整治任务。"],
        ["城市", "责任编辑", "张红梅", "背街小巷换新颜", "本报记者"],
    ),
    # a market report closing on a table of figures, then a 公告 digest: the digest's head under
    # the rows opens an article, and so does its second item (a colon head over one paragraph)
    "zhengquan.txt": (
        [
            ("", "沪指重返2900点 两市成交额超7000亿元", "", "证券时报记者 吴少龙", "", ""),
            ("公告速递", "万科A：5月销售金额494亿元", "", "", "", ""),
            # (its name opens its paragraph: service/digest_items.py)
            ("", "贵州茅台：拟每股派息17.025元", "", "", "", ""),
        ],
        ["维持震荡向上格局。\n指数 收盘 涨跌幅\n上证指数 2979.55 0.92%", "2346.09 2.01%",
         "合同销售金额494亿元。", "贵州茅台公告，"],
        ["证券时报", "责任编辑", "公告速递"],
    ),
    # a series' part numbered in its title (①) under a 【label】 kicker, its deck and credit
    # under it: kicker, title, subtitle as printed, never People's Daily's series title over its
    # piece's head (round 6); the subheads (拆违建 腾空间 …) stay in the body
    "xilie.txt": (
        [
            ("【系列报道·老街新生】", "胡同里的“微更新”①", "一条老胡同的十年变迁",
             "新京报记者 杨 雪", "", ""),
            ("", "东城区启动第二批胡同整治", "", "记者 杨雪", "本报讯（记者 杨雪）", ""),
        ],
        ["拆违建 腾空间\n胡同整治的第一步", "众人事 众人议", "老居民 新生活",
         "（下期请看：《大杂院里的“共享客厅”》）"],
        ["新京报", "编辑 郑伟"],
    ),
    # a 调查 under its credit, sections headed like news (青山县：三年脱贫两万户 …), then a true
    # item headed alike but closed by its own credit (绿水县：… / … （记者 宋岩）), then a dated
    # report: the sections stay in the feature, the item stands alone (round 6)
    "diaocha.txt": (
        [
            ("", "产业扶贫如何走得更稳更远", "——来自西南山区三县的调查", "本报记者 马 力 宋 岩",
             "", ""),
            ("", "绿水县：新建农村公路300公里", "", "记者 宋岩", "", ""),
            ("", "我市启动农产品品牌培育行动", "", "记者 马力", "本报讯（记者 马力）", ""),
        ],
        ["青山县：三年脱贫两万户\n青山县地处深山", "石岭县：产业“小而散”仍是短板",
         "专家：产业扶贫要防止“一窝蜂”", "乡村旅游也红火起来。"],
        ["农民日报", "责任编辑"],
    ),
    # a 人物 feature with a ■ 对话 box (新京报：…？ / 老郑：…), a subhead and a ■ 人物小传 box, then
    # a report filed under a paper's name ending on 报 alone (新京报讯): two articles (round 6)
    "duihua.txt": (
        [
            ("", "“守了三十年灯塔，我没觉得苦”", "", "新京报记者 周 航", "", ""),
            ("", "北京今年将新建50处口袋公园", "", "记者 吴越", "新京报讯（记者 吴越）", ""),
        ],
        ["■ 对话\n新京报：当初为什么会来守灯塔？", "一盏灯和一家人\n老郑的妻子",
         "■ 人物小传\n郑德海，1963年生"],
        ["编辑 李冰", "新京报讯"],
    ),
    # a 公告 digest of three items, each a colon head over a paragraph opening on its name: one
    # article per item (round 6)
    "gonggao.txt": (
        [
            ("", "半年报预告密集披露 逾六成公司预喜", "", "上证报记者 王 晨", "", ""),
            ("公告速递", "中国平安：前5月保费收入3580亿元", "", "", "", ""),
            ("", "海天味业：拟投建年产50万吨调味品项目", "", "", "", ""),
            ("", "比亚迪：子公司获得口罩出口资质", "", "", "", ""),
        ],
        ["下半年上市公司业绩有望进一步改善。", "同比下降1.2%。", "总投资约30亿元。",
         "可出口至欧盟国家。"],
        ["上海证券报", "责任编辑"],
    ),
    # two e-paper pages glued, each page's 版次 and name on lines of their own, one (A4) inside
    # a paragraph the column cut: furniture, the paragraph whole
    "banci.txt": (
        [
            ("", "全市重点项目集中开工", "", "本报记者 周涛", "本报讯", ""),
            ("", "端午假期我市接待游客超百万人次", "", "本报记者 孙佳", "本报讯", ""),
        ],
        ["民生保障等领域。", "错峰要求，游览秩序井然。"],
        ["第3版", "第4版", "要闻", "A4"],
    ),
}  # fmt: skip


def test_a_credit_set_solid_after_the_dateline_is_no_part_of_the_body_or_its_lead():
    # 本报讯 记者王磊 通讯员李明 近日，… (a 法治 page): the credits after the dateline, set apart
    # and in no bracket, are the article's byline; its lead opens on 近日. A case's labels
    # (【案情】, 【说法】) stay in the body, and the lead opens on the case.
    from service.summariser import lead

    first, case, _ = split_page((FIXTURES / "pages" / "fazhi.txt").read_text(encoding="utf-8"))
    assert (first.dateline, first.byline) == ("本报讯 记者王磊 通讯员李明", "记者王磊 通讯员李明")
    assert first.text.startswith("近日，市公安局")
    assert lead(first.text, first.title).text.startswith("近日，市公安局")
    assert case.text.startswith("【案情】\n2019年5月")
    assert lead(case.text, case.title).text.startswith("2019年5月")


def test_text_under_a_jump_is_no_part_of_the_article_that_jumped_away():
    # The article went on another page: a paragraph under the 下转 note is another article's
    # (its head read from the short lines over it); a colon kicker under the note, over the
    # next `## ` title, is that title's kicker (王光生： / ## 身中七弹 不负使命).
    report = "国家统计局11日发布数据显示，5月份全国居民消费价格指数同比上涨2.4%，涨幅回落。\n"
    page = (
        "5月份CPI同比上涨2.4%\n" + report + "（下转第二版）\n特种玻璃研发者卢勇\n"
        "为航天器披上“铠甲”（百姓影像）\n卢勇在实验室里工作了二十年，研发出多种特种玻璃，"
        "用在了多个航天器上。\n"
    )
    first, second = split_page(page)
    assert (first.continues, first.text) == ("二版", report.strip())
    assert (second.kicker, second.title) == ("特种玻璃研发者卢勇", "为航天器披上“铠甲”（百姓影像）")
    page = "## 5月份CPI同比上涨2.4%\n" + report + "（下转第二版）\n王光生：\n## 身中七弹 不负使命\n"
    assert [(a.kicker, a.title, a.text) for a in split_page(page + report)] == [
        ("", "5月份CPI同比上涨2.4%", report.strip()),
        ("王光生：", "身中七弹 不负使命", report.strip()),
    ]
    page = (FIXTURES / "pages" / "jump_marked.txt").read_text(encoding="utf-8")
    first, second = split_page(page)
    assert (first.continues, first.text[-8:]) == ("三版", "差距进一步缩小。")
    assert (second.kicker, second.title, second.byline) == (
        "聚焦：",
        "一个山村的“蝶变”之路",
        "本报记者 林峰",
    )


def test_a_boxed_label_over_running_text_stays_in_the_body():
    # A brief column's label stands over its items (points, datelined reports); a boxed label
    # inside an article (■链接, ■记者手记) stands over running text.
    page = (
        "小微企业融资成本持续下降\n本报记者 姚进\n今年以来，金融部门持续加大对小微企业的支持力度，"
        "贷款平均利率较上年全年下降0.7个百分点。\n■链接\n人民银行数据显示，4月份新发放普惠小微"
        "企业贷款平均利率为5.99%，较上年全年下降。\n业内人士表示，小微企业融资成本有望继续下降。\n"
    )
    (art,) = split_page(page)
    assert "■链接" in art.text


@pytest.mark.parametrize("name", sorted(OTHER_PAPERS))
def test_pages_of_other_papers(name):
    expected, held, furniture = OTHER_PAPERS[name]
    raw = (FIXTURES / "pages" / name).read_text(encoding="utf-8")
    arts = split_page(raw)
    assert_sound(raw, arts)
    got = [(a.kicker, a.title, a.subtitle, a.byline, a.dateline, a.continues) for a in arts]
    assert got == expected
    everything = "\n".join(a.text for a in arts)
    for words in held:
        assert words in everything
    for words in furniture:
        assert words not in everything


@pytest.mark.parametrize(
    ("line", "row"),
    [
        ("4 深圳佳兆业 3 5", True),
        ("6月20日 19:35 广东—深圳（东莞赛区）", True),
        ("10.27\xa010:00\xa0上海城市草坪音乐广场", True),
        ("广州恒大 3:0 河北华夏", False),  # one figure: a head may hold a score
        ("5月份CPI同比上涨2.4%", False),
        ("2019 年度十大科技进展", False),
        ("第十四届全运会 倒计时100天", False),
    ],
)
def test_a_table_row_is_never_a_head(line, row):
    from service.table_rows import is_row

    assert is_row(line) is row
