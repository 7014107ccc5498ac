"""Body cleaning: each rule on its own, then clean_body's offsets on real and arbitrary text."""

from __future__ import annotations

import gc
import random
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.credits import dateline_reporter
from service.documents import Span
from service.lines import classify
from service.pages import split_page
from service.text import (
    byline_end,
    byline_start,
    clean_body,
    clean_kinds,
    clean_lines,
    continues_to,
    cuts_word,
    ends_paragraph,
    is_column_break,
    is_furniture,
    is_heading_like,
    is_non_copy,
    lines,
    split_dateline,
)
from tests.guards import admits_every_match


def assert_faithful(raw: str, cleaned, offset: int = 0) -> None:
    """Every body character (paragraph joins too) is the input character at its index."""
    body = cleaned.body
    assert len(body.index) == len(body.text)
    assert np.all(np.diff(body.index) > 0)
    for ch, i in zip(body.text, body.index, strict=True):
        assert raw[int(i) - offset] == ch


def test_lines_strip_and_keep_offsets():
    raw = "  标题 \r\n\n\u3000\u3000正文第一段。\n\t\n末行"
    got = lines(raw, offset=10)
    assert [s.text for s in got] == ["标题", "正文第一段。", "末行"]
    for s in got:
        assert raw[s.start - 10 : s.end - 10] == s.text


@pytest.mark.parametrize(
    "line",
    [
        "今日导读",
        ">2版",
        "第3版",
        "A2版",
        "贵阳新闻",
        "贵阳网",
        "城东要闻",
        "贵阳日报",
        "责任编辑：王芳",
        "（责任编辑：王芳）",
        "本版编辑 林晓 校对 周敏",
        "(完)",
        "（上接1版）",
        "2025年11月20日 星期四",
        "- 2 -",
        "www.gywb.cn",
        "## 今日导读",
        # Editor credits as the summariser met them in raw copy: solid, listed, with a full stop.
        "责任编辑王芳",
        "编辑：王芳，校对：李四",
        "责任编辑：王芳。",
    ],
)
def test_is_furniture_yes(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "党建工作持续稳固",
        "胡忠雄率队在北京招商引资并召开驻外招商座谈会",
        "市有关部门负责人参加。",
        "2025年12月17日，市委召开常委会会议。",
        "编辑部收到读者来信后，立即联系了相关部门。",
        "贵州“十四五”气象整体实力迈上新台阶",
        "编密防护网",
        "",
    ],
)
def test_is_furniture_no(line):
    assert not is_furniture(line)


@pytest.mark.parametrize(
    ("line", "page"),
    [
        ("(下转3版)", "3版"),
        ("（下转第2版）", "2版"),
        ("下转A4版", "A4版"),
        ("（转第三版）", "三版"),
        ("(上接1版)", ""),
        ("下转3版后继续阅读", ""),
        ("市有关部门负责人参加。", ""),
    ],
)
def test_continues_to(line, page):
    assert continues_to(line) == page


@pytest.mark.parametrize(
    ("text", "dateline", "rest"),
    [
        ("本报讯 12月17日,省委常委", "本报讯", "12月17日,省委常委"),
        ("本报讯（记者 陈晓）连日来，全县", "本报讯（记者 陈晓）", "连日来，全县"),
        ("新华社北京12月17日电（记者 周芷若）近日", "新华社北京12月17日电（记者 周芷若）", "近日"),
        ("本报贵阳12月17日讯 记者从市教育局获悉", "本报贵阳12月17日讯", "记者从市教育局获悉"),
        ("央视网消息：今天上午", "央视网消息", "今天上午"),
        ("据新华社电 国家统计局", "据新华社电", "国家统计局"),
        ("本报记者近日从市电力公司了解到", "", "本报记者近日从市电力公司了解到"),
        ("12月17日,省委常委", "", "12月17日,省委常委"),
        # Broadcast and wire forms (the summariser's, now here): 本台, 人民日报, a day alone,
        # a place alone before 电/讯 and a break.
        ("央视网消息（新闻联播）：国务院总理", "央视网消息（新闻联播）", "国务院总理"),
        ("本台消息：国家主席习近平20日", "本台消息", "国家主席习近平20日"),
        ("本报消息：近日，全市", "本报消息", "近日，全市"),
        ("人民日报北京12月3日电 国务院", "人民日报北京12月3日电", "国务院"),
        ("新华社北京3日电 国家统计局", "新华社北京3日电", "国家统计局"),
        ("新华社北京电（记者 张三）近日", "新华社北京电（记者 张三）", "近日"),
        # People's Daily sets the credit after a no-break space (1,923 of the corpus' articles);
        # a newline still ends the dateline.
        (
            "新华社北京9月30日电\xa0（记者朱基钗）中共中央",
            "新华社北京9月30日电\xa0（记者朱基钗）",
            "中共中央",
        ),
        ("本报北京2日电\xa0\xa0（记者张三）十三届", "本报北京2日电\xa0\xa0（记者张三）", "十三届"),
        ("新华社北京9月30日电\n（记者朱基钗）", "新华社北京9月30日电", "（记者朱基钗）"),
        ("本报综合讯 近日", "本报综合讯", "近日"),
        # A paper filing under its own name, as city dailies do
        (
            "南方日报讯 （记者/林晓 通讯员/粤商）记者昨日",
            "南方日报讯 （记者/林晓 通讯员/粤商）",
            "记者昨日",
        ),
        ("广州日报讯 昨日，广州地铁", "广州日报讯", "昨日，广州地铁"),
        ("羊城晚报广州6月11日讯 记者", "羊城晚报广州6月11日讯", "记者"),
        # a paper whose name ends on 报 alone (round 6)
        ("新京报讯（记者 吴越）记者昨日", "新京报讯（记者 吴越）", "记者昨日"),
        ("华商报讯 近日，", "华商报讯", "近日，"),
        ("电子画报讯息显示", "", "电子画报讯息显示"),
        # the credits set solid and apart, no bracket; a foreign desk's lenticular brackets
        ("本报讯 记者王磊 通讯员李明 近日，", "本报讯 记者王磊 通讯员李明", "近日，"),
        ("本报讯 记者近日从市电力公司获悉", "本报讯", "记者近日从市电力公司获悉"),
        ("【环球时报驻日本特约记者 王欣】据日本", "【环球时报驻日本特约记者 王欣】", "据日本"),
        ("【环球时报综合报道】据法新社", "【环球时报综合报道】", "据法新社"),
        ("【案情】2019年5月", "", "【案情】2019年5月"),
        ("南方日报记者从省商务厅获悉", "", "南方日报记者从省商务厅获悉"),
        ("晚报讯息显示", "", "晚报讯息显示"),
        # A place alone never holds 记者 and must end at a break: these are running text.
        ("本报记者从市通讯管理局获悉", "", "本报记者从市通讯管理局获悉"),
        ("中国新闻网记者从国家电网获悉", "", "中国新闻网记者从国家电网获悉"),
        ("新华社播发电文", "", "新华社播发电文"),
        # 电 running on into a word (电子) is no dateline's: a kicker, 人民日报电子阅报栏…
        ("人民日报电子阅报栏进驻武汉方舱医院——", "", "人民日报电子阅报栏进驻武汉方舱医院——"),
    ],
)
def test_split_dateline(text, dateline, rest):
    got, cut = split_dateline(text)
    assert got == dateline
    assert text[cut:] == rest


def test_the_reporter_of_a_dateline_without_brackets_or_in_lenticular_ones():
    assert dateline_reporter("本报讯 记者王磊 通讯员李明") == "记者王磊 通讯员李明"
    assert dateline_reporter("【环球时报驻日本特约记者 王欣】") == "环球时报驻日本特约记者 王欣"
    assert dateline_reporter("【环球时报综合报道】") == ""


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("本报评论员", "本报评论员"),
        ("新华社记者 周芷若 倪远诗", "新华社记者 周芷若 倪远诗"),
        ("本报记者 赵宁", "本报记者 赵宁"),
        ("本报记者 张三 通讯员 李四", "本报记者 张三 通讯员 李四"),
        ("文/王芳", "文/王芳"),
        ("贵阳日报融媒体中心记者 张三", "贵阳日报融媒体中心记者 张三"),
        ("记者 张三、李四", "记者 张三、李四"),
        ("央视记者 王芳、李明 报道", "央视记者 王芳、李明 报道"),
        ("中青报·中青网记者 张渺", "中青报·中青网记者 张渺"),  # an outlet joined by ·
        ("■本报记者 陈静 通讯员 周红", "本报记者 陈静 通讯员 周红"),  # the mark leads in
        # A handover mid-story is no credit line: it must not close the article on a page.
        ("本台记者 蒋林：", ""),
        ("记者了解到,以往数据标注员的工作比较简单枯燥,技术含量不高。", ""),
        ("党建工作持续稳固", ""),
        ("中国式现代化,民生为大。", ""),
        ("外交部发言人就台湾选举答记者问", ""),  # a title: 记者问, no reporter
        # a mark before the credit, as city dailies set it, is not part of the credit
        ("■ 本报评论员 李斌", "本报评论员 李斌"),
        ("□本报记者  张三", "本报记者 张三"),
        ("□李斌", "李斌"),  # a bare name after a hollow square
        ("□ 李 斌", "李 斌"),
        ("作者：李斌", "作者：李斌"),
        ("来信人：海淀区某小区居民 王先生", "来信人：海淀区某小区居民 王先生"),  # a letter's signer
        ("来信人", ""),
        ("■记者手记", ""),  # a box's label, kept in the body
        ("■短评", ""),
        ("□", ""),
        # a reader signing a letter, the name set apart; the column's names are no credit
        ("读者 李明", "读者 李明"),
        ("读者 李 明", "读者 李 明"),
        ("读者来信", ""),
        ("读者", ""),
        ("广大读者", ""),
    ],
)
def test_byline_start(line, credit):
    assert byline_start(line) == credit


def test_a_credit_line_holds_a_role_or_a_mark_the_hint_finds():
    # byline_start splits and matches only lines holding one of 记员生撰文图者□
    # (credits._BYLINE_HINT): every line the first token's pattern takes holds one. Strings made
    # of the pattern's pieces.
    from service.credits import _BYLINE_FIRST, _BYLINE_HINT

    pieces = ["本报", "新华社", "见习", "特约", "记者", "撰稿人", "评论员", "通讯员",
              "实习生", "张三", "■", "●", " ", "文", "图", "/", "／", "：", "、", "李四",
              "王", "中心", "融媒体", "作者"]  # fmt: skip
    admits_every_match(_BYLINE_FIRST, _BYLINE_HINT.search, pieces, at_least=1000)
    assert byline_start("特约撰稿人 王芳") == "特约撰稿人 王芳"
    assert byline_start("图／李明") == "图／李明"


@pytest.mark.parametrize(
    ("line", "non_copy"),
    [
        ("本报评论员", True),
        ("新华社记者 周芷若 倪远诗", True),
        ("记者 张三、李四", True),
        ("(贵阳日报融媒体中心 代晓龙)", True),
        ("（下转3版）", True),
        ("今日导读", True),
        ("责任编辑：王芳", True),
        ("编辑：王芳", True),
        ("(展示画面)", True),
        ("（图为市民在书房阅读。）", True),
        ("本台记者 蒋林：", True),
        ("中国式现代化,民生为大。", False),
        ("记者了解到,以往数据标注员的工作比较简单枯燥,技术含量不高。", False),
        ("党建工作持续稳固", False),  # a subhead: copy, even if never a lead
        ("（一）" + "国务院总理李克强在北京会见白俄罗斯副总理托济克。" * 2, False),
        ("", False),
    ],
)
def test_is_non_copy(line, non_copy):
    assert is_non_copy(line) is non_copy


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("(贵阳日报融媒体中心 代晓龙)", "贵阳日报融媒体中心 代晓龙"),
        ("（记者 张三，通讯员 李四）", "记者 张三，通讯员 李四"),
        ("（张华 李明）", "张华 李明"),
        ("（据新华社）", "据新华社"),
        ("(下转3版)", ""),
        ("（一）", ""),
        ("（完）", ""),
        ("（图为市民在书房阅读。）", ""),
        # a photo report's two credits, picture's and text's (rmrb-20191014-05-04, -20200214-04-06)
        ("曹\xa0\xa0一图\xa0\xa0于\xa0\xa0石文", "曹 一图 于 石文"),
        ("曹希阳图\xa0\xa0卜\xa0\xa0拉文", "曹希阳图 卜 拉文"),
        ("郭\xa0鹏摄\xa0本报记者\xa0姚雪青文", "郭 鹏摄 本报记者 姚雪青文"),
        ("张\u3000三文\u3000李四图", "张 三文 李四图"),
        ("一带一路绘宏图", ""),  # a title: one part, no space
        ("广东深圳市\xa0聂耀文", ""),  # a writer named 耀文, no picture credit
    ],
)
def test_byline_end(line, credit):
    assert byline_end(line) == credit


@pytest.mark.parametrize(
    ("line", "ends"),
    [
        ("市有关部门负责人参加。", True),
        ("“今年雨水匀。”", True),
        ("你能做到吗？", True),
        ("引进高层次师资人才百余人……", True),
        ("解决好农村改厕、垃圾围村等问题;", True),
        ("大力实施强化比", False),
        ("“要撑起这样大规模的产业布局,", False),
        ("打造“红领黔程”", False),
        ("结束。  ", True),  # (blanks and closing quotes set aside, not only a mark last)
        ("结束。”\u3000", True),
        ("", False),
        ("\u3000", False),
    ],
)
def test_ends_paragraph(line, ends):
    assert ends_paragraph(line) is ends


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("党建工作持续稳固", True),
        ("贵阳贵安的“十四五”", True),
        ("培育和发展新质生产力是本次招商引", True),
        ("辽宁海城：产业集聚百业兴", True),
        ("【口播】", True),
        ("在北京招商引资期间,胡忠雄召开贵", False),
        ("市有关部门负责人参加。", False),
        ("这一行有二十五个字这一行有二十五个字这一行有二十五", False),
    ],
)
def test_is_heading_like(line, heading):
    assert is_heading_like(line) is heading


@pytest.mark.parametrize(
    ("prev", "nxt", "cut"),
    [
        ("大力实施强化比", "较优势战略", True),
        ("培育和发展新质生产力是本次招商引", "资的重点任务。", True),
        ("胡忠雄召开贵", "阳贵安驻外招商座谈会", True),
        ("建成青年马克", "思主义研习社", True),
        ("党建工作持续稳固", "“十四五”以来", False),
        ("辽宁海城：产业集聚百业兴", "在辽宁鞍山", False),
        ("先后认真", "开展党史学习教育", False),
        ("优化营商环境", "持续深化改革", False),
        ("产业布局,", "人才支撑是关键", False),
    ],
)
def test_cuts_word(prev, nxt, cut):
    assert cuts_word(prev, nxt) is cut


@pytest.mark.parametrize(
    ("prev", "nxt", "joined"),
    [
        # Cuts from the sample page: mid-word, mid-clause, after a half-width comma.
        ("贵阳贵安正深入学习贯彻,大力实施强化比", "较优势战略,打造优势矿产", True),
        ("培育和发展新质生产力是本次招商引", "资的重点任务。", True),
        ("在北京招商引资期间,胡忠雄召开贵", "阳贵安驻外招商座谈会。", True),
        ("对贵阳贵安长期以来给予企业在筑项目", "的支持表示感谢。", True),
        ("“要撑起这样大规模的产业布局,", "人才支撑是关键。”", True),
        ("预计总产量达到6.1万吨，", "其中优质稻占比进一步提高。", True),
        ("他说", "，发展势头良好。", True),
        # A number cut from its unit after a dateline (…电 当地时间22 / 日晚，…): a lead opened
        # on the tail 日晚，… (i139). A series' circled number is no digit, nor a table's rows.
        ("当地时间22", "日晚，第三届冬青奥会在瑞士洛桑落下帷幕。", True),
        ("截至2019年11", "月底，全国登记认定慈善组织已超过7500个。", True),
        ("——写在座谈会召开四周年之际①", "2016年1月5日，习近平总书记在座谈会上强调。", False),
        ("3 北京国安 3 5", "4 深圳佳兆业 3 5", False),
        # Real paragraph ends and subheads stay apart.
        ("市有关部门负责人参加。", "(贵阳日报融媒体中心 代晓龙)", False),
        ("“今年雨水匀，稻子长得好。”刘国强说。", "社区食堂开进老旧小区", False),
        ("党建工作持续稳固", "“十四五”以来,学院党委把政治建设摆在首位", False),
        ("老人吃饭更方便", "社区食堂实行“中央厨房+社区配送”模式。", False),
        ("辽宁海城：产业集聚百业兴", "在辽宁鞍山海关西柳监管场所，每天", False),
        ("【口播】", "本台消息：国家主席习近平20日", False),
        ("## 胡忠雄在北京 与中铝集团总经理王石磊举行座谈", "本报讯 12月17日", False),
        ("", "正文", False),
    ],
)
def test_is_column_break(prev, nxt, joined):
    assert is_column_break(prev, nxt) is joined


def test_clean_body_fields_and_joins():
    raw = (
        "新华社记者 周芷若 倪远诗\n\n"
        "新华社贵阳12月17日电 贵州大力培育数据标注全产业\n\n"
        "链，带动就业。\n\n"
        "今日导读\n\n"
        "人才支撑\n\n"
        "“这种模式让学生接触实际项目。”李长春介绍。\n\n"
        "（下转3版）\n"
    )
    c = clean_body(raw)
    assert c.byline == "新华社记者 周芷若 倪远诗"
    assert c.dateline == "新华社贵阳12月17日电"
    assert c.continues == "3版"
    assert c.body.text == (
        "贵州大力培育数据标注全产业链，带动就业。\n人才支撑\n“这种模式让学生接触实际项目。”李长春介绍。"
    )
    assert_faithful(raw, c)


def test_clean_body_joins_a_date_cut_after_the_dateline():
    raw = "新华社北京1月30日电\xa0\xa01月29\n日，国办印发《通知》。\n《通知》指出，要履职。\n"
    c = clean_body(raw)
    assert c.dateline == "新华社北京1月30日电"
    assert c.body.text == "1月29日，国办印发《通知》。\n《通知》指出，要履职。"
    assert_faithful(raw, c)


@pytest.mark.parametrize("indent", ["", "\u3000\u3000"])
def test_clean_body_reads_a_datelines_credit_the_column_cut(indent):
    # 本报北京10月13日电  （记者 / 刘毅）受…: the dateline was read on the first line alone, and
    # the credit's rest, （记者刘毅）, opened the body with no byline (i163, pdftotext's lines).
    raw = f"{indent}本报北京10月13日电  （记者\n刘毅）受台风影响，各地加强防汛。\n各地行动起来。\n"
    c = clean_body(raw)
    assert (c.dateline, c.byline) == ("本报北京10月13日电  （记者刘毅）", "记者刘毅")
    assert c.body.text == "受台风影响，各地加强防汛。\n各地行动起来。"
    assert_faithful(raw, c)
    page = split_page("## 各地加强防汛\n" + raw)[0]
    assert (page.dateline, page.byline, page.text) == (c.dateline, c.byline, c.body.text)


def test_clean_body_offset_and_inline_tail():
    raw = "本报讯（记者 陈晓）连日来，晚稻收割进度超过九成。（下转2版）"
    c = clean_body(raw, offset=100)
    assert c.body.text == "连日来，晚稻收割进度超过九成。"
    assert (c.byline, c.continues) == ("记者 陈晓", "2版")
    assert c.body.index[0] == 100 + raw.index("连日来")
    assert_faithful(raw, c, offset=100)


def test_clean_body_inline_byline():
    c = clean_body("中铝集团有关部门负责人参加。(贵阳日报融媒体中心 代晓龙)")
    assert c.body.text == "中铝集团有关部门负责人参加。"
    assert c.byline == "贵阳日报融媒体中心 代晓龙"


def test_clean_body_empty():
    c = clean_body("  \n\n今日导读\n")
    assert c.body.text == ""
    assert len(c.body.index) == 0


def test_source_spans_round_trip_across_joins():
    raw = "开头一段。\n\n大力实施强化比\n\n较优势战略。\n\n结尾。"
    c = clean_body(raw, offset=0)
    text = c.body.text
    assert "强化比较优势战略" in text
    spans = c.body.source_spans(0, len(text), raw)
    assert all(raw[s.start : s.end] == s.text for s in spans)
    assert "".join(s.text for s in spans) == text
    a = text.index("强化比较")
    cut = c.body.source_spans(a, a + 4, raw)
    assert [s.text for s in cut] == ["强化比", "较"]


def test_one_megabyte_is_linear(sample_page):
    # A 1 MB input (here a million characters) must not blow up: the rules are linear.
    raw = (sample_page * (1_000_000 // len(sample_page) + 1))[:1_000_000]
    c = clean_body(raw)
    # Only furniture, credits and whitespace go; headings stay apart from their paragraphs.
    assert len(raw) > len(c.body.text) > 0.9 * len(raw)
    assert "座谈\n本报讯" in c.body.text
    assert isinstance(c.body.index[0], np.integer)


# Text built from the pieces pages are made of, so the rules actually fire.
PIECES = st.sampled_from(
    [
        "本报讯 ",
        "新华社北京12月17日电（记者 张三）",
        "（贵阳日报融媒体中心 代晓龙）",
        "本报评论员",
        "(下转3版)",
        "今日导读",
        ">2版",
        "贵阳网",
        "党建工作持续稳固",
        "强化比",
        "较优势",
        "。",
        "，",
        ",",
        "“",
        "”",
        " ",
        "\u3000",
        "\n",
        "\n\n",
        "\r\n",
        "## ",
        "(",
        ")",
    ]
)
TEXTS = st.one_of(st.text(max_size=300), st.lists(PIECES | st.text(max_size=5)).map("".join))


@settings(max_examples=200, deadline=None)
@given(raw=TEXTS, offset=st.integers(0, 10_000))
def test_clean_body_never_invents_text(raw, offset):
    c = clean_body(raw, offset)
    assert_faithful(raw, c, offset)
    assert not c.body.text.startswith("\n") and not c.body.text.endswith("\n")
    spans = c.body.source_spans(0, len(c.body.text), " " * offset + raw)
    assert "".join(s.text for s in spans) == c.body.text


@settings(max_examples=100, deadline=None)
@given(raw=TEXTS)
def test_lines_cover_only_content(raw):
    for s in lines(raw):
        assert raw[s.start : s.end] == s.text == s.text.strip()
        assert "\n" not in s.text
        assert Span(s.start, s.end, s.text) == s


# Paragraphs one per line, as single articles mostly arrive, mixed with pieces a rule catches.
PARAGRAPHS = st.lists(
    st.lists(
        PIECES | st.sampled_from(["发展", "强化比较优势", "1-5月", "本报记者"]), min_size=1
    ).map("".join),
    min_size=1,
    max_size=6,
).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(raw=TEXTS | PARAGRAPHS, offset=st.integers(0, 10_000))
def test_clean_body_is_clean_lines_over_the_line_kinds(raw, offset):
    body, spans = clean_body(raw, offset), lines(raw)
    given_kinds = clean_lines(raw, spans, offset, kinds=[classify(s.text) for s in spans])
    assert_same_cleaning(body, given_kinds)
    assert_faithful(raw, body, offset)


def assert_same_cleaning(a, b) -> None:
    assert a.body.text == b.body.text
    assert np.array_equal(a.body.index, b.body.index)
    assert (a.byline, a.dateline, a.continues, a.dropped) == (
        b.byline,
        b.dateline,
        b.continues,
        b.dropped,
    )


def test_clean_kinds_is_clean_lines_with_kinds_and_values_apart():
    """The splitter hands a draft's kinds and values as its two lists (drafts.Draft): the same
    cleaning as the pairs, and lists of another length than the lines are refused."""
    raw = "本报评论员\n今日导读\n本报讯　党建工作持续稳固。\n带动就\n业。\n(下转3版)\n（记者 张三）"
    spans = lines(raw)
    pairs = [classify(s.text) for s in spans]
    kinds, values = [k for k, _ in pairs], [v for _, v in pairs]
    apart, paired = clean_kinds(raw, spans, kinds, values, 7), clean_lines(raw, spans, 7, pairs)
    assert apart.body.text == "党建工作持续稳固。\n带动就业。"
    assert_same_cleaning(apart, paired)
    assert (kinds, values) == ([k for k, _ in pairs], [v for _, v in pairs])  # (not changed)
    with pytest.raises(ValueError):
        clean_kinds(raw, spans, kinds[:-1], values[:-1])


def test_clean_lines_tests_no_line_again():
    """clean_lines acts on the kinds and values it is handed (issue 13: one pass, one home
    for each check): a line handed as running text stays, whatever it reads like, and a credit
    or jump is taken as handed."""
    raw = "本报评论员\n本报讯　党建工作持续稳固。\n带动就业。\n(下转3版)"
    spans = lines(raw)
    assert [classify(s.text) for s in spans] == [
        ("byline_start", "本报评论员"),
        ("para", "本报讯　"),
        ("para", ""),
        ("continues", "3版"),
    ]
    as_text = clean_lines(raw, spans, kinds=[("para", "")] * 4)
    assert as_text.body.text == raw and not as_text.byline
    assert not as_text.dateline and not as_text.continues
    handed = clean_lines(
        raw,
        spans,
        kinds=[("byline_start", "某某"), ("para", "本报讯　"), ("para", ""), ("continues", "9版")],
    )
    assert (handed.byline, handed.dateline, handed.continues) == ("某某", "本报讯", "9版")
    assert handed.body.text == "党建工作持续稳固。\n带动就业。"
    assert_faithful(raw, handed)


@pytest.mark.parametrize(
    "raw, verbatim",
    [
        ("党建工作持续稳固。\n“这种模式让学生接触实际项目。”李长春介绍。", True),
        ("党建工作持续稳固，\n带动就业。", False),  # a column break to join
        ("党建工作持续稳固。\n\n带动就业。", False),  # a blank line
        ("本报讯 党建工作持续稳固。", False),  # a dateline
        ("党建工作持续稳固。\n今日导读", False),  # furniture
    ],
)
def test_clean_body_keeps_a_tidy_body_as_it_is(raw, verbatim):
    c = clean_body(raw, offset=7)
    assert (c.body.text == raw) is verbatim
    assert_faithful(raw, c, offset=7)


def test_a_cleaned_body_is_frozen_and_pickles_with_its_index():
    import pickle
    from dataclasses import FrozenInstanceError

    raw = "本报讯　会议召开\n部署工作。\n（完）"
    body = clean_body(raw, offset=5).body
    with pytest.raises(FrozenInstanceError):
        body.text = "x"  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(body))
    assert copy.text == body.text and np.array_equal(copy.index, body.index)
    assert body.index is body.index  # made once, on first read
    assert_faithful(raw, clean_body(raw, offset=5), offset=5)


def test_a_body_index_is_made_from_its_lines_when_first_read():
    # text._join keeps the lines' ranges and where each paragraph's newline stands; the runs
    # are summed when the index is read (a newline after a line's trailing blanks, or the
    # line's end itself, a dateline cut off the first line, an offset).
    raw = "本报北京电　会议召开 \t\n部署工作，\n推进落实。\u3000\n\n  全面完成。\n另起一段"
    body = clean_body(raw, offset=3).body
    assert body._index is None  # (nothing summed yet)
    assert body.text == "会议召开\n部署工作，推进落实。\n全面完成。\n另起一段"
    assert_faithful(raw, clean_body(raw, offset=3), offset=3)
    assert body.index[4] == 3 + raw.index("\n")  # (the newline past the blanks)


def test_a_spaced_name_is_read_only_on_a_line_holding_a_blank():
    # writers.spaced_name runs SPACED_NAME only where a blank stands (a space or an
    # unprintable character: every other blank is one): the same answer on the pattern's pieces.
    from service.writers import SPACED_NAME, spaced_name

    pieces = [
        "马",
        "琳",
        "蒋安全",
        "编辑",
        "  ",
        "\u3000\u3000",
        "\xa0\xa0",
        " ",
        "：",
        "（作家）",
        "a",
    ]
    admits_every_match(SPACED_NAME, spaced_name, pieces, at_least=500)
    pieces += ["\t", ":", "（", "(", "）", "，"]
    rng = random.Random(110)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        assert spaced_name(text) == bool(SPACED_NAME.fullmatch(text)), text
    assert spaced_name("环球时报副总编辑  蒋安全") and spaced_name("马\u3000\u3000琳")
    assert not spaced_name("马琳") and not spaced_name("新时代的奋斗者")


def test_a_line_ending_on_no_end_or_closer_is_told_without_stripping():
    # ends_paragraph answers False at once for a line whose last character is neither an end,
    # a closing mark nor a blank: the same answer as stripping blanks and closers first.
    from service.text import _CLOSERS, _TERMINAL, ends_paragraph

    def stripped(line: str) -> bool:
        core = line.rstrip().rstrip(_CLOSERS)
        return bool(core) and core[-1] in _TERMINAL

    pieces = [*_TERMINAL, *_CLOSERS, " ", "\u3000", "\xa0", "\t", "好", "a", "，", "—", ""]
    rng = random.Random(110)
    for _ in range(20000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        assert ends_paragraph(line) == stripped(line), line


def test_a_cleaned_body_holds_no_python_objects_per_line_until_its_index_is_read() -> None:
    """What a body keeps for its lazy index is a few arrays, not ints and tuples per line: a
    request's articles live for the whole call, and a big request's per-line objects spread
    over fresh pymalloc arenas kept those arenas from being freed (`make soak`'s memory phase).
    Counted in allocated blocks, not in bytes or time."""
    raw = "\n".join(f"第{i}段，会议研究部署下一阶段重点工作。" for i in range(2000))
    clean_body(raw)  # anything made once (caches, lazy tables) made before counting
    gc.collect()
    before = sys.getallocatedblocks()
    kept = [clean_body(raw) for _ in range(10)]
    grown = sys.getallocatedblocks() - before
    # (~200 a body here; ~8,000 when each line's range and newline were Python ints and tuples)
    assert grown < 10 * 1000, f"{grown} blocks for 10 bodies of 2,000 lines"
    for c in kept:
        assert len(c.body.index) == len(c.body.text)  # still summed right when read
