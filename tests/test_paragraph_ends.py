"""Paragraph ends that end on no sentence end, kept apart when a body's lines are joined."""

from __future__ import annotations

from service import seams
from service.text import clean_body


def test_a_quotation_set_as_its_own_paragraph_stays_one():
    body = "第一段写完了。\n“不为名来、不为利去”\n李保国在林业技术推广方面，有求必应。"
    assert clean_body(body).body.text == body


def test_a_note_after_the_last_sentence_closes_its_paragraph():
    body = (
        "规模以上工业中，电气机械和器材制造业增长10.7%，电力、热力生产和供应业增长6.5%。"
        "（见表3）\n年末全国发电装机容量201066万千瓦。"
    )
    assert clean_body(body).body.text == body


def test_a_column_cut_after_a_quotation_inside_a_sentence_is_still_joined():
    # Only a line wholly in quotation marks, or a note after a sentence end, is kept apart.
    top = "这些年来，村里的干部群众始终牢记总书记提出的“绿水青山就是金山银山”"
    assert clean_body(f"{top}\n理念。").body.text == top + "理念。"


def test_subheads_in_a_series_of_paired_halves_stay_apart_from_their_paragraphs():
    body = (
        "开篇一段说明了情况。\n耐心倾听，分类关怀\n比起小学阶段，许多孩子面临新的选择。\n"
        "基层历练，打牢根基\n刚毕业的时候我啥也不懂。\n执勤巡逻，昼夜备战\n武警官兵坚守岗位。"
    )
    assert clean_body(body).body.text == body
    narrow = body.replace("，", ",")  # (ASCII commas, as some pages print them: the same)
    with seams.off():  # (the series' own rule, not the fitted seam reading)
        assert clean_body(narrow).body.text == narrow
    # One such line alone may be a paragraph's first words cut by the column: joined as before.
    one = "开篇一段说明了情况。\n耐心倾听，分类关怀\n比起小学阶段，许多孩子面临新的选择。"
    assert clean_body(one).body.text.count("\n") == 1


def test_a_subhead_closing_on_a_quoted_phrase_and_a_bracketed_credit_stay_apart():
    for body in (
        "开篇一段说明了情况。\n分类有序复工，开设“绿色通道”\n企业复工，难处并非只有厂区的疫情防控。",
        "正文最后一段写完了。\n（作者为法中友好协会联合会会长、里昂新中法大学副校长，"
        "本报驻法国记者刘玲玲采访整理）\n了解和认识中国文化之美，是交流的开始。",
        "全年全国居民人均可支配收入30733元，比上年增长8.9%，扣除价格因素，实际增长5.8%。"
        "（见图1）（见图2）\n年末全国大陆总人口140005万人。",
    ):
        assert clean_body(body).body.text == body


def test_a_numbered_subhead_stays_apart_unless_a_word_crosses_the_seam():
    body = "开篇一段说明了情况。\n一、中小城市的地位\n中小城市是推动高质量发展的重要力量。"
    assert clean_body(body).body.text == body
    cut = "开篇一段说明了情况。\n五、进一步深\n化督学聘用和管理改革。"  # (深化: the column cut it)
    assert clean_body(cut).body.text == cut.replace("深\n", "深")


def test_a_sentence_leading_into_the_next_paragraph_on_a_dash_stays_apart():
    body = (
        "开篇一段说明了情况。\n有些镜头，将永远铭刻在人们的记忆中，激励我们不断前行——\n"
        "党的十八大闭幕后，总书记同中外记者见面。"
    )
    assert clean_body(body).body.text == body
    # A subhead's two parts across a dash are short: joined as before.
    head = "开篇一段说明了情况。\n上海中共一大会址——\n重温入党誓词，追忆光辉历史。"
    assert clean_body(head).body.text.count("\n") == 1


def test_a_next_line_opening_on_punctuation_or_a_particle_or_a_figure_at_the_cut_is_joined():
    for top, rest in (
        ("开篇一段说明了情况。\n二、双方对彼此经济社会发展取得的成就感到高兴", "。中方表示祝贺。"),
        ("开篇一段说明了情况。\n十二、双方同意为两国间的现存机制注入新", "的活力，推进合作。"),
        ("开篇一段说明了情况。\n据海关统计，1月24日", "至30日，全国海关共进口物资。"),
    ):
        tail = "\n基层历练，打牢根基\n刚毕业。\n执勤巡逻，昼夜备战\n官兵坚守。"
        assert clean_body(f"{top}\n{rest}{tail}").body.text.startswith(top + rest), top
