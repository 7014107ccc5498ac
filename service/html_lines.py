"""A page whose HTML comes on one line (an e-paper API's, a scraper's): its block tags end lines.

`<h2>标题</h2><p>正文一段。</p><p>正文二段。</p>…` on one line read as one line: one article,
its title '', the tags in its text. On a page that is HTML (`is_html_page`: it holds a closing
block tag or a `<br>`; `a<p>b` in running text is none), a run of block tags (`service.html_text`'s
names: `<p>`, `</p>`, `<br>`, `<div>`, `<h1>`–`<h6>`, `<li>`, `<tr>` …, well-formed, one after
another) that stands inside a line, text on both sides of it, ends that line there: blanked, a
"\\n" in place of its last `>`, kept as furniture. The page then reads as it would with its block
tags on lines of their own: the tags around a line's text are markup's (`service.markup`: a
heading's tag makes no heading, the line reads bare), and pages with no such run read as before.
On such a page an inline tag inside a line (`html_text`'s names: `<b>`, `</b>`, `<span …>`,
`<a href=…>`, `<font …>`, `<img …>`, `<sup>` …; Word's `<![if …]>`) says nothing of the text:
one of markup's marks inside a line (`markup._INLINE`, its pattern given to `unmarked`),
blanked, kept as furniture and cut out of the body, title or credit that holds it; so is the
`amp;` of an `&amp;`, which reads as its own `&` (as `html_text` reads a record's).

Blanked, never cut: every offset the page pass reads is one into the page. A body's "\\n" between
two such lines stands at the run's last `>`, the one body character that is not the page's own
(a record's stands at its block tag's `<`: `service.html_text`).
"""

from __future__ import annotations

__all__ = ["html_lines", "is_html_page"]

import re

from service.documents import Span
from service.html_text import _ATTRIBUTE, _BLOCKS, _CONDITIONAL, _INLINES
from service.lines import lines
from service.markup import _SPACE, _TAG, _TAGS_OPEN

_BLOCK_TAG = rf"</?(?:{_BLOCKS})(?:{_ATTRIBUTE})*\s*/?>"
_RUN = re.compile(rf"{_BLOCK_TAG}(?:\s*{_BLOCK_TAG})*", re.I)
# What an HTML writer writes and running text does not: a block closed (`</p>`) or a `<br>`.
_HTML = re.compile(rf"</(?:{_BLOCKS})\s*>|<br(?:{_ATTRIBUTE})*\s*/?>", re.I)
_ENTITY = re.compile(_SPACE)
# An inline tag, as `markup._INLINE` lists a mark inside a line: its key, its pattern (group 1).
# (Word's `<![if !supportLists]>`, `<![endif]>` too: no text, as `html_text` reads them)
_INLINE_TAG = (
    "<",
    re.compile(rf"(</?(?:{_INLINES})(?:{_ATTRIBUTE})*\s*/?>|{_CONDITIONAL})", re.I),
)
# `&amp;` reads as its own `&`, its `amp;` a mark (as `html_text` reads a record's): `A&amp;B`
# stood as written in a title, a body and a lead.
_INSIDE = [_INLINE_TAG, ("&", re.compile(r"&(amp;)", re.I))]


def is_html_page(raw: str) -> bool:
    """True when the page holds a well-formed closing block tag or a `<br>` (in C first)."""
    return "<" in raw and _HTML.search(raw) is not None


def html_lines(raw: str, spans: list[Span]) -> tuple[str, list[Span], list[Span], list]:
    """`raw` with each run of block tags inside a line blanked and a "\\n" at its last `>`, its
    lines, the runs (furniture) and the inline tags' pattern for `markup.unmarked`; `raw`,
    `spans` and none on other pages (most: no `<`)."""
    if not is_html_page(raw):
        return raw, spans, [], []
    runs = []
    for s in spans:
        text = s.text
        if "<" not in text:
            continue
        # (between the tags and space entities opening and closing the line: markup's own)
        a = m.end() if (m := _TAGS_OPEN.match(text)) else 0
        b = _closing(text, a)
        runs += [
            Span(s.start + r.start(), s.start + r.end(), r.group())
            for r in _RUN.finditer(text, a, b)
        ]
    if not runs:
        return raw, spans, [], _INSIDE
    out, at = [], 0
    for r in runs:
        out += [raw[at : r.start], " " * (r.end - r.start - 1), "\n"]
        at = r.end
    raw = "".join(out) + raw[at:]
    return raw, lines(raw), runs, _INSIDE


def _closing(text: str, a: int) -> int:
    """Where the run of tags, space entities and whitespace closing `text` (past `a`) starts:
    markup's `_TAGS_CLOSE`, read from the end (its search is quadratic on a line of many tags)."""
    b = len(text)
    while b > a:
        c = text[b - 1]
        if c.isspace():
            b -= 1
            continue
        k = text.rfind("<" if c == ">" else "&", a, b)
        if k < 0 or not (_TAG if c == ">" else _ENTITY).fullmatch(text, k, b):
            break
        b = k
    return b
