"""The review flag: whether a desk editor should look at a label before it is filed.

A result is flagged when its top probability is under that label's threshold (chosen at
training on month-held-out newspaper predictions so that unflagged results stay ≥ 95% correct on
a month left out — training.review; stored in the model's manifest), or when the text is too
short or too foreign for any label to mean much.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["HAN", "LOW_SCORE", "MIN_HAN", "THIN_TEXT", "flags", "reasons", "thin", "too_thin"]

# Why a result is flagged (`review_reasons`, in this order): its top probability is under its
# label's threshold; the text is too short or too foreign to file.
LOW_SCORE, THIN_TEXT = "low_score", "thin_text"
_WHY = {
    (False, False): (),
    (True, False): (LOW_SCORE,),
    (False, True): (THIN_TEXT,),
    (True, True): (LOW_SCORE, THIN_TEXT),
}

# Fewer Chinese characters than this (title and the body's opening) is a greeting, a headline or a
# line, not an article: the desks are defined by an article's subject, which it cannot carry.
MIN_HAN = 30
# Only the opening is read (what the model reads most of): the check costs per character.
_OPENING = 300
# Code-point ranges: Han (CJK unified ideographs, extension A, compatibility, and the planes of
# extensions B–H: rare characters of names and places) and the letters of the scripts a newsroom
# feed brings besides (Latin, its full-width forms as GB text sets them, Greek, Cyrillic, kana,
# Hangul).
HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))
_OTHER_LETTERS = (
    (0x41, 0x5A),
    (0x61, 0x7A),
    (0xFF21, 0xFF3A),
    (0xFF41, 0xFF5A),
    (0xC0, 0x24F),
    (0x370, 0x4FF),
    (0x3040, 0x30FF),
    (0xAC00, 0xD7AF),
)

# Hiragana is Japanese grammar (の, は, を): none in the corpora's 18,508 Chinese texts, while a
# Japanese article's kanji often outnumber its kana (it was filed as education, score 1.0). A
# text with this many hiragana per Han character is Japanese, whatever its kanji say.
_HIRAGANA = ((0x3041, 0x309F),)
HIRAGANA_SHARE = 0.05  # (a Chinese article quoting a Japanese title stays under it)


def _count(points: np.ndarray, owner: np.ndarray, ranges, n: int) -> np.ndarray:
    hit = np.zeros(len(points), dtype=bool)
    for lo, hi in ranges:
        hit |= (points >= lo) & (points <= hi)
    return np.bincount(owner[hit], minlength=n)


def thin(items: Sequence[tuple[str, str]]) -> np.ndarray:
    """For each (title, body): True when the title and the body's opening hold under MIN_HAN
    Chinese characters, or under half of their letters are Chinese (English, kana, …), or
    they read as Japanese (hiragana over HIRAGANA_SHARE of the Han characters).

    One vectorised pass over the batch: a per-character regex cost as much as the char n-grams.
    """
    texts = [f"{t}\n{b[:_OPENING]}" for t, b in items]
    if not texts:
        return np.zeros(0, dtype=bool)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    points = np.frombuffer(joined, dtype="<u4")
    owner = np.repeat(np.arange(len(texts)), lengths)
    han = _count(points, owner, HAN, len(texts))
    other = _count(points, owner, _OTHER_LETTERS, len(texts))
    kana = _count(points, owner, _HIRAGANA, len(texts))
    return (han < MIN_HAN) | (han < other) | (kana > HIRAGANA_SHARE * han)


def too_thin(title: str, body: str) -> bool:
    """`thin` for one article."""
    return bool(thin([(title, body)])[0])


def reasons(
    items: Sequence[tuple[str, str]],
    labels: Sequence[str],
    proba: np.ndarray,
    thresholds: Mapping[str, float],
) -> list[tuple[str, ...]]:
    """Why each item needs review (LOW_SCORE, THIN_TEXT, both), () when it does not."""
    if not len(items):
        return []
    cut = np.asarray([float(thresholds.get(lab, 0.0)) for lab in labels])
    top = proba.argmax(axis=1)
    low = proba[np.arange(len(top)), top] < cut[top]
    return [_WHY[k] for k in zip(low.tolist(), thin(items).tolist(), strict=True)]


def flags(
    items: Sequence[tuple[str, str]],
    labels: Sequence[str],
    proba: np.ndarray,
    thresholds: Mapping[str, float],
) -> list[bool]:
    """`review` for each item: top probability under its label's threshold, or too thin text."""
    return [bool(why) for why in reasons(items, labels, proba, thresholds)]
