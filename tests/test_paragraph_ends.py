"""Paragraph ends that end on no sentence end, kept apart when a body's lines are joined."""

from __future__ import annotations

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
    # One such line alone may be a paragraph's first words cut by the column: joined as before.
    one = "开篇一段说明了情况。\n耐心倾听，分类关怀\n比起小学阶段，许多孩子面临新的选择。"
    assert clean_body(one).body.text.count("\n") == 1
