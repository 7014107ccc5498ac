"""service.validation: one home for the input limits and checks every entry point uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service import classifier, jsonl, pages, pipeline, summariser, validation
from service.errors import InvalidInput

SERVICE = Path(validation.__file__).parent
# The limits' values, written out: grep must find each in validation.py only.
LITERALS = re.compile(r"\b(100_000|1_000_000|10_000_000|MAX_\w+ = 50)\b")


def test_each_limit_is_written_once():
    found = [
        f"{path.name}:{n}"
        for path in sorted(SERVICE.glob("**/*.py"))
        if path.name != "validation.py" and "_proto" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LITERALS.search(line.split("#")[0])
    ]
    assert found == []


def test_entry_points_share_the_limits():
    assert pipeline.MAX_TEXT_CHARS is validation.MAX_RECORD_CHARS
    assert jsonl.MAX_TEXT_CHARS is validation.MAX_RECORD_CHARS
    assert summariser.MAX_TEXT_CHARS == validation.MAX_SUMMARY_TEXT_CHARS
    assert summariser.MAX_SENTENCES == validation.MAX_LEAD_SENTENCES
    assert summariser.check_lead_options is validation.check_lead_options
    assert pipeline.check_terms is validation.check_terms
    assert pipeline.parse_record is validation.parse_record


@pytest.mark.parametrize(
    ("call", "field", "limit"),
    [
        (lambda: validation.parse_record({"text": "字" * 11}, max_chars=10), "text", 10),
        (
            lambda: summariser.lead("字" * (validation.MAX_SUMMARY_TEXT_CHARS + 1)),
            "text",
            validation.MAX_SUMMARY_TEXT_CHARS,
        ),
        (lambda: validation.check_lead_options(51, 0), "max_sentences", 50),
        (lambda: validation.check_terms("keywords", 101), "keywords", 100),
    ],
)
def test_limits_name_field_and_limit(call, field, limit):
    with pytest.raises(InvalidInput) as caught:
        call()
    assert (caught.value.field, caught.value.limit) == (field, limit)
    assert str(limit) in caught.value.message


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (lambda: validation.parse_record({"text": "  "}), "text", "field 'text' is empty"),
        (lambda: summariser.lead(" "), "text", "text is empty: send the article body"),
        (lambda: pages.single_article(1, "正文"), "title", "title must be a str"),
        (lambda: pages.single_article("", "（完）"), "text", "holds only page furniture"),
        (lambda: pipeline.analyse_page(" \n", None), "text", "the page text is empty"),
        (lambda: validation.check_items([("", " ")]), "items", "empty title and body"),
        (lambda: validation.check_items(["title only"]), "items", "(title, body) pair"),
    ],
)
def test_checks_keep_their_messages(call, field, message):
    with pytest.raises(InvalidInput, match=re.escape(message)) as caught:
        call()
    assert caught.value.field == field


def test_classifier_checks_through_validation():
    # The Python API's entry check is validation's, not a copy.
    assert classifier.check_items is validation.check_items


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "a", "text": "正文", "m": {"k": ["x", "\\ud800"]}}',  # an escaped lone surrogate
        '{"id": "b", "text": "正文", "\\udc80k": 1}',  # in a key
        '{"id": "c", "text": "正文\udcff"}',  # a byte that was not UTF-8 (surrogateescape)
        '{"id": "d", "text": "正文", "m": ' + "[" * 2000 + "]" * 2000 + "}",  # too deep
        '{"id": "e", "text": "正文，\\u4e2d", "m": [1, {"a": "\\ud83d\\ude00"}]}',  # a pair: ok
        '{"id": "f", "text": "正文。", "m": [1, {"a": ["b"]}]}',
    ],
)
def test_records_read_from_lines_are_checked_as_objects_are(line):
    """read_records skips the surrogate walk for clean lines; each answer is parse_record's."""
    import json

    [(_, got)] = list(jsonl.read_records([line]))
    try:
        want = validation.parse_record(json.loads(line)).data
    except InvalidInput as exc:
        want = exc.message
    except RecursionError:
        want = "JSON nested too deeply to read"
    assert (got.reason if isinstance(got, jsonl.Rejected) else got.data) == want


@pytest.mark.parametrize(
    ("line", "rid"),
    [
        ('{"id": "a-1", "text": ""}', "a-1"),
        ('{"id": 7, "text": ""}', "7"),
        ('{"id": true, "text": ""}', None),
        ('{"id": "", "text": ""}', None),
        ('{"id": "x\\ud800", "text": ""}', None),  # no UTF-8 to write it back in
        ('{"text": ""}', None),
        ("[1]", None),
        ("not json", None),
        ('{"id": "' + "i" * 300 + '", "text": ""}', "i" * 199 + "…"),
    ],
)
def test_a_rejected_record_is_named_by_its_own_id_where_it_has_one(line, rid):
    [(_, got)] = list(jsonl.read_records([line]))
    assert isinstance(got, jsonl.Rejected) and got.id == rid
    assert got.as_dict()["id"] == rid


def test_a_null_id_is_no_id_as_a_missing_one_is():
    # pandas' to_json writes a missing value as null; the client already sends None as no id.
    for obj in ({"text": "市教育局部署开学工作。"}, {"id": None, "text": "市教育局部署开学工作。"}):
        assert validation.parse_record(obj).article.id == ""
    with pytest.raises(InvalidInput, match="'id' must be"):
        validation.parse_record({"id": 1.5, "text": "市教育局部署开学工作。"})


@pytest.mark.parametrize(
    ("obj", "says"),
    [
        # pandas writes an integer column holding a missing value as floats: `7.0`
        (
            {"id": 7.0},
            "field 'id' must be a string or an integer, got a number (7.0): write it as 7 or \"7\"",
        ),
        ({"id": [1]}, "field 'id' must be a string or an integer, got an array ([1])"),
        ({"id": 1, "kicker": 7}, "field 'kicker' must be a string, got a number (7)"),
        (
            {"id": 1, "subtitle": ["副题"]},
            "field 'subtitle' must be a string, got an array ([\"副题\"])",
        ),
    ],
)
def test_an_id_kicker_or_subtitle_of_another_type_says_what_came(obj, says):
    # They said only what they must be, where a title or a text of the wrong type said what came.
    with pytest.raises(InvalidInput) as caught:
        validation.parse_record({**obj, "text": "市教育局部署开学工作。"})
    assert str(caught.value) == says
    if "kicker" not in obj and "subtitle" not in obj:
        with pytest.raises(InvalidInput) as caught:
            validation.parse_page({**obj, "text": "## 标题\n市教育局部署开学工作。"})
        assert str(caught.value) == says


@pytest.mark.parametrize("title", [0, False, [], {}, 5, ["标题"]])
def test_a_title_of_another_type_is_refused_even_when_falsy(title):
    # `title or ""` took 0, false and [] for no title while 5 was refused: a wrong type
    # is the record's fault whatever its value, and the reason says what came.
    with pytest.raises(InvalidInput, match="field 'title' must be a string, got ") as caught:
        validation.parse_record({"title": title, "text": "市教育局部署开学工作。"})
    assert caught.value.field == "title"


def test_a_null_title_is_no_title_as_a_missing_one_is():
    body = "市教育局部署开学工作。"
    for obj in ({"text": body}, {"title": None, "text": body}):
        assert validation.parse_record(obj).article.title == ""


@pytest.mark.parametrize(
    ("obj", "field", "says"),
    [
        ([1, 2], "text", "got an array"),
        ({"id": "a"}, "text", "got missing"),
        ({"text": None}, "text", "got null"),
        ({"text": 42}, "text", "got a number"),
        ({"text": " \n"}, "text", "field 'text' is empty"),
        ({"text": "标题\r正文\r"}, "text", "lone carriage return"),
        ({"text": '{"id": 1, "text": "正文"}\n'}, "text", "JSON Lines"),
        ({"text": "标题\n正文\n", "id": True}, "id", "string or an integer"),
        ({"text": "标题\n正文\ud800\n"}, "text", "not UTF-8"),
        ({"text": "标题\n正文\n", "id": "\udce9"}, "id", "not UTF-8"),
    ],
)
def test_parse_page_refuses_what_a_page_file_is_refused_for(obj, field, says) -> None:
    """`batch --pages`: a page record is checked as `analyse PAGE` checks a page file."""
    with pytest.raises(InvalidInput, match=re.escape(says)) as err:
        validation.parse_page(obj)
    assert err.value.field == field


def test_parse_page_keeps_the_id_as_sent_and_the_page_limit() -> None:
    page = validation.parse_page({"id": 7, "text": "标题\n正文\n", "date": "x"})
    assert (page.id, page.text) == (7, "标题\n正文\n")
    assert validation.parse_page({"text": "标题\n"}).id is None
    with pytest.raises(InvalidInput, match="over the limit of 10: split it into pages"):
        validation.parse_page({"text": "字" * 11}, max_chars=10)
