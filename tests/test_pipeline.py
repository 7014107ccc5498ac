"""The shared record pipeline: one validation for every entry point, results in input order."""

from __future__ import annotations

import pytest

from service.classifier import Classifier
from service.errors import InvalidInput
from service.pipeline import (
    MAX_TEXT_CHARS,
    NO_BODY,
    analyse_page,
    parse_record,
    process_records,
)


@pytest.mark.parametrize(
    "obj, field",
    [
        ([1, 2], "record"),
        ("text", "record"),
        ({"id": 1}, "text"),
        ({"text": "   \n"}, "text"),
        ({"text": 42}, "text"),
        ({"text": "正文。", "title": ["标题"]}, "title"),
        ({"text": "正文。", "id": 1.5}, "id"),
        ({"text": "正文\ud800。"}, "text"),
        ({"text": "正文。", "title": "\udc00标题"}, "title"),
        ({"text": "正文。", "id": True}, "id"),
        # any field that could not be written back out as UTF-8, however deep
        ({"text": "正文。", "id": "\ud800"}, "id"),
        ({"text": "正文。", "meta": {"tags": ["\udcff"]}}, "meta.tags[0]"),
        # nothing left once furniture, bylines and datelines are removed, and no title
        ({"text": "（完）"}, "text"),
        ({"text": "本报讯"}, "text"),
        ({"text": "(下转3版)"}, "text"),
        ({"text": "责任编辑：王芳", "title": "  "}, "text"),
        ({"text": "正文。", "kicker": 3}, "kicker"),
        ({"text": "正文。", "subtitle": ["副题"]}, "subtitle"),
    ],
)
def test_bad_records_name_the_field(obj, field):
    with pytest.raises(InvalidInput) as caught:
        parse_record(obj)
    assert caught.value.field == field


def test_a_title_over_furniture_is_still_an_article():
    record = parse_record({"id": "t", "title": "全市教育工作会议召开", "text": "（完）"})
    assert record.article.title == "全市教育工作会议召开" and not record.article.text.strip()


def test_oversized_text_names_the_limit():
    with pytest.raises(InvalidInput) as caught:
        parse_record({"text": "字" * 11}, max_chars=10)
    assert (caught.value.field, caught.value.limit) == ("text", 10)
    assert MAX_TEXT_CHARS >= 100_000


def test_record_keeps_callers_fields_and_offsets():
    text = "本报讯 12月17日，全市教育工作会议召开。\n\n会议部署了明年的重点任务。"
    record = parse_record({"id": 7, "title": "会议召开", "text": text, "extra": True})
    assert record.data["extra"] is True and record.article.id == "7"
    assert "本报讯" not in record.article.text
    for i, ch in enumerate(record.article.text):
        assert text[int(record.article.body.index[i])] == ch


@pytest.fixture(scope="module")
def shipped():
    return Classifier.load()


def test_process_records_keeps_order_across_batches(shipped):
    titles = ["高校开学迎新生", "本台评论：改革激发活力", "新能源汽车产量增长"] * 5
    records = [
        parse_record({"id": i, "title": t, "text": t + "。" * 3}) for i, t in enumerate(titles)
    ]
    out = list(process_records(records, shipped, batch_size=4, summarise=True))
    assert [r["id"] for r in out] == list(range(15))
    for r in out:
        assert abs(sum(r["scores"].values()) - 1) < 1e-3 and "lead" in r
    unlabelled = list(process_records(records, shipped, batch_size=4, labels=False, summarise=True))
    assert all("label" not in r and "lead" in r for r in unlabelled)


def test_analyse_page_rejects_an_empty_page(shipped):
    with pytest.raises(InvalidInput):
        analyse_page(" \n ", shipped)


def test_a_lead_that_cannot_be_made_is_empty_with_a_warning():
    records = [
        parse_record({"id": "a", "title": "会议", "text": "教育工作会议召开。会议部署了任务。"}),
        parse_record({"id": "b", "title": "小标题", "text": "会议开得短\n落实时间多了"}),
    ]
    made, unmade = process_records(records, None, labels=False, summarise=True)
    assert made["lead"] and made["lead"].endswith("。") and "warnings" not in made
    assert unmade["lead"] == "" and unmade["lead_spans"] == []
    assert unmade["warnings"] and "subhead" in unmade["warnings"][0]
    # a caller's max_chars is hard: no whole sentence fits in 5 characters
    (tight,) = process_records(records[:1], None, labels=False, summarise=True, max_chars=5)
    assert tight["lead"] == "" and "5 characters" in tight["warnings"][0]


def test_an_article_with_no_body_says_why_its_lead_is_empty(shipped):
    # A title over a dateline alone (a record) or over nothing (a page's last head): the lead
    # is empty, and like every empty lead it says why (README: "an empty lead and `warnings`
    # saying why"; docs/grpc.md: "an article with no lead says why in `warnings`").
    record = parse_record({"id": "k", "title": "全市教育工作会议召开", "text": "本报讯"})
    (out,) = process_records([record], shipped, summarise=True)
    assert out["lead"] == "" and out["warnings"] == [NO_BODY]
    page = "## 全市教育工作会议召开\n会议部署了明年的重点任务。\n\n## 只有标题\n"
    last = analyse_page(page, shipped)[-1]
    assert (last.article.title, last.lead.text, last.warnings) == ("只有标题", "", (NO_BODY,))


@pytest.mark.parametrize(
    "obj, words",
    [
        ({"id": "a"}, "is missing"),
        ({"text": None}, "field 'text' is null: give the article body as a string"),
        ({"text": "  "}, "is empty"),
        ({"text": 12345}, "must be a string, got a number (12345)"),
        ({"text": float("nan")}, "must be a string, got a number (NaN)"),
        ({"text": ["正文"]}, 'must be a string, got an array (["正文"])'),
        ({"text": True}, "must be a string, got a boolean (true)"),
    ],
)
def test_a_text_that_is_not_a_string_is_not_called_missing(obj, words):
    """Issue 14: a `text` of 12345 or NaN was reported as 'missing or empty'. The type is
    JSON's (i165's audit: "got int", "got NoneType" were Python's)."""
    with pytest.raises(InvalidInput, match="field 'text'") as err:
        parse_record(obj)
    assert words in err.value.message


@pytest.mark.parametrize(
    "obj, name", [(None, "null"), ([1, 2], "an array"), (42, "a number"), ("x", "a string")]
)
def test_a_line_that_is_not_an_object_names_its_json_type(obj, name):
    with pytest.raises(InvalidInput) as err:
        parse_record(obj)
    assert err.value.message == f"expected a JSON object with a 'text' field, got {name}"


def test_kicker_and_subtitle_join_the_title_line_the_classifier_reads():
    from service.pipeline import desk_item

    record = parse_record(
        {
            "title": "这样查出密切接触者",
            "kicker": " “测量仪”上线 ",
            "subtitle": "",
            "text": "正文。",
        }
    )
    assert (record.article.kicker, record.article.subtitle) == ("“测量仪”上线", "")
    assert desk_item(record.article) == ("“测量仪”上线 这样查出密切接触者", "正文。")
    plain = parse_record({"title": "标题", "text": "正文。"})
    assert desk_item(plain.article) == ("标题", "正文。")


def test_thin_records_are_flagged_for_review_with_their_best_guess(shipped):
    records = [
        parse_record({"id": "greeting", "text": "你好世界。"}),
        parse_record({"id": "english", "text": "The State Council met to discuss jobs."}),
        parse_record(
            {
                "id": "article",
                "title": "习近平会见法国总统",
                "text": "国家主席习近平在人民大会堂会见法国总统马克龙，双方就中法关系和共同关心的"
                "国际和地区问题深入交换意见。习近平指出，中法关系保持健康稳定发展。",
            }
        ),
    ]
    out = {r["id"]: r for r in process_records(records, shipped)}
    assert out["greeting"]["review"] is True and out["english"]["review"] is True
    assert out["greeting"]["label"] in out["greeting"]["scores"]  # still the best guess
    assert out["article"]["label"] == "leadership" and out["article"]["review"] is False
    # why: the short and the foreign text are thin; an unflagged result carries no reasons
    assert "thin_text" in out["greeting"]["review_reasons"]
    assert "thin_text" in out["english"]["review_reasons"]
    assert "review_reasons" not in out["article"]


def test_a_lone_surrogate_from_a_python_caller_is_answered_with_offsets_kept(shipped):
    """A Python str may hold a lone surrogate (JSONL and the servers refuse one: no UTF-8).
    rjieba takes UTF-8 and numpy's code points were read as UTF-32 without surrogatepass, so a
    lead, a page split (a head's cohesion, a column seam's word) and evidence ended in
    UnicodeEncodeError; predict answered. Each is cut as one code point, offsets unchanged."""
    from service import summariser
    from service.pages import split_page
    from service.tokenize import words

    body = "会议研究部署产业发展工作。\ud800企业投产，\udc80发展产业。"
    assert "".join(words(body)) == body and "\ud800" in words(body)
    lead = summariser.lead(body, "标题")
    assert lead.text and all(body[s.start : s.end] == s.text for s in lead.spans)
    page = (
        "贵阳市召开会议\n会议研究部署产业发展工作，强调要推动企业投产。\n"
        + "产业发\ud800展\n会议研究\ud800部署产业发展工作。\n" * 3
        + "学校开学迎新\udfff生\n教育部门\ud800部署工作。\n"
    )
    assert split_page(page)
    terms = [
        term
        for analysis in analyse_page(page, shipped, explain=5, keywords=5)
        for term in (*analysis.evidence, *analysis.keywords)
    ]
    assert terms and all(page[s.start : s.end] == t.text for t in terms for s in t.spans)
