"""Runs of opened drafts decided together on bare pages (issue 11, stop 54, helper i185): an
experiment on `training.joins_fit`'s drafts, kept here because its answer was no.

Stop 53 decided each opened draft alone and failed: a feature's sections come in runs (3–5
subheads under one labelled title), and joining one section alone mends no body. Here the drafts
past the page's first are grouped into runs (`runs_of`, the grouping written down before any
month-out run): a draft is a *section* when the pass opened it (`joins_fit._opened`), it has no
dateline, no credit in its first two lines, and the draft above it has not closed (ended on a
credit); a run is a maximal sequence of consecutive sections, under the draft above its first
(its root). Each run is decided as a whole: every draft of it joined back into the root
(`composite.absorb`), or all kept. A run is labelled "pieces" when every draft of it is a piece
by the make-up (`joins_fit.true_heads`); a run of mixed truth is labelled "keep" (joining it
would lose its true articles). A logistic regression over run-level features (`FEATURES`: the
run's length, how alike its heads are, the root's dating, label, head and length, cohesion over
the run's seams, the run's lengths, whether it ends on a credit, and the mean of stop 53's
per-seam features over the run) is fitted on the development months' runs and a run it reads as
pieces with probability ≥ `JOIN_AT` is joined.

    python -m training.runs_fit --collect FOLDS --cache RUNS   # runs of every month, each fold
    python -m training.runs_fit --bound RUNS                   # pieces in runs, joining's bound
    python -m training.runs_fit --offline RUNS                 # month out from the deltas
    python -m training.runs_fit --month-out FOLDS --cache RUNS [--markdown] [--json FILE]
    python -m training.runs_fit --halves [--json FILE]
    python -m training.runs_fit --inner RUNS          # variants within the training months
    python -m training.runs_fit --parts-bound FOLDS   # the bound of joining a part of a run

Stop 54: joining every all-piece run whole would gain +48 (bound); month out titles + bodies
11,928 → 11,916 (−12), halves −12 / −27: not kept (training/EXPERIMENTS.md). The test month is
never read.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from service.cohesion import cohesion
from service.lines import BYLINE_END, BYLINE_START
from training.joins_fit import (
    _LABEL,
    _ORDINAL,
    _form,
    _found,
    _line,
    _opened,
    _text,
    articles_of,
    counts,
    drafts_of,
    features,
    logistic,
    read_month,
    true_heads,
)
from training.pages_eval import DEV_MONTHS, halves, load_pages, render

SEEDS = (99, 98)  # the training runs' renderings (as joins_fit)
EVAL_SEED = 11  # the figures' rendering
C = 1.0
SUBRANGES = False  # (exploring: deltas of every part of a run, `--parts-bound`)
JOIN_AT = 0.75  # set before any run, as stop 53's (a wrong join costs more than a missed one)

RUN_FEATURES = (
    "run_len", "alike_form", "alike_len", "alike_edges", "ordinal", "colon", "label", "quote",
    "root_dated", "root_label", "root_kicker", "root_subtitle", "root_chars", "root_title_chars",
    "coh_mean", "coh_min", "run_chars", "run_mean_chars", "ends_credit", "ends_closed",
    "next_dated", "next_none", "page_dated", "title_mean", "title_sd", "run_share",
)  # fmt: skip


def _section(drafts: list, at: int) -> bool:
    d = drafts[at]
    return (
        _opened(drafts, at)
        and not d.dated
        and BYLINE_START not in d.kinds[:2]
        and not drafts[at - 1].closed
    )


def runs_of(drafts: list) -> list[tuple[int, int]]:
    """Each run as [start, end) of `drafts` (its root at start - 1)."""
    out, at = [], 1
    while at < len(drafts):
        if _section(drafts, at):
            end = at + 1
            while end < len(drafts) and _section(drafts, end):
                end += 1
            out.append((at, end))
            at = end
        else:
            at += 1
    return out


def _title(d) -> str:
    return _text(d.title) or _text(d.kicker + d.subtitle)


def run_features(drafts: list, start: int, end: int) -> list[float]:
    root, run = drafts[start - 1], drafts[start:end]
    titles = [_title(d) for d in run]
    n = len(run)
    forms = [_form(d) for d in run]
    lens = [len(t) for t in titles]
    edges = [(t[:1], t[-1:]) for t in titles]
    coh = []
    for i in range(start, end):
        above = drafts[i - 1]
        tail = "".join(s.text for s in above.body)[-240:] or _text(above.title)
        coh.append(cohesion(tail, "".join(s.text for s in drafts[i].body[:3])))
    chars = [sum(len(s.text) for s in d.body) for d in run]
    root_chars = sum(len(s.text) for s in root.body)
    nxt = drafts[end] if end < len(drafts) else None
    others = [d for i, d in enumerate(drafts) if not start <= i < end]
    alike = lambda xs: max(xs.count(x) for x in xs) / n  # noqa: E731
    return [
        math.log(n),
        alike(forms),
        alike(lens),
        alike(edges),
        sum(bool(_ORDINAL.match(t)) for t in titles) / n,
        sum(t[-1:] in "：:" or t.endswith("——") for t in titles) / n,
        sum(bool(_LABEL.match(t)) for t in titles) / n,
        sum(t[:1] in '“"「' for t in titles) / n,
        float(root.dated),
        float(bool(_LABEL.match(_title(root)))),
        float(bool(root.kicker)),
        float(bool(root.subtitle)),
        math.log1p(root_chars),
        len(_title(root)) / 20,
        sum(coh) / n,
        min(coh),
        math.log1p(sum(chars)),
        math.log1p(sum(chars) / n),
        float(bool(run[-1].kinds) and run[-1].kinds[-1] == BYLINE_END),
        float(run[-1].closed),
        float(nxt is not None and nxt.dated),
        float(nxt is None),
        sum(d.dated for d in others) / len(others) if others else 0.0,
        sum(lens) / n / 20,
        float(np.std(lens)) / 20,
        sum(chars) / max(1, sum(chars) + root_chars),
    ]


FEATURES = RUN_FEATURES + tuple(f"mean_{i}" for i in range(41))


def all_features(drafts: list, start: int, end: int) -> list[float]:
    per = np.array([features(drafts, i) for i in range(start, end)]).mean(axis=0)
    return run_features(drafts, start, end) + [float(v) for v in per]


def _joined_run(drafts: list, start: int, end: int) -> list:
    from service.composite import absorb

    root = copy.copy(drafts[start - 1])
    root.body, root.kinds, root.values = list(root.body), list(root.kinds), list(root.values)
    for d in drafts[start:end]:
        absorb(root, d)
    return drafts[: start - 1] + [root] + drafts[end:]


def records(pages, seed: int, deltas: bool = True) -> list[dict]:
    """Every run of the pages rendered with `seed` (bare): features, the drafts' truth (1: a
    piece), and how titles + bodies of its page move when the whole run is joined."""
    titles = [r["title"].strip() for p in pages for r in p if r["title"].strip()]
    rng = random.Random(f"{seed}-False")
    out = []
    for k, rows in enumerate(pages):
        page = render(rows, rng, False, others=rng.sample(titles, 3))
        heads, drafts = true_heads(page), drafts_of(page.text)
        if any(d.marked for d in drafts):
            continue
        base = None
        pieces_out = 0  # pieces not in any run (what the grouping leaves)
        in_run = set()
        for start, end in runs_of(drafts):
            truth = []
            for d in drafts[start:end]:
                mine = d.kicker + d.title + d.subtitle
                truth.append(
                    0 if any(s.start < e and b < s.end for s in mine for b, e in heads) else 1
                )
            in_run.update(range(start, end))
            rec = {"page": k, "x": all_features(drafts, start, end), "truth": truth}
            if deltas:
                base = _found(page, drafts) if base is None else base
                rec["delta"] = _found(page, _joined_run(drafts, start, end)) - base
            if deltas and SUBRANGES and end - start > 1:
                # (every contiguous part of the run joined into the draft above it)
                rec["parts"] = {
                    f"{i - start},{j - start}": _found(page, _joined_run(drafts, i, j)) - base
                    for i in range(start, end)
                    for j in range(i + 1, end + 1)
                }
            out.append(rec)
        for at in range(1, len(drafts)):
            if at in in_run or not _opened(drafts, at):
                continue
            d = drafts[at]
            mine = d.kicker + d.title + d.subtitle
            if not any(s.start < e and b < s.end for s in mine for b, e in heads):
                pieces_out += 1
        if pieces_out:
            out.append({"page": k, "outside": pieces_out})
    return out


def collect(data: Path, folds: Path, cache: Path) -> None:
    """Under each fold's parts: its own month's runs at the figures' seed, the other months' at
    the training seeds (a model read on month M is fitted on runs read with M's fold parts)."""
    from training import month_out as mo

    every = {m: load_pages(data, [m]) for m in DEV_MONTHS}
    saved = json.loads(folds.read_text(encoding="utf-8"))["folds"]
    out = json.loads(cache.read_text(encoding="utf-8")) if cache.is_file() else {}
    for phase in ("eval", "train"):  # (every month's own runs first: the bound before the fits)
        for month in DEV_MONTHS:
            fold = out.setdefault(month, {})
            if (
                phase in fold
                or phase == "train"
                and all(m in fold for m in DEV_MONTHS if m != month)
            ):
                continue
            forms, pair, parts = saved[month]
            mo.use(forms, tuple(pair), tuple(parts))
            if phase == "eval":
                fold["eval"] = records(every[month], EVAL_SEED)
            else:
                for m in DEV_MONTHS:
                    if m != month:
                        fold[m] = [r for s in SEEDS for r in records(every[m], s)]
            cache.write_text(json.dumps(out) + "\n", encoding="utf-8")
            print(f"{month}: {phase} collected", file=sys.stderr)
    mo.use(*mo._shipped())


def _xy(recs: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rs = [r for r in recs if "x" in r]
    x = np.array([r["x"] for r in rs], dtype=float)
    y = np.array([int(all(r["truth"])) for r in rs])
    d = np.array([r["delta"] for r in rs])
    n = np.array([len(r["truth"]) for r in rs])
    return x, y, d, n


def _summary(recs: list[dict]) -> str:
    rs = [r for r in recs if "x" in r]
    outside = sum(r["outside"] for r in recs if "outside" in r)
    allp = [r for r in rs if all(r["truth"])]
    mixed = [r for r in rs if any(r["truth"]) and not all(r["truth"])]
    size = lambda xs: sum(len(r["truth"]) for r in xs)  # noqa: E731
    gain = lambda xs: sum(r["delta"] for r in xs if "delta" in r)  # noqa: E731
    return (
        f"runs {len(rs)} ({size(rs)} drafts), pieces in runs {sum(sum(r['truth']) for r in rs)}, "
        f"outside {outside}; all-piece runs {len(allp)} ({size(allp)} drafts) joined "
        f"{gain(allp):+d}; mixed {len(mixed)} ({size(mixed)} drafts) joined {gain(mixed):+d}; "
        f"best of each {sum(max(0, r.get('delta', 0)) for r in rs):+d}"
    )


def bound(cache: Path) -> None:
    """How many pieces the grouping puts in runs, and what joining each whole run would gain."""
    data = json.loads(cache.read_text(encoding="utf-8"))
    for month in DEV_MONTHS:
        if "eval" in data.get(month, {}):
            print(f"{month} (seed {EVAL_SEED}, its fold's parts): {_summary(data[month]['eval'])}")
        for m in DEV_MONTHS:
            if m in data.get(month, {}):
                print(f"  {m} (seeds {SEEDS}, fold {month}'s parts): {_summary(data[month][m])}")


def fit(x: np.ndarray, y: np.ndarray, c: float = C) -> dict:
    return logistic(x, y, c, FEATURES, digits=8)


def prob(fitted: dict, x: np.ndarray) -> np.ndarray:
    z = fitted["bias"] + x @ np.array(fitted["weights"])
    return 1 / (1 + np.exp(-z))


def offline(cache: Path) -> None:
    """Each month's runs (figures' seed, fold parts) read by a model fitted on the other two
    months' runs: the summed deltas of the runs fired on (runs of a page assumed apart)."""
    from sklearn.metrics import roc_auc_score

    data = json.loads(cache.read_text(encoding="utf-8"))
    total = {}
    for month in DEV_MONTHS:
        train = [r for m in DEV_MONTHS if m != month for r in data[month][m]]
        x, y, _, _ = _xy(train)
        fitted = fit(x, y)
        ex, ey, ed, en = _xy(data[month]["eval"])
        p = prob(fitted, ex)
        cells = []
        for at in (0.5, 0.75, 0.9):
            fire = p >= at
            cells.append(
                f"@{at}: fired {fire.sum()} (pieces {ey[fire].sum()}) gain {ed[fire].sum():+d}"
            )
            total[at] = total.get(at, 0) + int(ed[fire].sum())
        print(f"{month}: AUC {roc_auc_score(ey, p):.3f}; " + "; ".join(cells))
    print("total", total)


def _variant(name: str, x: np.ndarray, d: np.ndarray, y: np.ndarray):
    """A scorer fitted by one of `inner`'s variants: `lr` (the label, as `fit`), `lr_cost` (the
    label "joining gains", each run weighted by how much it moves), `lr_run_cost` (the same on
    the run features alone), `gb_cost` (boosted trees, depth 2, 150 rounds, weighted)."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    cols = slice(len(RUN_FEATURES)) if name == "lr_run_cost" else slice(None)
    z = ((x - mean) / scale)[:, cols]
    gains, weight = (d > 0).astype(int), np.maximum(1, np.abs(d))
    if name == "gb_cost":
        trees = GradientBoostingClassifier(max_depth=2, n_estimators=150, random_state=0)
        trees.fit(x, gains, sample_weight=weight)
        return lambda e: trees.predict_proba(e)[:, 1]
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(z, y) if name == "lr" else model.fit(z, gains, sample_weight=weight)
    return lambda e: model.predict_proba(((e - mean) / scale)[:, cols])[:, 1]


def inner(cache: Path) -> None:
    """Within each fold's two training months: fitted on one, its runs' deltas summed on the
    other (both ways, both seeds; the held-out month never read)."""
    data = json.loads(cache.read_text(encoding="utf-8"))
    for name in ("lr", "lr_cost", "lr_run_cost", "gb_cost"):
        total: dict[float, list[int]] = {}
        for month in DEV_MONTHS:
            a, b = (m for m in DEV_MONTHS if m != month)
            for tr, te in ((a, b), (b, a)):
                x, y, d, _ = _xy(data[month][tr])
                ex, _, ed, _ = _xy(data[month][te])
                p = _variant(name, x, d, y)(ex)
                for at in (0.5, 0.75, 0.9):
                    t = total.setdefault(at, [0, 0])
                    t[0] += int(ed[p >= at].sum())
                    t[1] += int((p >= at).sum())
        print(name, ", ".join(f"@{a}: {g:+d} ({k} fired)" for a, (g, k) in total.items()))


def _best(r: dict, prefix: bool) -> int:
    """The best of keeping the run, joining it whole, or joining one part (a prefix)."""
    parts = (v for k, v in r.get("parts", {}).items() if not prefix or k.startswith("0,"))
    return max([0, r["delta"], *parts])


def parts_bound(data: Path, folds: Path) -> None:
    """Each month's runs (figures' seed, its fold's parts) with every contiguous part of a run
    joined: the bound of whole runs, of a prefix, of any one part, of the true pieces' parts."""
    global SUBRANGES
    from training import month_out as mo

    saved = json.loads(folds.read_text(encoding="utf-8"))["folds"]
    SUBRANGES = True
    for month in DEV_MONTHS:
        forms, pair, parts = saved[month]
        mo.use(forms, tuple(pair), tuple(parts))
        rs = [r for r in records(load_pages(data, [month]), EVAL_SEED) if "x" in r]
        truth = 0
        for r in rs:
            t, i = r["truth"], 0
            if all(t):
                truth += r["delta"]
                continue
            while i < len(t):
                j = i
                while j < len(t) and t[j]:
                    j += 1
                truth += r["parts"][f"{i},{j}"] if j > i else 0
                i = max(j, i + 1)
        print(
            f"{month}: whole all-piece runs {sum(r['delta'] for r in rs if all(r['truth'])):+d}, "
            f"best whole {sum(max(0, r['delta']) for r in rs):+d}, best prefix "
            f"{sum(_best(r, True) for r in rs):+d}, best part "
            f"{sum(_best(r, False) for r in rs):+d}, the true pieces' parts {truth:+d}"
        )
    SUBRANGES = False
    mo.use(*mo._shipped())


def joined(drafts: list, fitted: dict) -> list:
    """The drafts with every run the model reads as pieces put back into its root."""
    from service.composite import absorb

    if any(d.marked for d in drafts):
        return drafts  # (titles as `## `: never)
    w, bias = np.array(fitted["weights"]), fitted["bias"]
    cut = math.log(JOIN_AT / (1 - JOIN_AT))
    fire = [
        (s, e)
        for s, e in runs_of(drafts)
        if bias + float(w @ np.array(all_features(drafts, s, e))) >= cut
    ]
    for s, e in reversed(fire):  # (from the bottom: the runs above keep their places)
        for d in drafts[s:e]:
            absorb(drafts[s - 1], d)
        del drafts[s:e]
    return drafts


def joined_split(fitted: dict | None):
    from service.pages import split_page

    def split(raw: str) -> list:
        if fitted is None:
            return split_page(raw)
        return articles_of(raw, joined(drafts_of(raw), fitted))

    return split


def read(pages, fitted: dict | None, markdown: bool = False) -> dict:
    return counts(pages, joined_split(fitted), markdown)


def _both(pages, fitted: dict, markdown: bool = False) -> dict:
    return {"base": read(pages, None, markdown), "with": read(pages, fitted, markdown)}


def month_out(data: Path, folds: Path, cache: Path, markdown: bool) -> dict:
    from training import month_out as mo

    every = {m: load_pages(data, [m]) for m in DEV_MONTHS}
    saved = json.loads(folds.read_text(encoding="utf-8"))["folds"]
    runs = json.loads(cache.read_text(encoding="utf-8"))
    out = {}
    for month in DEV_MONTHS:
        forms, pair, parts = saved[month]
        mo.use(forms, tuple(pair), tuple(parts))
        x, y, _, _ = _xy([r for m in DEV_MONTHS if m != month for r in runs[month][m]])
        out[month] = read_month(every[month], fit(x, y), month, _both, markdown)
    mo.use(*mo._shipped())
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.runs_fit", description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--collect", type=Path, metavar="FOLDS", help="month_out --cache's file")
    which.add_argument("--bound", type=Path, metavar="RUNS")
    which.add_argument("--offline", type=Path, metavar="RUNS")
    which.add_argument("--inner", type=Path, metavar="RUNS")
    which.add_argument("--parts-bound", type=Path, metavar="FOLDS")
    which.add_argument("--month-out", type=Path, metavar="FOLDS")
    which.add_argument("--halves", action="store_true")
    ap.add_argument("--cache", type=Path, help="the runs collected (--collect writes it)")
    ap.add_argument("--markdown", action="store_true", help="also read `## ` pages")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    out = None
    if args.collect:
        collect(args.data, args.collect, args.cache)
    elif args.bound:
        bound(args.bound)
    elif args.offline:
        offline(args.offline)
    elif args.inner:
        inner(args.inner)
    elif args.parts_bound:
        parts_bound(args.data, args.parts_bound)
    elif args.month_out:
        out = month_out(args.data, args.month_out, args.cache, args.markdown)
    else:
        parts = list(halves(load_pages(args.data, DEV_MONTHS)).items())
        out = {}
        for (name, pages), (_, other) in zip(parts, parts[::-1], strict=True):
            recs = [r for s in SEEDS for r in records(other, s, deltas=False)]
            fitted = fit(*_xy_nodelta(recs))
            out[name] = _both(pages, fitted) | {"model": fitted}
            print(_line(name, out[name]), file=sys.stderr)
    if args.json and out is not None:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


def _xy_nodelta(recs: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    rs = [r for r in recs if "x" in r]
    return np.array([r["x"] for r in rs], dtype=float), np.array([int(all(r["truth"])) for r in rs])


if __name__ == "__main__":
    sys.exit(main())
