"""A credit line between two articles, over the lower one's title (本报驻美国特派记者 李珊 /
美国多地出现抗议活动, 科技日报记者 张佳星 / “天问一号”…): the pass closes the upper article
with it, as it closes People's Daily's (本报记者 张三 under the text). When the upper article's
dateline already names its reporter (【环球时报驻德国特约记者 青木】, 科技日报北京6月9日电
（记者陈曦）) and the lower one names none, the credit is the lower one's. Read after the pass
(called from `service.settle`), so the head score's path stays the pass's.
"""

from __future__ import annotations

from service.credits import dateline_reporter
from service.lines import BYLINE_START, PARA

__all__ = ["credit_to_title_below"]


def credit_to_title_below(above, d) -> None:
    """The credit line closing draft `above` given to draft `d` under it, when `above`'s
    dateline names its reporter and `d` opens on no credit."""
    kinds = above.kinds
    if not kinds or kinds[-1] != BYLINE_START or not d.title or d.marked:
        return  # (most articles close on text)
    if d.kinds and d.kinds[0] == BYLINE_START or PARA not in kinds:
        return
    if not dateline_reporter(above.values[kinds.index(PARA)]):
        return
    line, value = above.body.pop(), above.values.pop()
    kinds.pop()
    above.end = above.body[-1].end
    d.body.insert(0, line)
    d.kinds.insert(0, BYLINE_START)
    d.values.insert(0, value)
    d.start = min(d.start, line.start)
