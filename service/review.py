"""The review flag: whether a desk editor should look at a label before it is filed.

A result is flagged when its top probability is under that label's threshold (chosen on the
newspaper calibration split so that unflagged results are ≥ 95% correct, stored in the model's
manifest), or when the text is too short or too foreign for any label to mean much.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["MIN_HAN", "flags", "too_thin"]

# Fewer Chinese characters than this (title and body together) is a greeting, a headline or a
# line, not an article: the desks are defined by an article's subject, which it cannot carry.
MIN_HAN = 30
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")  # any script's letters (Latin, kana, Han …)


# Only the opening is read (what the model reads most of): the check costs per character.
_OPENING = 300


def too_thin(title: str, body: str) -> bool:
    """True when the title and the body's opening hold under MIN_HAN Chinese characters, or
    under half of their letters are Chinese (English, Japanese kana, …)."""
    text = f"{title}\n{body[:_OPENING]}"
    han = len(_HAN.findall(text))
    return han < MIN_HAN or han < 0.5 * len(_LETTER.findall(text))


def flags(
    items: Sequence[tuple[str, str]],
    labels: Sequence[str],
    proba: np.ndarray,
    thresholds: Mapping[str, float],
) -> list[bool]:
    """`review` for each item: top probability under its label's threshold, or too thin text."""
    cut = np.asarray([float(thresholds.get(lab, 0.0)) for lab in labels])
    top = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
    low = proba[np.arange(len(top)), top] < cut[top] if len(top) else np.zeros(0, dtype=bool)
    return [bool(lo) or too_thin(t, b) for lo, (t, b) in zip(low.tolist(), items, strict=True)]
