"""A table's rows (a league table, a schedule: `4 深圳佳兆业 3 5`, `6月20日 19:35 广东—深圳`)
are never an article's head: no printed head of the development months is one (0 of their
kickers, titles and subtitles; 63 short body lines are). The pass may read a row under the
table's last line as the next article's kicker, or one as a title over the rows below it: they
go back to the article above. Read after the pass (called from `service.settle`), so the head
score's path stays the pass's.
"""

from __future__ import annotations

import re

from service.body_runs import shorts
from service.glued import split_at
from service.lines import PARA, SHORT
from service.text import ends_paragraph

__all__ = ["is_row", "rejoin_rows", "split_after_rows"]

# A figure of a table set apart: 3, 9, 3:0, 45.23, 80%, 6月20日, 19:35
_FIGURE = re.compile(r"(?:\d{1,2}月)?\d+(?:[.:：]\d+)*[日%]?")
_TIME = re.compile(r"\d{1,2}[:：]\d{2}")


def is_row(text: str) -> bool:
    """A line of a table: two figures or more set apart among its words, or a figure and a
    time of day (a schedule's)."""
    toks = text.split()
    if len(toks) < 2 or not any(c.isdigit() for c in text):  # (most heads: one word)
        return False
    figures = [t for t in toks if _FIGURE.fullmatch(t)]
    return len(figures) >= 2 or any(_TIME.fullmatch(t) for t in figures)


def rejoin_rows(drafts: list) -> list:
    """`drafts` with a row read as a kicker given back to the article above, and an article
    titled by a row joined to it."""
    out: list = []
    for d in drafts:
        above = out[-1] if out and not d.marked else None
        if above is not None and d.title and all(is_row(s.text) for s in d.title):
            for s in sorted(d.kicker + d.title + d.subtitle, key=lambda s: s.start):
                above.add(s, SHORT)
            for s, k, v in zip(d.body, d.kinds, d.values, strict=True):
                above.add(s, k, v)
            continue
        if above is not None and d.kicker and all(is_row(s.text) for s in d.kicker):
            for s in d.kicker:
                above.add(s, SHORT)
            d.heads = [s for s in d.heads if s not in d.kicker]
            d.kicker = []
            d.start = min(s.start for s in d.title + d.subtitle + d.body[:1])
        out.append(d)
    return out


_AFTER_ROWS = 3  # head lines under a table: a kicker, a title, a deck


def split_after_rows(d):
    """The article a head under a table in `d`'s body opens (沪指… / 指数 收盘 涨跌幅 / … rows /
    公告速递 / 万科A：5月销售金额494亿元 / text): the new draft, else None. Short lines under two
    rows or more, none a row or a sentence's end, over running text: on the development months
    one body holds two rows or more (a programme, seven short lines under them), so no table
    goes on in a body so."""
    kinds, body = d.kinds, d.body
    for i in shorts(kinds):  # (a row's line is short: most body lines are not read)
        if i >= len(body) - 1:
            break
        if i < 2 or kinds[i - 1] != SHORT or not is_row(body[i - 1].text):
            continue
        if kinds[i - 2] != SHORT or not is_row(body[i - 2].text) or is_row(body[i].text):
            continue
        k = i
        while k < len(body) and kinds[k] == SHORT and k - i < _AFTER_ROWS:
            if is_row(body[k].text) or ends_paragraph(body[k].text):
                return None
            k += 1
        if k < len(body) and kinds[k] == PARA:
            return split_at(d, i, k, "")
        return None
    return None
