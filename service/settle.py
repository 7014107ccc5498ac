"""A head's lines once the page is read: what the splitting pass could not yet tell.

The pass opens articles line by line; only when an article is whole can it be seen that a short
line under its title, before any text, is its subtitle (副题), or that a "title" under a kicker
reads on as running text and is the body's first line under a lone title, or that a line the
line kinds read as running text (国台办：, a list closing on ……, a lead-in closing on ——) is a
kicker. All are settled here, after the pass, so the head score's path (and the heads
`training.pages_fit` collects) stays as the pass left it.
"""

from __future__ import annotations

import re
from itertools import pairwise

from service.composite import _NOTE, closes_above
from service.head_parts import _ITEM_LABEL, running_on, settled_heads
from service.heads import is_cut_piece, parse_heads
from service.lines import BYLINE_START, PARA, SHORT
from service.text import ends_paragraph, is_column_break

__all__ = ["settle_heads"]

# Kickers the line kinds read as running text: a speaker or source closing on a colon (国台办： /
# 李达：, ≤ 19 characters on the development months, 80 kickers; none holds a sentence's
# punctuation), a list closing on an ellipsis (听有声书、“云”端看展、上网络公开课……, 8 kickers;
# 8 body lines, 6 of them over running text), a lead-in of any length closing on a dash.
_COLON_KICKER = re.compile(r"[^，,。；;！？!?：:]{2,24}[：:]")
_LIST_KICKER = re.compile(r"[^，,。；;！？!?：:]{4,40}…{1,2}")
_LEAD_IN = re.compile(r".{4,}——")


def settle_heads(drafts: list, raw: str) -> None:
    """The `pages._Draft`s' head lines read again (`_late_roles`), a kicker at the top of the
    page read as running text heading its title (`_page_top`), then each one's subtitle taken
    out of its body, a running-text title put back, and a kicker the line kinds read as running
    text taken back from the article above (`_late_kicker`)."""
    prev = None
    for d in drafts:
        if len(d.heads) > 1:
            _late_roles(d, prev)
        prev = d
    if drafts and not (drafts[0].title or drafts[0].kicker or any(d.marked for d in drafts)):
        _page_top(drafts)  # (where titles carry `## `, never on less)
    for d in drafts:
        _subtitle(d)
        _lone_title(d)
    for above, d in pairwise(drafts):
        _late_kicker(above, d, raw)


def _late_roles(d, prev) -> None:
    """A head's first line given back to the text above (`composite.closes_above`), and its
    lines' roles read with the rules settled after the pass (`head_parts.settled_heads`)."""
    heads = d.heads
    old = d.kicker + d.title + d.subtitle
    n = len(old)
    if old != heads[:n] or d.body[: len(heads) - n] != heads[n:]:
        return  # (changed since the pass: a composite item's heading and first piece)
    # (a note wholly in brackets, （相关报道见第四版）, follows the closing credit too)
    moved = (
        prev is not None
        and prev.has_para
        and (not prev.closed or bool(_NOTE.fullmatch(heads[0].text)))
        and closes_above(heads)
    )
    if moved:
        heads = heads[1:]
        new = settled_heads(heads, parsed := parse_heads(heads)) or parsed
    else:
        new = settled_heads(heads, (d.title, d.kicker, d.subtitle, []))
    if new is None:
        return
    title, kicker, subtitle, _ = new
    k = len(kicker + title + subtitle)
    if k > n - moved and not moved or not title:
        return
    if moved:
        prev.add(d.heads[0], SHORT)
    # Head lines of the pass now opening the body; or, with the first line gone, lines the pass
    # read as the body's opening (新华社发 / …报告—— / title: the credit was taken as the title).
    lines = heads[k : n - moved]
    d.body[:0], d.kinds[:0], d.values[:0] = lines, [SHORT] * len(lines), [""] * len(lines)
    grow = k - (n - moved)
    if grow > 0:
        del d.body[:grow], d.kinds[:grow], d.values[:grow]
    d.title, d.kicker, d.subtitle = title, kicker, subtitle
    d.start = heads[0].start


def _subtitle(draft) -> None:
    """A short line right under a head that has none yet, before any text: the subtitle."""
    if draft.subtitle or not draft.title or not draft.body or draft.composite:
        return  # (a composite item's body opens with its first piece's head)
    if _ITEM_LABEL.fullmatch(draft.title[0].text):
        return  # (under 图片报道, a caption's head or its first words)
    first, kind = draft.body[0], draft.kinds[0]
    if len(draft.body) < 2 or draft.kinds[1] not in (PARA, BYLINE_START):
        return
    # A long deck (听取…汇报；部署…) is running text by its punctuation, but it ends without
    # a sentence end and the body opens under it with a dateline or a credit.
    deck = (
        kind == PARA
        and not ends_paragraph(first.text)
        and (draft.kinds[1] == BYLINE_START or bool(draft.values[1]))
    )
    if kind != SHORT and not deck or is_cut_piece(first.text, draft.body[1].text):
        return  # (a piece of the paragraph below, cut by the column, is no subtitle)
    if parse_heads([first])[3]:  # a body label (核心阅读) stays in the body
        return
    draft.subtitle = [first]
    del draft.body[0], draft.kinds[0], draft.values[0]


def _lone_title(d) -> None:
    """Kicker + title where the title reads as running text: a lone title over its body's first
    line (`running_on`). Settled after the pass: the head score's path (pages_fit) is unchanged."""
    if len(d.kicker) == len(d.title) == 1 and not d.subtitle and not d.marked:
        if d.body and d.kinds[0] == PARA and d.values[0]:
            return  # (a dateline opens its paragraph: no line above is cut off it)
        if running_on(d.kicker[0].text, d.title[0].text):
            d.body[:0], d.kinds[:0], d.values[:0] = d.title, [SHORT], [""]
            d.title, d.kicker = d.kicker, []


def _late_kicker(above, draft, raw: str) -> None:
    """The last line of the article above, a colon-closed line or a list closing on an ellipsis
    right over `draft`'s lone title, is `draft`'s kicker: the line kinds read it as running
    text (80 + 8 kickers on the development months; i66 wrote the colon's)."""
    if draft.kicker or not draft.title or len(above.body) < 2 or above.kinds[-1] != PARA:
        return
    last, before = above.body[-1], above.body[-2]
    if above.values[-1] or not (
        _COLON_KICKER.fullmatch(last.text) or _LIST_KICKER.fullmatch(last.text)
    ):
        return
    if raw[last.end : draft.title[0].start].strip() or is_column_break(before.text, last.text):
        return  # (furniture between, or the line is the end of a paragraph the column cut)
    draft.kicker = [last]
    draft.start = last.start
    del above.body[-1], above.kinds[-1], above.values[-1]
    above.end = above.body[-1].end


def _page_top(drafts: list) -> None:
    """An untitled first article (the page opening mid-article) whose first line is a kicker
    the line kinds read as running text (`_LIST_KICKER`, `_LEAD_IN`, `_COLON_KICKER`): the
    kicker of the title under it, or of the next article's lone title when it is alone. A
    lead-in's title the column seemed to cut off it (the dash reads on) is no piece of it."""
    top = drafts[0]
    if not top.body or top.kinds[0] != PARA or top.values[0]:
        return
    first = top.body[0].text
    dash = bool(_LEAD_IN.fullmatch(first))
    if not (dash or _LIST_KICKER.fullmatch(first) or _COLON_KICKER.fullmatch(first)):
        return
    if len(top.body) == 1:
        if len(drafts) > 1 and drafts[1].title and not drafts[1].kicker and not drafts[1].marked:
            drafts[1].kicker, drafts[1].start = top.body, top.body[0].start
            del drafts[0]
        return
    if len(top.body) < 3 or top.kinds[1] != SHORT or top.kinds[2] not in (PARA, SHORT):
        return
    if not dash and is_cut_piece(first, top.body[1].text):
        return
    top.kicker, top.title = top.body[:1], top.body[1:2]
    del top.body[:2], top.kinds[:2], top.values[:2]
    top.has_para = PARA in top.kinds
