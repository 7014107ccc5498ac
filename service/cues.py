"""The LABELS.md cues the desk model reads beside its n-grams: binary columns, each a pattern of
how a desk's writing is framed that n-gram counts alone miss, and where each fires in a text.
A model reads the cues its config lists (`CueBlock.names`), in that order."""

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
# A national leader by name (EXPERIMENTS.md, YEARS4): the Politburo Standing Committee members
# of the 16th–20th Central Committees (2002–2027) and the state (vice) presidents of those years,
# from public record. An n-gram of a name the fit never saw weighs nothing; one column shared by
# every name carries what the training years' names learned to the others. 汪洋 and 黄菊 are
# words too (一片汪洋, 黄菊花).
LEADERS = (
    "江泽民 胡锦涛 吴邦国 温家宝 贾庆林 曾庆红 黄菊 吴官正 李长春 罗干 习近平 李克强 贺国强 "
    "周永康 张德江 俞正声 刘云山 王岐山 张高丽 李源潮 栗战书 汪洋 王沪宁 赵乐际 韩正 李强 "
    "蔡奇 丁薛祥 李希"
).split()
_AS_WORD = {"汪洋": r"(?<![一片成])汪洋(?!大海|恣肆)", "黄菊": r"黄菊(?!花)"}
# The lookahead of first characters changes no match; it lets `re` skip to where a name can
# start (a branch opening with a lookbehind, 汪洋's, otherwise turns that off: ~15× slower).
NATIONAL_LEADER = re.compile(
    f"(?=[{''.join(sorted({n[0] for n in LEADERS}))}])"
    f"(?:{'|'.join(_AS_WORD.get(n, n) for n in LEADERS)})"
)

# A mask (EXPERIMENTS.md, YEARS5): what a char block reads with each match of a pattern put as
# MASK_MARK, character for character, so "习近平主持" and "胡锦涛主持" give the same n-grams and
# a text keeps its length (evidence offsets into the input stay right). A private-use
# character: no news text holds it, and lower() leaves it. A model's char block names its mask.
MASK_MARK = "\ue000"
MASKS = {"national_leader": NATIONAL_LEADER}


def _marks(m: re.Match) -> str:
    return MASK_MARK * (m.end() - m.start())


def masked(texts: Sequence[str], mask: str) -> list[str]:
    """`texts` with every match of the mask `mask` (a name in MASKS) marked out, lengths kept."""
    pattern = MASKS.get(mask)
    if pattern is None:
        raise ValueError(f"unknown mask {mask!r}: one of {', '.join(MASKS)}")
    # One pass over the batch joined by "\n" (which no name holds and no guard reads as a
    # word): a pass per text costs more; the lengths kept say where each text is again.
    joined = pattern.sub(_marks, "\n".join(texts))
    out, at = [], 0
    for t in texts:
        out.append(joined[at : at + len(t)])
        at += len(t) + 1
    return out


def _in_title(pattern: re.Pattern):
    def find(title: str, body: str) -> tuple[int, int] | None:
        m = pattern.search(title)
        return m.span() if m else None

    return find


def _in_opening(pattern: re.Pattern, title_too: bool = False):
    def find(title: str, body: str) -> tuple[int, int] | None:
        m = pattern.search(title) if title_too else None
        if m:
            return m.span()
        m = pattern.search(body, 0, _LEAD_CHARS)
        skip = len(title) + 1
        return (m.start() + skip, m.end() + skip) if m else None

    return find


def _signed(title: str, body: str) -> tuple[int, int] | None:
    at = max(len(body) - _TAIL_CHARS, 0)
    m = _SIGNED.search(body, at)
    skip = len(title) + 1
    return (m.start() + skip, m.end() + skip) if m else None


# Every cue this module knows: name → where it fires in (title, body), [start, end) in the
# composed text. A model's config lists the ones it reads.
_FIND = {
    "title_series": _in_title(_SERIES),
    "official_activity": _in_opening(_OFFICIAL_ACTIVITY),
    "title_tag": _in_title(_TITLE_TAG),
    "signed": _signed,
    "national_leader": _in_opening(NATIONAL_LEADER, title_too=True),
}
CUE_NAMES = tuple(_FIND)
# The cues of every model before a model named its own (model files without `names` read these).
BASE_CUES = CUE_NAMES[:4]


def _finders(names: Sequence[str]) -> list:
    unknown = [n for n in names if n not in _FIND]
    if unknown:
        raise ValueError(f"unknown cue {unknown[0]!r}: one of {', '.join(CUE_NAMES)}")
    return [_FIND[n] for n in names]


def cues(texts: Sequence[str], names: Sequence[str] = BASE_CUES) -> np.ndarray:
    """The binary cues `names` of composed texts, in that order."""
    finders = _finders(names)
    out = np.zeros((len(texts), len(finders)), dtype=np.float64)
    for i, text in enumerate(texts):
        title, _, body = text.partition("\n")
        for j, find in enumerate(finders):
            if find(title, body) is not None:
                out[i, j] = 1.0
    return out


def cue_spans(text: str, names: Sequence[str] = BASE_CUES) -> tuple[tuple[int, int] | None, ...]:
    """Where each cue of `cues` fires in one composed text ([start, end) in it), None if not."""
    title, _, body = text.partition("\n")
    return tuple(find(title, body) for find in _finders(names))


class CueBlock:
    """The binary cue columns, unweighted, as the pipeline's cue step gives them."""

    names: tuple[str, ...] = BASE_CUES  # a model file from before the list reads these

    def __init__(self, names: Sequence[str] | None = None) -> None:
        # Only a list other than the base one is stored: a model of the base cues writes the
        # same bytes it did before cues were listed (`make train` reproduces the manifest).
        if names is not None and tuple(names) != BASE_CUES:
            _finders(names)
            self.names = tuple(names)

    @property
    def n_features(self) -> int:
        return len(self.names)

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        return cues(texts, self.names)

    def terms(self, texts: Sequence[str]) -> np.ndarray:
        return cues(texts, self.names)
