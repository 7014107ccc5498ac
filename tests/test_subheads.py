"""Subheads read as heads in the pass go back into the article above (service/subheads.py)."""

from __future__ import annotations

import pytest

from service.documents import Span
from service.drafts import Draft
from service.lines import BYLINE_END, PARA, SHORT, classify
from service.pages import split_page
from service.series import rejoin_series
from service.subheads import rejoin_subheads

_TEXT = (
    "近年来，各地认真贯彻落实党中央决策部署，扎实推进各项工作，取得了明显成效，"
    "群众的获得感、幸福感、安全感不断增强。"
)


class _Page:
    """Lines laid out one after another, as spans into one text."""

    def __init__(self) -> None:
        self.at = 0

    def span(self, text: str) -> Span:
        s = Span(self.at, self.at + len(text), text)
        self.at += len(text) + 1
        return s

    def draft(self, kicker=(), title=(), subtitle=(), body=(), kinds=None) -> Draft:
        kick = [self.span(t) for t in kicker]  # (kicker, title, subtitle: as on the page)
        d = Draft([self.span(t) for t in title], kick, [])
        d.subtitle = [self.span(t) for t in subtitle]
        for i, line in enumerate(body):
            kind = kinds[i] if kinds else classify(line)[0]
            d.add(self.span(line), kind, classify(line)[1] if kind == PARA else "")
        return d


def _titles(drafts) -> list[str]:
    return [" ".join(s.text for s in d.title) for d in drafts]


def test_a_laws_chapter_read_as_a_title_goes_back_into_the_law():
    p = _Page()
    law = p.draft(title=["中华人民共和国密码法"], body=["第一条  为了规范密码应用和管理，" + _TEXT])
    chapter = p.draft(title=["第四章  法律责任"], body=["第三十条  违反本法规定的，" + _TEXT])
    drafts = [law, chapter]
    rejoin_subheads(drafts, "")
    assert _titles(drafts) == ["中华人民共和国密码法"]
    assert [s.text for s in law.body][1] == "第四章  法律责任"
    assert law.body[-1].text.startswith("第三十条")


@pytest.mark.parametrize(
    "kicker, title",
    [
        ((), "讲述人：重庆市南岸区南滨路街道居民颜雪梅"),
        (("关键词：信心",), "一个眼神也是一份鼓励"),
        ((), "图③：浙江武义县"),
        ((), "时间：1月28日  地点：中部战区总医院"),
        (("镜头三：",), "为救护车加好油"),
        (("让家庭医生服务更惠民",), "提案人：全国政协委员林绍彬"),
    ],
)
def test_a_field_label_in_a_head_makes_it_a_subhead_of_the_article_above(kicker, title):
    p = _Page()
    above = p.draft(title=["人人出力 家园更美（小康路上·绿色力量）"], body=[_TEXT])
    piece = p.draft(kicker=kicker, title=[title], body=["我叫颜雪梅，家住在长江边上。" + _TEXT])
    drafts = [above, piece]
    rejoin_subheads(drafts, "")
    assert drafts == [above]
    assert [s.text for s in above.body[1 : 2 + len(kicker)]] == [*kicker, title]


def test_a_proposers_label_under_a_title_leaves_the_article_its_own():
    # (提案人：… as a subtitle names the proposal's own proposer: the article is a proposal)
    p = _Page()
    above = p.draft(title=["委员来“会客”"], body=[_TEXT])
    proposal = p.draft(title=["加强儿童用药安全管理（提案提要）"], body=[_TEXT])
    proposal.subtitle = [p.span("提案人：全国政协委员冯丹龙")]
    drafts = [above, proposal]
    rejoin_subheads(drafts, "")
    assert drafts == [above, proposal]


_REST = "我国人民政治生活中的一件大事，国内外高度关注，开好今年两会尤为重要。"


def test_a_paragraphs_first_words_read_as_a_title_go_back_to_it():
    p = _Page()
    above = p.draft(title=["为何研究推迟召开全国政协十三届三次会议"], body=[_TEXT])
    piece = p.draft(title=["全国两会是"], body=[_REST])
    drafts = [above, piece]
    rejoin_subheads(drafts, "")
    assert drafts == [above]
    assert [s.text for s in above.body[-2:]] == ["全国两会是", _REST]


@pytest.mark.parametrize(
    "title, body, closed",
    [
        ("战疫情 保生产", _REST, False),  # a headline's phrases set apart by a space
        ("全国两会是", _REST, True),  # under a closing credit
        ("全国两会是", "本报北京2月17日电  " + _REST, False),  # a dated report
        ("全国两会是", _REST * 4, False),  # longer than a cut piece's rest
        ("致读者（编者的话）", _REST, False),  # a column label closing the title
    ],
)
def test_a_short_item_stays_an_article(title, body, closed):
    p = _Page()
    above = p.draft(title=["为何研究推迟召开全国政协十三届三次会议"], body=[_TEXT])
    if closed:
        above.add(p.span("（本报记者  王明）"), BYLINE_END, "本报记者  王明")
        above.add(p.span(_TEXT), PARA)
        above.closed = True
    item = p.draft(title=[title], body=[body])
    drafts = [above, item]
    rejoin_subheads(drafts, "")
    assert drafts == [above, item]


def test_a_two_line_piece_or_one_with_a_kicker_is_no_cut_piece():
    p = _Page()
    above = p.draft(title=["为何研究推迟召开全国政协十三届三次会议"], body=[_TEXT])
    item = p.draft(kicker=["全国政协办公厅回应"], title=["全国两会是"], body=[_REST])
    two = p.draft(title=["全国两会是"], body=["提问：", _REST], kinds=[SHORT, PARA])
    drafts = [above, item, two]
    rejoin_subheads(drafts, "")
    assert drafts == [above, item, two]


def test_a_laws_chapters_stay_in_the_law_on_a_page():
    page = (
        "人民日报 2019年10月27日 星期日 第11版\n中华人民共和国密码法\n"
        "（2019年10月26日第十三届全国人民代表大会常务委员会第十四次会议通过）\n"
        "第一章  总  则\n第一条  为了规范密码应用和管理，促进密码事业发展，保障网络与信息安全，"
        "维护国家安全和社会公共利益，保护公民、法人和其他组织的合法权益，制定本法。\n"
        "第四章  法律责任\n第三十二条  违反本法第十二条规定，窃取他人加密保护的信息，"
        "非法侵入他人的密码保障系统，由密码管理部门责令改正。\n"
    )
    (art,) = split_page(page)
    assert art.title == "中华人民共和国密码法"
    assert "第四章  法律责任" in art.text


_HEADER = "人民日报 2020年1月20日 星期一 第12版\n"
_ENTRY = "2005年12月29日，十届全国人大常委会第十九次会议通过决定，自2006年1月1日起废止农业税条例。"
# (longer than a cut piece's rest: `_cut_piece` takes a short one back whatever it opens with)
_NEXT = "2006年7月1日，一条穿越世界屋脊、将祖国温暖送到高原边疆的“天路”全线建成通车。" + _TEXT * 2


def _chronicle(next_text: str, raw: str = _HEADER, title: str = "天路"):
    p = _Page()
    above = p.draft(title=["新中国峥嵘岁月"], subtitle=["废除农业税"], body=[_ENTRY])
    entry = p.draft(title=[title], body=[next_text])
    drafts = [above, entry]
    rejoin_subheads(drafts, raw)
    return drafts, above, entry


def test_a_chronicles_entry_opening_on_a_later_year_stays_in_the_chronicle():
    drafts, above, _ = _chronicle(_NEXT)
    assert drafts == [above]
    assert [s.text for s in above.body[-2:]] == ["天路", _NEXT]


@pytest.mark.parametrize(
    "next_text, raw, title",
    [
        ("2004年9月，中共十六届四中全会召开。" + _TEXT * 2, _HEADER, "天路"),  # an earlier year
        (
            "2019年，法国在环境保护领域出台多项新举措。" + _TEXT * 2,
            _HEADER,
            "天路",
        ),  # this page's time
        (_NEXT, "", "天路"),  # no date on the page to tell the past by
        (_NEXT, _HEADER, "天路（新中国的“第一”·交通篇）"),  # a labelled head of its own
        ("本报北京1月19日电  " + _NEXT, _HEADER, "天路"),  # a dated report
    ],
)
def test_a_report_opening_on_a_year_stays_an_article(next_text, raw, title):
    drafts, above, entry = _chronicle(next_text, raw, title)
    assert drafts == [above, entry]


@pytest.mark.parametrize("head", ["“不担心销路吗？”", "“危机中往往蕴藏机遇。”", "五", "■链接"])
def test_a_quotation_a_numeral_or_a_box_label_as_the_whole_head_is_a_subhead(head):
    p = _Page()
    above = p.draft(title=["一步一脚印，踩实小康路"], body=[_TEXT])
    piece = p.draft(title=[head], body=["“不怕！”张江海分享了他的观察所得。" + _TEXT * 3])
    piece.heads = piece.title  # (the pass's head lines: the quotation alone)
    drafts = [above, piece]
    rejoin_subheads(drafts, "")
    assert drafts == [above]
    assert above.body[1].text == head


def test_a_quotation_under_a_kicker_or_ending_on_an_exclamation_keeps_its_article():
    # (a title may be an exclaimed quotation: “我们一定赢！”; a kicker may be a true title)
    p = _Page()
    above = p.draft(title=["一步一脚印，踩实小康路"], body=[_TEXT])
    exclaimed = p.draft(title=["“我们一定赢！”"], body=[_TEXT * 3])
    kicked = p.draft(kicker=["脱贫户讲述——"], title=["“不担心销路吗？”"], body=[_TEXT * 3])
    exclaimed.heads, kicked.heads = exclaimed.title, kicked.kicker + kicked.title
    drafts = [above, exclaimed, kicked]
    rejoin_subheads(drafts, "")
    assert drafts == [above, exclaimed, kicked]


# A series of pieces under an editor's note, each closed by its credit (stop 32, i90).
_NOTE = "脱贫攻坚到了收官之年，记者走访了几位村民，听他们讲讲今年的打算。"
_SAID = "今年我打算多养几头牛，再把院子里的果树管好，" + _TEXT


def _series(second_title="学点技术，准备养两头母牛", above_body=None, dated=False):
    p = _Page()
    item = p.draft(
        title=["还得抓紧奔小康（一线故事）"],
        body=above_body
        or [
            _NOTE,
            "——编  者",
            "扩展店面，吃好旅游饭",
            _SAID,
            "陕西省某村村民张某讲述",
            "本报记者  王某整理",
        ],
    )
    first = ("本报西安2月9日电  " if dated else "") + _SAID
    second = p.draft(
        title=[second_title], body=[first, "贵州省某村村民孟某讲述", "本报记者 程某整理"]
    )
    third = p.draft(title=["多种点地，再去糖厂干干"], body=[_SAID, "（作者为某村党支部书记）"])
    drafts = [item, second, third]
    rejoin_subheads(drafts, "")
    return drafts, item


def test_credited_pieces_under_an_editors_note_go_back_into_the_item():
    drafts, item = _series()
    assert drafts == [item]
    texts = [s.text for s in item.body]
    assert "学点技术，准备养两头母牛" in texts and "多种点地，再去糖厂干干" in texts
    assert texts[-1] == "（作者为某村党支部书记）"


def test_a_credit_cut_by_the_column_inside_its_brackets_still_closes_a_piece():
    body = [_NOTE, "——编  者", "扩展店面，吃好旅游饭", _SAID, "（作者为某县", "农业农村局局长）"]
    drafts, item = _series(above_body=body)
    assert drafts == [item]


@pytest.mark.parametrize(
    "kw",
    [
        {"above_body": [_NOTE, _SAID, "本报记者  王某整理"]},  # no note, no piece above
        {"second_title": "三维声技术让你身临其境（艺海观澜·当科技遇上艺术（5））"},  # labelled
        {"dated": True},  # a report opens on its dateline
    ],
)
def test_a_credited_article_stays_its_own_without_an_item_above(kw):
    drafts, item = _series(**kw)
    assert drafts[:2] == [item, drafts[1]] and len(drafts) >= 2
    assert drafts[1].title[0].text == kw.get("second_title", "学点技术，准备养两头母牛")


def test_a_piece_under_an_item_holding_a_piece_head_over_its_writer_goes_back():
    body = ["创新报国 执着前行", "白春礼", _TEXT, "（作者为中国科学院院长）"]
    drafts, item = _series(above_body=body)
    assert drafts == [item]


def test_a_head_closing_on_an_editors_signature_is_the_notes_end():
    p = _Page()
    item = p.draft(title=["还得抓紧奔小康（一线故事）"], body=[_NOTE[:20]])
    tail = p.draft(title=["听听他们今年的打算！"], subtitle=["——编 者"], body=["扩展店面", _SAID])
    signed = p.draft(
        kicker=["——编 者"], title=["为媒体融合发展提供有力保障（人民观察）"], body=[_TEXT]
    )
    drafts = [item, tail, signed]
    rejoin_subheads(drafts, "")
    # (a signature heading a head is given back alone, later: settle.closes_above)
    assert drafts == [item, signed]
    assert [s.text for s in item.body[1:3]] == ["听听他们今年的打算！", "——编 者"]


def test_a_title_under_a_paragraph_announcing_it_in_full_stays_in_the_article():
    p = _Page()
    report = p.draft(
        title=["中办印发《条例》"], body=["日前，中共中央印发了《条例》。《条例》全文如下。"]
    )
    doc = p.draft(title=["某某工作条例（试行）"], body=["第一条  为了加强工作，" + _TEXT])
    after = p.draft(title=["某地推进供水一体化"], body=["日前，某县全面启动工程。" + _TEXT * 3])
    drafts = [report, doc, after]
    rejoin_subheads(drafts, "")
    assert drafts == [report, after]
    assert report.body[1].text == "某某工作条例（试行）"


def test_a_head_s_shape_runs_each_pattern_only_where_its_shape_lets_it_match():
    """`heads._shape` tries each mark's pattern only on a line of its shape (its first or last
    character, a space): on lines made of the marks' pieces and others it reads as the patterns."""
    import itertools

    from service.head_parts import _COLUMN_LABEL, _SPACED, _SUBHEAD, LEAD_IN
    from service.heads import _shape

    pieces = ("一、", "（3）", "第二章", "12.", "●", "【", "新闻", "：", "——", "　", " ")
    pieces += ("（钟声）", "7", "“")
    for n in range(1, 4):
        for parts in itertools.product(pieces, repeat=n):
            line = "".join(parts)
            want = (
                bool(_SUBHEAD.fullmatch(line)),
                bool(LEAD_IN.fullmatch(line)),
                bool(_SPACED.search(line)),
                bool(_COLUMN_LABEL.fullmatch(line)),
                line.startswith("“"),
            )
            assert _shape(line) == want, line
    assert _shape("“新闻”") == (False, False, False, False, True)


# Subheads in series (service/series.py): a head the pass opened in the form of a subhead of
# the article above goes back into it.


def _feature(p: _Page, *subhead: str):
    """A feature whose body holds one section under `subhead` (one to three lines)."""
    body = [_TEXT, *subhead, _TEXT]
    kinds = [PARA] + [SHORT] * len(subhead) + [PARA]
    return p.draft(title=["有序恢复外贸生产运营秩序"], body=body, kinds=kinds)


@pytest.mark.parametrize(
    "subhead, kicker, title",
    [
        # a section's label over its deck, the decks of other lengths
        (("企业生产——", "准时交货 充满信心"), ["商品贸易——"], "优惠政策 引来外商外资"),
        # one line, the same form, a character shared at one place
        (("以军人精神冲锋在前",), [], "以劳模精神勇担使命"),
        (("扎根一线的新闻记者",), [], "满怀深情的草原诗人"),
        # one line, the same marks at the same places
        (("护旗英雄被围殴，不改初衷",), [], "七旬阿婆清路障，不惧威胁"),
        # a head over its deck, each line of the same form
        (
            ("手机点一点 放牧更轻松", "牧民的日子越过越好"),
            ["扫扫新地图 在家学环保"],
            "家家都有新变化了",
        ),
        # a section's label opening the line, the rest of another length (stop 36)
        (("传承：中医药教育新格局初步形成",), [], "发展：彰显中医药独特作用"),
        # two lines, the decks of one form, the first lines not (stop 36)
        (("五个包干、一网统管", "基层防控有保障"), ["推出政策送温暖增信心"], "复工复产有秩序"),
        (("包裹受损获赔少", "包装环节存短板"), ["利用技术提效率"], "尝试仓储新模式"),
        # a subhead the column cut in two, read as the one line it is (stop 36)
        (("运用政策工具\xa0助", "力疫情防控"), [], "做好能源供应\xa0保障原料供给"),
    ],
)
def test_a_head_in_the_form_of_a_subhead_above_goes_back_into_its_article(subhead, kicker, title):
    p = _Page()
    above = _feature(p, *subhead)
    section = p.draft(kicker=kicker, title=[title], body=["2月24日上午，记者来到企业。" + _TEXT])
    drafts = [above, section]
    rejoin_series(drafts)
    assert drafts == [above]
    assert [s.text for s in above.body[len(subhead) + 2 :][: 1 + len(kicker)]] == [*kicker, title]


@pytest.mark.parametrize(
    "subhead, title",
    [
        ("逼出来的办法", "引路人身先正"),  # two plain lines of one length: no series
        ("“全世界科学家都在加油”", "“中国一定能够战胜疫情”"),  # quotations: no mark
        ("杨维兵说：“", "资料来源：国家卫健委"),  # a paragraph's words cut, no label
        ("校园周边零食（关注）", "旅游码头垃圾（曝光）"),  # a standalone item's column label
        ("以军人精神冲锋在前", "以安全形势平稳"),  # another length
    ],
)
def test_a_head_unlike_the_subheads_above_stays_an_article(subhead, title):
    p = _Page()
    above = _feature(p, subhead)
    item = p.draft(title=[title], body=["国庆节期间，笔者一行在四川游玩。" + _TEXT])
    drafts = [above, item]
    rejoin_series(drafts)
    assert drafts == [above, item]


def test_a_two_line_head_whose_deck_differs_stays_an_article():
    p = _Page()
    above = _feature(p, "五个包干、一网统管", "基层防控有保障")
    item = p.draft(kicker=["推出政策送温暖增信心"], title=["复工复产秩序好好"], body=[_TEXT])
    drafts = [above, item]
    rejoin_series(drafts)
    assert drafts == [above, item]


def test_a_head_in_series_stays_an_article_under_a_closed_one_or_over_a_dateline():
    p = _Page()
    above = _feature(p, "以军人精神冲锋在前")
    dated = p.draft(title=["以劳模精神勇担使命"], body=["本报武汉10月17日电  " + _TEXT])
    drafts = [above, dated]
    rejoin_series(drafts)
    assert drafts == [above, dated]
    closed = _feature(p, "以军人精神冲锋在前")
    closed.closed = True
    item = p.draft(title=["以劳模精神勇担使命"], body=[_TEXT])
    drafts = [closed, item]
    rejoin_series(drafts)
    assert drafts == [closed, item]
