"""A dated report's two head lines read again against its lead, once the page is read.

The pair score (`head_parts.PAIR_FEATURES`) reads the two lines alone and is unsure of many news
reports' heads: `全国铁路调图` / `旅客列车超9000列` (title + deck) looks like `成都中心城区` /
`490余个菜市场基本恢复营业` (kicker + title). A report's lead sentence, after its dateline,
restates its title: on the development months' dated two-line heads the pair score is unsure of
(|score| ≤ 2), the title's character pairs come back in the lead's first sentence more than its
deck's (0.53 against 0.32 of them), while a kicker's and its title's come back alike (0.57,
0.57). Settled after the pass (`service/settle.py`), so the head score's path stays the pass's.
"""

from __future__ import annotations

import re
from operator import mul

from service import head_parts

__all__ = ["deck_by_lead"]

_CREDIT = re.compile(r"\s*[（(][^（）()]*[）)]")  # （记者陆娅楠） after the dateline
_KEPT = re.compile(r"[\u4e00-\u9fff0-9A-Za-z]+")
# The pair score's margin where the lead is read, and how much more of the upper line's pairs
# than of the lower's the lead must hold (set on the development months' printed heads: partly
# in-sample; flipped there, 15 title + deck heads read right and 4 kicker + title heads wrong).
_UNSURE = -1.0
_MORE = 0.2
_LOWER_LABEL = head_parts.PAIR_FEATURES.index("lower_label")


def _pairs(text: str) -> set[str]:
    s = "".join(_KEPT.findall(text))
    return {s[i : i + 2] for i in range(len(s) - 1)}


def _share(line: set[str], lead: str) -> float:
    """The share of the line's pairs in `lead` (its kept characters: a pair of them is one of
    its substrings, looked for in C, no set of the lead's pairs made)."""
    return sum(map(lead.__contains__, line)) / len(line) if line else 0.0


def deck_by_lead(upper: str, lower: str, lead: str) -> bool:
    """Whether a kicker + title the pair score chose by a small margin is the title over its
    deck: the lead's first sentence (`lead`: the text after the dateline) takes up the upper
    line more than the lower."""
    if m := _CREDIT.match(lead):
        lead = lead[m.end() :]
    first = "".join(_KEPT.findall(lead.split("。", 1)[0]))
    if _share(_pairs(upper), first) - _share(_pairs(lower), first) <= _MORE:
        return False  # (read first: the pair score, with its form models, costs more)
    x = head_parts.pair_features(upper, lower)
    score = sum(map(mul, head_parts.PAIR_WEIGHTS, x)) + head_parts.PAIR_BIAS
    # (a column label marks the title: 567 titles under a kicker, 12 decks)
    return _UNSURE < score <= 0 and not x[_LOWER_LABEL]
