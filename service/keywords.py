"""Keywords: an article's words ranked by TF-IDF with the desk model's own idf, with spans.

The word block of the desk model already knows how rare each word is across the training news
(its idf). A keyword is a readable word of the whole text (title and body), not a stop word or
newsroom furniture, weighted tf² × idf with the head line's words counted three times (HEAD_COUNT,
TF_POWER: what an article names in its head and keeps coming back to), L2-normalised over the
article's words. Names and
terms of the newsroom dictionary are always candidates: one the model never saw gets the highest
idf it knows (rarer than anything it saw twice); any other word it never saw (a person's name,
mostly) gets the median idf, as jieba's extract_tags does.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence

import numpy as np

from .documents import Term
from .errors import ModelError
from .model import DeskModel, WordTfidf
from .placing import group, per_reading, terms_json, terms_of
from .reading import Reading, WordBatch, is_readable

__all__ = ["STOP_WORDS", "keywords", "keywords_all", "word_block"]

# Words that carry no subject: function words, reporting verbs, time words, and the furniture
# of a news item (credits, datelines). TF-IDF ranks most of them low; these are the ones whose
# idf is still high enough to surface in a short item.
STOP_WORDS = frozenset(
    """
    我们 你们 他们 她们 它们 自己 大家 这个 那个 这些 那些 这样 那样 这里 那里 这种 其中
    一个 一些 一种 一是 二是 三是 四是 五是 以及 以来 以上 以下 以后 以前 之一 之后 之间 之中
    进行 通过 已经 正在 没有 还是 就是 不是 可以 能够 需要 应该 必须 同时 目前 今年 去年 明年
    当前 近日 日前 今天 昨天 此前 此外 另外 因此 所以 但是 而且 并且 或者 如果 虽然 因为 为了
    对于 关于 根据 按照 由于 随着 其他 其它 有关 相关 有些 很多 更加 不断 一直 一起 一样 一定
    表示 指出 认为 说道 介绍 据悉 了解 记者 本报 本报讯 本报记者 通讯员 编辑 责任编辑 新华社
    消息 报道 日电 来源 摄影 图片 视频 上午 下午 晚上 期间 方面 情况 工作 问题 时候 时间 地方
    编者按 作者 我市 我省 我区 我县 本市 本省
    主席 副主席 总理 副总理 总书记 书记 副书记 主任 副主任 同志 总统 副总统 首相 外长 部长
    副部长 省长 市长 县长 区长 局长 厅长 院长 校长 董事长 总经理 秘书长 委员长 司令员 政委 国务卿
    亿元 万元 千元 亿美元 万美元 万人 万吨 万亩 公里 千米 公斤 平方米 平方公里 人次 万人次
    百分点 周年 季度 日起 日晚 年来 号线
    """.split()
)
# (Lines 5-8 above: newsroom deixis (我市: the paper's own city, no place), a person's title
# alone (主席 of 习近平主席: the name is the keyword), and units and their fragments left by
# a number the segmenter cut off (70|周年, 5.8|亿元, 6月15|日起, 18|号线).)
# How a keyword is weighed: (its count, a head line's word counted HEAD_COUNT times)^TF_POWER ×
# idf. Chosen on the tuning half of `make evaluate-keywords` (editors' 核心阅读 words found in
# the top 5: raw tf 0.591, tf² 0.629 with the head counted once, 0.645 with it counted three
# times; a plateau of 0.645–0.658 for head ×3–×4 and powers 2–4): an article names its subject
# in its head and keeps coming back to it, and idf alone lifted words said once.
HEAD_COUNT = 3
TF_POWER = 2
_NUMERIC = re.compile(r"[\d０-９.%％,，:：/\-年月日号时分秒万亿千百十余多第]+")


def word_block(model: DeskModel) -> WordTfidf:
    """The model's word TF-IDF block, whose vocabulary and idf weigh keywords: its own keyword
    block (fitted on whole training texts), else a word block of the desk features."""
    own = getattr(model, "keywords_block", None)  # absent from model files made before it
    if own is not None:
        return own
    for block in model.blocks:
        if isinstance(block, WordTfidf):
            return block
    raise ModelError(
        "this model has no word TF-IDF block to weigh keywords with; retrain with `make train`",
        field="keywords",
    )


def _dictionary(block: WordTfidf) -> frozenset[str]:
    segment = getattr(block.tokenizer, "segment", None)
    return frozenset(w for w, _, _ in getattr(segment, "userdict", ()))


_DERIVED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# A count or an ordinal in words: 十一次 (of 十一届十一次全会), 三项, 两个, 两年, 三季度, 第十七届,
# 第二批 — a number, however rare its idf.
_COUNTED = re.compile(
    r"第?[〇零一二三四五六七八九十百千万亿两\d０-９]+(?:[次届个名项条位家批轮期年]|季度|周年)"
)


def _plain(word: str) -> bool:
    """A word that can be a keyword on its own merits: readable, no stop word, no number."""
    return (
        is_readable(word)
        and word not in STOP_WORDS
        and not _NUMERIC.fullmatch(word)
        and not _COUNTED.fullmatch(word)
    )


def _weigher(block: WordTfidf) -> Callable[[str], float]:
    """word → the idf it weighs with as a keyword (0: it cannot be one), one function per
    block: the word table keeps its answers (`WordBatch.judged`), each word judged once."""
    found = _DERIVED.get(block)
    if found is None:
        idf = block.idf_.astype(float)
        top, median = (float(idf.max()), _median(idf)) if len(idf) else (1.0, 1.0)
        dictionary = _dictionary(block)
        vocabulary, lower = block.vocabulary_, block.lowercase

        def idf_of(word: str) -> float:
            known = word in dictionary
            if not known and not _plain(word):
                return 0.0
            column = vocabulary.get(word.lower() if lower else word, -1)
            if column >= 0:
                return float(idf[column])
            return top if known else median

        found = _DERIVED[block] = idf_of
    return found


def _median(values: np.ndarray) -> float:
    """`float(np.median(values))` of a 1-D float array, without np.median's check for a masked
    array, which imports numpy.ma (35 ms of the start of every run asked for keywords)."""
    n = len(values)
    part = np.partition(values, [(n - 1) // 2, n // 2, n - 1])  # as np.median: NaN last
    if np.isnan(part[-1]):  # then np.median says NaN
        return float("nan")
    if n % 2:
        return float(part[n // 2])
    return float((part[n // 2 - 1] + part[n // 2]) / 2)


def keywords(reading: Reading, model: DeskModel, k: int) -> tuple[Term, ...]:
    """The k top words of the whole reading by TF-IDF, with spans (one Term per field)."""
    return keywords_all([reading], model, k)[0]


def keywords_all(
    readings: Sequence[Reading],
    model: DeskModel,
    k: int,
    batch: WordBatch | None = None,
    render: bool = False,
) -> list:
    """`keywords` of each reading, chosen for the whole batch at once (`batch`: the readings'
    WordBatch, when the caller has it already; `render`: each reading's as its JSON text)."""
    if k <= 0 or not readings:
        return ["[]" if render else () for _ in readings]
    batch = batch or WordBatch.of(readings)
    idf = batch.judged(_weigher(word_block(model)), np.float64)
    # A word of the head line counts HEAD_COUNT times; a wanted word weighs > 0 (an idf is ≥ 1),
    # an unwanted one 0.
    body_at = np.fromiter((r.parts[-1].offset for r in readings), np.int64, len(readings))
    counted = np.where(batch.starts < body_at[batch.doc], float(HEAD_COUNT), 1.0)
    tf = np.bincount(batch.pair, weights=counted, minlength=len(batch.pair_id))
    weight = tf**TF_POWER * idf[batch.pair_id]
    norms = np.sqrt(np.bincount(batch.pair_doc, weights=weight * weight, minlength=len(readings)))
    norms[norms == 0] = 1.0
    best = batch.top(weight, k + 8)  # ties: by word, below
    ranked: list[list[tuple[float, str, int]]] = [[] for _ in readings]
    names = batch.names
    columns = (best, batch.pair_doc[best], batch.pair_id[best], weight[best])
    for p, i, g, w in zip(*(c.tolist() for c in columns), strict=True):
        ranked[i].append((-w, names[g], p))
    ranked = [sorted(terms)[:k] for terms in ranked]
    chosen = np.asarray([p for terms in ranked for _, _, p in terms], np.int64)
    norms = norms.tolist()
    share = [-w / norms[i] for i, terms in enumerate(ranked) for w, _, _ in terms]
    at, term = batch.grouped(chosen)
    part, fit, span = batch.layout.place(batch.doc[at], batch.starts[at], batch.sizes[at])
    placed = group(term, part, span, keep=fit)  # a field the word fits in, spans or none
    make = terms_json if render else terms_of
    found = make(placed, [word for terms in ranked for _, word, _ in terms], share)
    docs = batch.pair_doc[chosen][placed.term]
    bounds = np.searchsorted(docs, np.arange(len(readings) + 1)).tolist()
    return per_reading(found, bounds, render)
