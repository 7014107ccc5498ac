"""Records exported from a CMS with HTML in them: read as the text the HTML marks up.

A record's `text` (and title) may come as the CMS stored it: `<p>本报讯&nbsp;（记者 王明）…</p>
<p>…`. Read as written, the tags stood in the lead, the dateline was not read and `</p><p>` was
no paragraph break. A text is HTML when it holds a well-formed tag of a known name (`<p>`,
`</div>`, `<br/>`, `<span class="x">`, `<!-- … -->`) or a space entity or `&amp;`; `a<b`,
`《标题》`, `<<人民日报>>`, `<人民日报>` hold none and read exactly as before. In an HTML text
(markup.py's tag and space-entity patterns, one home for each):

- a block tag (`<p>`, `</p>`, `<br>`, `<div>`, `<li>`, `<h1>`–`<h6>`, `<tr>` …) ends a paragraph:
  it reads as "\\n", which stands in the body at the tag's first character (`<`);
- any other tag (`<b>`, `<span …>`, `<a href=…>`, `<img …>`, `<o:p>`) is no text, and neither
  is a `<script>`, `<style>` or comment with what it holds, or Word's `<![if …]>`/`<![endif]>`;
- a space entity (`&nbsp;`, `&#12288;`, `&amp;nbsp;` escaped twice …) reads as its space for
  the lines' reading (`本报讯&nbsp;` is a dateline, `&#12288;&#12288;` an indent) and is cut out
  of the body, as on a page: a body holds only the caller's characters, so that a lead and its
  spans are the caller's text;
- `&amp;` reads as its own first character `&` (`amp;` cut out); other entities (`&lt;`,
  `&quot;`, `&ldquo;`, `&#20013;`) stand for a character the text does not hold and stay as
  written (a lead of an HTML record is then a piece of the caller's HTML, still escaped).

The marks are the record's furniture (`Cleaned.dropped`). Zero-width marks go first
(`service.invisible`), then the HTML; `plain` gives the text both leave and the maps back.
"""

from __future__ import annotations

__all__ = ["plain", "Plain", "escaped_han", "is_html", "plain_title"]

import re
from bisect import bisect_right

from service.documents import Span
from service.invisible import Hidden, hidden
from service.markup import _SPACE, _TAG, body_outside, outside, space_of
from service.printed_lines import Unwrapped
from service.review import HAN

# Tag names whose well-formed tag (its attributes `name`, `name=value`, `name="…"`) says a text
# is HTML: `<b>` beside Chinese text is one, `a<b 和 c>d` none.
_BLOCKS = (
    "p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|tbody|thead|blockquote|section|article|header"
    "|footer|hr|pre|dl|dt|dd|center|figure|figcaption|caption|body|html|head|title|nav|main"
)
# (and any namespaced tag, as Word pastes them: `<o:p>`, smart tags `<st1:chsdate …>5月3日</…>`)
_INLINES = (
    "span|b|strong|a|em|i|u|s|font|img|sup|sub|small|big|strike|del|ins|mark|label|code|cite"
    "|q|abbr|time|tt|kbd|var|samp|dfn|bdi|bdo|wbr|nobr|[A-Za-z][A-Za-z0-9]*:[A-Za-z][-A-Za-z0-9]*"
)
_ATTRIBUTE = r"""\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`]+))?"""
# Word's downlevel-revealed conditionals, which HTML pasted from Word holds around a list's
# number (`<![if !supportLists]>1.<![endif]>`): marks of no text, as a comment is.
_CONDITIONAL = r"<!\[(?:if\b[^<>\]]*|endif)\]>"
_KNOWN = re.compile(rf"</?(?:{_BLOCKS}|{_INLINES})(?:{_ATTRIBUTE})*\s*/?>|<!--", re.I)
_BLOCK = re.compile(rf"</?(?:{_BLOCKS})(?=[\s/>])", re.I)
# What an HTML text holds that is no text: script, style and comments with what they hold, a
# tag (markup's pattern; `<!DOCTYPE …>` too), a space entity (markup's), `&amp;`.
_MARKS = re.compile(
    rf"(<(script|style)\b[^<>]*>.*?(?:</\2\s*>|$)|<!--.*?(?:-->|$)|{_TAG.pattern}|<![A-Za-z][^<>]*>"
    rf"|{_CONDITIONAL})"
    rf"|({_SPACE})|(&amp;)",
    re.I | re.S,
)
_ENTITY = re.compile(rf"{_SPACE}|&amp;")


# A numeric character reference (`&#22269;`, `&#x56FD;`): what a CMS that escapes every character
# outside ASCII writes. Read as written, such a text holds no Chinese to the model or the leads.
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")


def escaped_han(text: str) -> bool:
    """True when `text` writes a Chinese character as a numeric character reference. Those stay
    as written (a span must slice the caller's text to exactly its term), so the caller is told
    to unescape them: the CLI's note (service.cli.records)."""
    if "&#" not in text:
        return False
    for m in _REFERENCE.finditer(text):
        point = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        if any(lo <= point <= hi for lo, hi in HAN):
            return True
    return False


def is_html(text: str) -> bool:
    """True when `text` holds a known tag or a space entity or `&amp;` (looked for in C first)."""
    if "<" in text and _KNOWN.search(text):
        return True
    return "&" in text and _ENTITY.search(text) is not None


class Plain:
    """A text without its zero-width marks and HTML: `text`, and the maps back (`steps`, each a
    `Hidden` and the spans of its space entities, outermost first)."""

    __slots__ = ("text", "steps")

    def __init__(self, text: str, steps: list[tuple[Hidden, list[Span], str | None]]) -> None:
        self.text, self.steps = text, steps

    def cleaned(self, cleaned, offset: int):
        """`service.text.Cleaned` read from `text`, its offsets the caller's shifted by `offset`,
        the marks its furniture and no code point where a space entity stood in its body."""
        for k in range(len(self.steps) - 1, -1, -1):
            h, spaces, source = self.steps[k]
            shift = offset if k == 0 else 0
            cleaned = h.cleaned(cleaned, shift)
            if source is None:
                continue  # (zero-width marks: every piece is the caller's text)
            cut = [Span(m.start + shift, m.end + shift, m.text) for m in h.marks]
            n = len(cleaned.dropped) - len(cut)  # (h.cleaned lists the marks last)
            # A piece taken out (a dateline) as its characters between the marks it holds, the
            # source's own (a space entity stood in it as its space).
            dropped = [
                (name, p)
                for name, d in cleaned.dropped[:n]
                for p in outside(cut, Span(d.start, d.end, source[d.start - shift : d.end - shift]))
            ]
            body = cleaned.body
            if spaces:
                body = body_outside(
                    [Span(m.start + shift, m.end + shift, m.text) for m in spaces], body
                )
            cleaned = type(cleaned)(
                body, cleaned.byline, cleaned.dateline, cleaned.continues,
                (*dropped, *cleaned.dropped[n:]),
            )  # fmt: skip
        return cleaned

    def pos(self, p: int) -> int:
        """The caller's offset of `text`'s position `p`."""
        for h, _, _ in reversed(self.steps):
            p = h.back.pos(p)
        return p

    def inner(self, p: int) -> int:
        """`text`'s position of the caller's offset `p` (the first after it, in a mark)."""
        for h, _, _ in self.steps:
            back = h.back  # (the text's position after seam j is the caller's at[j] + gone[j])
            j = bisect_right([a + g for a, g in zip(back.at, back.gone, strict=True)], p)
            p = p - back.gone[j - 1] if j else p
        return p


def plain(raw: str) -> Plain | None:
    """`raw` without its zero-width marks and, when it is HTML, its markup; None when it holds
    neither (most texts: `<` and `&` looked for in C)."""
    steps = []
    if (h := hidden(raw)) is not None:
        steps.append((h, [], None))
        raw = h.text
    if ("<" in raw or "&" in raw) and is_html(raw):
        steps.append(_untagged(raw))
    return Plain(steps[-1][0].text, steps) if steps else None


def plain_title(title: str) -> str:
    """A record's title as the model reads it: no zero-width marks, tags or comments; a block
    tag a space, an entity as `plain` reads it (a space entity its space, `&amp;` `&`)."""
    p = plain(title)
    return title if p is None else p.text


def _untagged(raw: str) -> tuple[Hidden, list[Span], str]:
    marks: list[Span] = []
    spaces: list[Span] = []
    parts: list[str] = []
    at: list[int] = []
    gone: list[int] = []
    pos = taken = 0
    for m in _MARKS.finditer(raw):
        a, b = m.span()
        marks.append(Span(a, b, raw[a:b]))
        parts.append(raw[pos:a])
        pos = b
        if m.group(1) is not None:
            kept = "\n" if m.group(2) is None and _BLOCK.match(raw, a) else ""
        elif m.group(3) is not None:
            kept = space_of(m.group(3))  # (its space: cut out of the body after the reading)
            spaces.append(marks[-1])
        else:
            kept = "&"
            marks[-1] = Span(a + 1, b, "amp;")  # (its `&` is the body's)
        parts.append(kept)
        here = a - taken + len(kept)  # (where the text after the mark starts in the new text)
        taken += b - a - len(kept)
        if at and at[-1] == here:
            gone[-1] = taken  # (marks one after another: one seam)
        else:
            at.append(here)
            gone.append(taken)
    parts.append(raw[pos:])
    text = "".join(parts)
    return Hidden(text, marks, Unwrapped(text, at, gone)), spaces, raw
