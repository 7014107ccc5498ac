"""Markup a converter adds to a page (markdown or HTML from a PDF or web page) that says nothing
of its articles: blanked before the page pass reads the lines, kept as furniture.

`unmarked` blanks, never cuts: every offset into the text the pass reads is one into the page.
"""

from __future__ import annotations

__all__ = ["unmarked", "Unmarked", "outside", "cut_out"]

import re
from bisect import bisect_left, bisect_right
from html import unescape
from itertools import compress
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from service.documents import Body, Span
from service.furniture import is_furniture
from service.lines import BYLINE_START, PARA, SHORT, classify, heading_text, lines

# Emphasis around a whole line or a heading's text (`**标题**`, `## **标题**`), as converters set
# heads, and often subheads, kickers and captions too: the marks go and the line is read as its
# text alone. Bold does not say which of those a line is, so it decides nothing: a bold line
# reads as it would bare. Bold inside a line is text; `__标题__` too (single marks: `_INLINE`).
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
# A setext heading's underline: `标题` over `===` is a `# ` heading, over `---` a `## ` one. Its
# text is a line standing alone (a blank line, a heading, a rule or the page's top over it) that
# the bare rules read as a head's (short): running text over `---` is a paragraph over a rule, a
# converter having dropped the blank line between. `——` is Chinese text, no underline.
_UNDERLINE = re.compile(r"=+|-+")
_LEVEL = {"=": 1, "-": 2}
# HTML's entities for a space (`&nbsp;`, `&ensp;`, `&#12288;`, any Unicode space separator, named
# or numbered), in text copied from HTML: read as the space they stand for (blanked, so a line
# they open reads indented and `##&nbsp;标题` is a heading), cut out of what holds them like the
# marks below (a body holds no character the page does not); a head reads them as their space
# (`head_text`). Other entities (`&amp;`, `&#10;`) are text.
# `&amp;nbsp;`: a CMS that escaped its HTML twice (`本报讯&amp;nbsp;（记者`) still means a space.
_SPACE = (
    r"&(?:amp;)?(?:nbsp|ensp|emsp(?:13|14)?|numsp|puncsp|thinsp|hairsp);|&(?:amp;)?#(?:0*(?:32|160"
    r"|819[2-9]|820[0-2]|8239|8287|12288)|[xX]0*(?:20|[aA]0|200[0-9aA]|202[fF]|205[fF]|3000));"
    # HTML reads `&nbsp` without its `;` (a legacy form old CMS exports write: `本报讯&nbsp（记者`).
    r"|&(?:amp;)?nbsp(?![A-Za-z0-9;])"
)
# Marks inside a line that say nothing of the text, each looked for only on a page holding its
# key: a footnote's mark (`[^1]`, and `[^1]:` opening its note's line; `<sup>1</sup>` after no
# ASCII letter or digit: `m<sup>2</sup>` is a square metre), emphasis in single marks around
# text opening and closing on no ASCII (`*重点*`; `_重点_` only apart from letters, as CommonMark
# reads it; never `2*3`, `a*b*` or snake_case), pandoc's backslash before ASCII punctuation
# (`\*`; not `\#` opening a line: read unescaped it would be a heading), and an image link inside
# a paragraph (`正文![](a.png)正文`: its alt text is the converter's). Groups are the marks;
# each pattern's first character is looked for first (one character is found in C at a few µs a
# page, two at twice that: `_` in CJK text's bytes turns up by chance and is checked for).
_INLINE = (
    ("[^", re.compile(r"(\[\^[^\]\s]+\])")),
    ("<sup", re.compile(r"(?<![A-Za-z0-9])(<sup>\s*\[?(?:\d{1,3}|[①-⑳*†‡])\]?\s*</sup>)")),
    ("*", re.compile(r"(?<![*\w])(\*)(?=[^\0-\x7f])[^*\n]*?(?<=[^\0-\x7f])(\*)(?![*\w])", re.A)),
    ("_", re.compile(r"(?<![_\w])(_)(?=[^\0-\x7f])[^_\n]*?(?<=[^\0-\x7f])(_)(?![_\w])")),
    ("\\", re.compile(r"(\\)[!-/:-@\[-`{-~]")),
    ("![", re.compile(r"(!\[[^\]\n]*\]\([^)\n]*\))")),
    ("&", re.compile(f"({_SPACE})")),
)
_HELD = _FIRST + "[_\\&"  # (what a page holding any markup holds one of)
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
_TAGS_OPEN = re.compile(rf"(?:(?:</?[A-Za-z][^<>]*>|{_SPACE})\s*)+")
_TAGS_CLOSE = re.compile(rf"(?:\s*(?:</?[A-Za-z][^<>]*>|{_SPACE}))+$")


class Unmarked(NamedTuple):
    raw: str  # the page, its marks blanked
    spans: list[Span]  # its lines
    marks: list[Span]  # furniture
    demoted: set[int]  # where the lines of headings read as bare lines start
    setext: set[int]  # where the lines of setext headings read as headings start
    inside: list[Span]  # the marks inside lines, in page order: no part of what holds them


def unmarked(raw: str, spans: list[Span], tags: list = ()) -> Unmarked:
    """`raw` with markup that says nothing of an article blanked, its lines (`spans` where there
    is none) and marks (`Unmarked`). The marks: lines of markup alone (`_MARKUP_LINE`), emphasis
    around whole lines (`_EMPHASIS`), marks inside lines (`_INLINE`), setext underlines (their
    lines read as headings), and the marks of headings deeper than the page's titles: its shallowest
    level, or the next under a lone lead's title (`_over_report`). Converters set
    subheads, kickers and decks a level or more under the titles (`## 标题` / `### 小标题`), and a
    lead story's title a level over the rest (`# 标题` / `## 标题`): a deeper heading reads as a
    bare line would, on the bare page's rules (a subhead stays in its body, a title over a
    dateline opens one). `tags`: more marks inside lines, as `_INLINE` lists them (a page of
    HTML's inline tags: `service.html_lines`)."""
    marks, headings = [], []
    held = [c for c in _HELD if c in raw]
    if not held:
        return Unmarked(raw, spans, marks, set(), set(), [])  # (most pages: looked for in C)
    inline = [(key, p) for key, p in _INLINE if key[0] in held and (len(key) < 2 or key in raw)]
    inline += tags
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
            if first in "=-" and (title := _setext(raw, spans, i, front)):
                headings.append(title)
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
        if heading and text.strip():  # (marks alone: no line once blanked)
            headings.append((len(heading[0].text), heading[0], is_furniture(text), s.start, i))
    inside = _inline(raw, inline, marks) if inline else []
    marks += inside
    levels = [(n, i) for n, _, furniture, _, i in headings if not furniture]
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
    deeper = {at: m for n, m, _, at, _ in headings if n > top}
    # (a setext heading's line at the titles' level is a heading: its underline is a mark)
    titled = [at for n, m, furniture, at, _ in headings if m is None and n <= top and not furniture]
    if not marks and not deeper:
        return Unmarked(raw, spans, marks, set(), set(), [])
    marks = sorted(marks + [m for m in deeper.values() if m], key=lambda m: m.start)
    out, at = [], 0
    for m in marks:
        out += [raw[at : m.start], " " * len(m.text)]
        at = m.end
    raw = "".join(out) + raw[at:]
    # (a demoted heading's line now starts where its text does, after the blanked marks)
    starts = {_SPACES.match(raw, at).end() for at in deeper}
    titled = {_SPACES.match(raw, at).end() for at in titled}
    return Unmarked(raw, lines(raw), marks, starts, titled, sorted(inside, key=lambda m: m.start))


def _setext(raw: str, spans: list[Span], i: int, front: int) -> tuple | None:
    """The setext heading whose underline is `spans[i]` (a line of markup alone), as `unmarked`
    lists headings: its level, no marks of its own (the underline is one), whether it is
    furniture, where its line starts, its index; None when `spans[i]` underlines none."""
    s, above = spans[i], spans[i - 1] if i > front else None
    if above is None or not _UNDERLINE.fullmatch(s.text) or raw.count("\n", above.end, s.start) > 1:
        return None
    first = above.text[0]
    if first in "#!<|>-=" or first == "*" and above.text[1:2].isspace():
        return None  # (a heading, a picture, a quote, a table's row or a list's item)
    if i - 1 > front:  # (the line stands alone: a blank line, a heading or a rule over it)
        over = spans[i - 2]
        if not (
            raw.count("\n", over.end, above.start) > 1
            or (over.text[0] == "#" and heading_text(over))
            or (over.text[0] in "=-" and _UNDERLINE.fullmatch(over.text))
        ):
            return None
    text = above.text
    if first == "*" and _EMPHASIS.fullmatch(text):
        text = text[2:-2]
    if not text.strip() or classify(text)[0] != SHORT:
        return None  # (running text over a rule: converters drop the blank line around one)
    return _LEVEL[s.text[0]], None, is_furniture(text), above.start, i - 1


def _inline(raw: str, found: list[tuple[str, re.Pattern]], marks: list[Span]) -> list[Span]:
    """The marks inside lines (`_INLINE`, those of its patterns whose key the page holds). One
    over the lines' `marks` takes the place of those it holds (`<sup>1</sup>` over a line's
    closing tag `</sup>`: removed from `marks`); one inside a line's mark or another is none."""
    spans = []
    for key, pattern in found:
        for m in pattern.finditer(raw):
            for g in range(1, (m.lastindex or 0) + 1):
                a, b = m.span(g)
                opens = key in ("\\", "[^") and not raw[raw.rfind("\n", 0, a) + 1 : a].strip()
                if opens and key == "\\" and raw[b] == "#":
                    continue  # (`\#话题` opening a line: unescaped, a heading)
                if opens and key == "[^" and raw.startswith(":", b):
                    b += 1  # (a footnote's note: `[^1]: …` opening its line)
                spans.append(Span(a, b, raw[a:b]))
    if not spans:
        return spans
    marks.sort(key=lambda m: m.start)
    starts = [m.start for m in marks]
    dropped, out, end = set(), [], -1
    for sp in sorted(spans, key=lambda m: (m.start, -m.end)):
        if sp.start < end:
            continue  # (inside another inline mark: an image's alt text)
        j = bisect_left(starts, sp.end) - 1
        held = []
        while j >= 0 and marks[j].end > sp.start:
            held.append(j)
            j -= 1
        if any(marks[k].start < sp.start or marks[k].end > sp.end for k in held):
            continue  # (inside a line's mark)
        dropped.update(held)
        out.append(sp)
        end = sp.end
    marks[:] = [m for k, m in enumerate(marks) if k not in dropped]
    return out


def outside(inside: list[Span], span: Span) -> list[Span]:
    """The pieces of `span` (a title's, a credit's) between the marks `inside` lines, in order."""
    pieces, at = [], span.start
    # (bisected by key, never a list or a copy of every mark: a call per article and per
    # furniture line made a page with many marks quadratic)
    for k in range(bisect_left(inside, span.start + 1, key=_END), len(inside)):
        m = inside[k]
        if m.start >= span.end:
            break
        if m.start > at:
            pieces.append(Span(at, m.start, span.text[at - span.start : m.start - span.start]))
        at = m.end
    if at < span.end:
        pieces.append(Span(at, span.end, span.text[at - span.start :]))
    return [p for p in pieces if p.text.strip()]


_HEADS = ("title", "kicker", "subtitle")
_START, _END = attrgetter("start"), attrgetter("end")


def cut_out(inside: list[Span], taken: dict[str, list[Span]], body: Body, *strings: str) -> tuple:
    """An article's heads (title, kicker, subtitle), parts (`taken`, as `Page.parts`), body and
    `strings` (its byline and dateline) less the marks `inside` its lines."""
    cut = {k: [outside(inside, s) for s in v] for k, v in taken.items()}
    heads = [" ".join(head_text(inside, s) for s in cut[k]) for k in _HEADS]
    # (a byline or a dateline is its line's text, tidied: read again where it stands in it)
    # (a byline read from its dateline's brackets, `本报讯&nbsp;（记者&nbsp;李华）`, stands in it)
    lines = {"byline": [*taken.get("byline", ()), *taken.get("dateline", ())]}
    strings = tuple(
        _string(inside, lines.get(k, taken.get(k, ())), t)
        for k, t in zip(_STRINGS, strings, strict=True)
    )
    parts = {k: [p for s in v for p in s] for k, v in cut.items()}
    return heads, parts, body_outside(inside, body), *strings


_STRINGS = ("byline", "dateline")


def _string(inside: list[Span], spans: list[Span], text: str) -> str:
    for s in spans if text else ():
        if (i := s.text.find(text)) >= 0:
            return head_text(
                inside, outside(inside, Span(s.start + i, s.start + i + len(text), text))
            )
    return text


def space_of(entity: str) -> str:
    """The space a space entity (`_SPACE`) stands for; `&amp;nbsp;`, escaped twice, too."""
    return unescape(unescape(entity))


def head_text(inside: list[Span], pieces: list[Span]) -> str:
    """A head's text from its `pieces` (`outside`'s): a space entity between two reads as the
    space it stands for, other marks as nothing."""
    out = []
    for k, p in enumerate(pieces):
        if k:
            a = bisect_left(inside, pieces[k - 1].end, key=_START)
            gap = inside[a : bisect_left(inside, p.start, lo=a, key=_START)]
            out += [space_of(m.text) for m in gap if m.end <= p.start and m.text[0] == "&"]
        out.append(p.text)
    return "".join(out)


def body_outside(inside: list[Span], body: Body) -> Body:
    """`body` less its code points where the marks `inside` lines stood (blanked: spaces)."""
    index = body.index
    if not len(index):
        return body
    # (the marks over the body's range alone: an article's body, not the page's every mark)
    a = bisect_left(inside, int(index[0]) + 1, key=_END)
    inside = inside[a : bisect_right(inside, int(index[-1]), lo=a, key=_START)]
    if not inside:
        return body
    bounds = np.array([(m.start, m.end) for m in inside], dtype=np.int64).ravel()
    keep = np.searchsorted(bounds, index, "right") % 2 == 0  # (not in a mark: an even count)
    if keep.all():
        return body
    return Body("".join(compress(body.text, keep.tolist())), index[keep])


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
    space entities alone (`_INLINE`'s, marked wherever they stand)."""
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
