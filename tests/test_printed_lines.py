"""Pages extracted one printed line a line (service.printed_lines): paragraphs joined again."""

from hypothesis import given, settings
from hypothesis import strategies as st

from service import printed_lines
from service.lines import lines
from service.pages import read_page
from tests.test_pages import assert_accounted, assert_sound

ARTICLES = {
    "冬季蔬菜稳产保供": [
        "入冬以来，县里组织农技人员分片包村，逐户查看大棚保温和蔬菜长势，帮助种植户调整温湿度，"
        "及时清理棚顶积雪、加固棚架，并为困难农户送去保温被和补光灯，确保冬季蔬菜稳产保供。",
        "在城东的蔬菜基地，一排排大棚整齐排列，棚内黄瓜、番茄挂满枝头，工人们正忙着采摘、分拣和"
        "装箱，当天就能运往周边城市的超市。",
        "基地负责人介绍，今年引进的水肥一体化设备让每亩用水减少三成，产量却比去年提高了近两成。",
        "针对低温天气，气象部门提前发布预报，农业部门及时把防寒措施送到田间地头，没有一户因冻害减产。",
    ],
    "社区图书馆开门迎客": [
        "新建的社区图书馆开放后，每天都有不少居民前来借书看报，周末还举办亲子阅读和读书分享活动，"
        "晚上下班的年轻人也常来这里自习，馆里的座位常常坐得满满当当，成了街坊邻居的好去处。",
        "图书馆的书架上摆放着两万多册图书，其中少儿读物占了三分之一，借阅流程也从原来的登记改为扫码，"
        "几秒钟就能办好。",
        "一位带着孙子来看书的老人说，过去想看书要坐公交去市里，现在下楼走几分钟就到了，方便多了。",
    ],
    "城郊公交新线开通": [
        "连接高铁站和城郊三个乡镇的公交新线日前开通，全程二十多公里，沿途设站十六个，"
        "早晚高峰每十分钟一班，车上配备了无障碍踏板和轮椅固定装置，票价与城区线路保持一致。",
        "过去乡镇居民进城要换乘两次，单程将近一个半小时，新线开通后一车直达，时间缩短了一半。",
        "公交公司表示，将根据客流变化调整班次，并在学校和集市附近增设临时停靠点，方便学生和赶集的群众。",
    ],
}
PARAGRAPHS = [p for paras in ARTICLES.values() for p in paras]
TITLES = list(ARTICLES)
_ENDS = set("。！？；：…”）")


def printed(para: str, width: int) -> list[str]:
    """`para` set in a column `width` characters wide (never cut right after a sentence end,
    as training.pages_eval's printed-lines rendering)."""
    cuts = [k for k in range(width, len(para) - 2, width) if para[k - 1] not in _ENDS]
    return [para[a:b] for a, b in zip([0, *cuts], [*cuts, len(para)], strict=True)]


@st.composite
def printed_pages(draw):
    """A page of articles whose paragraphs are set one printed line a line (one width a column,
    14–24 characters), with furniture; each article opens on a paragraph of several lines. With
    it, the same page set one paragraph a line."""
    sep = draw(st.sampled_from(["\n", "\n\n"]))
    out, flat = ["第5版 要闻"], ["第5版 要闻"]
    for title in draw(st.lists(st.sampled_from(TITLES), min_size=1, max_size=3, unique=True)):
        first, *rest = ARTICLES[title]
        paras = [first, *draw(st.lists(st.sampled_from(rest), max_size=3, unique=True))]
        width = draw(st.integers(14, 24))
        out.append(title)
        flat.append(title)
        for p in paras:
            out += printed(p, width)
        flat += paras
    out.append("责任编辑：王芳")
    flat.append("责任编辑：王芳")
    return sep.join(out) + "\n", sep.join(flat) + "\n"


def _read(raw: str) -> list[tuple]:
    return [(a.kicker, a.title, a.subtitle, a.byline, a.text) for a in read_page(raw).articles]


@settings(max_examples=150, deadline=None)
@given(page=printed_pages())
def test_a_page_of_printed_lines_splits_as_it_would_set_one_paragraph_a_line(page):
    raw, flat = page
    got = read_page(raw)
    assert _read(raw) == _read(flat)
    assert [s.text for s in got.furniture] == ["第5版 要闻", "责任编辑：王芳"]
    assert_sound(raw, list(got.articles))
    assert_accounted(raw)  # every character in one place, each span indexing `raw`
    for a in got.articles:
        for s in a.body.source_spans(0, len(a.text), raw):
            assert raw[s.start : s.end] == s.text


def test_printed_lines_are_read_as_paragraphs_not_heads():
    # Without the join, each printed line of 14–24 characters is a bare short line: heads.
    lines_ = ["第5版 要闻", TITLES[0]]
    for p in PARAGRAPHS[:3]:
        lines_ += printed(p, 16)
    lines_ += [TITLES[1]]
    for p in PARAGRAPHS[4:6]:
        lines_ += printed(p, 18)
    raw = "\n".join(lines_) + "\n"
    page = read_page(raw)
    assert [a.title for a in page.articles] == TITLES[:2]
    assert page.articles[1].text == "\n".join(PARAGRAPHS[4:6])
    # Offsets are the page's: the second paragraph of the first article as sent.
    body = page.articles[0].body
    at = body.text.index(PARAGRAPHS[1])
    spans = body.source_spans(at, at + len(PARAGRAPHS[1]), raw)
    assert "".join(s.text for s in spans) == PARAGRAPHS[1] and len(spans) > 1
    assert spans[0].start == raw.index(PARAGRAPHS[1][:16])


def test_a_page_set_one_paragraph_a_line_is_left_as_it_is(sample_page):
    assert printed_lines.unwrap(sample_page, lines(sample_page)) is None
    table = "\n".join(f"书名：第{i}本书的名字      作者：某某" for i in range(10)) + "\n"
    assert printed_lines.unwrap(table, lines(table)) is None  # a table: no running text


def test_lead_spans_of_a_printed_lines_page_index_the_page():
    # Leads are cut from the body through its index: spans across joined lines are split.
    from service.pipeline import analyse_page

    blocks = [
        t + "\n" + "\n".join(x for p in ps for x in printed(p, 16)) for t, ps in ARTICLES.items()
    ]
    raw = "第5版 要闻\n" + "\n".join(blocks) + "\n责任编辑：王芳\n"
    analyses = analyse_page(raw, None, max_sentences=2)
    assert [a.article.title for a in analyses] == TITLES
    for a in analyses:
        assert a.lead.text and a.lead.spans
        assert all(raw[s.start : s.end] == s.text for s in a.lead.spans)
        assert len(a.lead.spans) > 1  # the lead crosses printed lines
