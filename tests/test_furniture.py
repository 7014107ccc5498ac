"""Page furniture, credits and heads: each rule of service.furniture/credits/heads on its own."""

from __future__ import annotations

import pytest

from service.cohesion import codes
from service.credits import byline_end
from service.documents import Span
from service.furniture import continues_to, is_furniture, is_page_header
from service.head_parts import has_title
from service.heads import cohesion, parse_heads
from service.lines import BYLINE_END, FURNITURE, HEADING, PARA, SHORT, heading_text, line_kind
from service.text import is_column_break
from tests.guards import admits_every_match


@pytest.mark.parametrize(
    "line",
    [
        "人民日报 2019年2月21日 星期四 第6版",
        "2019年10月20日　星期日",
        "06 要闻",
        "理论 18",
        "第3版：要闻",
        "光明日报 2020年1月5日 星期日 第4版",
        "2019年10月10日 星期四 农历九月十二",
        "经济日报",
        "2019年10月20日 星期日 国际 第三版",
        # the page's editors on the header line, as city dailies print them
        "北京日报 2020年6月12日 星期五 第3版 要闻 责任编辑：王小明 美术编辑：李红",
        "2020年6月12日　星期五　责任编辑　王小明",
        # A/B sections' page numbers, numeric dates, tokens joined by a bar or slash
        "A04 要闻 2020年6月12日 星期五 责编：何小明 美编：李红 校对：张强",
        "A2 要闻 2020年6月12日/星期五 本版编辑/王军 视觉设计/李红",
        "2020年6月12日 星期五 | 要闻 | 2",
        # a paper named …报 alone (文汇报, a county's 瓮安报)
        "第3版 2020年6月12日 星期五 新闻 文汇报",
        "瓮安报 2020年6月12日 第1版",
        # a page's own name (城事, 广州新闻) in a header of date, weekday, page and paper
        "北京晚报 2020.6.12 星期五 5 城事 编辑 张明 设计 李红",
        "广州日报 2020年6月12日 星期五 A6 广州新闻 责任编辑：周文 美术编辑：李敏 校对：陈红",
        # the page's own name first (参考消息, 大地副刊, 图片新闻), its hotline among the credits
        "参考消息 2020年6月12日 星期五 国际 第3版 责任编辑：周强",
        "大地副刊 2020年6月13日 星期六 责任编辑：林华",
        "图片新闻 2020年6月13日 星期六 摄影编辑：许明 责任编辑：黄磊",
        "民生 2020年6月12日 星期五 读者热线：12345678 责编：陈红",
        "A12 体育·综合 2020年6月14日 星期日 责编 孙立",  # page names joined by a dot
        # a weekly's name (…周末) and a 深度报道 page (round 6)
        "南方周末 2020年6月18日 第7版 深度报道 责任编辑：周密",
    ],
)
def test_page_headers_of_several_papers(line):
    assert is_page_header(line) or is_furniture(line)
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "本版责编：王芳",
        "本版责编：冯芳　冯娜　版式设计：彭玉　美术编辑：宋宁明",
        "本版制图：蔡华伟",
        "版式设计：赵宁",
        "责任编辑：王芳",
        "本版统筹：李明",
    ],
)
def test_editor_and_layout_credits(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "扫码看视频",
        "扫码看视频 了解更多荔枝故事",
        "扫描二维码 参与互动",
        "广告热线：0854-2612345 地址：瓮安县雍阳街道文峰路18号",
        "新闻热线：0851-12345678",
        "订阅电话：0854-1234567",
    ],
)
def test_qr_notes_and_hotlines(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    ("line", "furniture", "page"),
    [
        ("（上接第2版）", True, ""),
        ("上接1版", True, ""),
        ("紧接A1版", True, ""),
        ("（紧接第1版）", True, ""),
        ("（下转第6版）", False, "6版"),
        ("（转第10版）", False, "10版"),
        ("下转3版", False, "3版"),
        ("（下转第３版）", False, "3版"),
        ("下转A12版", False, "A12版"),
        ("（下转第四版）", False, "四版"),
    ],
)
def test_jumps(line, furniture, page):
    assert is_furniture(line) is furniture
    assert continues_to(line) == page


@pytest.mark.parametrize(
    "line",
    [
        "今日导读",
        "本版导读",
        "城市书房扩容提质　>3版",
        "冬储大白菜集中上市（第5版）",
        ">12版",
        "让书香飘进社区（民生观察）　>18版",
    ],
)
def test_digests_and_teasers(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    ("line", "page"),
    [("A4", True), ("B12", True), ("A04", True), ("04", False), ("4A", False), ("AB", False)],
)
def test_a_page_number_set_alone_is_furniture(line, page):
    # (two pages of an e-paper glued: the second's 版次 inside a paragraph the column cut)
    assert is_furniture(line) is page


@pytest.mark.parametrize(
    "line",
    [
        "2019年10月20日，市委召开常委会会议。",
        "十月西南等地降水依然较多",
        "共同推进网络空间全球治理（钟声）",
        "稳中求进，确保谷物基本自给、口粮绝对安全",
        "■记者手记",
        "编辑部收到读者来信后，立即联系了相关部门。",
        "2019年世界公众科学素质促进大会",
        "要闻速览：全市新增就业岗位1.2万个",
        "2020年6月12日 编辑部收到读者来信",  # a date, then no credit: copy
        "朝阳区 责任编辑：王小明",  # a credit after no dated header
        "2019年10月1日 天安门广场",  # a date and a place: one kind, no header
        "大地副刊 2020年6月13日",  # a name of its own and a date: no credits, one kind
        "城事 2020年6月12日 星期五",
        "春天 2020年6月13日 星期六 记者：李明",  # a reporter is no editor of the page
        "2020年6月12日 星期五 晴转多云 南风二级",  # two kinds and two names of its own
        "扫码报警填写基本情况，通过内部信息流转",  # running text opening 扫码
        "扫黑除恶",
        "新闻热线很忙",
    ],
)
def test_copy_is_not_furniture(line):
    assert not is_furniture(line)


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("张建成摄（影像中国）", "张建成摄（影像中国）"),
        ("新华社记者 李嘉南摄", "新华社记者 李嘉南摄"),
        ("（作者为军事科学院特聘首席专家、研究员）", "作者为军事科学院特聘首席专家、研究员"),
        ("（本报华盛顿10月17日电）", "本报华盛顿10月17日电"),
        ("（藏新恒、黄克瑶参与采写）", "藏新恒、黄克瑶参与采写"),
        ("（编译/李文）", "编译/李文"),  # a foreign desk's translator
        ("（相关报道见第二版）", ""),
        ("■记者手记", ""),
        # each way a credit can end (byline_end tests only lines ending so): 摄影, 摄影报道, 供图,
        # a bracket under blanks the line strips
        ("新华社记者 李嘉南摄影", "新华社记者 李嘉南摄影"),
        ("本报记者 王东摄影报道", "本报记者 王东摄影报道"),
        ("受访者供图", "受访者供图"),
        ("  （张华 李明）\u3000", "张华 李明"),
        ("本报记者 王东摄影报道。", ""),
    ],
)
def test_closing_credits(line, credit):
    assert byline_end(line) == credit


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("## 春耕备耕正当时", HEADING),
        ("人民日报 2019年2月21日 星期四 第6版", FURNITURE),
        ("（作者为城东日报评论员）", BYLINE_END),
        ("■记者手记", SHORT),
        ("习近平发表重要讲话李克强主持 栗战书汪洋王沪宁赵乐际韩正王岐山出席", SHORT),
        ("本报城东3月11日电（记者 陈晓）连日来", PARA),
    ],
)
def test_line_kinds(line, kind):
    assert line_kind(line) == kind


def test_heading_spans():
    marks, text = heading_text(Span(10, 21, "##  春耕备耕正当时"))
    assert (marks.start, marks.end, marks.text) == (10, 12, "##")
    assert (text.start, text.end, text.text) == (14, 21, "春耕备耕正当时")


def _spans(*texts):
    return [Span(i * 100, i * 100 + len(t), t) for i, t in enumerate(texts)]


@pytest.mark.parametrize(
    ("heads", "expected"),
    [
        (["标题"], ("标题", "", "", "")),
        # (a title under a kicker is longer than a bare name: 主标题 alone would be a writer)
        (["引题在上", "主标题在下"], ("主标题在下", "引题在上", "", "")),
        (["主标题", "——副题在下"], ("主标题", "", "——副题在下", "")),
        (["引题", "主标题", "副题"], ("主标题", "引题", "副题", "")),
        (["讲话全文", "（2019年9月30日）"], ("讲话全文", "", "（2019年9月30日）", "")),
        (["主标题", "核心阅读"], ("主标题", "", "", "核心阅读")),
        # A body label on its own heads nothing.
        (["核心阅读"], ("", "", "", "核心阅读")),
        (["核心阅读", "编者按"], ("", "", "", "核心阅读 编者按")),
        # What follows a body label is body text too.
        (
            ["主标题", "核心阅读", "城区人口增加，服务"],
            ("主标题", "", "", "核心阅读 城区人口增加，服务"),
        ),
        # A meeting over its attendees is title + subtitle; a verb closing the upper line, kicker.
        (
            ["全市文化工作会议在城东召开", "王芳出席并讲话"],
            ("全市文化工作会议在城东召开", "", "王芳出席并讲话", ""),
        ),
        (
            ["市委书记在调研时强调", "抓好春耕备耕"],
            ("抓好春耕备耕", "市委书记在调研时强调", "", ""),
        ),
        # A deck going on with its title's subject, or a document's number, under the title
        # (the pair score's lower_predicate and lower_note): title over deck, not kicker.
        (
            ["巴西总统博索纳罗", "今起对我国进行国事访问"],
            ("巴西总统博索纳罗", "", "今起对我国进行国事访问", ""),
        ),
        (
            ["中国羽毛球队海外集训", "将全力争夺奥运积分"],
            ("中国羽毛球队海外集训", "", "将全力争夺奥运积分", ""),
        ),
        (["中华人民共和国主席令", "第三十六号"], ("中华人民共和国主席令", "", "第三十六号", "")),
        # A column-labelled first line of three is the title; the lines under it open the body.
        (
            ["讲述亲历故事（国际人士谈）", "用镜头记录变化", "（法国）某某"],
            ("讲述亲历故事（国际人士谈）", "", "", "用镜头记录变化 （法国）某某"),
        ),
        # A second line closing on a lead-in dash is a piece's kicker: the title is above it.
        (
            ["礼赞新中国", "江西井冈山——", "红色旅游兴起"],
            ("礼赞新中国", "", "", "江西井冈山—— 红色旅游兴起"),
        ),
        # A date in brackets is the subtitle of the line above it, never a title.
        (
            ["某某法", "（2019年10月26日通过）", "主席令 第三十五号"],
            ("某某法", "", "（2019年10月26日通过）", "主席令 第三十五号"),
        ),
        # A line opening like a story or ending a sentence opens the body under a lone title.
        (
            ["春的锣鼓", "春，是从何时开始苏醒的？"],
            ("春的锣鼓", "", "", "春，是从何时开始苏醒的？"),
        ),
        (["画里有话", "近日，一段视频收获"], ("画里有话", "", "", "近日，一段视频收获")),
        (["直言", "“社会治理需要‘厚德’。”"], ("直言", "", "", "“社会治理需要‘厚德’。”")),
        # (a title under a kicker may exclaim)
        (["学而思网校", "停课不停学！"], ("停课不停学！", "学而思网校", "", "")),
    ],
)
def test_parse_heads(heads, expected):
    title, kicker, subtitle, body = parse_heads(_spans(*heads))
    got = tuple(" ".join(s.text for s in part) for part in (title, kicker, subtitle, body))
    assert got == expected
    # The splitter asks has_title before it parses (only heads the score opens are parsed).
    assert has_title(_spans(*heads)) == bool(title)


def test_bigram_codes_are_the_cjk_pairs_inside_each_line():
    got = codes("中国人民\n银行 a银行。人")
    pairs = ("中国", "国人", "人民", "银行")  # (none across the line break, a space or a mark)
    assert got.tolist() == sorted((ord(a) << 16) | ord(b) for a, b in pairs)
    assert codes("").tolist() == [] and codes("中").tolist() == []


def test_short_texts_give_the_codes_and_overlaps_long_ones_would():
    # A head's codes are made as a set, and its overlap with a window is read off the window's
    # text (cohesion.short_overlap): the same numbers as the array passes give.
    import service.cohesion as cohesion_module
    from service.cohesion import overlap, short_overlap

    window = "周末的城东书房里坐满了读者，\n书房负责人介绍，这里还办了三十多场古诗朗读会。"
    heads = ("", "中", "古诗朗读会办进社区", "城东书房 迎客忙", "Ａ股\n行情", "书房书房读者！", "a")
    arrays = []
    for head in heads:
        assert short_overlap(head, window, codes(window)) == overlap(codes(head), codes(window))
        arrays.append(codes(head))
    short = cohesion_module._SHORT
    try:
        cohesion_module._SHORT = -1  # every text through the array passes
        for head, got in zip(heads, arrays, strict=True):
            want = codes(head)
            assert got.dtype == want.dtype and got.tolist() == want.tolist()
    finally:
        cohesion_module._SHORT = short
    assert short_overlap("古诗朗读", window, codes(window)) == 1.0
    assert short_overlap("古诗", "", codes("")) == 0.0


def test_split_overlap_gives_what_the_two_windows_codes_give():
    # A head's two windows and the head read in one pass (cohesion.split_overlap): the overlap
    # of the windows' codes, the count of the lower one's, and the head's share of them, as
    # each window's own codes give them.
    from service.cohesion import overlap, short_overlap, short_share, split_overlap

    above = "育秧工厂的秧盘一排排送进暗室，\n全市早稻集中育秧进度过半。育秧"
    windows = (
        ("", "育秧工厂今年新增秧盘两万张"),
        (above, ""),
        (above, "育秧工厂今年新增秧盘两万张，\n早稻机插秧比例提高。"),
        (above, "城区先后建成城市书房32家，Ａ股\n行情"),
        ("中国人民\n银行", "人民银行 a银行。人"),
        ("一一", "一一"),  # (the first CJK character: code 0 once tagged)
        ("龥龥", "龥龥一"),  # (the last)
    )
    heads = ("", "育秧工厂", "中国人民银行", "一一", "龥龥一", "Ａ股\n行情", "a育秧b", "育秧育秧")
    for before, after in windows:
        want = overlap(codes(before), codes(after)), len(codes(after))
        assert split_overlap(before, after)[:2] == want
        for head in heads:
            got = split_overlap(before, after, head)
            assert got == (*want, short_overlap(head, after, codes(after)))
            assert got[2] == short_share(head, after, got[1])
    assert split_overlap(above, above)[0] == 1.0
    assert split_overlap("", "", "育秧") == (0.0, 0, 0.0)
    # Codes read off the sorted tagged pairs' seams: repeats in one text, codes in two or all
    # three, none at all, as the codes give them (a few characters: every case, many times).
    import random

    rng = random.Random(7)

    def text(n: int) -> str:
        return "".join(rng.choice("一龥育秧工，\na") for _ in range(rng.randint(0, n)))

    for _ in range(3000):
        before, after, head = text(30), text(30), text(8)
        want = overlap(codes(before), codes(after)), len(codes(after))
        assert split_overlap(before, after, head) == (
            *want,
            short_overlap(head, after, codes(after)),
        )


def test_split_overlap_reads_a_text_past_its_fixed_place_as_one_within_it():
    # split_overlap puts each text at a fixed place, padded with newlines, when it fits
    # (cohesion._PAD: a window's WINDOW characters and the newlines between its lines); a longer
    # text is tagged by its slice. Both give what the codes give, at and past the bound.
    import random

    from service.cohesion import _PAD, overlap, short_overlap, split_overlap

    rng = random.Random(11)

    def text(n: int) -> str:
        return "".join(rng.choice("一龥育秧工厂，\na") for _ in range(n))

    sizes = (0, 1, _PAD - 1, _PAD, _PAD + 1, 2 * _PAD)
    for _ in range(60):
        before, after, head = (text(rng.choice(sizes)) for _ in range(3))
        want = overlap(codes(before), codes(after)), len(codes(after))
        assert split_overlap(before, after, head) == (
            *want,
            short_overlap(head, after, codes(after)),
        )


def test_cohesion_tells_a_new_topic_from_the_same_one():
    before = "全市早稻集中育秧进度过半，育秧工厂的秧盘一排排送进暗室。"
    same = "育秧工厂今年新增秧盘两万张，早稻机插秧比例提高。"
    other = "城区先后建成城市书房32家，把书架搬到了公园和商场。"
    assert cohesion(before, same) > cohesion(before, other)
    assert cohesion("", same) == 0.0


@pytest.mark.parametrize(
    ("prev", "nxt", "joined"),
    [
        # A subhead over its one-line deck stays apart (issue 11), unless the seam cuts a word.
        ("稳面积，确保口粮绝对安全", "育秧工厂一天能出秧盘两万张", False),
        ("今年全市早稻计划种植面积18.6万亩，集中育秧点比上年增加", "12个，机插秧比例提高。", True),
        ("在北京招商引资期间,胡忠雄召开贵", "阳贵安驻外招商座谈会。", True),
    ],
)
def test_column_break_only_where_the_text_reads_on(prev, nxt, joined):
    assert is_column_break(prev, nxt) is joined


def test_a_form_score_does_not_depend_on_the_order_of_its_grams() -> None:
    # weights whose plain sum depends on the order they are added in: 1e16 + 1 - 1e16
    from service.head_parts import _form

    weights = {"甲": (1e16, 0.0), "乙": (1.0, 0.0), "丙": (-1e16, 0.0)}
    for line in ("甲乙丙", "丙乙甲", "乙甲丙"):
        assert _form((0.5, 0.0, weights, frozenset()), line) == (1.5, 0.0)


@pytest.mark.parametrize(
    "line",
    [
        # One line for each branch of the furniture pattern: each has the shape the cheap test
        # lets through (furniture._furniture_shaped), and matches.
        "今日导读",
        "导读",
        ">2版",
        "第3版",
        "A12版>",
        "》十二版",
        "（上接第2版）",
        "接A3版",
        "贵阳新闻",
        "要闻",
        "贵阳网",
        "人民日报",
        "南方都市报",
        "综合",
        "天气",
        "今天天气",
        "责任编辑王芳",
        "完",
        "星期三",
        "周日",
        "https://www.example.com/a",
        "扫码看视频",
        "广告热线：0854-2612345",
        "订阅电话：0854-1234567",
        "（紧接第1版）",
        "www.people.com.cn",
        "- 3 -",
        "—12—",
    ],
)
def test_every_furniture_branch_has_the_shape_the_cheap_test_lets_through(line):
    from service.furniture import _FURNITURE, _furniture_shaped

    assert _FURNITURE.fullmatch(line) and _furniture_shaped(line)


def test_a_line_without_the_furniture_shape_is_never_tried_and_never_matches():
    from service.furniture import _FURNITURE, _furniture_shaped

    for line in ("重温入党誓词 追忆光辉历史", "礼赞新中国", "新闻联播", "网友热议", "报道组"):
        assert not _furniture_shaped(line) and not _FURNITURE.fullmatch(line)
    assert is_furniture("（完）") and not is_furniture("完成任务")


def test_no_furniture_line_fails_the_cheap_test():
    # Strings made of the pattern's own pieces: whatever the pattern matches, the shape lets by.
    from service.furniture import _FURNITURE, _furniture_shaped

    pieces = ["导读", "今日", "版", "第", "3", "12", "A", ">", "》", "（", "）", "上接", "接", " ",
              "新闻", "要闻", "贵阳", "网", "日报", "都市报", "综合", "责任编辑", "王芳", "完",
              "星期", "周", "三", "http://", "www.", "a.cn", "-", "—", "－", "十二", "紧接", "扫码",
              "看视频", "广告", "热线", "电话", "：", "0854"]  # fmt: skip
    admits_every_match(_FURNITURE, _furniture_shaped, pieces, at_least=500)


@pytest.mark.parametrize(
    "line",
    [
        "今天天气",
        "天气预报",
        "多云到阴，傍晚前后有阵雨",
        "气温：22℃—28℃",
        "东南风3—4级 相对湿度：60%—90%",
        "今天白天 晴转多云 北转南风二三级 最高气温32℃",
    ],
)
def test_a_weather_box_is_furniture(line):
    # A city daily's weather box (its head, the sky, a reading): it was read as the first
    # article's kicker, title and subtitle.
    assert is_furniture(line)


def test_a_page_photo_credit_naming_a_role_is_furniture():
    # City dailies credit the page's photographer so; People's Daily prints 本版摄影：李  舸 in
    # its bodies, which stays copy (training texts keep it).
    assert is_furniture("本版摄影 本报记者 王晓溪")
    assert is_furniture("本版图片 新华社记者 张三 李四")
    assert not is_furniture("本版摄影：李 舸 翁奇羽")
    assert not is_furniture("本版照片除署名外均为资料图片")


@pytest.mark.parametrize(
    "line",
    ["-30℃，我们破雪而来", "大范围雨雪天气将现中东部", "华北黄淮等地有雾或霾", "阴转晴", "37.6℃"],
)
def test_a_head_naming_the_weather_is_no_weather_box(line):
    assert not is_furniture(line)
