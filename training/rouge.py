"""Character ROUGE, as LCSTS and CNewSum score Chinese: no segmenter decides the score."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Rouge", "rouge", "rouge_n", "rouge_l"]


@dataclass(frozen=True)
class Rouge:
    """Precision, recall and F1 of one ROUGE measure."""

    precision: float
    recall: float
    f1: float


def _tokens(text: str) -> list[str]:
    # Characters as tokens, as LCSTS and CNewSum score Chinese: no segmenter decides the score.
    # Whitespace is layout, not content; punctuation is kept (a character like any other).
    return [c for c in text if not c.isspace()]


def _score(overlap: int, n_candidate: int, n_reference: int) -> Rouge:
    if overlap == 0:
        return Rouge(0.0, 0.0, 0.0)
    p, r = overlap / n_candidate, overlap / n_reference
    return Rouge(p, r, 2 * p * r / (p + r))


def rouge_n(candidate: str, reference: str, n: int = 1) -> Rouge:
    """ROUGE-N over character n-grams, counts clipped by the reference."""
    c, r = _tokens(candidate), _tokens(reference)
    cn = Counter(tuple(c[i : i + n]) for i in range(len(c) - n + 1))
    rn = Counter(tuple(r[i : i + n]) for i in range(len(r) - n + 1))
    return _score(sum((cn & rn).values()), sum(cn.values()), sum(rn.values()))


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            if x == y:
                cur.append(prev[j] + 1)
            else:
                cur.append(cur[j] if cur[j] > prev[j + 1] else prev[j + 1])
        prev = cur
    return prev[-1]


def rouge_l(candidate: str, reference: str) -> Rouge:
    """ROUGE-L: longest common character subsequence, F1 with beta = 1."""
    c, r = _tokens(candidate), _tokens(reference)
    return _score(_lcs(c, r), len(c), len(r))


def rouge(candidate: str, reference: str) -> dict[str, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F1 of one candidate, in points (0-100)."""
    return {
        "rouge1": 100 * rouge_n(candidate, reference, 1).f1,
        "rouge2": 100 * rouge_n(candidate, reference, 2).f1,
        "rougeL": 100 * rouge_l(candidate, reference).f1,
    }
