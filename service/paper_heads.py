"""Heads the splitting pass left inside a body in the manners of other papers than People's
Daily, found once the page is read (`service.glued` splits the draft there): a brief column
under its boxed label (■简讯, ■ 本地新闻速览) over two or more items, each a point (●…) or a
report opening on its dateline (本报讯 …). City dailies set their briefs so; on the development
months no body holds a boxed label over two such items (38 boxed labels in bodies, ■链接,
■记者手记, ◆山东, each over running text or a subhead), and no printed head is one.
"""

from __future__ import annotations

from service.body_runs import ended, shorts
from service.documents import Span
from service.lines import PARA

__all__ = ["brief_column", "unbox"]

_LABEL_MARKS = "■□◆▲"
_POINT = "●"


def _item(d, k: int) -> bool:
    """A brief's item: running text opening on a point or a dateline."""
    return d.kinds[k] == PARA and (bool(d.values[k]) or d.body[k].text.startswith(_POINT))


def brief_column(d):
    """Where `d`'s body holds a boxed label under an ended paragraph over two items or more
    (module docstring): (i, i + 1), else None."""
    body, kinds = d.body, d.kinds
    for i in shorts(kinds):
        label = body[i].text
        if label[0] not in _LABEL_MARKS or not 2 <= len(label[1:].strip()) <= 12:
            continue
        if i + 2 < len(body) and ended(body[i - 1].text) and _item(d, i + 1) and _item(d, i + 2):
            return i, i + 1
    return None


def unbox(d, i: int) -> tuple[list[Span], Span]:
    """A boxed label's title without its mark, and the mark (the page's furniture)."""
    s = d.body[i]
    rest = s.text[1:].lstrip()
    return [Span(s.end - len(rest), s.end, rest)], Span(s.start, s.start + 1, s.text[0])
