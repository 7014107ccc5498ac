"""Records exported from a CMS with HTML in them (`service.html_text`): read as the text the HTML
marks up, every span still into the caller's `text` and `title`."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.html_text import is_html, plain
from service.pipeline import analyse_articles
from service.text import clean_body, single_article
from tests.test_cli import run

TITLE = "<b>我市召开教育工作会议</b>"
TEXT = (
    "<p>本报讯&nbsp;（记者 王明）12月3日，我市召开全市教育工作会议，部署明年重点工作。</p>"
    "<p>会议指出，要坚持立德树人，办好人民满意的教育。</p><br/>"
    "<p>市教育局局长李华出席会议并讲话。</p>"
)
PLAIN = (
    "本报讯 （记者 王明）12月3日，我市召开全市教育工作会议，部署明年重点工作。\n"
    "会议指出，要坚持立德树人，办好人民满意的教育。\n"
    "市教育局局长李华出席会议并讲话。"
)
BODY = (
    "12月3日，我市召开全市教育工作会议，部署明年重点工作。\n"
    "会议指出，要坚持立德树人，办好人民满意的教育。\n市教育局局长李华出席会议并讲话。"
)


def _accounted(text: str, offset: int = 0) -> None:
    """Every non-whitespace character of an HTML text is in the body or in one piece taken out
    (a tag, an entity, a dateline), each piece slicing the text to its own `text`."""
    cleaned = clean_body(text, offset, record=True)
    owner = {int(i) - offset for i in cleaned.body.index}
    for _, s in cleaned.dropped:
        assert text[s.start - offset : s.end - offset] == s.text, s
        for i in range(s.start - offset, s.end - offset):
            assert i not in owner or text[i] == "<", (i, text[i])  # (a "\n" at its tag's `<`)
            owner.add(i)
    assert all(c.isspace() or i in owner for i, c in enumerate(text))


def _own(text: str, article) -> None:
    """Every code point of the body is the caller's own, but a paragraph break, which stands at
    the `<` of the tag that makes it."""
    for i, c in zip(article.body.index.tolist(), article.text, strict=True):
        assert text[i] == c or (c == "\n" and text[i] == "<"), (i, c, text[i])


def test_a_cms_record_reads_as_the_text_its_html_marks_up():
    # The lead opened on `<p>本报讯&nbsp;（记者 王明）`, its tags and entity in it; `</p><p>` was no
    # paragraph break, the dateline was not read, the model read the title's `<b>`.
    article = single_article(TITLE, TEXT)
    assert (article.title, article.text, article.byline) == (
        "我市召开教育工作会议",
        BODY,
        "记者 王明",
    )
    assert article.dateline.startswith("本报讯")
    _own(TEXT, article)
    _accounted(TEXT)
    _accounted("\u200b" + TEXT.replace("本报", "本\u200b报"), 7)  # (with zero-width marks)
    bare = single_article("我市召开教育工作会议", PLAIN)
    assert (bare.title, bare.text, bare.byline) == (article.title, article.text, article.byline)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<div class=\"a\">标题<span style='x'>正文</span></div>", "标题正文"),
        (
            "<p>第一段。<!-- 注释 --></p><script>var a = '<p>';</script><p>第二段。</p>",
            "第一段。\n第二段。",
        ),
        (
            "<style>p { color: red }</style><h2>小标题</h2><p>正文一段，说了些话。</p>",
            "小标题\n正文一段，说了些话。",
        ),
        (
            "<p>AT&amp;T 公司 a &lt; b，&quot;引号&quot;。</p>",
            "AT&T 公司 a &lt; b，&quot;引号&quot;。",
        ),
        (
            '<p>图片<img src="a.jpg"/>说明，<a href="x">链接</a>文字。<o:p></o:p></p>',
            "图片说明，链接文字。",
        ),
        ("<p>全市&nbsp;公交&#12288;客运量增长。</p>", "全市公交客运量增长。"),
        # `&nbsp` without its `;`, as old CMS exports write it (and HTML reads it)
        ("<P>本报讯&nbsp（记者 王明）全市公交客运量增长。</P>", "全市公交客运量增长。"),
        ("<p>全市&nbspx 公交。</p>", "全市&nbspx 公交。"),
        # escaped twice by its CMS: still a space (the dateline and byline read)
        (
            "<p>本报讯&amp;nbsp;（记者&amp;nbsp;王明）全市公交客运量增长。</p>",
            "全市公交客运量增长。",
        ),
        # Word's downlevel-revealed conditionals around a pasted list's number: no text (they
        # stood in the body and the lead, `[endif]>` and all)
        (
            "<p class=MsoNormal><![if !supportLists]><span lang=EN-US>1.</span><![endif]>"
            "<span style='font-family:宋体'>会议强调，要促进就业。<o:p></o:p></span></p>",
            "1.会议强调，要促进就业。",
        ),
    ],
)
def test_tags_comments_scripts_and_entities(html, text):
    article = single_article("标题", html)
    assert article.text == text
    _own(html, article)


@pytest.mark.parametrize(
    "text",
    [
        "a<b 和 c>d 都是文字。",
        "《标题》写在前面。",
        "<<人民日报>>评论员文章。",
        "<人民日报>发表评论。",
        "AT&T 公司。",
    ],
)
def test_a_record_that_merely_holds_a_bracket_is_no_html(text):
    assert not is_html(text) and plain(text) is None
    assert single_article("标题", text).text == text


def test_the_title_reads_without_its_tags_and_its_spans_slice_the_callers_title():
    # `<b>我市</b>召开` cut the title's words for the model; a block tag reads as a line break.
    title = "<h1><b>我市</b>召开&amp;部署<br/>教育工作会议</h1>"
    article = single_article(title, TEXT)
    assert article.title == "我市召开&部署 教育工作会议"
    from service.reading import locate

    index = locate(article.title, title)
    for c, i in zip(article.title, index.tolist(), strict=True):
        assert (c == " " and i < 0) or title[i] == c


def _records() -> list[dict]:
    other = (
        "<div><p>新华社北京12月5日电（记者 张三）国务院常务会议5日召开，部署稳就业工作。</p>"
        "<p>会议强调，要把稳就业放在更加突出的位置。</p></div>"
    )
    return [
        {"id": "h1", "title": TITLE, "text": TEXT},
        {"id": "h2", "title": "<span>国务院</span>部署<em>稳就业</em>", "text": other},
    ]


def test_summarise_and_classify_read_html_records_with_spans_into_them():
    records = _records()
    stdin = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    result = run("summarise", stdin=stdin)
    assert result.returncode == 0, result.stderr
    outs = [json.loads(line) for line in result.stdout.splitlines()]
    assert outs[0]["lead"].startswith("12月3日，我市召开") and outs[1]["lead"].startswith(
        "国务院常务"
    )
    for rec, out in zip(records, outs, strict=True):
        assert "<" not in out["lead"] and "&" not in out["lead"] and "本报讯" not in out["lead"]
        assert "".join(rec["text"][a:b] for a, b in out["lead_spans"]) == out["lead"]
    result = run("classify", "--explain", "10", "--keywords", "10", stdin=stdin)
    assert result.returncode == 0, result.stderr
    outs = [json.loads(line) for line in result.stdout.splitlines()]
    fields = set()
    for rec, out in zip(records, outs, strict=True):
        for term in out["evidence"] + out["keywords"]:
            fields.add(term["field"])
            for a, b in term["spans"]:
                assert rec[term["field"]][a:b] == term["term"]
    assert fields == {"title", "text"}


_WORDS = st.text("会议指出要坚持立德树人，。！办好人民满意的教育abc ", min_size=1, max_size=16)
_TAGS = st.sampled_from(
    ["<p>", "</p>", "<br/>", "<b>", "</b>", '<span class="x">', "&nbsp;", "&amp;", "<!-- c -->"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_TAGS, _WORDS), min_size=1, max_size=8))
def test_an_html_body_holds_only_the_callers_code_points(pieces):
    text = "<p>" + "".join(t + w for t, w in pieces)
    try:
        article = single_article("标题", text)
    except Exception:  # (nothing left to read: refused, as a text of furniture is)
        return
    _own(text, article)
    _accounted(text)
    assert not any(m in article.text for m in ("<", ">", "nbsp;", "amp;", "!--"))
    index = article.body.index
    assert (index[1:] > index[:-1]).all()
    for s in article.body.source_spans(0, len(article.text), text):
        assert text[s.start : s.end] == s.text
    (analysis,) = analyse_articles([article], [text], None)  # (the lead's spans: faithful)
    assert "".join(text[s.start : s.end] for s in analysis.lead.spans) == analysis.lead.text


def test_a_chinese_character_written_as_a_numeric_reference_is_told_apart():
    from service.html_text import escaped_han

    assert escaped_han("&#22269;&#21153;") and escaped_han("见&#x56FD;") and escaped_han("&#X56fd;")
    assert escaped_han("&#131072;")  # (U+20000, extension B: a rare name's character)
    for text in ("国务院", "A&#38;B", "&#12290;", "&#65292;", "&#22269", "&#xZZ;", "&amp;#22269;"):
        assert not escaped_han(text), text  # (punctuation, `&`, no `;`, escaped twice: not Han)
