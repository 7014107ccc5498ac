"""Whether a line the column-break test would join to the next one ended a printed paragraph:
a fitted reading of the seam (`training.seam_fit`), for lines ending on a word, not a mark.

A deck or pull quotation over the story (精益求精、不懈努力，编辑们在“苦”中领略到诸多乐趣), a
subhead holding a comma, or a toast's line ends on no punctuation, as a paragraph the column cut
does; the words at the seam tell them apart: a cut falls anywhere in running text, a printed
end where a clause ends and the next paragraph opens as a sentence opens (本报北京…, 在…, 记者…).
Read in body cleaning's join only (`service.paragraph_ends`), after the page pass.
"""

from __future__ import annotations

__all__ = ["SEAMS_FILE", "ends_printed", "features", "off", "reads"]

import json
import math
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

SEAMS_FILE = Path(__file__).with_name("data") / "seams.json"
LONGEST = 29  # the longest upper line read: past it a cut is likelier, and each read costs time
FIRST_LONGEST = 100  # as the body's first line (a deck or pull quotation: one read an article)
# How a report's paragraph opens: a dateline's paper or agency, the reporter, a time, 在….
_OPENS_REPORT = re.compile(r"本报|新华社|记者|近日|日前|今年|去年|\d+月\d+日|在")
# Marks and digits read in the forms the reading was fitted on: a page typed or converted with
# `,` `;` `:` `(` `)` (the Guiyang Daily sample prints them) or ０１２ ends its seams alike.
_WIDE = str.maketrans(",;:()?!０１２３４５６７８９", "，；：（）？！0123456789")


def reads(prev: str, nxt: str, first: bool, longest: int = 0) -> bool:
    """The seams the fitted reading is asked about: an upper line of at most LONGEST characters
    (FIRST_LONGEST as the body's first line; `longest` if given) ending on a Han character, over
    a line opening on one (a mark at the seam says more)."""
    return (
        len(prev) <= (longest or (FIRST_LONGEST if first else LONGEST))
        and "\u4e00" <= prev[-1] <= "\u9fff"
        and ("\u4e00" <= nxt[0] <= "\u9fff" or nxt[0] in "“《（(0123456789０１２３４５６７８９")
    )


def features(prev: str, nxt: str, first: bool) -> tuple[str, ...]:
    """The seam's features: the upper line's first two and last three characters, the lower's
    first three and last one, the pair across, both lines' lengths, the upper's clause count,
    whether the lower opens as a report does (本报…, 记者…, a date) and whether the upper is the
    body's first line (a deck stands there)."""
    # Only the characters read are put in the fitted forms (translating whole lines, a
    # paragraph below most often, was ~2% of a bare page; the map keeps lengths, and `\d` and
    # the report's openings read both forms alike): the upper's ends, the lower's.
    head, tail = prev[:2].translate(_WIDE), prev[-3:].translate(_WIDE)
    below = nxt[:3].translate(_WIDE)
    last, opens = tail[-1], below[0]
    return (
        "s" + head[0],
        "S" + head,
        "a" + last,
        "A" + tail[-2:],
        "3" + tail,
        "b" + opens,
        "B" + below[:2],
        "4" + below,
        "e" + nxt[-1].translate(_WIDE),
        "x" + last + opens,
        _LENGTH[min(len(prev) // 5, 12)],
        _NEXT_LENGTH[min(len(nxt) // 20, 10)],
        _CLAUSES[min(prev.count("，") + prev.count(",") + prev.count("、"), 3)],
        "d" if _OPENS_REPORT.match(nxt) else "-",
        "f" if first else "m",
    )


# (the bins' names made once: a seam is read per cut piece of every page)
_LENGTH = tuple(f"n{k}" for k in range(13))
_NEXT_LENGTH = tuple(f"q{k}" for k in range(11))
_CLAUSES = tuple(f"c{k}" for k in range(4))


def ends_printed(prev: str, nxt: str, first: bool, threshold: float | None = None) -> bool:
    """True when the fitted reading says `prev` ended a printed paragraph (call where `reads`):
    its log-odds past the fitted threshold, or past `threshold` if given."""
    weights, bias, fitted = _OFF[0] or _model()
    if not weights:
        return False
    limit = fitted if threshold is None else threshold
    return sum(map(weights.get, features(prev, nxt, first), _ZEROS), bias) > limit


_ZEROS = (0.0,) * 15  # (a feature the fit left out weighs nothing)


_OFF: list = [None]  # the reading set aside (training.seam_fit collects without it)


@contextmanager
def off():
    """Body cleaning as it is without the fitted reading, for the block's length."""
    _OFF[0] = ({}, 0.0, 0.0)
    try:
        yield
    finally:
        _OFF[0] = None


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, float], float, float]:
    """The shipped weights (data only: names and numbers), or none when the file is absent."""
    if not SEAMS_FILE.exists():
        return {}, 0.0, 0.0
    fitted = json.loads(SEAMS_FILE.read_text(encoding="utf-8"))
    weights = {str(k): float(v) for k, v in fitted["weights"].items()}
    bias, threshold = float(fitted["bias"]), float(fitted["threshold"])
    if not all(map(math.isfinite, (bias, threshold, *weights.values()))):
        raise ValueError(f"{SEAMS_FILE}: a weight that is not a finite number")
    return weights, bias, threshold
