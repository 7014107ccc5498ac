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
_KEPT = re.compile(r"[\u4e00-\u9fff0-9０-９A-Za-z]+")
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


def deck_by_lead(upper: str, lower: str, lead: str, pairs: dict | None = None) -> bool:
    """Whether a kicker + title the pair score chose by a small margin is the title over its
    deck: the lead's first sentence (`lead`: the text after the dateline) takes up the upper
    line more than the lower."""
    if m := _CREDIT.match(lead):
        lead = lead[m.end() :]
    first = "".join(_KEPT.findall(lead.split("。", 1)[0]))
    if _share(_pairs(upper), first) - _share(_pairs(lower), first) <= _MORE:
        return False  # (read first: the pair score, with its form models, costs more)
    # (the pair score's features as the splitting pass read them, in `pairs`, else read here)
    x = (pairs or {}).get((upper, lower)) or head_parts.pair_features(upper, lower)
    score = sum(map(mul, head_parts.PAIR_WEIGHTS, x)) + head_parts.PAIR_BIAS
    # (a column label marks the title: 567 titles under a kicker, 12 decks)
    return _UNSURE < score <= 0 and not x[_LOWER_LABEL]


# A head's upper line that only ever stands over its title: the speaker or body the title's
# sentence goes on from (外交部发言人 / 就…答记者问, 中央组织部 / 从…划拨…, 13 kickers on the
# development months), or what a message answers (就中俄建交70周年 / 习近平同…互致贺电, 9
# kickers), or the competition a sports report's title tells of (深圳网球公开赛 / 王蔷晋级女单
# 八强, 12 kickers). No title over a subtitle there is either (only lone titles end so:
# …审查委员会).
_SPEAKER = re.compile(
    r"[^\s，,。：:、]{2,24}(?:负责人|发言人|办公室|委员会|[^东西南北中]部|新闻办)|就(?!业)\S.*"
    r"|[^\s，,。：:、]{2,24}(?:公开赛|锦标赛|联赛|世界杯|大奖赛|巡回赛|分站赛)"
)
# An event's line (…论坛举行, …博览会开幕, …报告发布) over a headline's shape: two phrases set
# apart by a space (光影盛宴 丝路共享), a quote (“为投资和经贸合作提供更多机遇”) or a column's
# label (…（医学资讯）). 12 kickers over a title so on the development months, no title over
# its deck: decks under an event name who attended (胡春华出席) or sum it up in running text.
_EVENT = re.compile(r".{4,}(?:开幕|举行|闭幕|召开|启动|揭晓|揭牌|通水|开通|落幕|开展|发布)")
_PHRASE = r"[^\s，,。、；;：:（(]{2,10}"
_HEADLINE = re.compile(
    rf"{_PHRASE}[ \u3000\xa0]+{_PHRASE}(?:[（(][^（）()]{{2,}}[）)])?"
    r"|“[^“”]+”|[^（(—●■].*[（(][^（）()]{2,}[）)]"
)


def kicker_by_shape(upper: str, lower: str) -> bool:
    """Whether a title + subtitle the pass read is a kicker over its title by the upper line's
    shape: it names who speaks, what is answered or a competition, or an event over a
    headline's shape."""
    if lower.startswith("—"):
        return False  # (a dash-led deck)
    if _SPEAKER.fullmatch(upper):
        return True
    return bool(_EVENT.fullmatch(upper) and _HEADLINE.fullmatch(lower))
