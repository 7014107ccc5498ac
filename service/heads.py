"""Heads on a plain page: whether bare short lines open an article, and which line is which.

A head is what a page shows above a body: a short line without final punctuation (the title),
maybe one above it (the kicker, 引题) and one under it (the subtitle, 副题), then body text. A
subhead inside an article looks the same, so what decides is the page around it: how the text
below opens (a dateline, a credit line), how the text above ended (a closing credit), the head's
own shape (a column label in brackets, several head lines, a ——subtitle; an ordinal or a
trailing —— marks a subhead), and whether the text below goes on with what came before it.
"""

from __future__ import annotations

__all__ = [
    "opens_article",
    "parse_heads",
    "cohesion",
    "MAX_HEAD_LINES",
    "closes",
    "CLOSER",
]

import re
from functools import lru_cache
from operator import mul

import numpy as np

from service import head_trees
from service.cohesion import (
    WINDOW,
    body_overlaps,
    body_parts,
    codes,
    cohesion,
    count_in,
    head_bigrams,
    overlap,
    short_overlap,
    split_overlap,
    title_overlap,
    window_after,
    window_codes,
    window_text,
)
from service.documents import Span
from service.head_parts import (
    _BODY_LABEL,
    _COLUMN_LABEL,
    _DASH,
    _OPENER,
    _SPACED,
    _SUBHEAD,
    ITEM_LABEL,
    LEAD_IN,
    SUBHEAD_FIRST,
    parse_heads,
)
from service.lines import BYLINE_END, BYLINE_START, PARA
from service.malloc import forget_on_trim
from service.text import (
    is_column_break,
)
from service.writers import spaced_name

MAX_HEAD_LINES = 3  # kicker, title, subtitle: a longer run of short lines is a list or a poem
# A closing credit or note that ends an article: （作者为…）, （…参与采写）, 新华社记者 张三摄.
CLOSER = re.compile(
    r"[（(](?:作者|综合|本报|记者|新华社|据|来源|本文|应受访者).*[）)]|.{2,30}摄(?:影)?"
)
_CLOSER_LAST = ("）", ")", "摄", "影")  # (how a CLOSER line ends: most lines do not)
COMPANION = re.compile(r"[（(](?:记者手记|采访手记|编后|编后语|延伸阅读|短评)[）)]$")
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,10}(?:省|市|县|区|镇|乡|村|州|旗|盟)")


def opens_article(
    cur,
    heads: list[Span],
    items: list[tuple[Span, str, str]],
    at: int,
    after_furniture: bool,
    markdown: bool = False,
) -> bool:
    """Do the bare short lines `heads` open a new article, with body text at `items[at]`?

    `cur` is the article being read (a drafts.Draft, or None at the top of the page).
    """
    if cur is None or cur.closed:
        return True
    if not cur.has_para:
        return False  # lines under a head before its text: its subtitle, a label, a cut
    _, kind, value = items[at]
    # (a PARA line's value is the dateline it opens with: service.lines.classify)
    if kind == BYLINE_START and value.endswith("整理"):
        # An as-told-to credit (本报记者 王永战整理) closes the account above it, under its
        # speaker's line (…村民熊开友讲述): none opens a text on the development months.
        return False
    if after_furniture or kind == BYLINE_START or (kind == PARA and value):
        return True
    if markdown:
        return False  # titles here carry `## `: a bare line opens only on the signals above
    if heads[0].text[0] in "■●◆▲◎":
        return False  # a box (■链接, ■记者手记) is part of the article it follows
    if len(heads) == 1 and (heads[0].text.startswith(_DASH) or COMPANION.search(heads[0].text)):
        # No title opens with a dash: a quote's speaker (——严文明（…教授）) or a section's
        # ——subtitle, of the article being read. A piece labelled as the companion of a report
        # (…（记者手记）, …（编后）) is a box of it, as ■记者手记 is.
        return False
    if cur.kinds and cur.kinds[-1] == BYLINE_END or closes(cur.body):
        return True
    if ITEM_LABEL.fullmatch(heads[0].text):
        return True  # a photo report or letters column is an item of its own, never a subhead
    if len(heads) > 1 and any(
        h.text[0] not in "■●◆▲◎" and _BODY_LABEL.fullmatch(h.text) for h in heads[1:]
    ):
        # A label opening a body (核心阅读, 内容提要, 开栏的话, 【绝活看点】) under head lines
        # marks an article's head: a subhead has none (a box mark, ●…, is a point of the text).
        return True
    if len(heads) > 1 and any(h.text.startswith(_DASH) and len(h.text) > 4 for h in heads[1:]):
        # A title over its ——subtitle (——论…, ——写在…之际): a subhead has none. (The body's
        # first line may follow it, cut by the column where no word tells it.)
        return True
    # The bigram overlaps cost most and lie in [0, 1]: each is computed only while some value
    # of those still unknown could turn the score (or take it inside the trees' band). The
    # cohesion first: the largest weight, once known most heads need no other overlap.
    # (The head's overlaps with the article are 0 in `page` until needed.)
    page = _page_features(cur, heads, items, at, body=LOG is not None, title=LOG is not None)
    rest = sum(map(mul, _PAGE_WEIGHTS, page)) + BIAS
    sure = head_trees.band()  # (0 without trees: any sign is sure)
    if LOG is None and _decided(rest, _REACH_FIRST, sure):
        return rest > 0
    window = window_after(items, at)
    # (the cohesion, `_cohesion`, and the head's, `_head_cohesion`, in one pass)
    x0, _, x1 = split_overlap(
        window_text([s.text for s in cur.body[-6:]], True),
        window,
        "".join([h.text for h in heads])[-WINDOW:],
    )
    x = [x0, x1, *page]
    if LOG is None:
        rest += WEIGHTS[0] * x[0]
        if _decided(rest, _REACH_HEAD_COHESION, sure):
            return rest > 0
    if LOG is None:
        rest += WEIGHTS[1] * x[1]
        if _decided(rest, _REACH_TITLE, sure):
            return rest > 0
        mine = head_bigrams("".join([h.text for h in heads]))
        x[_TITLE_OVERLAP + 2] = title_overlap(mine, cur)
        rest += WEIGHTS[_TITLE_OVERLAP + 2] * x[_TITLE_OVERLAP + 2]
        if mine:
            if _decided(rest, _BODY_REACH, sure):
                return rest > 0
            # The bigrams in the article's last lines first (a short text): the rest are
            # looked for in the whole article only when the score still needs them.
            above, before = body_parts(cur)
            missing = [g for g in mine if g not in above]
            near = (len(mine) - len(missing)) / len(mine)
            # (the article overlap is at least `near`: what the rest add is unknown)
            if _decided(rest + _W_BOTH * near, _reach((_W_ARTICLE * (1 - near),)), sure):
                return rest + _W_BOTH * near > 0
            x[-2:] = near, (len(mine) - len(missing) + count_in(missing, before)) / len(mine)
    else:
        LOG.append((x, heads, cur))
    # (summed again in order: the value all features at once give)
    return head_trees.decide(x, sum(map(mul, WEIGHTS, x)) + BIAS)


def closes(body: list[Span]) -> bool:
    """The text above ends with a closing credit or note, maybe cut over two lines by the
    column (（作者为泰国国家研究理事会泰中战 / 略研究中心副主任）)."""
    if not body:
        return False
    last = body[-1].text
    # (CLOSER opens on a bracket or closes on 摄 or 摄影; a note closes on its bracket)
    if last.startswith(("（", "(")) or last.endswith(("摄", "影")):
        if CLOSER.fullmatch(last):
            return True
    if len(body) < 2 or len(last) > 40 or not last.endswith(_CLOSER_LAST):
        return False
    above = body[-2].text
    joined = above + last
    # (a bracket left open on the upper line is cut, whatever the seam: （本报开罗1 / 月13日电）)
    cut = is_column_break(above, last) or (above[0] in "（(" and not set("）)") & set(above))
    return len(above) <= 60 and cut and bool(CLOSER.fullmatch(joined))


def _decided(score: float, reach: tuple[float, float], sure: float) -> bool:
    """Whether features still unknown (each in [0, 1]; together they add `reach`, `_reach`)
    leave `score` past ±sure (the trees decide inside)."""
    low, high = reach
    return score + low > sure or score + high <= -sure


def _reach(unknown: tuple[float, ...]) -> tuple[float, float]:
    """The least and the most features of these weights, each in [0, 1], can add (summed in
    a loop, not two generators: a head's article overlap asks once, ~0.6 µs less)."""
    low = high = 0.0
    for w in unknown:
        if w < 0.0:
            low += w
        else:
            high += w
    return low, high


LOG: list | None = None  # set to a list to record decisions (training/pages_eval fits on it)
FEATURES = (
    "cohesion",  # the text below goes on with the text above
    "head_cohesion",  # the head's words come back in the text below
    "lines",  # how many head lines
    "title_length",
    "column_label",  # 向前走（一线视角）
    "subhead_mark",  # 一、 （一） ● ■ 【 in front, a colon behind
    "lead_in",  # a first line ending in ——
    "prev_colon",  # the text above ends with ：
    "body_so_far",  # characters of the current article so far (thousands)
    "subheads_so_far",  # short lines already in the current article
    "next_length",  # length of the line below (hundreds)
    "head_comma",  # a comma inside the head
    "quote_head",  # the head is a quotation
    "prev_short",  # the line above is short
    "dated",  # the current article opened with a dateline
    "opener",  # the text below opens like a story: 10月4日， 近日， 记者从
    "head_space",  # a head set in two parts: 千年闽都 跃然眼前
    "prev_length",  # length of the line above (hundreds)
    "shape_seen",  # an earlier subhead of this article has the head's marks (a series)
    "length_seen",  # an earlier subhead of this article is as long (±2) as the title line
    "prev_final",  # the text above ends a sentence (。！？”)
    "place_kicker",  # the upper of two head lines names a place (浙江台州, 重庆垫江县): a kicker
    "short_pair",  # two head lines of ≤ 10 characters each: a subhead over its deck
    "title_overlap",  # share of the head's bigrams in the current article's head: a subhead
    "has_subtitle",  # the current article has a subtitle (a feature, in sections)
    "exclaims",  # ！ or ？ in the head: a subhead's voice (…我们苦点累点，不算啥！)
    "above_overlap",  # share of the head's bigrams in the article's last lines: a subhead
    "article_overlap",  # share of the head's bigrams anywhere in the article so far
)
WEIGHTS = (
    -15.808, 1.861, 1.003, -0.310, 8.358, -6.716, 0.551, -0.210, 1.347, -0.287, 0.188, -1.409,
    -0.258, -0.057, 2.911, 1.372, 0.983, -0.088, -1.890, -1.331, -0.234, 1.224, -1.192, -1.052,
    -0.520, -0.892, 1.323, -4.868,
)  # fmt: skip
# Fitted by `python -m training.pages_fit` on the development months (logistic regression, C=10,
# the heads of every page rendered with seeds 99 and 98: all chosen month out, docs/pages.md;
# refit in the seventh round with title_overlap … article_overlap, after name_line went, and at
# stop 28 when column_label came to read labels set in parts, and again on stop 28's merged rules),
# then the bias raised by 1.1 (RAISE, chosen month out among 0.8, 1.1, 1.4, twice; before on the dev
# halves): a missed title costs two bodies, a false one costs one.
BIAS = -2.026 + 1.1
if len(WEIGHTS) != len(FEATURES):  # (zipped with the features: a missing refit shifts them)
    raise ImportError(f"{len(WEIGHTS)} WEIGHTS for {len(FEATURES)} FEATURES: run pages_fit")
_TITLE_OVERLAP = FEATURES.index("title_overlap") - 2  # (its place in the page features)


def use_weights(weights: tuple[float, ...], bias: float) -> None:
    """Put a head score in place with what the early exits derive from it: the shipped one at
    import, a fold's in training (`training.month_out`, `head_words_fit`). (Weights set alone
    left the exits reading the shipped ones: month-out readings partly in-sample; stop 33.)"""
    global WEIGHTS, BIAS, _W_ABOVE, _W_ARTICLE, _W_BOTH, _BODY_REACH, _PAGE_WEIGHTS
    global _REACH_FIRST, _REACH_HEAD_COHESION, _REACH_TITLE
    WEIGHTS, BIAS = tuple(weights), bias
    # The head's overlaps with the article's body (above_overlap a, article_overlap b) are no
    # two free values: a <= b (the last lines are part of the article), so together they reach
    # only what the corners (0, 0), (0, 1), (1, 1) give; written as two weights for `_decided`.
    _W_ABOVE, _W_ARTICLE = WEIGHTS[-2:]
    _W_BOTH = _W_ABOVE + _W_ARTICLE  # what a bigram in the last lines adds to the score
    _BODY_REACH = (min(0.0, _W_ARTICLE, _W_BOTH), max(0.0, _W_ARTICLE, _W_BOTH))
    # What the features still unknown at each step can add (summed once, the same floats)
    title = WEIGHTS[_TITLE_OVERLAP + 2]
    _REACH_FIRST = _reach((*WEIGHTS[:2], title, *_BODY_REACH))
    _REACH_HEAD_COHESION = _reach((WEIGHTS[1], title, *_BODY_REACH))
    _REACH_TITLE = _reach((title, *_BODY_REACH))
    _PAGE_WEIGHTS = WEIGHTS[2:]


use_weights(WEIGHTS, BIAS)


def features(cur, heads: list[Span], items: list[tuple[Span, str, str]], at: int) -> list[float]:
    """What the page shows around bare head lines, as numbers (see FEATURES)."""
    window = window_after(items, at)
    below = codes(window)
    return [
        _cohesion(cur, below),
        _head_cohesion(heads, window, below),
        *_page_features(cur, heads, items, at),
    ]


def _cohesion(cur, below: np.ndarray) -> float:
    return overlap(window_codes([s.text for s in cur.body[-6:]], from_end=True), below)


def _head_cohesion(heads: list[Span], window: str, below: np.ndarray) -> float:
    return short_overlap("".join([h.text for h in heads])[-WINDOW:], window, below)


def _page_features(
    cur, heads: list[Span], items, at: int, body: bool = True, title: bool = True
) -> list[float]:
    texts = [h.text for h in heads]
    first, last = texts[0], texts[-1]
    head = "".join(texts)
    prev = cur.body[-1].text if cur.body else ""
    nxt = items[at][0].text
    shorts = cur.shorts
    shape = _shape(last)  # (the marks of the first line too: most heads are one line)
    top = shape if len(texts) == 1 else _shape(first)
    n = len(last)
    mine = head_bigrams(head) if body or title else frozenset()
    # (written as tests, not calls: every head the score reads pays for these)
    return [
        float(min(len(heads), MAX_HEAD_LINES)),
        n / 10,
        # (a one-line head's label: the shape's pattern said no already, most heads)
        1.0 if (shape[3] or len(texts) > 1) and any(map(closes_on_label, texts)) else 0.0,
        1.0 if top[0] or shape[0] else 0.0,
        1.0 if top[1] else 0.0,
        1.0 if prev.endswith(("：", ":")) else 0.0,
        min(cur.chars, 5000) / 1000,
        float(min(len(shorts), 5)),
        min(len(nxt), 300) / 100,
        1.0 if "，" in head or "," in head or "、" in head else 0.0,
        1.0 if head.startswith("“") else 0.0,
        1.0 if len(prev) < 30 else 0.0,
        1.0 if cur.dated else 0.0,
        1.0 if _OPENER.match(nxt) else 0.0,
        1.0 if shape[2] else 0.0,  # (_SPACED.search(last), in the cached shape)
        min(len(prev), 300) / 100,
        1.0 if True in shape and shape in _short_shapes(cur) else 0.0,
        1.0 if not cur.short_lens.isdisjoint(range(n - 2, n + 3)) else 0.0,
        1.0 if prev.endswith(("。", "！", "？", "”", "!", "?")) else 0.0,
        1.0 if len(heads) > 1 and _PLACE.fullmatch(heads[-2].text) else 0.0,
        1.0 if len(heads) == 2 and len(first) <= 10 and n <= 10 else 0.0,
        title_overlap(mine, cur) if title else 0.0,
        1.0 if cur.subtitle else 0.0,
        1.0 if _EXCLAIM.search(head) else 0.0,
        *(body_overlaps(mine, cur) if body else (0.0, 0.0)),
    ]


_EXCLAIM = re.compile(r"[！？!?]")


def _short_shapes(cur) -> set:
    """The shapes of the article's short lines, brought up to date with the lines added since
    the last call (each line's shape is found once, not once per later head)."""
    seen, shapes = cur.short_shapes
    if seen < len(cur.shorts):
        shapes.update(map(_shape, cur.shorts[seen:]))
        cur.short_shapes = (len(cur.shorts), shapes)
    return shapes


def closes_on_label(line: str) -> bool:
    """A column label closing a title, not a name with its role (叶  梅（作家）, 写信人：…); a
    label set in parts is one whatever stands before it or inside it (董必武：…（为了民族复兴·英雄
    烈士谱）, …（70年，共同走过·大国小家）): a role has no parts."""
    if line[-1] in "）)" and _PARTS_LABEL.search(line):
        return True
    return bool(_COLUMN_LABEL.fullmatch(line)) and not spaced_name(line) and "：" not in line


# (as service.lines reads a long title's closing label: a space or a middle dot between parts)
_PARTS_LABEL = re.compile(r".{4}[（(][^（）()。；;：:]*[^\s（(][\s·][^（）()。；;：:]+[）)]")


@forget_on_trim
@lru_cache(maxsize=1024)  # a page's subheads are compared with each later head
def _shape(line: str) -> tuple[bool, ...]:
    """The marks a subhead series shares: an ordinal, a colon, a lead-in dash, a space, a label."""
    # (each pattern run only on a line of its shape: a head line is new to the cache, and most
    # have none of the marks; the shapes are the patterns' first or last characters)
    first, last = line[:1], line[-1:]
    return (
        (first in SUBHEAD_FIRST or first.isdecimal() or last in _COLON)
        and bool(_SUBHEAD.fullmatch(line)),
        last == "—" and bool(LEAD_IN.fullmatch(line)),
        (" " in line or "\u3000" in line or "\xa0" in line) and bool(_SPACED.search(line)),
        last in _CLOSE_BRACKET and bool(_COLUMN_LABEL.fullmatch(line)),
        first == "“",
    )


_COLON, _CLOSE_BRACKET = frozenset("：:"), frozenset("）)")
