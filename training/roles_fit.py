"""Fit what tells a two-line head's roles apart (service/head_parts.py), on development pages.

Two form models over a line's characters and character pairs (`head_parts.form_grams`), kicker
against title and subtitle against title, fitted on the printed heads (kicker, title and
non-dash subtitle lines) and written to service/data/head_forms.json; then the pair score
(`head_parts.PAIR_WEIGHTS`) over the printed two-line heads, kicker + title against title +
subtitle. The pair score reads the form models' log-odds, so it is fitted on scores the form
models give lines they were not fitted on: the pages in two parts (date order), each part's
heads scored by the models fitted on the other part.

    python -m training.roles_fit --data ../shared/data [--half 1|2 | --months M,M] [--out FILE]
    python -m training.roles_fit --data ../shared/data --month-out

`--half` fits on one development half only (`training.pages_eval.halves`), to read the other;
`--months` on those development months only, to read the month left out (`training.month_out`).
`--month-out` writes nothing: it counts each development month's printed two-line heads that the
roles fitted on the other two read the wrong way round (`month_out_errors`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.pages_eval import DEV_MONTHS, TEST_MONTHS, halves, load_pages, month_list

C = 0.1  # shrinks the form models' weights: many pairs, few lines
MIN_LINES = 5  # a pair must be on this many lines of the fitting pages
PERIODS = 4  # ... and in each of this many stretches of them, in date order
PRUNE = 0.02  # smaller weights are left out of the file
PAIR_C = 1.0  # the pair score's C (its features unscaled: binary, lengths / 10, log-odds)
_DASH = ("——", "—", "--")


def head_lines(pages) -> tuple[list[str], list[str], list[str]]:
    """Kicker, title and subtitle lines as printed (a ——subtitle, told by its dash, left out)."""
    kickers, titles, decks = [], [], []
    for rows in pages:
        for r in rows:
            k, t, s = r["kicker"].strip(), r["title"].strip(), r["subtitle"].strip()
            if not t:
                continue
            titles.append(t)
            if k:
                kickers.append(k)
            if s and not s.startswith(_DASH):
                decks.append(s)
    return kickers, titles, decks


def _steady(pages) -> set[str]:
    """Pairs found in every stretch of the pages: not one season's topic."""
    from service.head_parts import form_grams

    keep: set[str] | None = None
    for i in range(PERIODS):
        part = pages[i * len(pages) // PERIODS : (i + 1) * len(pages) // PERIODS]
        seen = {g for lines in head_lines(part) for line in lines for g in form_grams(line)}
        keep = seen if keep is None else keep & seen
    return keep or set()


def fit_forms(pages, c: float = C) -> dict:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    from service.head_parts import form_grams

    kickers, titles, decks = head_lines(pages)
    steady = _steady(pages)
    out = {}
    for name, other in (("kicker", kickers), ("subtitle", decks)):
        lines = titles + other
        counts = CountVectorizer(analyzer=form_grams, min_df=MIN_LINES).fit(lines)
        vocab = sorted(set(counts.vocabulary_) & steady)
        vec = CountVectorizer(analyzer=form_grams, vocabulary=vocab, binary=True)
        y = np.r_[np.zeros(len(titles)), np.ones(len(other))]
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        model.fit(vec.transform(lines), y)
        weights = {g: round(float(w), 3) for g, w in zip(vocab, model.coef_[0], strict=True)}
        out[name] = {
            "bias": round(float(model.intercept_[0]), 3),
            "weights": {g: w for g, w in weights.items() if abs(w) >= PRUNE},
        }
    out["columns"] = columns(pages)
    return out


COLUMN_DATES = 3  # a column's name heads articles on this many days
COLUMN_CHARS = 8


def columns(pages) -> list[str]:
    """Short titles that head articles on several days and never stand as a kicker or
    subtitle: a column's or series' name (建议, 新中国峥嵘岁月), the title over its piece."""
    days: dict[str, set[str]] = {}
    other: set[str] = set()
    for rows in pages:
        for r in rows:
            days.setdefault(r["title"].strip(), set()).add(r["date"])
            other |= {r["kicker"].strip(), r["subtitle"].strip()}
    return sorted(
        t
        for t, d in days.items()
        if t and len(d) >= COLUMN_DATES and len(t) <= COLUMN_CHARS and t not in other
    )


def forms_from(fitted: dict):
    from service.head_parts import forms_from

    return forms_from(fitted)


def pairs(pages, models=None) -> tuple[np.ndarray, np.ndarray]:
    """Two-line heads as printed: 0 for kicker + title, 1 for title + subtitle."""
    from service.head_parts import pair_features

    xs, ys = [], []
    for rows in pages:
        for r in rows:
            k, t, s = r["kicker"].strip(), r["title"].strip(), r["subtitle"].strip()
            if k and t and not s:
                xs.append(pair_features(k, t, models))
                ys.append(0)
            elif t and s and not k and not s.startswith(_DASH):
                xs.append(pair_features(t, s, models))
                ys.append(1)
    return np.asarray(xs), np.asarray(ys)


def crossed_pairs(pages, c: float = C) -> tuple[np.ndarray, np.ndarray]:
    """The pairs, each part's scored by form models fitted on the other part."""
    cut = len(pages) // 2
    parts = (pages[:cut], pages[cut:])
    xs, ys = [], []
    for mine, other in ((parts[0], parts[1]), (parts[1], parts[0])):
        x, y = pairs(mine, forms_from(fit_forms(other, c)))
        xs.append(x)
        ys.append(y)
    return np.vstack(xs), np.concatenate(ys)


FORM_SCORES = 4  # the pair score's last features: the form models' log-odds
NO_FORMS = {"kicker": {"bias": 0.0, "weights": {}}, "subtitle": {"bias": 0.0, "weights": {}}}


def fit(
    pages,
    forms: bool = True,
    names: bool = True,
    c: float = C,
    pair_c: float = PAIR_C,
    drop: Sequence[str] = (),
) -> tuple[dict, list[float], float]:
    """Form models (regularised by `c`), pair weights and pair bias (regularised by `pair_c`)
    fitted on `pages`. Without `forms` the pair score is fitted without the form scores (their
    weights 0, no form models); without `names` no column names are kept; a pair feature named
    in `drop` is left out of the fit (its weight 0)."""
    from sklearn.linear_model import LogisticRegression

    from service.head_parts import PAIR_FEATURES

    if forms:
        x, y = crossed_pairs(pages, c)
        fitted = fit_forms(pages, c)
    else:
        x, y = pairs(pages, forms_from(NO_FORMS))
        x, fitted = x[:, :-FORM_SCORES], dict(NO_FORMS, columns=columns(pages))
    if not names:
        fitted["columns"] = []
    x[:, [PAIR_FEATURES.index(f) for f in drop]] = 0.0  # (a zero column gets weight 0)
    model = LogisticRegression(C=pair_c, max_iter=3000).fit(x, y)
    weights = [float(w) for w in model.coef_[0]] + [0.0] * (0 if forms else FORM_SCORES)
    return fitted, weights, float(model.intercept_[0])


def month_out_errors(every: dict, **fit_kw) -> dict[str, tuple[int, int]]:
    """Each month's printed two-line heads (`pairs`) that the roles fitted on the other months
    (`fit`, with `fit_kw`) read the wrong way round, and how many there are: a screen for a
    change to the form models or the pair score in seconds, before `training.month_out` (on the
    development months at stop 31, 42 / 41 / 28 of 705 / 798 / 729 as shipped)."""
    out = {}
    for month, pages in every.items():
        fitting = [p for m, other in every.items() if m != month for p in other]
        forms, weights, bias = fit(fitting, **fit_kw)
        x, y = pairs(pages, forms_from(forms))
        wrong = (x @ np.asarray(weights) + bias > 0) != (y == 1)
        out[month] = (int(wrong.sum()), len(y))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    from service.head_parts import FORMS_FILE, PAIR_FEATURES

    ap = argparse.ArgumentParser(prog="python -m training.roles_fit")
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--half", choices=("1", "2"), help="fit on one development half only")
    which.add_argument("--months", type=month_list, help="fit on these development months only")
    which.add_argument(
        "--month-out", action="store_true",
        help="print each development month's two-line heads misread by roles fitted on the "
        "other two (nothing written)",
    )  # fmt: skip
    ap.add_argument("--out", type=Path, default=FORMS_FILE, help="where the form models go")
    args = ap.parse_args(argv)
    if args.month_out:
        every = {m: load_pages(args.data, [m]) for m in DEV_MONTHS}
        errors = month_out_errors(every)
        for month, (wrong, n) in errors.items():
            print(f"{month}: {wrong} of {n} two-line heads misread")
        print(f"all: {sum(w for w, _ in errors.values())}")
        return 0
    pages = [p for p in load_pages(args.data, args.months) if p[0]["date"][:6] not in TEST_MONTHS]
    if args.half:
        pages = list(halves(pages).values())[int(args.half) - 1]
    x, y = crossed_pairs(pages)
    acc = cross_val_score(LogisticRegression(C=PAIR_C, max_iter=3000), x, y, cv=5).mean()
    print(f"{len(y)} two-line heads, {y.mean():.3f} title + subtitle; 5-fold accuracy {acc:.3f}",
          file=sys.stderr)  # fmt: skip
    forms, weights, bias = fit(pages)
    for name, w in zip(PAIR_FEATURES, weights, strict=True):
        print(f"  {name:20s} {w:+.3f}", file=sys.stderr)
    args.out.write_text(
        json.dumps(forms, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8"
    )
    sizes = ", ".join(f"{k} {len(forms[k]['weights'])} pairs" for k in ("kicker", "subtitle"))
    print(f"form models ({sizes}) and {len(forms['columns'])} column names written to {args.out}",
          file=sys.stderr)  # fmt: skip
    print("PAIR_WEIGHTS = (" + ", ".join(f"{w:.3f}" for w in weights) + ")")
    print(f"PAIR_BIAS = {bias:.3f}")
    return 0


if __name__ == "__main__":
    from .command import exit_with

    exit_with(main)
