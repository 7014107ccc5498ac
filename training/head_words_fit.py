"""A wording feature for the bare-head score, fitted and checked across the development halves.

The page score (`service.heads`) reads a head's shape and its words' overlap with the text around
it, never what the head itself says. This fits a small logistic regression over the form of a
head's wording (`tokens`) on the heads the page score reads (`training.pages_fit.collect`: every
bare head the splitter cannot decide on its sure signals, labelled by whether it holds a true
title) and, by default, the corpus' printed heads of the same pages (each title a title, each
short unpunctuated paragraph of a body a subhead): tokens seen in fewer than `--min-df` heads
left out, the `--keep` strongest weights kept and refitted, C chosen by the logged heads'
out-of-fold log-loss over five folds of pages in date order. Its log-odds become one more
feature of the head score (`wording`, before the two body overlaps), the head score being fitted
with the out-of-fold log-odds of its own heads (in-sample ones would look surer).

It fits both on one development half and reads the other half's bare pages, against the head
score refitted on the same half without the wording (the rule: kept only if titles found and
bodies whole rise on both cross readings), by rendering seed (`--seeds`; 11 is
`training.pages_eval`'s). The wording did not earn its place (docs/pages.md, "A wording feature
for the head score"), so the service has none: this module puts it in place in its own process
only (`use` wraps `service.heads._page_features`). Commit b736195 on branch i22 holds the feature
in the service (service/head_words.py, its JSON weights, `--ship`) should it be taken up.

    python -m training.head_words_fit --data ../shared/data [--seeds 11,12,13]
        [--tokens form|edges|full] [--no-printed] [--clip 3] [--raises 1.1,1.2,1.3,1.5]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from training.pages_eval import TEST_MONTHS, evaluate, halves, load_pages
from training.pages_fit import collect

GRID = (0.03, 0.1, 0.3, 1.0)
RAISE = 1.1  # the head score's bias is raised so (docs/pages.md: a missed title costs two bodies)


_LENGTHS = (4, 6, 8, 10, 12, 15, 20)  # length buckets of the joined head
CLIP = float("inf")  # `--clip 3`: the log-odds clipped to ±3 (a variant tried)


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def tokens(lines: tuple[str, ...]) -> list[str]:
    """A head's form (`--tokens form`, the default): each line's first and last character and
    bigram (^坚, ^坚持, 开$, 召开$), every character that is not a Han character (marks, digits,
    letters), its number of lines and its length bucket (spaces left out: print spacing says
    nothing here); `edges` without the bigrams, `full` with every character and bigram inside
    (a month's topics too)."""
    out = [f"#L{min(len(lines), 3)}"]
    size = 0
    for line in lines:
        text = "".join(line.split())
        if not text:
            continue
        size += len(text)
        out += ["^" + text[0], text[-1] + "$"]
        out += ["P" + ch for ch in text if not _han(ch)]
        if TOKENS != "edges":
            out += ["^" + text[:2], text[-2:] + "$"]
        if TOKENS == "full":
            out += [ch for ch in text if _han(ch)]
            out += [text[i : i + 2] for i in range(len(text) - 1)]
    out.append(f"#N{sum(size > n for n in _LENGTHS)}")
    return out


TOKENS = "form"


def _matrix(runs, vocab: dict[str, int]):
    from scipy.sparse import csr_matrix

    rows, cols = [], []
    for i, run in enumerate(runs):
        for j in {vocab[t] for t in tokens(run) if t in vocab}:
            rows.append(i)
            cols.append(j)
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(runs), len(vocab)))


def _vocab(runs, min_df: int) -> dict[str, int]:
    df = Counter(t for run in runs for t in set(tokens(run)))
    return {t: i for i, t in enumerate(sorted(t for t, n in df.items() if n >= min_df))}


def fit_words(runs, y, c: float, min_df: int = 5, keep: int = 3000) -> tuple[dict, float]:
    """The wording weights ({token: weight}) and intercept, pruned to the `keep` strongest."""
    from sklearn.linear_model import LogisticRegression

    vocab = _vocab(runs, min_df)
    model = LogisticRegression(C=c, max_iter=3000).fit(_matrix(runs, vocab), y)
    names = sorted(vocab, key=vocab.get)
    strong = sorted(range(len(names)), key=lambda j: -abs(model.coef_[0][j]))[:keep]
    vocab = {names[j]: k for k, j in enumerate(sorted(strong))}
    model = LogisticRegression(C=c, max_iter=3000).fit(_matrix(runs, vocab), y)
    weights = {t: round(float(model.coef_[0][j]), 3) for t, j in vocab.items()}
    return {t: w for t, w in weights.items() if w}, round(float(model.intercept_[0]), 3)


def score_words(runs, weights: dict, bias: float) -> np.ndarray:
    """The heads' wording log-odds with these weights, clipped."""
    z = [bias + sum(weights.get(t, 0.0) for t in tokens(r)) for r in runs]
    return np.clip(np.asarray(z), -CLIP, CLIP)


def printed(pages) -> tuple[list, list]:
    """Heads as the corpus prints them: each title (with its kicker or subtitle, as set on a
    page) a title, each short unpunctuated paragraph of a body a subhead."""
    runs, y = [], []
    for rows in pages:
        for r in rows:
            k, t, s = (r[f].strip() for f in ("kicker", "title", "subtitle"))
            if t:
                runs.append(tuple(x for x in (k, t, s) if x and not x.startswith("——")))
                y.append(1)
            for para in r["text"].split("\n"):
                para = para.strip()
                if 4 <= len(para) <= 30 and not _FINAL.search(para):
                    runs.append((para,))
                    y.append(0)
    return runs, y


_FINAL = re.compile(r"[。；;]|[：:，,]$")


def _chunks(pages, k: int = 5) -> list:
    """Folds of pages in date order: a month's topics stay in one fold, as on a new month."""
    return [list(c) for c in np.array_split(np.arange(len(pages)), k)]


def out_of_fold(parts, c: float, min_df: int, keep: int) -> np.ndarray:
    """Each logged head's wording log-odds from a model fitted without its fold of pages.
    `parts`: per fold (logged runs, labels, printed runs, labels)."""
    out = []
    for i, (runs, _, _, _) in enumerate(parts):
        tr, ty = _pool(p for j, p in enumerate(parts) if j != i)
        w, b = fit_words(tr, ty, c, min_df, keep)
        out.append(score_words(runs, w, b))
    return np.concatenate(out)


def _pool(parts) -> tuple[list, np.ndarray]:
    runs, y = [], []
    for r, ry, pr, py in parts:
        runs += list(r) + (list(pr) if PRINTED else [])
        y += list(ry) + (list(py) if PRINTED else [])
    return runs, np.asarray(y)


# Fit the wording on the corpus' printed heads of the same pages too (`--no-printed`: only the
# heads the pages log): more heads than the pages log.
PRINTED = True


def choose_c(parts, min_df: int, keep: int) -> float:
    """The C with the least out-of-fold log-loss on the logged heads (fitting pages only)."""
    best = None
    y = np.concatenate([p[1] for p in parts])
    for c in GRID:
        z = np.clip(out_of_fold(parts, c, min_df, keep), -30, 30)
        p = 1 / (1 + np.exp(-z))
        loss = -np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
        acc = np.mean((z > 0) == y)
        print(f"  C={c}: out-of-fold log-loss {loss:.4f}, accuracy {acc:.3f}", file=sys.stderr)
        if best is None or loss < best[0]:
            best = (loss, c)
    return best[1]


def _at() -> int:
    """Where the wording goes among the page score's features: before the two body overlaps
    (service.heads computes those last, only when needed)."""
    from service.heads import FEATURES

    return len(FEATURES) - 2


def fit_score(x: np.ndarray, y: np.ndarray, wording: np.ndarray | None) -> tuple[tuple, float]:
    """The head score's weights (service.heads.FEATURES order, with `wording` put in at `_at()`
    when given) and raised bias."""
    from sklearn.linear_model import LogisticRegression

    if wording is not None:
        x = np.insert(x, _at(), wording, axis=1)
    model = LogisticRegression(C=1, max_iter=2000).fit(x, y)
    w = [round(float(v), 3) for v in model.coef_[0]]
    return tuple(w), round(float(model.intercept_[0]), 3) + RAISE


_WORDS: tuple[dict, float] = ({}, 0.0)
_PAGE = None  # service.heads._page_features as shipped


@lru_cache(maxsize=4096)
def log_odds(lines: tuple[str, ...]) -> float:
    weights, bias = _WORDS
    return float(np.clip(bias + sum(weights.get(t, 0.0) for t in tokens(lines)), -CLIP, CLIP))


def _with_wording(cur, heads, items, at, body=True, title=True):
    x = _PAGE(cur, heads, items, at, body, title)
    x.insert(len(x) - 2, log_odds(tuple(h.text for h in heads)))
    return x


def use(score: tuple[tuple, float], words: tuple[dict, float] | None) -> None:
    """Put a head score in place in this process: with `words`, the wording feature too (the
    page features wrapped); the page reading cache emptied."""
    global _PAGE, _WORDS
    import service.heads as heads
    from service.pages import _read

    if _PAGE is None:
        _PAGE = heads._page_features
    heads.use_weights(*score)
    heads._page_features = _PAGE if words is None else _with_wording
    _WORDS = words or ({}, 0.0)
    log_odds.cache_clear()
    _read.cache_clear()


def fit_all(pages, min_df: int, keep: int, c: float | None = None):
    """Wording and head score fitted on `pages`: (score weights, bias), (words, intercept),
    (baseline score weights, bias)."""
    x, y, parts = gather(pages)
    print(f"{len(y)} undecided heads, {y.mean():.3f} titles", file=sys.stderr)
    c = c if c is not None else choose_c(parts, min_df, keep)
    words = fit_words(*_pool(parts), c, min_df, keep)
    oof = out_of_fold(parts, c, min_df, keep)
    print(f"  C={c}, {len(words[0])} weights", file=sys.stderr)
    return fit_score(x, y, oof), words, fit_score(x, y, None)


def gather(pages):
    """The logged heads' features and labels, and per fold of pages the heads to fit the
    wording on (logged, printed)."""
    use(_current_score(), None)  # collect as shipped
    xs, ys, parts = [], [], []
    for idx in _chunks(pages):
        chunk = [pages[i] for i in idx]
        runs: list = []
        x, y = collect(chunk, runs=runs)
        xs.append(x)
        ys.append(y)
        parts.append((runs, y, *printed(chunk)))
    return np.concatenate(xs), np.concatenate(ys), parts


_SHIPPED: tuple | None = None


def _current_score() -> tuple[tuple, float]:
    global _SHIPPED
    import service.heads as heads

    if _SHIPPED is None:
        _SHIPPED = (heads.WEIGHTS, heads.BIAS)
    return _SHIPPED


def _bare(pages, seed: int = 11) -> dict:
    r = evaluate(pages, seed=seed, kinds=(False,))["bare"]
    return {k: r[k] for k in ("titles_found", "bodies_whole", "breaks_repaired", "furniture_left")}


def _raised(score: tuple[tuple, float], words, pages, raises: Sequence[float]):
    """The head score with the bias raise (docs/pages.md: 1.1, 1.2, 1.3 or 1.5) that gives the
    most bodies whole on `pages` (the fitting pages), titles found breaking ties."""
    if len(raises) < 2:
        return score
    best = None
    for r in raises:
        tried = (score[0], score[1] - RAISE + r)
        use(tried, words)
        got = _bare(pages)
        print(f"  raise {r}: {got}", file=sys.stderr)
        key = (got["bodies_whole"], got["titles_found"])
        if best is None or key > best[0]:
            best = (key, tried, r)
    print(f"  raise chosen {best[2]}", file=sys.stderr)
    return best[1]


def cross_halves(
    dev, min_df: int, keep: int, c: float | None, raises=(RAISE,), seeds=(11,)
) -> dict:
    """Fit on each half, read the other, with and without the wording: the figures by rendering
    seed (11 is `training.pages_eval`'s; others render the same pages with other furniture and
    cuts, a measure of the noise)."""
    parts = list(halves(dev).items())
    out = {}
    for (fit_name, fit_pages), (read_name, read_pages) in (parts, parts[::-1]):
        print(f"fit on {fit_name}, read {read_name}", file=sys.stderr)
        score, words, base = fit_all(fit_pages, min_df, keep, c)
        base = _raised(base, None, fit_pages, raises)
        score = _raised(score, words, fit_pages, raises)
        got = {}
        for seed in seeds:
            use(base, None)
            without = _bare(read_pages, seed)
            use(score, words)
            with_ = _bare(read_pages, seed)
            use(_current_score(), None)
            got[f"seed {seed}"] = {
                "baseline": without | {"bias": base[1]},
                "wording": with_ | {"bias": score[1]},
            }
        out[f"fit {fit_name} -> read {read_name}"] = got | {"wording_weight": score[0][_at()]}
        print(json.dumps(out, ensure_ascii=False, indent=1), file=sys.stderr)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    global PRINTED, TOKENS, CLIP
    ap = argparse.ArgumentParser(prog="python -m training.head_words_fit")
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--tokens", choices=("form", "edges", "full"), default="form")
    ap.add_argument("--min-df", type=int, default=5, help="least heads a token is seen in")
    ap.add_argument("--keep", type=int, default=3000, help="how many weights to keep")
    ap.add_argument("--c", type=float, default=None, help="regularisation (default: chosen)")
    ap.add_argument(
        "--raises", default=str(RAISE),
        help="bias raises to choose among on the fitting half (comma-separated)",
    )  # fmt: skip
    ap.add_argument("--no-printed", action="store_true", help="only the heads the pages log")
    ap.add_argument("--clip", type=float, default=0, help="clip the log-odds (0: no clip)")
    ap.add_argument("--seeds", default="11", help="rendering seeds to read with (comma-separated)")
    args = ap.parse_args(argv)
    PRINTED, TOKENS, CLIP = not args.no_printed, args.tokens, args.clip or float("inf")
    dev = [p for p in load_pages(args.data) if p[0]["date"][:6] not in TEST_MONTHS]
    raises = [float(r) for r in args.raises.split(",")]
    seeds = [int(x) for x in args.seeds.split(",")]
    result = cross_halves(dev, args.min_df, args.keep, args.c, raises, seeds)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    from .command import exit_with

    exit_with(main)
