"""Heads left in a body by the splitting pass, opened after it by their shape (service/glued.py)."""

from __future__ import annotations

import pytest

import service.pages as pages
import service.settle as settle
from service.documents import Span
from service.drafts import Draft
from service.glued import column_title, split_glued
from service.lines import BYLINE_END, PARA, SHORT
from service.pages import split_page
from tests.test_pages import assert_accounted

# An as-told-to account closes under its credit, which opens nothing (heads.opens_article): the
# column's next item, a speaker's kicker over a title and its points, stays in its body.
_ACCOUNT = (
    "人民日报\n茶叶提质增效，养鱼增种香蕉\n"
    "2月16日，广西百色市田林县的茶园里，村民们戴着口罩分散采茶，合作社统一收购加工，茶叶卖上了好价钱。\n"
    "“今年我们把茶园管得更细了，养鱼的塘也扩了，还新种了香蕉，一家人的收入有了保障。”\n"
    "广西田林县八渡村第一书记李明讲述\n本报记者 张红整理\n"
)
_POINTS = (
    "中国疾控中心副主任冯子健解答：\n居家观察怎样防护（服务窗）\n"
    "●居家观察须独居一室，出房间须戴口罩\n●接触家人保持1米以上距离，减少接触\n"
    "●生活用品要分开，尽量不共用卫生间\n"
    "居家观察，不少人不知如何做感染防控。中国疾控中心副主任冯子健说，居家观察者应独居一室，"
    "家人尽量减少与其接触。\n"
)
_REPORT = (
    "人民日报\n群众不满意什么就整治什么\n"
    "四川达州把群众反映强烈的问题列为集中整治的事项，整治过程与群众得实惠的过程相协同，群众满意度明显提升。\n"
    "今年以来，中心城区占道经营同比降低30%，噪声投诉下降26%，扬尘污染突出路段得到有效治理。\n"
)
_DOCUMENT = (
    "中国的粮食安全\n（2019年10月）\n目 录\n前 言\n"
    "民以食为天。粮食安全是世界和平与发展的重要保障，是构建人类命运共同体的重要基础，关系人类永续发展和前途命运。\n"
)


@pytest.fixture
def without_rule(monkeypatch):
    """The page read as the pass leaves it (the rule switched off): the head stays glued."""
    monkeypatch.setattr(settle, "split_glued", lambda d: None)
    pages._read.cache_clear()
    yield
    pages._read.cache_clear()


def test_a_head_over_points_under_running_text_opens_an_article():
    page = _ACCOUNT + _POINTS
    arts = split_page(page)
    assert [a.title for a in arts] == ["茶叶提质增效，养鱼增种香蕉", "居家观察怎样防护（服务窗）"]
    assert arts[1].kicker == "中国疾控中心副主任冯子健解答："
    assert arts[1].text.startswith("●居家观察须独居一室")
    assert arts[0].text.rstrip().endswith("收入有了保障。”") or "讲述" in arts[0].text
    assert_accounted(page)


def test_the_points_head_is_glued_without_the_rule(without_rule):
    assert [a.title for a in split_page(_ACCOUNT + _POINTS)] == ["茶叶提质增效，养鱼增种香蕉"]


def _draft(*lines: tuple[str, str]) -> Draft:
    """A draft whose body holds these (text, kind) lines, in a page of its own."""
    d, at = Draft([Span(0, 2, "标题")], [], []), 3
    for text, kind in lines:
        d.add(Span(at, at + len(text), text), kind)
        at += len(text) + 1
    return d


_TEXT = ("今年以来，中心城区占道经营同比降低30%，噪声投诉下降26%，扬尘污染路段得到治理。", PARA)


def test_split_glued_opens_the_head_and_gives_it_what_follows():
    d = _draft(_TEXT, ("返程途中 做好防护", SHORT), ("●戴口罩", SHORT), ("●勤洗手", SHORT), _TEXT)
    new = split_glued(d)
    assert [s.text for s in new.title] == ["返程途中 做好防护"]
    assert [s.text for s in new.body] == ["●戴口罩", "●勤洗手", _TEXT[0]]
    assert new.has_para and [s.text for s in d.body] == [_TEXT[0]]
    assert (d.end, new.start, new.end) == (d.body[-1].end, new.title[0].start, new.body[-1].end)


@pytest.mark.parametrize(
    "lines",
    [
        # one point is a list's line, no head's
        [_TEXT, ("返程途中 做好防护", SHORT), ("●戴口罩", SHORT), _TEXT],
        # under a short line (a closing note, a credit) the run is not under running text
        [_TEXT, ("（作者为北京大学中文系主任）", SHORT), ("献礼图书撷萃", SHORT), ("●学习", SHORT),
         ("●人民", SHORT), _TEXT],
        # more than three lines over the points: a list's
        [_TEXT, *[(f"第{n}项", SHORT) for n in "一二三四"], ("●甲", SHORT), ("●乙", SHORT), _TEXT],
    ],
)  # fmt: skip
def test_split_glued_leaves_other_runs_in_the_body(lines):
    d = _draft(*lines)
    assert split_glued(d) is None and len(d.body) == len(lines)


def test_a_box_over_points_stays_in_its_article():
    box = "■链接\n●中心城区占道经营同比降低\n●噪声投诉下降\n"
    page = _REPORT + box + _REPORT.split("\n")[2] + "\n"
    assert [a.title for a in split_page(page)] == ["群众不满意什么就整治什么"]


def test_a_document_over_its_date_opens_an_article():
    page = _REPORT + _DOCUMENT
    arts = split_page(page)
    assert [(a.title, a.subtitle) for a in arts] == [
        ("群众不满意什么就整治什么", ""),
        ("中国的粮食安全", "（2019年10月）"),
    ]
    assert arts[1].text.startswith("目 录")
    assert_accounted(page)


def test_the_document_is_glued_without_the_rule(without_rule):
    assert [a.title for a in split_page(_REPORT + _DOCUMENT)] == ["群众不满意什么就整治什么"]


@pytest.mark.parametrize(
    "date", ["（2020年2月24日第十三届全国人民代表大会常务委员会第十六次会议通过）", "（第一号）"]
)
def test_a_document_over_its_passing_note_or_number_opens_an_article(date):
    page = _REPORT + _DOCUMENT.replace("（2019年10月）", date)
    assert [a.subtitle for a in split_page(page)][1:] == [date]


@pytest.mark.parametrize(
    "above, date",
    [
        # a document printed in full under its announcement
        ("《条例》全文如下。", "（2019年10月）"),
        ("今年以来，治理成效明显。", "（截至2018年底，单位：个）"),  # a table's note, no month
        ("今年以来，治理成效明显。", "（2019年世界公众科学素质促进大会发言摘要）"),
    ],
)
def test_a_document_printed_in_full_or_a_note_stays_in_the_body(above, date):
    report = _REPORT.replace(_REPORT.split("\n")[3], above)
    page = report + _DOCUMENT.replace("（2019年10月）", date)
    assert [a.title for a in split_page(page)] == ["群众不满意什么就整治什么"]


_LEAD_IN = (
    "山东医疗队先后派出十二批医护疾控人员驰援湖北——\n“坚守岗位不后退，直到最后胜利”\n"
    "2月20日下午3点，济南遥墙国际机场，一曲《我和我的祖国》，在候机大厅久久回荡，合唱的是一批特殊的旅客……\n"
    "驰援湖北医疗队的征集令一发，山东各医院的群里踊跃响应，山东省第十二批援助湖北医疗队迅速组队。\n"
)
_AID = (
    "人民日报\n直达冷链专列持续北向开行\n"
    "“你们从广西给我们带来了人间大爱，你们辛苦了，谢谢！”竹溪县城关镇北大街居民明扬在给医疗队的感谢信中这样写道。\n"
    "截至目前，广西累计派出7批共914名医疗卫生人员驰援湖北。“我们齐心协力、众志成城、并肩作战，"
    "一定能打赢疫情防控阻击战。”广西壮族自治区主席陈武说。\n"
)


def test_a_lone_lead_in_kicker_over_a_title_opens_an_article():
    page = _AID + _LEAD_IN
    arts = split_page(page)
    assert [(a.kicker, a.title) for a in arts] == [
        ("", "直达冷链专列持续北向开行"),
        ("山东医疗队先后派出十二批医护疾控人员驰援湖北——", "“坚守岗位不后退，直到最后胜利”"),
    ]
    assert arts[1].text.startswith("2月20日下午3点")
    assert_accounted(page)


def test_the_lead_in_head_is_glued_without_the_rule(without_rule):
    assert [a.title for a in split_page(_AID + _LEAD_IN)] == ["直达冷链专列持续北向开行"]


@pytest.mark.parametrize(
    "lines",
    [
        # a series of lead-ins in one body: its subheads (关键词1—— / 平台建设, 关键词2—— / …)
        [_TEXT, ("国防大学军事文化学院学员汪野——", SHORT), ("丰富实战经验", SHORT), _TEXT,
         ("湖北省军区警备纠察队队长王为——", SHORT), ("熟悉新装备", SHORT), _TEXT],
        # a short lead-in (主动请缨——), or one over a box
        [_TEXT, ("主动请缨——", SHORT), ("奔赴抗疫一线", SHORT), _TEXT],
        [_TEXT, ("记者日前采访了有关负责人，他表示——", SHORT), ("■ 特点一", SHORT), _TEXT],
        # the lead-in closing a paragraph the column cut (…在刘智明 / 工作时间表渐渐清晰——)
        [_TEXT, ("“他太累了！他太负责任了！”黄国付说。在刘智明", PARA),
         ("工作时间表渐渐清晰起来——", SHORT), ("1月21日下午4点，武昌医院被指定为第二批发", SHORT),
         ("热患者定点诊治医院之一。", PARA)],
        # a list's lead-in over its first item, cut by the column
        [_TEXT, ("做好食材安全这篇文章，要着力把好四道关——", SHORT),
         ("把好采购关，同时制定严格的验货标准，不符合标准", SHORT), ("的不允许进店；", SHORT),
         ("把好仓储关，要按类别将食材分类储存；", PARA)],
    ],
)  # fmt: skip
def test_lead_ins_in_a_series_short_or_over_a_box_stay_in_the_body(lines):
    d = _draft(*lines)
    assert split_glued(d) is None and len(d.body) == len(lines)


_MEETING = (
    "中共中央政治局常务委员会召开会议\n分析新冠肺炎疫情形势研究加强防控工作\n"
    "中共中央总书记习近平主持会议\n"
    "中共中央政治局常务委员会2月12日召开会议，听取中央应对新冠肺炎疫情工作领导小组汇报，"
    "分析当前新冠肺炎疫情形势，研究加强疫情防控工作。\n"
)
_FRONT = (
    "人民日报\n冲锋在第一线 战斗在最前沿\n"
    "广大党员干部在疫情防控斗争中发挥了先锋模范作用，广大医务工作者恪尽职守、忘我工作，"
    "社会各界团结一心、共克时艰，为打赢疫情防控阻击战汇聚起了磅礴力量。\n"
)


def test_a_head_over_its_meeting_s_attendees_opens_an_article():
    page = _FRONT + _MEETING
    arts = split_page(page)
    assert [(a.kicker, a.title, a.subtitle) for a in arts][1:] == [
        (
            "中共中央政治局常务委员会召开会议",
            "分析新冠肺炎疫情形势研究加强防控工作",
            "中共中央总书记习近平主持会议",
        )
    ]
    assert arts[1].text.startswith("中共中央政治局常务委员会2月12日召开会议")
    assert_accounted(page)


def test_the_meeting_head_is_glued_without_the_rule(without_rule):
    assert [a.title for a in split_page(_FRONT + _MEETING)] == ["冲锋在第一线 战斗在最前沿"]


def test_a_meeting_head_under_a_closing_note_opens_an_article():
    note = ("（综合本报记者贺广华、田豆豆、程远州报道）", PARA)
    d = _draft(_TEXT, note, *[(x, SHORT) for x in _MEETING.split("\n")[:3]], _TEXT)
    assert [s.text for s in split_glued(d).subtitle] == ["中共中央总书记习近平主持会议"]


@pytest.mark.parametrize(
    "above, deck",
    [
        # a paragraph the column cut: its end is no head's line
        ("社会各界团结一心，为打赢疫情防控阻击战汇聚起了", "中共中央总书记习近平主持会议"),
        # running text closing on a verb, as a column cut leaves it (…参加 / …讲话)
        (_TEXT[0], "社会各界纷纷表示，习近平总书记的重要讲话"),
    ],
)  # fmt: skip
def test_lines_cut_or_running_on_are_no_meeting_head(above, deck):
    d = _draft(_TEXT, (above, PARA), ("分析新冠肺炎疫情形势", SHORT), (deck, SHORT), _TEXT)
    assert split_glued(d) is None


_COLUMN = ("科普活动要“聚粉”“吸睛”（创新谈）", "以创新思维和手段，加紧探索更高效的科学传播路径")


@pytest.mark.parametrize(
    "above",
    [
        [_TEXT],
        # a sentence's end the column cut off the paragraph above, or a note closing it
        [("做了多年的科技特派员，朱丹觉得只有了解清楚了，才能达到", PARA), ("好的效果。”", SHORT)],
        [_TEXT, ("（本系列评论到此结束）", SHORT)],
    ],
)  # fmt: skip
def test_a_column_s_title_over_its_deck_opens_an_article(above):
    d = _draft(*above, *[(x, SHORT) for x in _COLUMN], _TEXT)
    new = split_glued(d)
    assert [s.text for s in new.title + new.subtitle] == list(_COLUMN)
    assert [s.text for s in d.body] == [s[0] for s in above]


@pytest.mark.parametrize(
    "head",
    [
        # a writer's name and post (天蚕土豆（网络作家）), a companion piece (…（记者手记）)
        ("唐家三少（网络文学作家）", "突逢疫情，众志成城"),
        ("靠的就是这股钻劲（记者手记）", "寻宝游戏，是很多人小时候的最爱"),
        # a table's note under its caption, a deck that ends its sentence
        ("表1  中小城市的构成及其数量（广义）", "（截至2018年底，单位：个）"),
        ("科普活动要“聚粉”“吸睛”（创新谈）", "以创新思维和手段，加紧探索科学传播路径。"),
    ],
)
def test_other_labelled_lines_stay_in_the_body(head):
    d = _draft(_TEXT, *[(x, SHORT) for x in head], _TEXT)
    assert split_glued(d) is None


_SERIES = ("第一条地铁", "浅埋施工 平稳运行（新中国的“第一”·交通篇）")


@pytest.mark.parametrize(
    "below",
    [
        [_TEXT],
        # the body's first line cut by the column
        [("1969年10月1日，北京地铁一期工程通", SHORT), ("车试运营，实现零的突破。", PARA)],
        # cut where no word runs across the seam, a clause mark inside it (issue 11, i96)
        [("十月一日一大早，地铁站的工作人员就忙着检查闸机和扶梯", SHORT),
         ("以后才开门迎接第一批乘客。", PARA)],
        [("“请戴好口罩！”十月一日，北京市", SHORT), ("海淀区的地铁站里，工作人员提醒乘客。", PARA)],
    ],
)  # fmt: skip
def test_a_kicker_over_a_column_s_title_opens_an_article(below):
    d = _draft(_TEXT, *[(x, SHORT) for x in _SERIES], *below)
    new = split_glued(d)
    assert ([s.text for s in new.kicker], [s.text for s in new.title]) == (
        [_SERIES[0]],
        [_SERIES[1]],
    )
    assert [s.text for s in new.body] == [s[0] for s in below]


def test_the_cut_first_line_under_a_labelled_title_is_running_text_of_the_body():
    # (read as running text: no deck for `settle._subtitle`, joined to the line below)
    first = "十月一日一大早，地铁站的工作人员就忙着检查闸机和扶梯"
    rest = "以后才开门迎接第一批乘客。"
    d = _draft(_TEXT, *[(x, SHORT) for x in _SERIES], (first, SHORT), (rest, PARA))
    new = split_glued(d)
    assert [s.text for s in new.body] == [first, rest] and new.kinds == [PARA, PARA]


@pytest.mark.parametrize(
    "third",
    [
        "——记地铁一期工程建设者",  # a ——deck
        "北京地铁一期工程建设者",  # a head line with no clause mark
    ],
)
def test_a_third_head_line_with_no_clause_keeps_the_labelled_run_in_the_body(third):
    d = _draft(_TEXT, *[(x, SHORT) for x in _SERIES], (third, SHORT), _TEXT)
    assert split_glued(d) is None


@pytest.mark.parametrize(
    "run",
    [
        # a programme's lines: the labelled line inside a longer run
        ["11.3 10:30 上海国际舞蹈中心", "芭蕾大师公开课（辛丽丽）", "11.3 13:00 上海国际舞蹈中心"],
        # a writer and post under a line; a labelled line under another
        ["以真善美鼓舞读者", "天蚕土豆（网络作家）"],
        ["讲述亲历故事（国际人士谈）", "浅埋施工 平稳运行（新中国的“第一”·交通篇）"],
    ],
)
def test_other_lines_over_a_labelled_line_stay_in_the_body(run):
    d = _draft(_TEXT, *[(x, SHORT) for x in run], _TEXT)
    assert split_glued(d) is None


_OLD_HOME = "古厝人家新时光（70年，共同走过·大国小家）"


@pytest.mark.parametrize(
    "above",
    [
        [_TEXT],
        # a sentence's end the column cut off the paragraph above
        [("张宗久说，此次的政策将促进分级诊疗，是一项制", PARA), ("度性安排。”", SHORT)],
    ],
)  # fmt: skip
def test_a_column_s_title_alone_over_its_text_opens_an_article(above):
    first = ("一家三代人，光阴流转中，见证了一个村子的变与不变。", PARA)
    d = _draft(*above, (_OLD_HOME, SHORT), first, _TEXT)
    new = split_glued(d)
    assert [s.text for s in new.title] == [_OLD_HOME] and not new.kicker
    assert [s.text for s in new.body] == [first[0], _TEXT[0]]
    assert [s.text for s in d.body] == [s[0] for s in above]


@pytest.mark.parametrize(
    "title",
    [
        "运河两岸新气象（走读大运河·江南篇（上））",  # a series' part in brackets of its own
        "老街巷里的新生活（小巷故事(12)）",
    ],
)
def test_a_column_label_holding_a_numbered_part_is_read_as_a_label(title):
    first = ("一家三代人，光阴流转中，见证了一个村子的变与不变。", PARA)
    new = split_glued(_draft(_TEXT, (title, SHORT), first, _TEXT))
    assert [s.text for s in new.title] == [title]
    assert column_title(title) and not column_title("王明（作家（上））")  # (a name, a role)


@pytest.mark.parametrize(
    "lines",
    [
        # a document printed in full; a companion piece; a writer and post
        [("《条例》全文如下。", PARA), ("国有企业基层组织工作条例（试行）", SHORT), _TEXT],
        [_TEXT, ("靠的就是这股钻劲（记者手记）", SHORT), _TEXT],
        [_TEXT, ("天蚕土豆（网络作家）", SHORT), _TEXT],
        # a labelled line under a paragraph the column cut, or over a short line
        [("文章指出，要加强黄河生态保护和高", PARA), ("质量发展的领导（权威发布）", SHORT), _TEXT],
        [_TEXT, (_OLD_HOME, SHORT), ("部门  岗位名称", PARA)],
    ],
)  # fmt: skip
def test_other_lone_labelled_lines_stay_in_the_body(lines):
    assert split_glued(_draft(*lines)) is None


_CAPTION = (
    "二月六日，江苏省海安市李堡镇广达医材公司生产车间内一片忙碌，工人们正在赶制口罩和防护服。",
    PARA,
)
_CREDIT = ("翟慧勇摄（影像中国）", BYLINE_END)
_LONG = [_TEXT] * 8  # (longer than any photo's own captions)


def test_a_photo_s_title_over_its_caption_and_credit_opens_an_article():
    d = _draft(*_LONG, ("加班加点", SHORT), _CAPTION, ("图为工人在赶制防护服。", PARA), _CREDIT)
    new = split_glued(d)
    assert [s.text for s in new.title] == ["加班加点"] and not new.kicker
    assert [s.text for s in new.body] == [_CAPTION[0], "图为工人在赶制防护服。", _CREDIT[0]]
    assert [s.text for s in d.body] == [_TEXT[0]] * len(_LONG)


def test_a_photo_s_kicker_and_title_open_an_article():
    d = _draft(*_LONG, ("元宵“云团聚”", SHORT), ("见屏如面，等你归来", SHORT), _CAPTION, _CREDIT)
    new = split_glued(d)
    assert ([s.text for s in new.kicker], [s.text for s in new.title]) == (
        ["元宵“云团聚”"],
        ["见屏如面，等你归来"],
    )


@pytest.mark.parametrize(
    "lines",
    [
        # a photo's own captions: the second one's first piece, cut by the column
        [_CAPTION, ("当天，绍兴东湖庆祝新中国成立70周年", SHORT), _CAPTION, _CREDIT],
        # a caption's first piece the column cut, under a long text
        [*_LONG, ("近日，连云港沿", SHORT), ("海40多万亩条斑紫菜获得大丰收。", PARA), _CREDIT],
        # a credit's piece the column cut; a text going on under the credit
        [*_LONG, ("影像中国", SHORT), _CAPTION, _CREDIT],
        [*_LONG, ("加班加点", SHORT), _CAPTION, _CREDIT, _TEXT],
        # no credit under the caption; a paragraph not closed above the line
        [*_LONG, ("加班加点", SHORT), _CAPTION, _TEXT],
        [*_LONG, ("医院盼望上级医院或者外地支援，", PARA), ("加班加点", SHORT), _CAPTION, _CREDIT],
    ],
)  # fmt: skip
def test_other_lines_over_a_caption_stay_in_the_body(lines):
    assert split_glued(_draft(*lines)) is None


def test_no_bare_head_is_opened_where_titles_carry_marks():
    # (the page opens mid-article, untitled: its body's head over points stays in it)
    page = (
        "人民日报\n"
        + _TEXT[0]
        + "\n"
        + _POINTS.split("\n", 1)[1]
        + "## 旧闻一则\n"
        + _TEXT[0]
        + "\n"
    )
    assert [a.title for a in split_page(page)] == ["", "旧闻一则"]
    assert_accounted(page)


_DATED = ("7日电  （记者张璁）记者从国家移民管理局获悉，国庆假期前6天全国出入境1045万人次。", PARA)
_OPEN = ("今年以来，中心城区占道经营同比降低", PARA)
_FIRST = ("“来村里旅游的人越来越多，生意越来越好，去年我家游船收入20多万元。”村民王大姐说。", PARA)


def test_a_lone_two_line_head_in_a_body_with_no_subhead_opens_an_article():
    head = [("江苏省徐州市铜山区乡村游火了", SHORT), ("好风景变成好“产品”", SHORT)]
    d = _draft(_TEXT, *head, _FIRST, _TEXT)
    new = split_glued(d)
    assert ([s.text for s in new.kicker], [s.text for s in new.title]) == (
        ["江苏省徐州市铜山区乡村游火了"],
        ["好风景变成好“产品”"],
    )
    assert [s.text for s in new.body] == [_FIRST[0], _TEXT[0]]
    assert [s.text for s in d.body] == [_TEXT[0]]


@pytest.mark.parametrize(
    "lines",
    [
        # subheads in series; a subhead over its summing-up deck
        [_TEXT, ("因趣结缘", SHORT), ("每个团队都有独特面孔", SHORT), _TEXT,
         ("主动参与", SHORT), ("成就感带来归属感", SHORT), _TEXT],
        [_TEXT, ("问题导向找症结", SHORT), ("实体经济大而不强，创新能力不足", SHORT), _TEXT],
        # a reader's signature over the next letter's title; a dateline the column cut
        [_TEXT, ("江西新余市 廖海金", SHORT), ("治理校园外“五毛零食”", SHORT), _TEXT],
        [_TEXT, ("前6天全国出入境1045万人次", SHORT), ("本报北京10月", SHORT), _DATED],
        # a paragraph not closed above the pair; a writer's name and post under a title
        [_OPEN, ("因趣结缘", SHORT), ("每个团队都有独特面孔", SHORT), _TEXT],
        [_TEXT, ("续写千年胞波情谊的崭新篇章", SHORT), ("国家主席  习近平", SHORT), _TEXT],
    ],
)  # fmt: skip
def test_other_short_pairs_stay_in_the_body(lines):
    assert split_glued(_draft(*lines)) is None


def test_a_kicker_over_a_title_labelled_in_two_parts_opens_an_article():
    title = "发热筛查前移 帮助预约就诊（社区防控，我们在行动）"
    first = ("1月28日一大早，武汉市洪山路社区工作人员小吴匆匆赶去上班，开始了一天的排查。", PARA)
    d = _draft(_TEXT, ("湖北武汉", SHORT), (title, SHORT), first, _TEXT)
    new = split_glued(d)
    assert ([s.text for s in new.kicker], [s.text for s in new.title]) == (["湖北武汉"], [title])
    assert [s.text for s in new.body] == [first[0], _TEXT[0]]


def test_a_lone_title_its_text_repeats_opens_an_article():
    title = "疫情防控要坚持全国一盘棋"
    first = ("疫情防控是一项系统工程，坚持全国一盘棋，统筹兼顾、分类指导、突出重点。", PARA)
    d = _draft(_TEXT, (title, SHORT), first, _TEXT)
    new = split_glued(d)
    assert [s.text for s in new.title] == [title]
    assert [s.text for s in new.body] == [first[0], _TEXT[0]]


@pytest.mark.parametrize(
    "lines",
    [
        # a paragraph's first piece the column cut at a word's edge: its words run on both ways
        [("十九届四中全会作出了重大部署，提升国家制度优势和国家治理效能。", PARA),
         ("党的十九届", SHORT), ("四中全会系统集成了党的十八届三中全会以来的改革成果。", PARA)],
        # a piece ending on a function character
        [_TEXT, ("更令人欣慰的", SHORT),
         ("是，疫情不仅没有影响中法合作有序推进，反而成为双方合作的契机。", PARA)],
    ],
)  # fmt: skip
def test_lone_lines_that_read_on_stay_in_the_body(lines):
    assert split_glued(_draft(*lines)) is None


# A report's closing line (who attended, the meeting's other business) and a reporting kicker
# (stop 33, i98): the head lines under the one, or opening on the other, start the next article,
# though the body above holds a subhead of its own.
_SUBHEAD = ("城区整治见实效", SHORT)
_NEXT = ("各地加快推进春季农业生产，农资供应总体充足，农机手们抓住晴好天气下田作业。", PARA)


@pytest.mark.parametrize(
    "closing",
    [
        "王强、李明等参加会见。",
        "会议还研究了其他事项。",
        "市政府副市长张伟、赵红出席。",
    ],
)
def test_a_title_under_a_report_s_closing_line_opens_an_article(closing):
    d = _draft(_TEXT, _SUBHEAD, _TEXT, (closing, PARA), ("春耕备耕有序推进", SHORT), _NEXT)
    new = split_glued(d)
    assert [s.text for s in new.title] == ["春耕备耕有序推进"]
    assert [s.text for s in new.body] == [_NEXT[0]] and d.body[-1].text == closing


def test_a_reporting_kicker_over_its_title_and_a_cut_dateline_opens_an_article():
    kicker = ("省委书记王强在全省工作会议上强调", SHORT)
    title = ("抓紧抓实抓细各项工作任务", SHORT)
    dateline = ("新华社南京2月3日电  全省工作会议3日在南", PARA)
    rest = ("京召开。会议总结去年工作，部署今年任务，强调要坚定信心、真抓实干。", PARA)
    d = _draft(_TEXT, _SUBHEAD, _TEXT, kicker, title, dateline, rest)
    new = split_glued(d)
    assert (new.kicker[0].text, new.title[0].text) == (kicker[0], title[0])
    assert [s.text for s in new.body] == [dateline[0], rest[0]]


@pytest.mark.parametrize(
    "lines",
    [
        # the column's first piece of a paragraph under the report: a function character ends it,
        # or it holds two clauses
        [("王强、李明等参加会见。", PARA), ("李明发表热情洋溢的", SHORT), _NEXT],
        [("会议还研究了其他事项。", PARA), ("会议指出，3日，省委就做好", SHORT), _NEXT],
        # a note in brackets under the report, and a crowd taking part in running text
        [("王强、李明等参加会见。", PARA), ("（讲话全文另发）", SHORT), _NEXT],
        [("活动吸引了众多市民和游客，现场气氛热烈，各村的文艺队轮番登台，"
          "数千名群众现场参加。", PARA),
         ("春耕备耕有序推进", SHORT), _NEXT],
        # a reporting kicker under a paragraph the column cut, or alone over running text
        [("全省上下团结一心，为打赢这场攻坚战汇聚起", PARA),
         ("省委书记王强在全省工作会议上强调", SHORT), ("抓紧抓实抓细各项工作任务", SHORT), _NEXT],
        [("省委书记王强在全省工作会议上强调", SHORT), _NEXT],
    ],
)  # fmt: skip
def test_other_lines_under_a_report_or_a_reporting_verb_stay_in_the_body(lines):
    d = _draft(_TEXT, _SUBHEAD, _TEXT, *lines)
    assert split_glued(d) is None


def test_report_end_s_last_character_hint_misses_no_closing_line():
    """`report_end` runs its pattern only on a line whose character before the final 。 can end
    one (`_END_BEFORE_STOP`): every ending the pattern allows is in the hint, and lines made of
    its pieces and others match the pattern only where the hint lets them."""
    import itertools

    from service.report_ends import _END_BEFORE_STOP, REPORT_END

    verbs = ("参加", "出席", "列席", "陪同")
    objects = ("", "会见", "会谈", "座谈会", "上述活动", "调研")
    endings = ["会议还研究了其他事项"] + [v + o for v in verbs for o in objects]
    assert all(REPORT_END.fullmatch(f"王毅、何立峰{e}。") for e in endings)
    assert {e[-1] for e in endings} <= _END_BEFORE_STOP
    pieces = ("王毅", "参加", "出席会", "见", "会议", "。", "，", "活动", "事项", "研究")
    for n in range(1, 5):
        for parts in itertools.product(pieces, repeat=n):
            line = "".join(parts) + "。"
            if REPORT_END.fullmatch(line):
                assert line[-2:-1] in _END_BEFORE_STOP, line


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("会议还研究了其他事项。", True),  # a sentence's end
        ("（综合本报记者报道）", True),  # a closing note in brackets
        ("（本系列评论到此结束）", True),  # a note wholly in brackets
        ("本报记者 张三摄", True),  # a photo's credit, on 摄
        ("新华社记者 李四摄影", True),  # and on 摄影
        ("1月2日，重庆市黔江区举", False),  # the column's cut piece
        ("（本报开罗1", False),  # a bracket left open
        ("电影", False),  # 影 alone closes no credit
    ],
)
def test_ended_reads_the_shapes_its_prechecks_let_through(line, want):
    # (`body_runs.ended` asks its patterns only of lines opening on a bracket or closing on
    # 摄/影; `heads.closes` and `composite.ends_above` likewise: the same answers as before)
    from service.body_runs import ended
    from service.composite import ends_above
    from service.heads import closes

    assert ended(line) is want
    credit = line.startswith("（综合") or line.endswith(("摄", "摄影"))  # (CLOSER's: not a note's)
    assert closes([Span(0, len(line), line)]) is credit
    cut = [Span(0, 16, "（作者为泰国国家研究理事会泰中战"), Span(17, 26, "略研究中心副主任）")]
    assert closes(cut) and not closes([Span(0, 3, "小标题"), Span(4, 9, "另一行字")])
    for sign_off in ("——编  者", "数据来源：国家统计局", "栏目投稿邮箱：yxxz@163.com"):
        assert ends_above([Span(0, len(sign_off), sign_off), Span(20, 24, "一个标题")]) == 1
    assert ends_above([Span(0, 4, "一个标题"), Span(5, 9, "另一标题")]) == 0
