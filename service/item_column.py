"""A column of short items under the column's name, no item with a head of its own (简讯 /
本报讯 6月14日，… （记者 刘芳） / 本报讯 近日，… ; ●6月10日，…（记者 罗丹）): one article, titled
by the column, whose body holds every item whole. No item's dateline is the article's, nor the
last item's closing credit its byline, nor the first item its subtitle: each belongs to its
item. (Items that each carry a head, 短讯 / 高新区新增… / 本报讯（记者 王磊）…, are read as
articles by the pass, the column's name the first one's kicker.) So too a group of pictures,
each caption closed by its photographer's credit: the last credit is the last picture's, no
byline of the group. Read after the pass (called from `service.settle`), so the head score's
path stays the pass's.
"""

from __future__ import annotations

import re

from service.lines import BYLINE_END, FURNITURE, PARA

__all__ = ["ITEMS", "item_column"]

ITEMS = "items"  # a draft's `composite` when it is such a column (`pages` keeps its last credit)
_NAME_MAX = 6  # a column's name: 简讯, 短讯, 本地新闻速览
_POINTS = "●■◆▲"
_PHOTO = re.compile(r"摄(?:[（(][^）)]*[）)])?$")


def _item(text: str, value: str) -> bool:
    return bool(value) or text[0] in _POINTS


def _pictures(d) -> bool:
    """Two pictures or more, each caption closed by its photographer's credit (…张三 摄), and
    little but captions (a paragraph or two to a credit): the last credit is the last
    picture's, no byline of the group. (A report printed with two pictures is no group.)"""
    if d.kinds.count(BYLINE_END) < 2:  # (most bodies hold one credit or none)
        return False
    kinds = zip(d.body, d.kinds, strict=True)
    credits = sum(k == BYLINE_END and bool(_PHOTO.search(s.text)) for s, k in kinds)
    return credits >= 2 and d.kinds.count(PARA) <= credits + 1


def item_column(d) -> None:
    """Draft `d` read as such a column when it is one: two items or more, every body line an
    item opening on a dateline or a point, under a lone title no longer than a column's name."""
    if d.composite or not d.title:
        return
    if _pictures(d):
        d.composite = ITEMS
        return
    if d.kicker or d.subtitle or len(d.title) != 1 or len(d.body) < 2:
        return
    if len(d.title[0].text) > _NAME_MAX or any(k not in (PARA, FURNITURE) for k in d.kinds):
        return  # (the column's box mark, ■简讯, is the page's furniture)
    items = [(s, v) for s, k, v in zip(d.body, d.kinds, d.values, strict=True) if k == PARA]
    if len(items) >= 2 and all(_item(s.text, v) for s, v in items):
        d.values[:] = [""] * len(d.values)  # (each item keeps its dateline)
        d.composite = ITEMS
