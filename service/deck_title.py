"""A ——deck is never a title (0 printed titles of the development months open on ——; 522
subtitles do): one the pass read as a title has its title above it, the last line of the
article above (在文字里触摸历史的温度 / ——读《大河之北》 on a 副刊 page, the review's title left
closing the essay over it). Read after the pass (called from `service.settle`), so the head
score's path stays the pass's.
"""

from __future__ import annotations

from service.lines import SHORT

__all__ = ["title_over_deck"]

_DECK = "——"
_ENDS = frozenset("。！？!?；;：:，,”")  # (a line ending so closes the text above: no title)
_TITLE_MAX = 40


def title_over_deck(above, d) -> None:
    """Draft `d`'s lone ——deck title made its subtitle, under the short line closing draft
    `above` as its title."""
    title = d.title
    if len(title) != 1 or not title[0].text.startswith(_DECK) or d.kicker or d.subtitle:
        return  # (most titles: no dash first)
    body, kinds = above.body, above.kinds
    if len(body) < 2 or kinds[-1] != SHORT or not above.has_para or d.marked:
        return
    line = body[-1]
    text = line.text
    if len(text) > _TITLE_MAX or text[-1] in _ENDS or text.startswith(_DECK):
        return
    del body[-1], kinds[-1], above.values[-1]
    above.end = body[-1].end
    d.title, d.subtitle = [line], title
    d.heads = [line, *d.heads]
    d.start = line.start
