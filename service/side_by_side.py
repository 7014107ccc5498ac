"""Pages set in columns side by side, as `pdftotext -layout` writes them: said, not split.

Such a page gives each text line a printed line of every column, with a run of spaces between
them. Read as one column it comes out garbled (heads glued to other columns' text, bodies
interleaved), and an article's offsets cannot be one range of the text, so the page is read as
it is and the reader is told (`Page.warnings`, `AnalysePageResponse.warnings`, the CLI's
stderr): extract it column by column instead. What counts: a line holding a gap of four or
more spaces (or a tab) between two runs of text; a page with at least `MIN_LINES` of them,
making at least `MIN_SHARE` of its lines. A page the corpus' rendering makes has none
(docs/pages.md). On a page of HTML (`html_lines.is_html_page`) the gaps are looked for in its
text: its block tags end lines and its other tags are no text, so `<p>    正文</p>` (an indent)
and `</p>    <p>` are no gap; they made every paragraph of such a page "a column".
"""

from __future__ import annotations

__all__ = ["MIN_LINES", "MIN_SHARE", "side_by_side", "warning"]

import re

from service.html_lines import _RUN, is_html_page
from service.markup import _TAG

# Four spaces (or a tab) between two runs of text, as pdftotext pads: a dateline's `电  （记者` has
# two, a name padded to three characters (`任   勇`) three; the corpus' no-break spaces around a
# painting's `作` and a digest's `标题　>3版` are not pdftotext's.
_GAP = re.compile(r"\S\S(?: {4,}| *\t[ \t]*)\S\S")
MIN_LINES = 6  # a table of a few rows is not a page of columns
MIN_SHARE = 0.3  # of the page's non-blank lines


def side_by_side(raw: str) -> tuple[int, int]:
    """(lines holding a gap between text, non-blank lines) when the page looks set in columns
    side by side; (0, 0) when it does not."""
    if "    " not in raw and "\t" not in raw:
        return 0, 0  # (most pages: no run of spaces at all)
    if is_html_page(raw):
        raw = _TAG.sub("", _RUN.sub("\n", raw))
    lines = [s for s in raw.splitlines() if s.strip()]
    gaps = sum(1 for s in lines if _GAP.search(s.strip()))
    if gaps >= MIN_LINES and gaps >= MIN_SHARE * len(lines):
        return gaps, len(lines)
    return 0, 0


def warning(raw: str) -> str | None:
    """What to tell the reader of a page set in columns side by side, or None."""
    gaps, lines = side_by_side(raw)
    if not gaps:
        return None
    return (
        f"the page looks set in columns side by side ({gaps} of its {lines} lines hold a gap "
        "of four or more spaces between text, as `pdftotext -layout` writes columns): it was "
        "read as one column, so titles and bodies are likely garbled; extract the page column "
        "by column (pdftotext without -layout, or the converter's reading order) and send that"
    )
