"""The head score's trees: where the logistic score (`service.heads`) is unsure, boosted trees
over the same features decide whether bare head lines open an article.

The logistic score adds its features up; the trees read them together (a long article, a head
that takes up its words and little cohesion below: a subhead, where each alone says little),
and month out they get more heads right (docs/pages.md). The score keeps deciding the heads it
is sure of (|score| > the band), as it did; only unsure heads pay for every feature and the
trees. Fitted with the weights by `python -m training.pages_fit --trees-out …`; without the
file the logistic score decides every head.
"""

from __future__ import annotations

__all__ = ["band", "decide", "log_odds", "off", "use", "TREES_FILE"]

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.errors import ModelError

TREES_FILE = Path(__file__).parent / "data" / "head_trees.json"

# [(the trees' log-odds as a function, band)] once read, [None] without trees. Empty until first
# needed (read lazily: most commands split no bare page).
_LOADED: list = []


def use(fitted: dict | None) -> None:
    """Put fitted trees in place (None: the logistic score decides every head)."""
    _LOADED[:] = [_compile(fitted)]


@contextmanager
def off() -> Iterator[None]:
    """The logistic score alone for a while, whatever trees are in place (a fit collects its
    heads along that path, so the shipped file never changes what is fitted)."""
    saved = list(_LOADED)
    _LOADED[:] = [None]
    try:
        yield
    finally:
        _LOADED[:] = saved


def _compile(fitted: dict | None):
    if not fitted:
        return None
    _check(fitted)
    # The trees as one function of nested tests, written out once (a loop over node lists
    # took three times as long a head). What goes into the source is checked first (`_check`):
    # ints and finite floats only, written by repr, so a tampered file cannot run code.
    # The features the trees test are read into locals first (x3 for x[3]: some 400 tests a
    # head, each then a local's read, not an indexing; a quarter off the trees' time).
    used = sorted({int(f) for tree in fitted["trees"] for f in tree["feature"] if f >= 0})
    out = [f"    x{i} = x[{i}]" for i in used]
    out.append(f"    t = {float(fitted['baseline']) + float(fitted['raise'])!r}")
    for tree in fitted["trees"]:
        _write(tree, 0, 1, out)
    source = "def trees(x):\n" + "\n".join(out) + "\n    return t\n"
    scope: dict = {"__builtins__": {}}
    exec(compile(source, str(TREES_FILE), "exec"), scope)  # numbers and tests only: _check
    return scope["trees"], float(fitted["band"])


def _write(tree: dict, i: int, depth: int, out: list[str]) -> None:
    pad = "    " * depth
    if tree["feature"][i] < 0:
        out.append(f"{pad}t += {float(tree['value'][i])!r}")
        return
    out.append(f"{pad}if x{int(tree['feature'][i])} <= {float(tree['threshold'][i])!r}:")
    _write(tree, tree["left"][i], depth + 1, out)
    out.append(f"{pad}else:")
    _write(tree, tree["right"][i], depth + 1, out)


MAX_DEPTH = 32  # far past any fitted tree (depth 4 shipped); a deeper path is a broken file


def _refuse(why: str) -> ModelError:
    return ModelError(
        f"{TREES_FILE.name}: {why}; refit it with `python -m training.pages_fit --trees-out …` "
        "or remove it (the logistic score then decides every head)",
        field="head_trees",
    )


def _number(value: object, what: str) -> float:
    """A finite float (an int will do; a bool, a string or anything else is refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _refuse(f"{what} must be a finite number, got {value!r:.60}")
    return float(value)


def _index(value: object, n: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n:
        raise _refuse(f"{what} must be an int in [0, {n}), got {value!r:.60}")
    return value


def _check(fitted: object) -> None:
    """Refuse (ModelError) trees that are not what `training.pages_fit.fit_trees` writes:
    numbers finite, feature indices in range, each tree's nodes reachable from its root
    along child indices in range, no path longer than MAX_DEPTH (so no cycle)."""
    from service.heads import FEATURES  # (heads reads this module: imported when checked)

    if not isinstance(fitted, dict) or not isinstance(fitted.get("trees"), list):
        raise _refuse("not a trees object (baseline, raise, band, trees)")
    for key in ("baseline", "raise", "band"):
        _number(fitted.get(key), key)
    if fitted["band"] < 0:
        raise _refuse(f"band must be >= 0, got {fitted['band']!r}")
    for k, tree in enumerate(fitted["trees"]):
        lists = [tree.get(f) if isinstance(tree, dict) else None for f in _NODE_FIELDS]
        if not all(isinstance(v, list) for v in lists) or len({len(v) for v in lists}) != 1:
            raise _refuse(f"tree {k}: {', '.join(_NODE_FIELDS)} must be lists of one length")
        n = len(tree["feature"])
        if not n:
            raise _refuse(f"tree {k} has no nodes")
        stack = [(0, 1)]  # (node, its depth): every node the compiled tree reads
        while stack:
            i, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise _refuse(f"tree {k} is deeper than {MAX_DEPTH} (a cycle in its nodes?)")
            where = f"tree {k} node {i}"
            feature = tree["feature"][i]
            if isinstance(feature, int) and not isinstance(feature, bool) and feature < 0:
                _number(tree["value"][i], f"{where} value")  # a leaf
                continue
            _index(feature, len(FEATURES), f"{where} feature")
            _number(tree["threshold"][i], f"{where} threshold")
            stack.append((_index(tree["left"][i], n, f"{where} left"), depth + 1))
            stack.append((_index(tree["right"][i], n, f"{where} right"), depth + 1))


_NODE_FIELDS = ("feature", "threshold", "left", "right", "value")


def _model():
    if not _LOADED:
        try:
            fitted = json.loads(TREES_FILE.read_text("utf-8")) if TREES_FILE.is_file() else None
        except (ValueError, OSError) as exc:  # (UnicodeDecodeError and JSONDecodeError too)
            raise _refuse(f"unreadable ({exc})") from exc
        _LOADED.append(_compile(fitted))
    return _LOADED[0]


def band() -> float:
    """How sure the logistic score must be to decide alone (0 without trees: it decides all)."""
    model = _model()
    return model[1] if model else 0.0


def log_odds(x: list[float]) -> float:
    """The trees' log-odds (the raise added) that the head opens an article."""
    return _model()[0](x)


def decide(x: list[float], score: float) -> bool:
    """Does the head open an article, given all its features and the logistic score?"""
    model = _model()
    if model is None or abs(score) > model[1]:
        return score > 0
    return model[0](x) > 0
