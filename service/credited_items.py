"""An item closed by its own credit, glued under a credited feature (…三县的调查 / 本报记者
马 力 宋 岩 / sections under heads of one form, 青山县：三年脱贫两万户 … / 绿水县：新建农村公路
300公里 / one paragraph closing on （记者 宋岩）): the pass reads the item's head as one more
subhead, as its form repeats the sections'. A paragraph closing on a reporter's credit in brackets
ends a report: an article credits its writer once, so under an article already credited (a credit
line, a dateline naming its reporter) the head over that last stretch opens the item. On the
development months' printed articles no paragraph closes so (0 of 6,224 articles), so People's
Daily is left as it is. Read after the pass (called from `service.settle`), so the head score's
path stays the pass's; `series` leaves such an item alone (`stands_alone`)."""

from __future__ import annotations

import re

from service.credits import dateline_reporter, is_byline_inner
from service.glued import split_at
from service.lines import BYLINE_START, PARA, SHORT
from service.text import ends_paragraph

__all__ = ["split_credited_item", "stands_alone"]

_CLOSING = re.compile(r".*[。！？”]\s*[（(](?P<inner>[^（）()]{2,24})[）)]")
_ITEM_CHARS = 600  # (a brief's text under its head; a feature's closing section runs longer)
_RUN = 2  # (a head of one or two lines)


def _credited(d) -> bool:
    first = d.kinds[:1]
    return first == [BYLINE_START] or first == [PARA] and bool(dateline_reporter(d.values[0]))


def _closes_on_credit(text: str) -> bool:
    if "记者" not in text[-26:]:  # (most paragraphs: read no further)
        return False
    m = _CLOSING.fullmatch(text.strip())
    return bool(m and "记者" in m.group("inner") and is_byline_inner(m.group("inner")))


def split_credited_item(d):
    """The item a head over its own credited paragraphs opens at the end of `d`'s body (the new
    draft), else None."""
    body, kinds = d.body, d.kinds
    if d.composite or d.marked or not body or kinds[-1] != PARA or SHORT not in kinds:
        return None
    if not _closes_on_credit(body[-1].text) or not _credited(d):
        return None
    k = len(kinds)
    while k > 1 and kinds[k - 1] == PARA:
        k -= 1
    i = k
    while i > 1 and kinds[i - 1] == SHORT and k - i < _RUN:
        i -= 1
    if i == k or kinds[i - 1] != PARA or not ends_paragraph(body[i - 1].text):
        return None
    if body[i].text.startswith(("■", "□")) or sum(len(s.text) for s in body[k:]) > _ITEM_CHARS:
        return None  # (a box closed by its writer stays in its article)
    return split_at(d, i, k, "")


def stands_alone(above, d) -> bool:
    """Draft `d` is an item closed by its own credit under the credited article `above`: never
    a subhead of it, whatever form its head shares with that article's sections."""
    body = d.body
    return (
        bool(body)
        and d.kinds[-1] == PARA
        and _closes_on_credit(body[-1].text)
        and sum(len(s.text) for s in body) <= _ITEM_CHARS
        and bool(above.kinds)
        and _credited(above)
    )
