"""A record of whole paragraphs keeps its decks and subheads apart from the story
(`service.record_ends`); text showing a column cut, pages and training texts read as before."""

from __future__ import annotations

from service import record_ends
from service.summariser import lead
from service.text import clean_body, single_article

# People's Daily, 2019-10-16 (人民时评): two decks over the story, as the archive stores them.
DECKS = (
    "在加强隐私保护成为共识的背景下，怎样处理好维护个人权益与合理使用信息的关系，"
    "成为信息社会必须直面的现实课题",
    "以保护个人权益和促进信息流通为准绳，找到信息利用和安全的平衡点，有助于数字经济的长远发展",
)
STORY = (
    "随着“互联网+”日渐融入生活，大数据、人工智能等迅速发展，越来越多的人既获得技术进步的红利，"
    "也面临着前所未有的个人信息泄露风险。",
    "近年来，个人信息的内涵与范围均在不断延伸。人脸、指纹、声纹等生物特征信息应用日益广泛，"
    "相关信息保护工作难度加大。",
)
TEXT = "\n".join(DECKS + STORY)


def test_a_record_keeps_its_decks_apart_and_the_lead_opens_on_the_story():
    article = single_article("数字时代如何保护个人信息", TEXT)
    assert article.body.text == TEXT
    assert lead(article.body.text, article.title).text.startswith("随着")
    with record_ends.off():  # (read as a page's text: the second deck glued to the story)
        glued = single_article("数字时代如何保护个人信息", TEXT).body.text
    assert DECKS[1] + STORY[0] in glued


def test_pages_and_training_texts_read_as_before():
    # clean_body without `record` (the page pass, training.corpus.clean_text): unchanged.
    assert DECKS[1] + STORY[0] in clean_body(TEXT).body.text


def test_a_record_showing_a_column_cut_reads_as_a_page():
    # A line ending mid-clause is a cut: the record is pasted from a page, decks and all.
    cut = STORY[1].replace("。人脸", "。人脸，\n", 1)
    text = "\n".join((*DECKS, STORY[0], cut))
    body = single_article("数字时代如何保护个人信息", text).body.text
    assert DECKS[1] + STORY[0] in body


def test_a_paragraph_under_a_dateline_or_holding_a_sentence_end_is_joined():
    # (both read past the threshold: the seam's words alone would keep them apart)
    dated = (
        "本报南京1月5日电\u00a0\u00a0（记者何聪、王伟健）在江苏省苏州市委、市政府\n"
        "日前召开的“开放再出发”大会上，苏州发布30条深化招商的政策措施，"
        "并集中推出68.8平方公里产业用地和发布“苏州开放创新合作热力图”\u00a0。"
    )
    assert "市政府日前召开" in single_article("苏州开放再出发", dated).body.text
    sentence = (
        "住有所居，居有所安。居住问题\n关乎人民福祉，关系经济社会发展，既是民生问题也是发展问题。"
        "不久前，住房和城乡建设部召开会议，部署下一阶段工作。"
    )
    assert "居住问题关乎" in single_article("住房", sentence).body.text
