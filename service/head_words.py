"""What a bare head says: the log-odds, from its wording's form alone, that it opens an article.

People's Daily subheads and titles differ in wording habits (subheads: parallel slogans,
坚持…/推动…, 一是…, a colon or a comma inside; titles: 关于…, …召开, quotes, a column label).
A small logistic regression over the form of a head's lines — the first and last character and
bigram of each line, the marks, digits and letters inside, the number of lines and a length
bucket; no inner words, which are a month's topics (疫情, 国庆) — gives one feature of the page
score (`service.heads`, `wording`). Fitted by `python -m training.head_words_fit --ship` on the
development months' heads; the weights are a JSON file (data, no code) read once at import.
"""

from __future__ import annotations

__all__ = ["tokens", "log_odds", "load", "DATA"]

import json
from functools import lru_cache
from pathlib import Path

from service.errors import ModelError

DATA = Path(__file__).with_name("data") / "head_words.json"
_LENGTHS = (4, 6, 8, 10, 12, 15, 20)  # length buckets of the joined head


def tokens(lines: tuple[str, ...]) -> list[str]:
    """A head's form: each line's first and last character and bigram (^坚, ^坚持, 开$, 召开$),
    every character that is not a Han character (marks, digits, letters), its number of lines
    and its length bucket (spaces left out: print spacing says nothing here)."""
    out = [f"#L{min(len(lines), 3)}"]
    size = 0
    for line in lines:
        text = "".join(line.split())
        if not text:
            continue
        size += len(text)
        out += ["^" + text[0], text[-1] + "$", "^" + text[:2], text[-2:] + "$"]
        out += ["P" + ch for ch in text if not "\u4e00" <= ch <= "\u9fff"]
    out.append(f"#N{sum(size > n for n in _LENGTHS)}")
    return out


def load(path: Path = DATA) -> tuple[dict[str, float], float]:
    """The weights and intercept of a JSON file {"bias": b, "weights": {token: w}}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        return weights, float(data["bias"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ModelError(f"head words file {path}: {e}") from e


WEIGHTS, BIAS = load()


@lru_cache(maxsize=1024)  # a page's heads are scored once each, a run's lines as one key
def log_odds(lines: tuple[str, ...]) -> float:
    """The wording's log-odds that the head opens an article."""
    get = WEIGHTS.get
    return BIAS + sum(get(t, 0.0) for t in tokens(lines))
