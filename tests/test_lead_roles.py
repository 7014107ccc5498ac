"""Head roles settled after the pass: a bracketed deck, a series' title over a piece and its
credit, a dated report's title over its deck, a kicker by its shape, a long deck over points
(service/settle.py, service/lead_roles.py)."""

from __future__ import annotations

import pytest

from service import head_parts, settle
from service.documents import Span
from service.drafts import Draft
from service.head_parts import settled_heads
from service.lead_roles import deck_by_lead, kicker_by_shape
from service.pages import split_page


def _spans(*texts: str) -> list[Span]:
    out, at = [], 0
    for t in texts:
        out.append(Span(at, at + len(t), t))
        at += len(t) + 1
    return out


@pytest.mark.parametrize("note", ["（第二号）", "（二〇二一年三月五日）"])
def test_a_bracketed_line_read_as_the_title_under_a_kicker_is_the_deck(note):
    heads = _spans("某某大学建校一百周年庆典公告", note)
    title, kicker, subtitle, body = settled_heads(heads, ([heads[1]], [heads[0]], [], []))
    assert (title, kicker, subtitle, body) == ([heads[0]], [], [heads[1]], [])


def test_a_line_under_a_bracketed_deck_opens_the_body():
    heads = _spans("关于推进某项工作的意见", "（二〇二一年三月五日）", "一、总体要求")
    parsed = ([heads[1]], [heads[0]], [heads[2]], [])
    assert settled_heads(heads, parsed) == ([heads[0]], [], [heads[1]], [heads[2]])


def test_a_title_under_a_kicker_not_in_brackets_stays():
    heads = _spans("某某县", "新建五座乡村图书馆（文化惠民）")
    assert settled_heads(heads, ([heads[1]], [heads[0]], [], [])) is None


_TEXT = (
    "老李在这片山上种了三十年树。当年光秃秃的荒山，如今满眼都是绿色，山下的村民也靠着林子过上了"
    "好日子。\n说起这些年的变化，老李笑着说，树种下去了，日子也就跟着好起来了。\n"
)


def test_three_head_lines_over_a_credit_are_a_series_title_over_its_piece():
    page = (
        "人民日报\n携手共建美丽家园\n护林人老李的三十年\n荒山变成了绿水青山\n本报记者  王  明\n"
        + _TEXT
    )
    (art,) = split_page(page)
    assert (art.kicker, art.title, art.subtitle) == ("", "携手共建美丽家园", "")
    assert art.text.startswith("护林人老李的三十年\n荒山变成了绿水青山")


def test_three_head_lines_over_text_keep_their_roles():
    page = "人民日报\n携手共建美丽家园\n护林人老李的三十年\n荒山变成了绿水青山\n" + _TEXT
    (art,) = split_page(page)
    assert art.title != "携手共建美丽家园"


@pytest.fixture
def unsure(monkeypatch):
    """A pair score of -0.5 for any two lines: kicker + title, by a small margin."""
    monkeypatch.setattr(head_parts, "PAIR_WEIGHTS", (0.0,) * len(head_parts.PAIR_FEATURES))
    monkeypatch.setattr(head_parts, "PAIR_BIAS", -0.5)


_UPPER, _LOWER = "全省乡村图书馆建成投用", "农民读书有了好去处"


def test_a_dated_lead_taking_up_the_upper_line_makes_it_the_title(unsure):
    lead = "（记者李明）全省五百座乡村图书馆日前全部建成投用。据介绍，这些图书馆藏书共计百万册。"
    assert deck_by_lead(_UPPER, _LOWER, lead)


def test_a_lead_taking_up_both_lines_alike_leaves_the_kicker(unsure):
    lead = "（记者李明）全省乡村图书馆建成投用，农民读书有了好去处。"
    assert not deck_by_lead(_UPPER, _LOWER, lead)


def test_a_sure_pair_score_is_not_read_again(monkeypatch, unsure):
    monkeypatch.setattr(head_parts, "PAIR_BIAS", -3.0)
    lead = "（记者李明）全省五百座乡村图书馆日前全部建成投用。"
    assert not deck_by_lead(_UPPER, _LOWER, lead)


def test_the_pair_features_the_pass_read_are_not_read_again(monkeypatch, unsure):
    # The pass keeps the pair score's features of a head it parsed on its draft (`pairs`):
    # deck_by_lead reads them there, and reads them itself for any other two lines.
    lead = "（记者李明）全省五百座乡村图书馆日前全部建成投用。据介绍，这些图书馆藏书共计百万册。"
    x = head_parts.pair_features(_UPPER, _LOWER)
    labelled = list(x)
    labelled[head_parts.PAIR_FEATURES.index("lower_label")] = 1.0
    assert deck_by_lead(_UPPER, _LOWER, lead, {(_UPPER, _LOWER): x})
    assert not deck_by_lead(_UPPER, _LOWER, lead, {(_UPPER, _LOWER): labelled})
    assert deck_by_lead(_UPPER, _LOWER, lead, {(_LOWER, _UPPER): labelled})
    pairs: dict = {}
    heads = _spans(_UPPER, _LOWER)
    assert head_parts.parse_heads(heads, pairs) == head_parts.parse_heads(heads)
    assert pairs == {(_UPPER, _LOWER): x}
    calls = []
    monkeypatch.setattr(head_parts, "pair_features", lambda *a: calls.append(a) or x)
    assert deck_by_lead(_UPPER, _LOWER, lead, pairs) and not calls


def test_a_dated_report_under_an_unsure_kicker_gets_its_title_and_deck(unsure):
    page = (
        f"人民日报\n{_UPPER}\n{_LOWER}\n本报长沙3月2日电  （记者李明）全省五百座乡村图书馆日前全部"
        "建成投用。据介绍，这些图书馆藏书共计百万册，覆盖全省所有乡镇。\n"
    )
    (art,) = split_page(page)
    assert (art.kicker, art.title, art.subtitle) == ("", _UPPER, _LOWER)


@pytest.mark.parametrize("column", ["快评·春运", "书香中国·读书月"])
def test_a_short_column_name_with_its_topic_is_the_title_over_the_line_under_it(column):
    heads = _spans(column, "返乡路上的温暖服务")
    title, kicker, subtitle, body = settled_heads(heads, ([heads[1]], [heads[0]], [], []))
    assert (title, kicker, subtitle, body) == ([heads[0]], [], [heads[1]], [])


def test_a_name_with_a_middle_dot_closing_on_a_colon_stays_a_kicker():
    heads = _spans("阿依古丽·买买提：", "守护边疆的每一寸土地")
    assert settled_heads(heads, ([heads[1]], [heads[0]], [], [])) is None


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        ("外交部发言人", "就某国议会通过所谓法案答记者问"),
        ("中央组织部", "从代中央管理党费中划拨专款支持防控工作"),
        ("就中某建交70周年", "习近平同某国总统互致贺电"),
        ("某国网球公开赛", "某某晋级女单八强"),
        ("某某国际博览会在京开幕", "展示发展成就 共享合作机遇"),
        ("某某论坛在京举行", "“为合作提供更多机遇”"),
    ],
)
def test_a_speaker_or_what_is_answered_is_a_kicker(upper, lower):
    assert kicker_by_shape(upper, lower)


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        ("就业形势总体稳定", "城镇新增就业超过一千万人"),
        ("大范围雨雪天气将现中东部", "华北黄淮等地有雾或霾"),
        ("国务院新闻办公室", "——记一场特别的新闻发布会"),
        ("某省成立环境行政处罚案件审查委员会会议", "加强执法监督"),
        ("某某国际博览会在京开幕", "某某出席开幕式并致辞"),
        ("某某艺术节开幕", "共42台96场剧目，为期1个月"),
    ],
)
def test_other_upper_lines_are_no_kicker_by_shape(upper, lower):
    assert not kicker_by_shape(upper, lower)


def test_a_title_and_deck_read_by_the_pass_under_a_speaker_become_kicker_and_title():
    upper, lower = _spans("外交部发言人", "就某国议会通过所谓法案答记者问")
    d = Draft([upper], [], [lower])
    d.heads = [upper, lower]
    settle._shape_kicker(d)
    assert (d.kicker, d.title, d.subtitle) == ([upper], [lower], [])


def test_a_title_and_deck_changed_since_the_pass_are_left():
    upper, lower = _spans("外交部发言人", "就某国议会通过所谓法案答记者问")
    d = Draft([upper], [], [lower])
    d.heads = [lower]
    settle._shape_kicker(d)
    assert (d.kicker, d.title, d.subtitle) == ([], [upper], [lower])


def test_a_long_deck_over_a_point_is_the_subtitle():
    deck = "代表中共中央，向各民主党派、工商联和无党派人士，致以诚挚的问候和新春的祝福汪洋韩正出席"
    page = (
        f"人民日报\n习近平同党外人士共迎新春\n{deck}\n"
        "■ 中国共产党领导的多党合作和政治协商制度是从中国土壤中生长出来的新型政党制度，在凝聚共识、"
        "优化决策、协调关系、维护稳定等方面发挥了独特作用。希望大家认真学习贯彻全会精神\n"
        "本报北京1月14日电  （记者李明）在春节即将到来之际，习近平14日下午在人民大会堂同各民主党派"
        "中央、全国工商联负责人和无党派人士代表欢聚一堂，共迎新春。\n"
    )
    (art,) = split_page(page)
    assert (art.title, art.subtitle) == ("习近平同党外人士共迎新春", deck)
    assert art.text.startswith("■ 中国共产党")


def test_a_line_s_forms_are_its_characters_and_pairs_with_blank_runs_as_one_space():
    assert head_parts.form_grams("强调 \u3000落实") == {
        *"强调 落实",
        *("强调", "调 ", " 落", "落实"),
    }
    assert head_parts.form_grams("") == set() and head_parts.form_grams("中") == {"中"}


_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def test_full_width_digits_read_as_the_ascii_ones_the_models_saw():
    # Some CMS and e-paper text sets digits full-width: the head's form scores (fitted on ASCII
    # digits) and the lead's shared characters read them as the digits they are.
    page = (
        "前文一段说明了情况，受到市场青睐。\n图为砀山县果农在梨树王景区采摘。\n"
        "苗  地摄（影像中国）\n"
        "15地海关签署备忘录\n西部陆海新通道将实现全程开通冷链物流运输\n"
        "本报重庆10月13日电  （记者蒋云龙）13日，《区域海关共同支持“西部陆海新通道”建设合作备忘录》"
        "在重庆签署。签署合作备忘录的15个海关包括重庆海关、南宁海关、贵阳海关等13个西部直属海关。\n"
    )
    heads = [(a.kicker, a.title, a.subtitle) for a in split_page(page)]
    assert heads[-1] == ("15地海关签署备忘录", "西部陆海新通道将实现全程开通冷链物流运输", "")
    wide = [(a.kicker, a.title, a.subtitle) for a in split_page(page.translate(_FULL))]
    assert wide == [tuple(x.translate(_FULL) for x in h) for h in heads]
    upper, lower = "１５地海关签署备忘录", "银联受理网络延伸到１７７个国家和地区"
    narrow = str.maketrans("０１２３４５６７８９", "0123456789")
    assert head_parts.pair_features(upper, lower) == head_parts.pair_features(
        upper.translate(narrow), lower.translate(narrow)
    )
