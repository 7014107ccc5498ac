"""Pages as other extractions write them: each variant changes only what it says it changes."""

from __future__ import annotations

import random

import pytest

from tests.conftest import FIXTURES
from training.extractions import VARIANTS, compare, main
from training.pages_eval import load_pages, render

ROWS = FIXTURES / "page-articles.jsonl"


LONG = "，".join(f"第{i}个育秧点的秧盘一排排送进暗室催芽" for i in range(30)) + "。"


def _page(markdown=False):
    rows = [dict(r) for r in load_pages(ROWS)[0]]
    rows[0]["text"] += "\n" + LONG  # a paragraph longer than any column box
    return render(rows, random.Random(3), markdown, others=["城市书房扩容提质"])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_variant_keeps_the_pages_characters_and_its_truth_in_the_text(name):
    page = _page()
    shown = VARIANTS[name](page, random.Random(1))
    assert shown.text != page.text
    squash = lambda s: "".join(s.split())  # noqa: E731
    if name == "ascii-punctuation":
        assert squash(shown.text) == squash(page.text).translate(
            str.maketrans("，；：（）？！", ",;:()?!")
        )
        assert "，" not in shown.text and "," in shown.text and "。" in shown.text
    elif name == "fullwidth-digits":
        wide = str.maketrans("0123456789", "０１２３４５６７８９")
        assert squash(shown.text) == squash(page.text).translate(wide)
        assert "１" in shown.text and not any(c.isascii() and c.isdigit() for c in shown.text)
    else:
        assert squash(shown.text) == squash(page.text)
    for t in shown.articles:
        assert t.title in shown.text
    assert all(f in shown.text for f in shown.furniture)
    lines = shown.text.replace("\r\n", "\n").split("\n")
    for left, right in shown.breaks:  # each cut sits at a line end of the shown page
        pairs = zip(lines, lines[1:], strict=False)
        assert any(a.rstrip().endswith(left) and b.startswith(right) for a, b in pairs)


def test_more_cuts_cut_long_lines_again_and_record_each_cut():
    page = _page()
    shown = VARIANTS["more-cuts"](page, random.Random(1))
    assert len(shown.breaks) > len(page.breaks)
    assert max(map(len, shown.text.split("\n"))) < max(map(len, page.text.split("\n")))


def test_the_base_row_is_the_pages_eval_reading_and_variants_are_read_on_the_same_pages():
    from training.pages_eval import evaluate

    pages = load_pages(ROWS)
    rows = compare(pages, ("crlf", "ascii-punctuation"), seed=11)
    plain = evaluate(pages, seed=11)
    for kind in ("bare", "markdown"):
        assert rows[kind]["base"]["titles_found"] == plain[kind]["titles_found"]
        assert rows[kind]["base"]["bodies_whole"] == plain[kind]["bodies_whole"]
        # Line ends and punctuation forms say nothing of the articles: read alike.
        assert rows[kind]["crlf"] == rows[kind]["base"]
        assert rows[kind]["ascii-punctuation"]["titles_found"] == plain[kind]["titles_found"]


def test_the_command_prints_a_row_per_kind_and_variant(tmp_path, capsys):
    data = tmp_path / "newspaper"
    data.mkdir()
    (data / "articles.jsonl.gz").write_bytes(_gz(ROWS.read_bytes()))
    assert main(["--data", str(tmp_path), "--variant", "crlf"]) == 0
    out = capsys.readouterr().out
    assert out.count("| crlf |") == 2 and out.count("| base |") == 2


def _gz(raw: bytes) -> bytes:
    import gzip

    return gzip.compress(raw)
