"""Markup a converter adds to a page (markdown or HTML from a PDF or web page) that says nothing
of its articles: blanked before the page pass reads the lines, kept as furniture.

`unmarked` blanks, never cuts: every offset into the text the pass reads is one into the page.
"""

from __future__ import annotations

__all__ = ["unmarked"]

import re

from service.documents import Span
from service.furniture import is_furniture
from service.lines import _BLANK, BYLINE_START, PARA, SHORT, classify, heading_text, lines

# Emphasis around a whole line or a heading's text (`**标题**`, `## **标题**`), as converters set
# heads, and often subheads, kickers and captions too: the marks go and the line is read as its
# text alone. Bold does not say which of those a line is, so it decides nothing: a bold line
# reads as it would bare. Emphasis inside a line is text; `__标题__` too.
_EMPHASIS = re.compile(r"\*\*\S(?:(?!\*\*).)*?(?<=\S)\*\*")
# Whole lines of markup alone: images (`![](images/p4_1.jpg)`, one or more), HTML tags
# (`<br>`, `</p>`, `<hr/>`), a thematic break (`---`, `* * *`), a table's delimiter row
# (`| --- | :---: |`; its other rows are the table's text, kept). An image's alt text is the
# converter's, not the page's.
_MARKUP_LINE = re.compile(
    r"(?:!\[[^\]]*\]\([^)]*\)\s*)+|(?:</?[A-Za-z][^<>]*>\s*)+|(?:-\s*){3,}|(?:\*\s*){3,}"
    r"|\|?(?:\s*:?-+:?\s*\|)+(?:\s*:?-+:?\s*)?|=+\s*"  # (and pandoc's `=` under a heading)
    r"|(?:>\s*)+"  # (a block quote's empty line)
)
# A block quote's marks opening a line (`> 编者按：…`, `> > …`), a space after each: `>6版`, a
# digest's teaser, has none.
_QUOTE = re.compile(r"(?:>[ \t]+)+")
_FIRST = "#*!<-|=>"  # what a line of markup opens with (a page without any has no markup)
_SPACES = re.compile(r"\s*")
# A heading's closing marks (`## 标题 ##`, CommonMark's closing sequence) and pandoc's attributes
# after it (`## 标题 {#sec-2}`, an id read from the HTML): the converter's, not the title's.
_CLOSING = re.compile(r"[ \t]+(?:#+(?:[ \t]+\{[#.][^{}]*\})?|\{[#.][^{}]*\})[ \t]*$")
# YAML front matter opening a file (pandoc -s, static-site tools): `---`, `key: value` lines,
# `---` or `...`; the converter's record of the file, no part of the page.
_FRONT_KEY = re.compile(r"[A-Za-z_][\w.-]*:")
_FRONT_MAX = 40  # lines
# HTML tags around a whole line's text (`<p>…</p>`, `<h2>标题</h2>`, `<p>&nbsp;&nbsp;…`): text
# taken from HTML keeps them; like bold they say nothing (a heading's tag makes no heading).
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_TAGS_OPEN = re.compile(r"(?:(?:</?[A-Za-z][^<>]*>|&nbsp;)\s*)+")
_TAGS_CLOSE = re.compile(r"(?:\s*(?:</?[A-Za-z][^<>]*>|&nbsp;))+$")
_NBSP = "&nbsp;"  # HTML's no-break space as the entity: a space wherever it stands


def unmarked(raw: str, spans: list[Span]) -> tuple[str, list[Span], list[Span], set[int]]:
    """`raw` with markup that says nothing of an article blanked, its lines (`spans` where there
    is none), the marks as spans (furniture), and where the lines of headings read as bare lines
    start. The marks: lines of markup alone (`_MARKUP_LINE`), emphasis around whole lines
    (`_EMPHASIS`), and the marks of headings deeper than the page's titles: its shallowest
    level, or the next under a lone lead's title (`_over_report`). Converters set
    subheads, kickers and decks a level or more under the titles (`## 标题` / `### 小标题`), and a
    lead story's title a level over the rest (`# 标题` / `## 标题`): a deeper heading reads as a
    bare line would, on the bare page's rules (a subhead stays in its body, a title over a
    dateline opens one)."""
    marks, headings = [], []
    nbsp = _NBSP in raw
    if all(c not in raw for c in _FIRST) and not nbsp:
        return raw, spans, marks, set()  # (most pages: looked for in C)
    if nbsp:
        at = raw.find(_NBSP)
        while at >= 0:
            marks.append(Span(at, at + len(_NBSP), _NBSP))
            at = raw.find(_NBSP, at + len(_NBSP))
    front = _front_matter(spans)
    marks += spans[:front]
    for i in range(front, len(spans)):
        s = spans[i]
        first = s.text[0]  # (a line is never empty)
        if first not in _FIRST:
            if s.text[-1] == ">" and _TAG.search(s.text):  # (`…</p>` closing a paragraph)
                marks += _tags(s, None, _TAGS_CLOSE.search(s.text))
            continue
        if first == "#" and (heading := heading_text(s)):
            inner = heading[1]
            if inner.text[-1] in "#}" and (tail := _CLOSING.search(inner.text)):
                a = inner.start + tail.start()
                at = _SPACES.match(inner.text, tail.start()).end()
                marks.append(Span(inner.start + at, inner.end, inner.text[at:].rstrip()))
                inner = Span(inner.start, a, inner.text[: tail.start()])
        elif _MARKUP_LINE.fullmatch(s.text):
            marks.append(s)
            continue
        elif first == "*":
            inner, heading = s, None
        elif first == "<":
            marks += _tags(s, _TAGS_OPEN.match(s.text), _TAGS_CLOSE.search(s.text))
            continue
        elif first == ">" and (quote := _QUOTE.match(s.text)):
            marks.append(Span(s.start, s.start + quote.end(), quote.group()))
            continue
        else:
            continue
        bold = _EMPHASIS.fullmatch(inner.text)
        if bold:
            a, b, mark = inner.start, inner.end, inner.text[:2]
            marks += [Span(a, a + 2, mark), Span(b - 2, b, mark)]
        text = inner.text[2:-2] if bold else inner.text
        if heading and not _BLANK.fullmatch(text):  # (zero-width alone: no line once blanked)
            headings.append((heading[0], is_furniture(text), s.start, i))
    levels = [(len(m.text), i) for m, furniture, _, i in headings if not furniture]
    top = min(levels, default=(6, 0))[0]
    if levels and levels[0][0] == top and sum(n == top for n, _ in levels) == 1:
        # A lead story's title alone a level over the rest (`# 标题` / `## 标题`), or one
        # article's title over its sections (`# 标题` / `## 一、…`). The next level holds the
        # other titles where one of its headings stands over a dateline, a credit or a
        # ——subtitle, as a section's seldom does; else it is read bare, as deeper levels are.
        # (Page furniture says no more: a page of one article has a header too.)
        second = top + 1
        if any(n == second and _over_report(spans, i) for n, i in levels):
            top = second
    deeper = {at: m for m, _, at, _ in headings if len(m.text) > top}
    if not marks and not deeper:
        return raw, spans, marks, set()
    marks = sorted(marks + list(deeper.values()), key=lambda m: m.start)
    out, at = [], 0
    for m in marks:
        out += [raw[at : m.start], " " * len(m.text)]
        at = m.end
    raw = "".join(out) + raw[at:]
    # (a demoted heading's line now starts where its text does, after the blanked marks)
    starts = {_SPACES.match(raw, at).end() for at in deeper}
    return raw, lines(raw), marks, starts


def _front_matter(spans: list[Span]) -> int:
    """How many of the page's first lines are YAML front matter (0 when it opens with none)."""
    if len(spans) < 3 or spans[0].text != "---" or not _FRONT_KEY.match(spans[1].text):
        return 0
    for j, s in enumerate(spans[1:_FRONT_MAX], 1):
        if s.text in ("---", "..."):
            return j + 1
    return 0


def _tags(s: Span, opening: re.Match | None, closing: re.Match | None) -> list[Span]:
    """The HTML tags of `s` that open and close its text (the runs `opening` and `closing`
    matched), each a span; none when the tags are all the line holds (`_MARKUP_LINE`'s) or
    `&nbsp;` alone (marked wherever it stands)."""
    ends = opening.end() if opening else 0, closing.start() if closing else len(s.text)
    if ends[0] >= ends[1]:
        return []
    runs = [(0, ends[0]), (ends[1], len(s.text))]
    return [
        Span(s.start + m.start(), s.start + m.end(), m.group())
        for a, b in runs
        for m in _TAG.finditer(s.text, a, b)
    ]


def _over_report(spans: list[Span], i: int) -> bool:
    """Whether the heading `spans[i]` stands over a ——subtitle set as a heading, or over a
    dateline or an opening credit: under it, past headings, pictures and at most one short
    line (a deck), the first line of text."""
    short = 0
    for s in spans[i + 1 : i + 5]:
        if s.text[0] in _FIRST and (heading := heading_text(s)):
            if heading[1].text.startswith("——"):
                return True  # (its ——subtitle: a section has none)
            continue  # (a kicker's or deck's heading)
        if s.text[0] in _FIRST and _MARKUP_LINE.fullmatch(s.text):
            continue  # (a picture)
        kind, value = classify(s.text)
        if kind == BYLINE_START or kind == PARA and value:
            return True
        if kind != SHORT or short:
            return False
        short += 1
    return False
