"""Heads on a plain page: whether bare short lines open an article, and which line is which.

A head is what a page shows above a body: a short line without final punctuation (the title),
maybe one above it (the kicker, 引题) and one under it (the subtitle, 副题), then body text. A
subhead inside an article looks the same, so what decides is the page around it: how the text
below opens (a dateline, a credit line), how the text above ended (a closing credit), the head's
own shape (a column label in brackets, several head lines, a ——subtitle; an ordinal or a
trailing —— marks a subhead), and whether the text below goes on with what came before it.
"""

from __future__ import annotations

__all__ = ["opens_article", "parse_heads", "cohesion"]

import re

from service.credits import split_dateline
from service.documents import Span
from service.lines import BYLINE_END, BYLINE_START, HEADING, PARA, SHORT
from service.text import _CLAUSE, _NON_INITIAL, cuts_word, is_column_break

_DASH = ("——", "—", "--", "－－")
# Labels that open a body rather than head it.
_BODY_LABEL = re.compile(
    r"核心阅读|编者按|编者的话|阅读提示|导语|【[^】]{1,8}】|[■●◆▲◎]\s*\S{0,10}"
)
# A column label closing a title: 共同推进网络空间全球治理（钟声）, 向前走（一线视角）.
_COLUMN_LABEL = re.compile(r".{4,}[（(][^（）()，。,]{1,24}[）)]")
# Subheads: ordinals and bullets in front, a lead-in dash or colon behind.
_SUBHEAD = re.compile(
    r"(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|第[一二三四五六七八九十]+[章节部篇条]"
    r"|\d{1,2}[、.．]|[■●◆▲◎○☆★·•]|【).*"
    r"|.*[：:]"
)
_LEAD_IN = re.compile(r".*(?:——|—)")  # 驻点医生—— over a section; over a title, a kicker
# A closing credit or note that ends an article: （作者为…）, （…参与采写）, 新华社记者 张三摄.
_CLOSER = re.compile(
    r"[（(](?:作者|本报|记者|新华社|据|来源|本文|应受访者).*[）)]|.{2,30}摄(?:影)?"
)
_DATE_SUB = re.compile(r"[（(][^（）()]*\d{4}年[^（）()]*[）)]")
_CJK2 = re.compile(r"[\u4e00-\u9fff]{2}")
COHESION_MIN = 0.05  # tuned on the development months (docs/pages.md)
_WINDOW = 240  # characters each side compared


def _grams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if _CJK2.fullmatch(text[i : i + 2])}


def cohesion(before: str, after: str) -> float:
    """How much the text after a head goes on with the text before it: shared character
    bigrams over the smaller set (0 = a new topic, 1 = the same words)."""
    a, b = _grams(before[-_WINDOW:]), _grams(after[:_WINDOW])
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _text_after(items: list[tuple[Span, str]], at: int) -> str:
    out, n = [], 0
    for span, kind in items[at:]:
        if kind not in (PARA, SHORT):
            break
        out.append(span.text)
        n += len(span.text)
        if n >= _WINDOW:
            break
    return "".join(out)


def opens_article(
    cur, heads: list[Span], items: list[tuple[Span, str]], at: int, after_furniture: bool
) -> bool:
    """Do the bare short lines `heads` open a new article, with body text at `items[at]`?

    `cur` is the article being read (a pages._Draft, or None at the top of the page).
    """
    if cur is None or cur.closed:
        return True
    if not cur.has_para:
        return False  # lines under a head before its text: its subtitle, a label, a cut
    line, kind = items[at]
    if after_furniture or kind == BYLINE_START or split_dateline(line.text)[0]:
        return True
    if any(k == HEADING for _, k in items):
        return False  # titles here carry `## `: a bare line opens only on the signals above
    first, last = heads[0].text, heads[-1].text
    if (
        len(heads) == 1
        and is_column_break(first, line.text)
        and (line.text[0] in _NON_INITIAL or first[-1] in _CLAUSE or cuts_word(first, line.text))
    ):
        return False  # a piece of a paragraph the column cut off
    if _SUBHEAD.fullmatch(first) or _SUBHEAD.fullmatch(last) and not last.startswith(_DASH):
        return False
    prev = cur.body[-1].text if cur.body else ""
    if cur.kinds and cur.kinds[-1] == BYLINE_END or _CLOSER.fullmatch(prev):
        return True
    if prev.endswith(("：", ":")):
        return False
    if any(_COLUMN_LABEL.fullmatch(h.text) for h in heads):
        return True
    if len(heads) == 1 and _LEAD_IN.fullmatch(first):
        return False
    if len(heads) >= 2 and _LEAD_IN.fullmatch(first):
        return True
    before = "".join(s.text for s in cur.body[-6:])
    return cohesion(before, _text_after(items, at)) < COHESION_MIN


def parse_heads(heads: list[Span]) -> tuple[list[Span], list[Span], list[Span], list[Span]]:
    """Which of a head's lines are title, kicker and subtitle, and which open the body."""
    body: list[Span] = []
    while heads and _BODY_LABEL.fullmatch(heads[-1].text) and len(heads) > 1:
        body.insert(0, heads[-1])
        heads = heads[:-1]
    if len(heads) == 1 and _BODY_LABEL.fullmatch(heads[0].text):
        return [], [], [], heads + body
    dash = next((i for i, h in enumerate(heads) if i and h.text.startswith(_DASH)), None)
    if dash is not None:
        return [heads[dash - 1]], heads[: dash - 1], heads[dash:], body
    if len(heads) == 1:
        return heads, [], [], body
    if len(heads) == 2:
        if _DATE_SUB.fullmatch(heads[1].text):
            return [heads[0]], [], [heads[1]], body
        return [heads[1]], [heads[0]], [], body
    return [heads[1]], [heads[0]], heads[2:], body
