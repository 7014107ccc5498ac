"""The page-splitting evaluation: rendering, the five metrics, and figures on our own fixture."""

from __future__ import annotations

import random

import numpy as np
import pytest

from service.documents import Body
from service.pages import Article, split_page
from tests.conftest import FIXTURES
from training.pages_eval import (
    TEST_MONTHS,
    Rendered,
    Truth,
    evaluate,
    halves,
    load_pages,
    main,
    render,
    score,
    title_found,
)

ROWS = FIXTURES / "page-articles.jsonl"


def test_title_found_allows_a_joined_subtitle_only():
    assert title_found("冬储大白菜集中上市", "冬储大白菜集中上市")
    assert title_found("让阅读成为城市的生活方式", "让阅读成为城市的生活方式 ——三论建设书香城东")
    assert not title_found("冬储大白菜集中上市", "冬储大白菜" + "集中上市" + "字" * 41)
    assert not title_found("冬储大白菜集中上市", "秋染梯田")


@pytest.mark.parametrize("markdown", [False, True])
def test_render_keeps_every_article_and_adds_furniture(markdown):
    pages = load_pages(ROWS)
    assert [len(p) for p in pages] == [3, 3]
    page = render(pages[0], random.Random(3), markdown, others=["城市书房扩容提质"])
    for t in page.articles:
        assert t.title in page.text
        assert ("## " + t.title in page.text) is markdown
    assert page.furniture and all(f in page.text for f in page.furniture)
    for left, right in page.breaks:
        assert left + "\n" in page.text and "\n" + right in page.text


def test_a_perfect_split_scores_one():
    page = render(load_pages(ROWS)[1], random.Random(5), False)
    perfect = [Article(t.title, Body.verbatim(t.body)) for t in page.articles]
    counts = score(page, perfect)
    assert counts["titles_found"] == counts["bodies_whole"] == counts["articles"] == 3
    assert counts["furniture_leaked"] == 0
    glued = [Article(perfect[0].title, Body.verbatim(perfect[0].text + perfect[1].text))]
    assert score(page, glued)["bodies_whole"] == 0


def test_paragraphs_kept_counts_true_boundaries_joined_into_one_line():
    # Breaks repaired alone would score a splitter that joins every line as perfect.
    body = "第一段写完了。\n福建：标准不降、力度不减\n福建省委强调，要做好工作。"
    page = Rendered("", [Truth("", "春耕", "", body)])
    as_printed = [Article("春耕", Body.verbatim(body))]
    glued = [Article("春耕", Body.verbatim(body.replace("不减\n", "不减")))]
    top, rest = body.split("\n福建省委")
    cut_in_two = [
        Article("春耕", Body.verbatim(top)),
        Article("又", Body.verbatim("福建省委" + rest)),
    ]
    assert [score(page, split)["paragraphs_kept"] for split in (as_printed, glued)] == [2, 1]
    assert score(page, cut_in_two)["paragraphs_kept"] == score(page, glued)["paragraphs"] == 2
    rows = load_pages(ROWS)[:1]
    r = evaluate(rows, seed=3, kinds=(False,))["bare"]
    assert r["paragraphs"] == sum(len(row["text"].strip().split("\n")) - 1 for row in rows[0])
    assert 0 < r["paragraphs_kept"] <= 1


def test_fixture_figures():
    results = evaluate(load_pages(ROWS), seed=11)
    for kind in ("bare", "markdown"):
        r = results[kind]
        assert r["articles"] == 6
        assert r["titles_found"] == 1.0, kind
        assert r["bodies_whole"] >= 0.83, kind  # five of six (rounded to 4 places)
        assert r["furniture_left"] == 0.0, kind


@pytest.mark.parametrize("markdown", [False, True])
def test_converter_markup_keeps_the_page_and_marks_its_heads(markdown):
    from training.converted import converted

    pages = load_pages(ROWS)
    plain = render(pages[0], random.Random(3), markdown)
    page = converted(
        render(pages[0], random.Random(3), markdown), pages[0], random.Random(1), markdown
    )
    assert [t.title for t in page.articles] == [t.title for t in plain.articles]
    assert page.breaks == plain.breaks and page.text != plain.text
    images = [f for f in page.furniture if f.startswith("![](images/")]
    assert images and page.furniture == plain.furniture + images
    lines = page.text.split("\n")
    if markdown:  # the lead story's title a level over the rest
        assert ("# " + page.articles[0].title) in lines
        assert all("## " + t.title in lines for t in page.articles[1:])
    unmarked = [line for line in lines if line not in images]
    stripped = [line.removeprefix("**").removesuffix("**") for line in unmarked]
    assert all(line.lstrip("# ") in plain.text for line in stripped)


def test_converter_markup_figures_on_the_fixture():
    # Markup a converter adds reads as the plain page does (service/markup.py).
    plain = evaluate(load_pages(ROWS), seed=11)
    marked = evaluate(load_pages(ROWS), seed=11, markup="converter")
    for kind in ("bare", "markdown"):
        for metric in ("titles_found", "bodies_whole", "paragraphs_kept", "furniture_left"):
            assert marked[kind][metric] == plain[kind][metric], (kind, metric)
        assert marked[kind]["furniture_lines"] > plain[kind]["furniture_lines"], kind


def test_stacked_markup_marks_every_head_line_at_the_titles_level():
    from training.converted import stacked

    pages = load_pages(ROWS)
    rows = next(p for p in pages if any(r["kicker"] or r["subtitle"] for r in p))
    plain = render(rows, random.Random(3), True)
    page = stacked(render(rows, random.Random(3), True), rows, random.Random(1), True)
    decks = [r[k].strip() for r in rows for k in ("kicker", "subtitle") if r[k].strip()]
    assert decks and all("## " + d in page.text.split("\n") for d in decks)
    assert page.text.replace("## ", "") == plain.text.replace("## ", "")
    bare = render(rows, random.Random(3), False)
    assert (
        stacked(bare, rows, random.Random(1), False).text
        == render(rows, random.Random(3), False).text
    )


def test_flat_markup_marks_subheads_at_the_titles_level_too():
    from training.converted import SUBHEAD_MAX, flat, stacked

    pages = load_pages(ROWS)
    rows = next(
        p
        for p in pages
        if any(
            2 <= len(q) <= SUBHEAD_MAX and q[-1] not in "。！？”"
            for r in p
            for q in r["text"].split("\n")
        )
    )
    heads = stacked(render(rows, random.Random(3), True), rows, random.Random(1), True)
    page = flat(render(rows, random.Random(3), True), rows, random.Random(1), True)
    more = [line for line in page.text.split("\n") if line not in heads.text.split("\n")]
    assert more and all(line.startswith("## ") and len(line) <= SUBHEAD_MAX + 3 for line in more)
    assert page.text.replace("## ", "") == heads.text.replace("## ", "")


def test_stacked_markup_reads_as_the_markdown_page_on_the_fixture():
    # A deck marked as its title is (`## 引题` / `## 标题`) is a line of that head: before
    # `pages._Splitter._stacks` each heading opened an article, the title's with no body.
    plain = evaluate(load_pages(ROWS), seed=11, kinds=(True,))["markdown"]
    marked = evaluate(load_pages(ROWS), seed=11, kinds=(True,), markup="stacked")["markdown"]
    for metric in ("titles_found", "bodies_whole", "paragraphs_kept", "articles_read"):
        assert marked[metric] == plain[metric], metric


def test_corpus_figures_hold_on_a_few_development_pages(data_dir):
    pages = [p for p in load_pages(data_dir, ["201910"])][:40]
    assert "201910" not in TEST_MONTHS
    results = evaluate(pages, seed=11)
    assert results["markdown"]["titles_found"] >= 0.99
    assert results["markdown"]["furniture_left"] <= 0.02
    assert results["bare"]["furniture_left"] <= 0.02


def test_halves_cut_the_pages_in_date_order_and_lose_none():
    pages = [[{"date": f"201910{d:02d}", "page": 1}] for d in range(1, 8)]
    first, second = halves(pages).items()
    assert first[1] + second[1] == pages
    assert (len(first[1]), len(second[1])) == (3, 4)
    assert first[0] == "half 1 (20191001–20191003)" and second[0] == "half 2 (20191004–20191007)"


def test_halves_option_scores_each_development_half_and_never_the_test_month(data_dir, capsys):
    # no --split: a tuning reading must not show the test month by default (a helper's slip)
    assert main(["--data", str(data_dir), "--halves", "--limit", "6"]) == 0
    table = capsys.readouterr().out
    assert "dev half 1 (" in table and "dev half 2 (" in table
    assert "test (" not in table and "dev (tuned on)" not in table


def test_fit_collects_one_row_of_features_per_undecided_head():
    import service.heads as heads
    from training.pages_fit import collect

    assert len(heads.WEIGHTS) == len(heads.FEATURES)
    x, y = collect(load_pages(ROWS) * 3, seed=1)
    assert heads.LOG is None  # recording is switched off again
    assert x.shape == (len(y), len(heads.FEATURES))
    assert set(y.tolist()) <= {0, 1}


def test_fit_collects_each_undecided_heads_lines():
    from training.pages_fit import collect

    runs: list = []
    x, y = collect(load_pages(ROWS) * 3, seed=1, runs=runs)
    assert len(runs) == len(y) and all(isinstance(r, tuple) and r for r in runs)
    assert all(isinstance(line, str) for r in runs for line in r)


def test_evaluate_bare_alone_reads_as_with_both_kinds():
    pages = load_pages(ROWS)
    assert evaluate(pages, kinds=(False,))["bare"] | {"seconds": 0, "split_pages_per_s": 0} == (
        evaluate(pages)["bare"] | {"seconds": 0, "split_pages_per_s": 0}
    )


def test_head_wording_tokens_read_form_not_topic():
    from training import head_words_fit as hw

    assert hw.TOKENS == "form"
    got = hw.tokens(("商品贸易——", "优惠政策\xa0引来外商"))
    assert sorted(got) == sorted(
        ["#L2", "^商", "—$", "^商品", "——$", "P—", "P—", "^优", "商$", "^优惠", "外商$", "#N5"]
    )
    assert not any("疫情" in t for t in hw.tokens(("全力做好疫情防控工作",)))


def test_head_wording_fit_leans_where_the_heads_do():
    from training import head_words_fit as hw

    runs = [("关于加强城市治理的通知",), ("关于开展试点的意见",)] * 20 + [
        ("一是坚持规划先行：",),
        ("二是推动产业升级：",),
    ] * 20
    y = np.asarray([1] * 40 + [0] * 40)
    weights, bias = hw.fit_words(runs, y, c=1.0, min_df=2, keep=10)
    assert 0 < len(weights) <= 10
    z = hw.score_words([("关于做好春耕的通知",), ("三是坚持问题导向：",)], weights, bias)
    assert z[0] > 0 > z[1]


def test_head_wording_is_put_in_place_and_taken_out_again():
    """The tool adds the wording to the page score in its own process only, and restores it."""
    import service.heads as heads
    from training import head_words_fit as hw

    shipped = (heads.WEIGHTS, heads.BIAS)
    pages = [render(p, random.Random(5), False).text for p in load_pages(ROWS)]
    before = [[a.title for a in split_page(p)] for p in pages]
    try:
        hw.use((shipped[0][:-2] + (0.0,) + shipped[0][-2:], shipped[1]), ({"#L1": 2.0}, 0.0))
        assert heads._page_features is not hw._PAGE
        assert [[a.title for a in split_page(p)] for p in pages] == before  # weight 0: same
    finally:
        hw.use(shipped, None)
    assert heads._page_features is hw._PAGE and (heads.WEIGHTS, heads.BIAS) == shipped
    assert [[a.title for a in split_page(p)] for p in pages] == before


def test_a_cut_corpus_file_is_named_not_a_traceback(tmp_path):
    """`make evaluate-pages` on a truncated articles.jsonl.gz ended in an EOFError traceback."""
    import gzip
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    rows = [
        {"id": f"a{i}", "date": "20191001", "page": 1, "seq": i, "title": "标题", "text": "正文。"}
        for i in range(200)
    ]
    whole = gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode("utf-8"))
    target = tmp_path / "newspaper" / "articles.jsonl.gz"
    target.parent.mkdir()
    target.write_bytes(whole[: len(whole) // 2])
    done = subprocess.run(
        [sys.executable, "-m", "training.pages_eval", "--data", str(tmp_path), "--split", "dev"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and f"{target}: cannot be read" in done.stderr


@pytest.mark.parametrize(
    "tool", ["pages_eval", "month_out", "pages_fit", "roles_fit", "head_words_fit"]
)
def test_a_wrong_data_folder_exits_1_as_train_does(tool, tmp_path):
    """`make evaluate-pages DATA=typo` exited 2 where `make train DATA=typo` exits 1 (README:
    a data folder missing, or lacking what the command needs, is a failed run, not a usage
    error); the fitting tools exited 1 with a traceback. Now one `error:` line each."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    (tmp_path / "empty").mkdir()
    for data in (tmp_path / "nowhere", tmp_path / "empty"):
        done = subprocess.run(
            [sys.executable, "-m", f"training.{tool}", "--data", str(data)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
        assert "not found; point --data" in done.stderr and str(data) in done.stderr


@pytest.mark.parametrize("limit", ["0", "-1", "x"])
def test_a_limit_under_one_page_is_a_usage_error(limit, capsys):
    # --limit 0 read every page (minutes) and --limit -1 all but the last, without a word.
    with pytest.raises(SystemExit) as caught:
        main(["--limit", limit])
    assert caught.value.code == 2
    assert "--limit: expected a whole number of pages, 1 or more" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "missing"),
    [((), "test (2020-05)"), (("--month", "202001"), "dev 202001"), (("--split", "test"), "test")],
)
def test_a_partial_corpus_exits_1_naming_the_empty_split(extra, missing, one_month_corpus, capsys):
    """A corpus lacking the test month (or a --month asked for) printed that split's row as
    0 pages, 0.000 titles found, and exited 0: read as the splitter's figure, not a lack."""
    assert main(["--data", str(one_month_corpus), *extra]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: ")
    assert f"no pages for {missing}" in captured.err and "0.000" not in captured.err


def test_each_split_and_kind_is_reported_as_it_ends(tmp_path, capsys):
    """`make evaluate-pages` said nothing for minutes: a line now ends each split and kind
    (a bar on a terminal), before the table."""
    import gzip
    import json

    rows = [
        {"id": f"{d}-{i}", "date": d, "page": 1, "seq": i, "kicker": "", "subtitle": "",
         "title": f"标题{i}", "text": "正文第一段。\n正文第二段。"}
        for d in ("20191001", "20200501") for i in range(3)
    ]  # fmt: skip
    target = tmp_path / "newspaper" / "articles.jsonl.gz"
    target.parent.mkdir()
    target.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    assert main(["--data", str(tmp_path)]) == 0
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("evaluate-pages:")]
    assert [x.split(" done ")[0] for x in lines] == [
        "evaluate-pages: dev (tuned on), bare",
        "evaluate-pages: dev (tuned on), markdown",
        "evaluate-pages: test (2020-05), bare",
        "evaluate-pages: test (2020-05), markdown",
    ]
    assert lines[-1].split(" done ")[1].startswith("(4/4, ")


@pytest.mark.parametrize("markdown", [False, True])
def test_html_oneline_markup_reads_as_its_page_bare(markdown):
    # A page's HTML on one line (`<h2>标题</h2><p>…</p>…`) reads as the page with a tag a line,
    # `## ` titles then bare (a heading's tag makes no heading): service/html_lines.py.
    from service.pages import read_page
    from training.converted import html_oneline

    for rows in load_pages(ROWS):
        page = render(rows, random.Random(3), markdown)
        lines = [line for line in page.text.split("\n") if line.strip()]
        bare = "\n".join(line.removeprefix("## ") if markdown else line for line in lines)
        one = html_oneline(page, rows, random.Random(1), markdown).text
        assert "\n" not in one and one.count("<p>") + one.count("<h2>") == len(lines)
        parts = [(a.kicker, a.title, a.subtitle, a.text) for a in read_page(one).articles]
        assert parts == [(a.kicker, a.title, a.subtitle, a.text) for a in read_page(bare).articles]
    plain = evaluate(load_pages(ROWS), seed=11, kinds=(False,))["bare"]
    marked = evaluate(load_pages(ROWS), seed=11, kinds=(False,), markup="html-oneline")["bare"]
    for metric in ("titles_found", "bodies_whole", "paragraphs_kept", "furniture_left"):
        assert marked[metric] == plain[metric], metric
