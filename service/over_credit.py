"""A series' or column's title over its piece's head and credit, read after the pass (called
from `service.settle`, so the head score's path stays the pass's): the title alone, the piece's
head opening the body, as People's Daily prints it; a title numbering its part stays the
article's own (a city daily's kicker, title and deck over the credit: 【系列报道·老街新生】 /
胡同里的“微更新”① / 一条老胡同的十年变迁 / 新京报记者 杨 雪)."""

from __future__ import annotations

import re

from service.lines import BYLINE_START, SHORT

__all__ = ["over_credit"]


def over_credit(d) -> None:
    """Kicker, title and subtitle right over a credit line (本报记者  刘  峰): a series' or
    column's title over its piece's head, which opens the body with its credit (行动起来，共建美丽
    中国 / 治沙英雄王有德 / 人进沙退筑起绿色屏障 / 本报记者…). On the development months every run
    of three head lines over a credit is so (25 articles; no kicker + title + subtitle, no title
    + subtitle or kicker + title over one: their credits are not printed in the body). A title
    numbering its part (…①: 116 printed titles, no first line of a body) is the article's own."""
    if d.marked or len(d.heads) != 3 or not d.kicker or re.search("[①-⑳]", d.title[-1].text):
        return
    # (roles as the pass read them: also a composite item's heading over its first piece, which
    # `composite` reads only under a kicker over a lone title)
    if (
        not d.subtitle
        or d.kicker + d.title + d.subtitle != d.heads
        or d.kinds[:1] != [BYLINE_START]
    ):
        return
    d.body[:0], d.kinds[:0], d.values[:0] = d.heads[1:], [SHORT, SHORT], ["", ""]
    d.title, d.kicker, d.subtitle = d.heads[:1], [], []
