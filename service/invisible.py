"""Zero-width characters a page or a record picked up on the way (files joined, text copied from
the web): taken out before the lines are read, so each line reads as it would without them.

A byte-order mark (U+FEFF) mid-page where files were joined, a zero-width space (U+200B) or word
joiner (U+2060) from a web page, stray ZWNJ/ZWJ (U+200C/U+200D): opening a line, they hid a
`## ` heading (`\\ufeff## 标题` is no heading) or a bare title; inside one, they split a dateline
(本报\\u200b讯) or a word a column cut. `hidden` gives the text without them and the `Unwrapped`
that maps offsets back (`service.printed_lines`); the marks are the page's furniture. A joiner
between two characters that are neither Chinese, ASCII nor whitespace (an emoji sequence
👨\\u200d👩, a script that needs it) is text and stays. The one home of the rule.
"""

from __future__ import annotations

__all__ = ["hidden", "Hidden", "page_lines", "visible"]

import re

from service.documents import Body, Span
from service.printed_lines import Unwrapped
from service.printed_lines import page_lines as _printed

# Always taken: the zero-width space, word joiner and BOM; a soft hyphen (U+00AD, which shows
# only where a line breaks: 高\xad校 is 高校); the direction marks, embeddings and isolates
# (U+200E/F, U+202A–U+202E, U+2066–U+2069) a web page or word processor leaves in copied text.
_ALWAYS = "\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_PLAIN = r"\s\x00-\x7f\u3000-\u9fff\uf900-\ufaff\uff00-\uffef"  # Chinese, ASCII, whitespace
# Every mark `_TAKEN` may take, each looked for alone (a find each in C: a page's Han characters
# made the one search of a class of them, `[…]`, cost ~1.5x the finds together).
# (tests/test_invisible.py holds it to _ALWAYS and the joiners)
_ANY = "\u00ad\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
_ANY += "\u200c\u200d"
_TAKEN = re.compile(
    rf"[{_ALWAYS}]+|(?:(?<![^{_PLAIN}])|(?=[\u200c\u200d]*(?:[{_PLAIN}]|$)))[\u200c\u200d]+"
)


class Hidden:
    """A text's zero-width marks taken out: `text` without them, `marks` (spans into the
    caller's text) and the map back."""

    __slots__ = ("text", "marks", "back", "inner")

    def __init__(self, text: str, marks: list[Span], back: Unwrapped) -> None:
        self.text, self.marks, self.back = text, marks, back
        self.inner: Unwrapped | None = None  # (the printed lines joined in `text`, if any)

    def cleaned(self, cleaned, offset: int):
        """`service.text.Cleaned` read from `text`, its offsets the caller's shifted by
        `offset`, the marks dropped as furniture."""
        body = self.back.body(cleaned.body)
        if offset:
            body = Body(body.text, body.index + offset)
        dropped = [(n, p) for n, s in cleaned.dropped for p in self.back.spans((s,))]
        dropped += [("furniture", m) for m in self.marks]
        dropped = tuple((n, Span(s.start + offset, s.end + offset, s.text)) for n, s in dropped)
        # (a new Cleaned, not the one read from `text` changed: its type, as text.py imports us)
        return type(cleaned)(body, cleaned.byline, cleaned.dateline, cleaned.continues, dropped)

    def restore(self, page):
        """The page read from `text`, its offsets the caller's, the marks its furniture."""
        page = self.back.restore(page if self.inner is None else self.inner.restore(page))
        furniture = tuple(sorted(page.furniture + tuple(self.marks), key=lambda s: s.start))
        return type(page)(page.articles, furniture, page.parts, page.warnings)


def hidden(raw: str) -> Hidden | None:
    """`raw` without its zero-width marks, or None when it holds none (most texts: looked for in
    C)."""
    if not any(map(raw.__contains__, _ANY)):
        return None
    marks: list[Span] = []
    for m in _TAKEN.finditer(raw):
        a = marks.pop().start if marks and marks[-1].end == m.start() else m.start()
        marks.append(Span(a, m.end(), raw[a : m.end()]))  # (a run of marks: one span)
    if not marks:
        return None  # (only joiners inside emoji sequences)
    parts, at, gone = [], [], []
    pos = taken = 0
    for m in marks:
        parts.append(raw[pos : m.start])
        taken += m.end - m.start
        pos = m.end
        at.append(m.end - taken)
        gone.append(taken)
    parts.append(raw[pos:])
    text = "".join(parts)
    return Hidden(text, marks, Unwrapped(text, at, gone))


def visible(text: str) -> str:
    """`text` without its zero-width marks (a record's title: no offsets to keep)."""
    h = hidden(text)
    return text if h is None else h.text


def page_lines(raw: str) -> tuple[str, list[Span], Hidden | Unwrapped | None]:
    """`service.printed_lines.page_lines` of `raw` without its zero-width marks: the text the
    page pass reads, its lines, and what maps its offsets back (None: the text is `raw`)."""
    h = hidden(raw)
    if h is None:
        return _printed(raw)
    text, spans, h.inner = _printed(h.text)
    return text, spans, h
