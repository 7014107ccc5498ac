"""The learned second look at heads left inside a body on bare pages (issue 11, stop 55, helper
i188): its examples, fits and readings; the rule itself is `training.left_heads`.

Stops 53 and 54 looked again at the articles the splitter opened (joining them back) and failed.
Month out, the development months' largest error group is the other way round: a title glued
into the article above (90 heads: 90 titles and 163 bodies), 80 of them a run of short lines
right under a paragraph that ends a sentence, over running text — the shape of an in-body
subhead, which the head score (a window around the head) turned down.

Every such run the splitter leaves once the rules after the pass are done
(`training.left_heads.candidates`) is one example, labelled by the page's make-up (one of its
lines lies on a true article's head lines: `joins_fit.true_heads`), its features
`training.left_heads.FEATURES`; a logistic regression (C 1, standardised) is fitted on them, and
a run it reads as a head with probability ≥ `OPEN_AT` is opened (`left_heads.open_left`). Month
out, each month is read under its fold's parts (`training.month_out --cache`) with a model
fitted on the other two months' runs under those parts; `--write` fits on all three months under
the shipped parts (the file branch `i188-hook` reads).

    python -m training.opens_fit --month-out FOLDS --cache EXAMPLES [--json FILE]
    python -m training.opens_fit --halves [--json FILE]
    python -m training.opens_fit --write FILE   # fitted on all three (branch i188-hook ships it)

The test month is never read.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.joins_fit import articles_of, drafts_of, logistic, true_heads
from training.left_heads import FEATURES, open_left, runs_of
from training.pages_eval import DEV_MONTHS, halves, load_pages, render, score

SEEDS = (99,)  # the examples' pages rendered as pages_fit's are (not the figures' seed 11)
EVAL_SEED = 11
C = 1.0
# Opened when the model gives a head ≥ 0.4: a right open gains the title, its body and the body
# above (up to 3), a wrong one costs the body it cuts (1), so 0.25 would break even on calibrated
# odds; 0.4 leaves room for roles read wrong and a model less sure out of its months (set before
# any run).
OPEN_AT = 0.4


def _cut(fitted: dict) -> tuple:
    """The fitted model as `open_left` takes it: weights, bias, the bar in logits."""
    return tuple(fitted["weights"]), fitted["bias"], math.log(OPEN_AT / (1 - OPEN_AT))


def opened(drafts: list, fitted: dict) -> list:
    """Copies of the drafts with each run the model reads as a head opened, bottom first."""
    drafts = _copies(drafts)
    open_left(drafts, _cut(fitted))
    return drafts


def _copies(drafts: list) -> list:
    out = []
    for d in drafts:
        c = copy.copy(d)
        c.body, c.kinds, c.values = list(d.body), list(d.kinds), list(d.values)
        out.append(c)
    return out


def _label(page_heads, d, i: int, k: int) -> int:
    return int(any(s.start < e and b < s.end for s in d.body[i:k] for b, e in page_heads))


def _pages(pages, seed: int):
    """Each page rendered bare as `pages_eval.evaluate` renders it with `seed`."""
    titles = [r["title"].strip() for p in pages for r in p if r["title"].strip()]
    rng = random.Random(f"{seed}-False")
    for rows in pages:
        yield render(rows, rng, False, others=rng.sample(titles, 3))


def examples(pages, seeds: Sequence[int] = SEEDS) -> tuple[list, list]:
    """Every candidate run's features and label (1: a true head) on the drafts as the splitter
    reads them."""
    xs, ys = [], []
    for seed in seeds:
        for page in _pages(pages, seed):
            drafts, heads = drafts_of(page.text), true_heads(page)
            for at, i, k, x in runs_of(drafts):
                xs.append(x)
                ys.append(_label(heads, drafts[at], i, k))
    return xs, ys


def fit(xs, ys, c: float = C) -> dict:
    return logistic(np.array(xs, dtype=float), np.array(ys), c, FEATURES, digits=6)


def read(pages, fitted: dict) -> dict:
    """Counts of the page metrics (seed 11, bare) without and with the model's opens, and how
    many runs it opened (true heads among them)."""
    base, with_, fired = Counter(), Counter(), Counter()
    w, bias = np.array(fitted["weights"]), fitted["bias"]
    cut = math.log(OPEN_AT / (1 - OPEN_AT))
    for page in _pages(pages, EVAL_SEED):
        drafts = drafts_of(page.text)
        runs = runs_of(drafts)
        base.update(score(page, articles_of(page.text, drafts)))
        with_.update(score(page, articles_of(page.text, opened(drafts, fitted))))
        heads = true_heads(page)
        for at, i, k, x in runs:
            if bias + float(w @ np.array(x)) >= cut:
                fired["fired"] += 1
                fired["true"] += _label(heads, drafts[at], i, k)
            fired["runs"] += 1
            fired["heads"] += _label(heads, drafts[at], i, k)
    return {"base": dict(base), "with": dict(with_), "fired": dict(fired)}


_SHOWN = ("titles_found", "bodies_whole", "breaks_repaired", "paragraphs_kept", "furniture_leaked")


def _line(name: str, r: dict) -> str:
    b, w = r["base"], r["with"]
    gain = sum(w[m] - b[m] for m in _SHOWN[:2])
    cells = ", ".join(f"{m} {b[m]} → {w[m]}" for m in _SHOWN)
    return f"{name}: {cells} (titles + bodies {gain:+d}); {r['fired']}"


def month_out(data: Path, folds: Path, cache: Path | None) -> dict:
    """Each development month read under its fold's parts with a model fitted on the other two
    months' runs under the same parts."""
    from training import month_out as mo

    every = {m: load_pages(data, [m]) for m in DEV_MONTHS}
    saved = json.loads(folds.read_text(encoding="utf-8"))["folds"]
    kept = json.loads(cache.read_text(encoding="utf-8")) if cache and cache.is_file() else {}
    out = {}
    for month in DEV_MONTHS:
        forms, pair, parts = saved[month]
        mo.use(forms, tuple(pair), tuple(parts))
        if month not in kept:
            xs, ys = [], []
            for m in DEV_MONTHS:
                if m != month:
                    x, y = examples(every[m])
                    xs += x
                    ys += y
            kept[month] = {"x": xs, "y": ys}
            if cache:
                cache.write_text(json.dumps(kept) + "\n", encoding="utf-8")
        fitted = fit(kept[month]["x"], kept[month]["y"])
        out[month] = read(every[month], fitted) | {"model": fitted}
        print(_line(month, out[month]), file=sys.stderr, flush=True)
    mo.use(*mo._shipped())
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.opens_fit", description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--month-out", type=Path, metavar="FOLDS", help="month_out --cache's file")
    which.add_argument("--halves", action="store_true")
    which.add_argument("--write", type=Path, metavar="JSON", help="fit on the three months")
    ap.add_argument("--cache", type=Path, help="the fitting runs, kept per fold")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    if args.write:
        fitted = fit(*examples(load_pages(args.data, DEV_MONTHS)))  # (the parts as shipped)
        args.write.write_text(json.dumps(fitted | {"open_at": OPEN_AT}, indent=1) + "\n", "utf-8")
        return 0
    if args.month_out:
        out = month_out(args.data, args.month_out, args.cache)
    else:
        parts = list(halves(load_pages(args.data, DEV_MONTHS)).items())
        out = {}
        for (name, pages), (_, other) in zip(parts, parts[::-1], strict=True):
            fitted = fit(*examples(other))  # (parts as shipped: fitted on both halves)
            out[name] = read(pages, fitted) | {"model": fitted}
            print(_line(name, out[name]), file=sys.stderr, flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
