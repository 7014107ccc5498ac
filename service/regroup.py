"""A second look at the articles the head score opened, with the whole split in view.

The head score (`service.heads`) decides a bare head line by line, greedily, seeing a short
window of text below. Once the page is split, each article it opened can be read whole: how long
it is and the one above, whether either carries a closing credit, how much of its text takes up
the words of the article above. An article that reads as a section of the one above (a subhead
the score took for a title) is put back into it, its heads becoming subheads of the body.
The weights are a logistic regression fitted by `python -m training.regroup_fit` and kept in
`service/data/regroup.json`; without that file nothing is regrouped.
"""

from __future__ import annotations

__all__ = ["FEATURES", "features", "regroup", "MODEL"]

import json
import math
from pathlib import Path

import numpy as np

from service.cohesion import codes, shared
from service.composite import CLOSING_NAME, _absorb
from service.heads import _shape
from service.lines import BYLINE_END, BYLINE_START, CONTINUES

FEATURES = (
    "score",  # the head score that opened the article below (its value as far as computed)
    "below_chars",  # log characters of the article below
    "above_chars",  # log characters of the article above
    "below_credit",  # the article below ends on a closing credit or a writer's name
    "above_credit",  # a credit line anywhere in the article above
    "above_dated",  # the article above opened with a dateline
    "above_shorts",  # short lines inside the article above
    "below_shorts",  # short lines inside the article below
    "above_scored",  # the article above was itself opened by the score (sections in a row)
    "next_scored",  # the article after the one below was opened by the score
    "last",  # the article below is the page's last
    "below_kicker",  # the article below has a kicker or a subtitle
    "above_signed",  # the article above opened with a dateline or a credit line
    "title_length",  # the below's title line (tens of characters)
    "sibling_shape",  # its title has the marks of a neighbouring score-opened title (a series)
    "sibling_length",  # its title is as long (±2) as a neighbouring score-opened title
    "head_in_above",  # share of the below's head bigrams found in the above's text
    "title_in_below",  # share of the above's head bigrams found in the below's text
    "below_jump",  # the article below goes on on another page (下转3版): an article's own
    "shared",  # share of the below's bigrams found in the above's text
)

_PATH = Path(__file__).parent / "data" / "regroup.json"


def _load() -> tuple[list[float], float] | None:
    if not _PATH.is_file():
        return None
    data = json.loads(_PATH.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURES, "regroup.json does not match FEATURES"
    return list(data["weights"]), float(data["bias"])


MODEL = _load()  # (weights, bias); training.regroup_fit sets it to read a fit


class _Texts:
    """Each draft's body text and its bigram codes, made once for the page's boundaries."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}
        self.codes: dict[int, np.ndarray] = {}
        self.heads: dict[int, np.ndarray] = {}  # (a draft is below one boundary, above the next)

    def text(self, d) -> str:
        key = id(d)
        if key not in self.texts:
            self.texts[key] = "\n".join(s.text for s in d.body)
        return self.texts[key]

    def grams(self, d) -> np.ndarray:
        key = id(d)
        if key not in self.codes:
            self.codes[key] = codes(self.text(d))
        return self.codes[key]

    def head(self, d) -> np.ndarray:
        key = id(d)
        if key not in self.heads:
            self.heads[key] = codes(_head(d))
        return self.heads[key]


def _share(mine: np.ndarray, theirs: np.ndarray) -> float:
    """The share of `mine` (bigram codes) that `theirs` holds."""
    if not len(mine):
        return 0.0
    return shared(mine, theirs) / len(mine)


def _credited(d) -> bool:
    if not d.body:
        return False
    return BYLINE_END in d.kinds or bool(CLOSING_NAME.fullmatch(d.body[-1].text))


def _head(d) -> str:
    return "".join(s.text for s in d.kicker + d.title + d.subtitle)


# The overlaps (in [0, 1]) cost most: each is read only while it could still turn the score.
_HEAD_IN_ABOVE, _TITLE_IN_BELOW, _SHARED = (
    FEATURES.index(f) for f in ("head_in_above", "title_in_below", "shared")
)


def features(drafts: list, i: int, texts: _Texts | None = None, overlaps: bool = True) -> list:
    """What the whole split shows at the boundary above `drafts[i]` (see FEATURES); with
    `overlaps` False, the three bigram overlaps are left at 0."""
    texts = texts or _Texts()
    above, below = drafts[i - 1], drafts[i]
    a_text, b_text = texts.text(above), texts.text(below)
    nxt = drafts[i + 1] if i + 1 < len(drafts) else None
    last = below.title[-1].text if below.title else ""
    shape = _shape(last)
    siblings = [
        d.title[-1].text for d in (above, nxt) if d is not None and d.score is not None and d.title
    ]
    x = [
        max(-5.0, min(below.score or 0.0, 10.0)),
        math.log1p(len(b_text)) / 5,
        math.log1p(len(a_text)) / 5,
        float(_credited(below)),
        float(BYLINE_END in above.kinds or BYLINE_START in above.kinds),
        float(bool(above.dated)),
        float(min(len(above.shorts), 5)),
        float(min(len(below.shorts), 5)),
        float(above.score is not None),
        float(nxt is not None and nxt.score is not None),
        float(nxt is None),
        float(bool(below.kicker or below.subtitle)),
        float(bool(above.dated) or BYLINE_START in above.kinds[:2]),
        len(last) / 10,
        float(any(_shape(t) == shape for t in siblings) if any(shape) else 0.0),
        float(any(abs(len(t) - len(last)) <= 2 for t in siblings)),
        _share(texts.head(below), texts.grams(above)) if overlaps else 0.0,
        _share(texts.head(above), texts.grams(below)) if overlaps else 0.0,
        float(CONTINUES in below.kinds),
        _share(texts.grams(below), texts.grams(above)) if overlaps else 0.0,
    ]
    return x


def _decided(score: float, unknown: list[float]) -> bool:
    """Whether features still unknown, each in [0, 1] with these weights, can turn `score`."""
    return (
        score + sum(min(w, 0.0) for w in unknown) > 0
        or score + sum(max(w, 0.0) for w in unknown) <= 0
    )


def keeps(drafts: list, i: int, model: tuple[list[float], float], texts: _Texts) -> bool:
    """Whether the article `drafts[i]` stays apart. The overlaps are read one by one, the
    cheapest first, while the ones still unknown could turn the score (two boundaries in
    five need none; the shared bigrams of whole articles, which cost most, come last)."""
    weights, bias = model
    above, below = drafts[i - 1], drafts[i]
    x = features(drafts, i, texts, overlaps=False)
    score = sum(w * v for w, v in zip(weights, x, strict=True)) + bias
    w_title, w_head, w_shared = weights[_TITLE_IN_BELOW], weights[_HEAD_IN_ABOVE], weights[_SHARED]
    if _decided(score, [w_title, w_head, w_shared]):
        return score > 0
    score += w_title * _share(texts.head(above), texts.grams(below))
    if _decided(score, [w_head, w_shared]):
        return score > 0
    score += w_head * _share(texts.head(below), texts.grams(above))
    if _decided(score, [w_shared]):
        return score > 0
    return score + w_shared * _share(texts.grams(below), texts.grams(above)) > 0


def regroup(drafts: list, model: tuple[list[float], float] | None = None) -> list:
    """The drafts with each one the head score opened put back into the one above where the
    whole split reads it as that article's section. Every boundary is judged on the split as
    the splitter left it, then the merges are made."""
    model = model or MODEL
    if model is None or len(drafts) < 2:
        return drafts
    texts = _Texts()
    merge = [
        i > 0 and d.score is not None and not d.marked and not keeps(drafts, i, model, texts)
        for i, d in enumerate(drafts)
    ]
    if not any(merge):
        return drafts
    out: list = []
    for d, m in zip(drafts, merge, strict=True):
        if m:
            _absorb(out[-1], d)
        else:
            out.append(d)
    return out
