"""A kicker and title glued into a body among single-line subheads (stop 35, i108): read after
the pass (`service.glued.split_glued`), so the head score's path stays the pass's.

An article's subheads that run over two lines (a section's head over its deck, a label over a
subhead) come in series; its one-line subheads say nothing of that. So a lone pair of plain head
lines under a closed paragraph and over running text, in a body holding no other run of two or
more short lines (one-line subheads allowed), heads the next article. On the development months'
printed articles, 119 kicker + title heads under an article stand so (the article above or their
own holding one-line subheads, no other run), against 2 pairs of body lines (刷脸摄像头 /
用身份证三秒通关, 各方积极支援 / 保障物资供应); with no other short line at all (316 heads, no body
pair) the pair is `lone_heads.lone_head`'s. A reader's signature (四川华蓥 邱海鹰, 江西新余市
廖海金), a writer under a title and an ordinal's section (五、日程安排 / 1.网上报名) are no head.
"""

from __future__ import annotations

import re

from service.body_runs import ended, running, shorts
from service.cut_pieces import is_cut_piece
from service.head_parts import kicker_form, writer_under
from service.lines import PARA, SHORT
from service.lone_heads import SIGNED, plain
from service.text import ends_paragraph, split_dateline

__all__ = ["lone_pair"]

# How surely the upper line reads as a kicker by its form (log-odds against a title): a
# one-line subhead the column cut in two (坚持和完善 / 党的领导制度体系), or over the first piece the
# column cut from its text (进一步稳就业 / 就业是民生), is a pair no seam test sees; on the rendered
# development pages (each month's forms fitted on the other two) the pairs the rule finds read
# above 1 for 33 true heads and no body pair, above 0 for 74 heads and 6 body pairs.
KICKER_FORM = 1.0
# A name of two or three characters after a space closing the lower line: a reader's
# signature (湖南长沙 吴 金, 四川华蓥 邱海鹰), no title.
_NAMED = re.compile(r".+\s[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,2}")
# An ordinal opening a section (五、, 1., （一）, 第二部分).
_ORDINAL = re.compile(
    r"[一二三四五六七八九十]+[、.．]|\d{1,2}[、.．]|[（(][一二三四五六七八九十\d]+[）)]"
    r"|第[一二三四五六七八九十\d]+[章节部篇条]"
)


def lone_pair(d) -> tuple[int, int] | None:
    """Where `d`'s body holds a pair of plain head lines, as `body[i:i + 2]`, under a closed
    paragraph and over running text, and no other run of two or more short lines but the
    column's cut pieces (module docstring); else None."""
    body, kinds = d.body, d.kinds
    n = len(body)
    for i in shorts(kinds):
        j = i + 2
        if not (j < n and kinds[i + 1] == SHORT and kinds[j] == PARA == kinds[i - 1]):
            continue
        upper, lower = body[i].text, body[i + 1].text
        if not (plain(upper) and plain(lower)) or ends_paragraph(upper) or ends_paragraph(lower):
            continue
        if not ended(body[i - 1].text) or not running(body[j].text):
            continue
        if _no_head(upper, lower) or split_dateline(lower + body[j].text)[0]:
            continue  # (and a dateline the column cut: 本报北京10月 / 7日电)
        if _cut(body, i) or _cut(body, i + 1) or _other_run(body, kinds, i):
            continue
        if kicker_form(upper) <= KICKER_FORM:
            continue  # (a one-line subhead the column cut in two, or over its text's cut piece)
        return i, j
    return None


def _no_head(upper: str, lower: str) -> bool:
    """A signature, a writer under a title, an ordinal's section."""
    return bool(
        SIGNED.fullmatch(upper)
        or SIGNED.fullmatch(lower)
        or _NAMED.fullmatch(lower)
        or writer_under(upper, lower)
        or _ORDINAL.match(upper)
        or _ORDINAL.match(lower)
    )


def _cut(body, k: int) -> bool:
    """Line `k` is a piece the column cut from the paragraph above or below it."""
    t = body[k].text
    return is_cut_piece(body[k - 1].text, t) or (k + 1 < len(body) and is_cut_piece(t, body[k + 1].text))


def _other_run(body, kinds, i: int) -> bool:
    """Another run of two or more short lines, the column's cut pieces left out, in the body."""
    n, k = len(body), 1
    while k < n:
        if kinds[k] != SHORT or k == i:
            k += 1 + (k == i)  # (the pair itself: skip both lines)
            continue
        own = 0
        while k < n and kinds[k] == SHORT:
            own += not _cut(body, k)
            k += 1
        if own >= 2:
            return True
    return False
