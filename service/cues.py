"""The LABELS.md cues the desk model reads beside its n-grams: four binary columns, each a pattern
of how a desk's writing is framed that n-gram counts alone miss, and where each fires in a text."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# LABELS.md: numbered commentary series (一论…九论) and "论学习贯彻…" subtitles mark opinion
# writing even where the byline (本报评论员) has been stripped from the body.
_SERIES = re.compile(r"[一二三四五六七八九十]+论|论学习贯彻")
# LABELS.md leadership: an official's 座谈/调研/招商… as the opening subject. The training news
# names national leaders; a local daily opens with "省委常委、市委书记X…举行座谈".
_OFFICIAL_ACTIVITY = re.compile(
    r"(书记|省长|市长|州长|县长|区长|常委)[^，。,]{0,15}"
    r"(会见|会谈|座谈|调研|考察|视察|主持|出席|看望|慰问|率队|招商)"
)
_LEAD_CHARS = 150  # the opening of the body, where the main subject is named
# LABELS.md: "signed essays and columns that argue a view (大使随笔, 观象台, 人民论坛 …) are
# commentary". A newspaper marks a column with a bracketed name on the title line (（人民时评）,
# （大使随笔）); other pages use the same mark for features (（解码）), so it is a cue the model
# weighs, not a rule. A signed essay ends with its author's affiliation (（作者为…）).
_TITLE_TAG = re.compile(r"[（(][^（）()]{2,8}[）)]")
_SIGNED = re.compile(r"作者为|作者单位|作者系")
_TAIL_CHARS = 120  # the body's end, where a signed essay names its author
CUE_NAMES = ("title_series", "official_activity", "title_tag", "signed")


def cues(texts: Sequence[str]) -> np.ndarray:
    """The binary LABELS.md cues of composed texts, in CUE_NAMES order."""
    out = np.zeros((len(texts), len(CUE_NAMES)), dtype=np.float64)
    for i, text in enumerate(texts):
        title, _, body = text.partition("\n")
        out[i, 0] = 1.0 if _SERIES.search(title) else 0.0
        out[i, 1] = 1.0 if _OFFICIAL_ACTIVITY.search(body[:_LEAD_CHARS]) else 0.0
        out[i, 2] = 1.0 if _TITLE_TAG.search(title) else 0.0
        out[i, 3] = 1.0 if _SIGNED.search(body[-_TAIL_CHARS:]) else 0.0
    return out


def cue_spans(text: str) -> tuple[tuple[int, int] | None, ...]:
    """Where each cue of `cues` fires in one composed text ([start, end) in it), None if not."""
    title, _, body = text.partition("\n")
    series = _SERIES.search(title)
    activity = _OFFICIAL_ACTIVITY.search(body[:_LEAD_CHARS])
    tag = _TITLE_TAG.search(title)
    tail = body[-_TAIL_CHARS:]
    signed = _SIGNED.search(tail)
    skip = len(title) + 1
    at_tail = skip + len(body) - len(tail)
    return (
        series.span() if series else None,
        (activity.start() + skip, activity.end() + skip) if activity else None,
        tag.span() if tag else None,
        (signed.start() + at_tail, signed.end() + at_tail) if signed else None,
    )


class CueBlock:
    """The binary cue columns, unweighted, as the pipeline's cue step gives them."""

    n_features = len(CUE_NAMES)

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        return cues(texts)

    def terms(self, texts: Sequence[str]) -> np.ndarray:
        return cues(texts)
