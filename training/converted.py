"""Pages as a converter from PDF or HTML to markdown writes them (`pages_eval --markup converter`).

Converters mark what the fonts say: the lead story's title a level over the others (`# ` over
`## `), kickers, decks and subheads a level under (`### `) or in bold, bare titles in bold, and
the page's pictures as image links (`![](images/…)`) on lines of their own. The articles, the
column cuts and the furniture of the page rendered by `pages_eval.render` are kept; the markup
added is seeded apart from it, so a page reads the same text with markup as without.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .pages_eval import _TERMINAL, Rendered

__all__ = ["converted", "stacked", "html_oneline", "SUBHEAD_MAX", "MARKUPS"]

SUBHEAD_MAX = 30  # a body paragraph this short, not closed by a stop, is read as a subhead
IMAGE_AFTER_HEAD = 0.3  # a picture under an article's head
IMAGE_AFTER_TEXT = 0.03  # ... or between two of its paragraphs


def converted(page: Rendered, rows: Sequence[dict], rng: random.Random, markdown: bool) -> Rendered:
    """`page` as a converter would mark it up (in place; returned). Image lines join the page's
    furniture, so `furniture_left` counts one left in a body."""
    titles = {r["title"].strip() for r in rows}
    kickers = {r["kicker"].strip() for r in rows} - {""}
    subtitles = {r["subtitle"].strip() for r in rows} - {""}
    decks = kickers | subtitles
    subheads = (
        {
            p
            for r in rows
            for p in (q.strip() for q in r["text"].split("\n"))
            if 2 <= len(p) <= SUBHEAD_MAX and p[-1] not in _TERMINAL
        }
        - titles
        - decks
    )
    bold = rng.random() < 0.5  # bare pages: titles and subheads in bold on half of them
    lines = page.text.split("\n")
    below = [""] * len(lines)  # the next line that is not blank
    for i in range(len(lines) - 2, -1, -1):
        below[i] = lines[i + 1] if lines[i + 1].strip() else below[i + 1]
    out: list[str] = []
    first = True
    for i, line in enumerate(lines):
        title = line[3:] if markdown and line.startswith("## ") else line
        if title in titles and markdown == line.startswith("## "):
            head = below[i] not in subtitles  # (a subtitle under it: the picture goes under that)
            if markdown:
                line = ("# " if first else "## ") + title
            elif bold:
                line = f"**{title}**"
            first = False
            out.append(line)
        elif line in decks:
            head = line in subtitles and line not in kickers
            out.append("### " + line if markdown else line)
        elif line in subheads:
            head = False
            mark = rng.choice(("### {}", "**{}**")) if markdown else "**{}**" if bold else "{}"
            out.append(mark.format(line))
        else:
            head = False
            out.append(line)
        chance = IMAGE_AFTER_HEAD if head else IMAGE_AFTER_TEXT if line.strip() else 0.0
        if rng.random() < chance:
            image = f"![](images/p{rows[0]['page']}_{i}.jpg)"
            out.append(image)
            page.furniture.append(image)
    page.text = "\n".join(out)
    return page


def stacked(page: Rendered, rows: Sequence[dict], rng: random.Random, markdown: bool) -> Rendered:
    """`page` with every head line at its title's level (`## 引题` / `## 标题` / `## 副题`), as a
    converter that marks every line set in a head's fonts alike writes them (MinerU: all `# `).
    Bare pages stay as they are; nothing else is marked (in place; returned)."""
    if markdown:
        decks = {r[k].strip() for r in rows for k in ("kicker", "subtitle")} - {""}
        lines = page.text.split("\n")
        page.text = "\n".join("## " + line if line in decks else line for line in lines)
    return page


def flat(page: Rendered, rows: Sequence[dict], rng: random.Random, markdown: bool) -> Rendered:
    """`stacked`, and every subhead of a body (`SUBHEAD_MAX`) a heading at the titles' level too,
    as converters that set every head they find at one level write them (docling: all `## `)."""
    page = stacked(page, rows, rng, markdown)
    if markdown:
        subheads = {
            p
            for r in rows
            for p in (q.strip() for q in r["text"].split("\n"))
            if 2 <= len(p) <= SUBHEAD_MAX and p[-1] not in _TERMINAL
        } - {r["title"].strip() for r in rows}
        lines = page.text.split("\n")
        page.text = "\n".join("## " + line if line in subheads else line for line in lines)
    return page


def html_oneline(
    page: Rendered, rows: Sequence[dict], rng: random.Random, markdown: bool
) -> Rendered:
    """`page` as an e-paper API or a scraper gives it: its HTML on one line, each `## ` title
    `<h2>`, every other line (heads, paragraphs' pieces, furniture) `<p>`, blank lines none
    (in place; returned). Bare pages' titles are `<p>` too: a page whose HTML marks no heading."""
    lines = [line for line in page.text.split("\n") if line.strip()]
    page.text = "".join(
        f"<h2>{line[3:]}</h2>" if markdown and line.startswith("## ") else f"<p>{line}</p>"
        for line in lines
    )
    return page


MARKUPS = {  # pages_eval --markup
    "converter": converted, "stacked": stacked, "flat": flat, "html-oneline": html_oneline,
}  # fmt: skip
