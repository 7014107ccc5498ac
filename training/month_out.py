"""Each development month read by a splitter whose fitted parts never saw it.

For each held-out development month M: the head roles (form models, column names, pair score:
`training.roles_fit`) are fitted on the other two months and put in place, then the head score
(`training.pages_fit`, bias + RAISE) on the same two months' pages with those roles, and M's
pages are read as `training.pages_eval --month M` reads them. The in-sample fits the splitter
ships carried between the development halves (adjacent weeks) but not three months on; a month
left out is the nearer thing to a new month. `--shipped` reads the months with the parts as
shipped (fitted on all three: in-sample), for the comparison. Ablations refit without a part:
`--without forms` (form models and column names: the pair score without the form scores),
`--without columns` (column names alone), `--without FEATURE` (a head score or pair score
feature, weight 0). The fits' knobs (`--forms-c`, `--pair-c`, `--score-c`, `--every`, `--seeds`,
`--raise`, `--[no-]trees`) refit with another setting, to choose it month out; `--passes 2`
collects the head score's heads again along each fold's own fitted score (the first pass
collects along the shipped score's path). `--refit roles` refits the roles alone, the head score
as shipped (in-sample, but its heads not collected again): a pair score change read without the
head score's collection noise. `--cache FILE` keeps each fold's fitted parts and reads them back
(`Fits`): a rule read after the pass is read month out without refitting.

    python -m training.month_out --data ../shared/data [--months 202002] [--shipped]
        [--without forms|columns|FEATURE ...] [--forms-c C] [--pair-c C] [--score-c C] [--every N]
        [--seeds 99,98] [--raise R] [--[no-]trees] [--passes N] [--markdown] [--json]
        [--cache FILE]

The test month is never read (`--months` takes development months only).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from service.errors import DataError
from training.pages_eval import DEV_MONTHS, evaluate, load_pages, month_list

REFIT = ("roles", "score")  # the fitted parts: head roles (roles_fit), head score (pages_fit)
PARTS = ("forms", "columns")  # the head roles' parts `--without` takes besides head features
_METRICS = ("titles_found", "bodies_whole", "breaks_repaired", "paragraphs_kept", "furniture_left")
_COUNTED = {
    "titles_found": "articles",
    "bodies_whole": "articles",
    "breaks_repaired": "breaks",
    "paragraphs_kept": "paragraphs",
}


def use(forms: dict, pair: tuple[list[float], float], score: tuple) -> None:
    """Put fitted head roles and a head score (weights, bias and maybe trees: none, the
    logistic score alone) in place in this process (`use(*_shipped())` puts the shipped ones
    back); the page reading cache emptied."""
    import service.head_parts as head_parts
    import service.head_trees as head_trees
    import service.heads as heads
    from service.pages import _read

    _shipped()  # (kept before the first change)
    head_parts._LOADED[:] = [head_parts.forms_from(forms)]
    head_parts.PAIR_WEIGHTS, head_parts.PAIR_BIAS = tuple(pair[0]), pair[1]
    heads.use_weights(score[0], score[1])
    head_trees.use(score[2] if len(score) > 2 else None)
    _read.cache_clear()


def knobs(**given) -> dict:
    """The fits' knobs, the shipped ones unless given: the form models' C (`forms_c`), the
    pair score's (`pair_c`), the head score's (`score_c`), pages (`every`), render seeds
    (`seeds`), bias offset (`raise_`), whether trees decide where the score is unsure
    (`trees`), collect-and-fit passes (`passes`: the first collects the score's heads along the
    shipped score's path, each further one along the score the pass before fitted, so a fold's
    heads come from a score that never saw its month; stop 28 found the first pass's path moves
    month out by up to ~25 articles)."""
    import service.head_trees as head_trees
    from training import pages_fit, roles_fit

    shipped = dict(
        forms_c=roles_fit.C,
        pair_c=roles_fit.PAIR_C,
        score_c=pages_fit.C,
        every=pages_fit.EVERY,
        seeds=pages_fit.SEEDS,
        raise_=pages_fit.RAISE,
        trees=head_trees.TREES_FILE.is_file(),
        passes=1,
    )
    return shipped | {k: v for k, v in given.items() if v is not None}


def fit_without(
    pages, without: Sequence[str] = (), refit=REFIT, knob: dict | None = None
) -> tuple[dict, tuple, tuple]:
    """Head roles then head score fitted on `pages` (the score's heads collected with those
    roles in place, as the splitter will read them), each without the parts named and with the
    knobs given (`knobs`); a part not in `refit` stays as shipped."""
    from service.head_parts import PAIR_FEATURES
    from training import pages_fit, roles_fit

    k = knobs(**(knob or {}))
    forms, pair, score = _shipped()
    if "roles" in refit:
        forms, *rest = roles_fit.fit(
            pages,
            forms="forms" not in without,
            names=not {"forms", "columns"} & set(without),
            c=k["forms_c"],
            pair_c=k["pair_c"],
            drop=[w for w in without if w in PAIR_FEATURES],
        )
        pair = tuple(rest)
    if "score" in refit:
        drop = [w for w in without if w not in PARTS and w not in PAIR_FEATURES]
        for _ in range(k["passes"]):
            use(forms, pair, score)  # (collected along the shipped score's path, then the fit's)
            x, y = pages_fit.examples(pages, k["every"], k["seeds"])
            weights, bias = pages_fit.fit_on(x, y, drop, k["score_c"])
            trees = pages_fit.fit_trees(x, y, drop, k["raise_"]) if k["trees"] else None
            score = (weights, bias + k["raise_"], trees)
    return forms, pair, score


_SHIPPED: list = []


def _shipped() -> tuple[dict, tuple, tuple]:
    """The parts as shipped (read once, before any fit is put in place)."""
    if not _SHIPPED:
        import service.head_parts as head_parts
        import service.head_trees as head_trees
        import service.heads as heads

        forms = json.loads(head_parts.FORMS_FILE.read_text(encoding="utf-8"))
        pair = (list(head_parts.PAIR_WEIGHTS), head_parts.PAIR_BIAS)
        trees = head_trees.TREES_FILE
        trees = json.loads(trees.read_text(encoding="utf-8")) if trees.is_file() else None
        _SHIPPED.append((forms, pair, (heads.WEIGHTS, heads.BIAS, trees)))
    return _SHIPPED[0]


def read(pages, seed: int = 11, markdown: bool = False) -> dict:
    """Rates and counts of the five metrics on `pages`, bare (or `## `)."""
    kind = "markdown" if markdown else "bare"
    r = evaluate(pages, seed=seed, kinds=(markdown,))[kind]
    out = {"pages": r["pages"], "articles": r["articles"]} | {m: r[m] for m in _METRICS}
    for m, of in _COUNTED.items():
        out[m + "_n"] = round(r[m] * r[of])
    out["furniture_left_n"] = round(r["furniture_left"] * r["furniture_lines"])
    return out


def run(
    data: Path,
    months: Sequence[str],
    shipped: bool,
    without: Sequence[str],
    refit=REFIT,
    knob: dict | None = None,
    cache: Path | None = None,
    **kw,
) -> dict:
    every = {m: load_pages(data, [m]) for m in DEV_MONTHS}
    # A partial corpus would fit a fold on one month and read an empty one: figures that
    # look like a month held out, and are not.
    if missing := [m for m, pages in every.items() if not pages]:
        raise DataError(
            f"{data}: no pages for {', '.join(missing)}; a partial copy of the corpus? fetch it "
            "again (every development month is fitted on or read)",
            field="data",
        )
    fits = Fits(cache, dict(without=list(without), refit=list(refit), knob=knobs(**(knob or {}))))
    results = {}
    for month in months:
        if shipped:
            use(*_shipped())
        else:
            if (parts := fits.get(month)) is None:
                fitting = [p for m in DEV_MONTHS if m != month for p in every[m]]
                parts = fits.put(month, fit_without(fitting, without, refit, knob))
            use(*parts)
        results[month] = read(every[month], **kw)
        print(f"{month}: {results[month]}", file=sys.stderr)
    use(*_shipped())
    return results


class Fits:
    """Each fold's fitted parts kept in a JSON file (`--cache`) and read from it when there, so
    a rule read after the pass (which leaves the pass, and so the heads `pages_fit` collects, as
    they were) is read month out in a minute rather than refitted. The file names the settings
    it was fitted with and is refused under others; it knows nothing of the code: delete it when
    the pass or a fitted part changes."""

    def __init__(self, path: Path | None, settings: dict):
        self.path, self.settings = path, json.loads(json.dumps(settings))
        self.folds: dict = {}
        if path is not None and path.is_file():
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved["settings"] != self.settings:
                raise SystemExit(f"{path} was fitted with {saved['settings']}: delete it to refit")
            self.folds = saved["folds"]

    def get(self, month: str) -> tuple | None:
        parts = self.folds.get(month)
        return None if parts is None else (parts[0], tuple(parts[1]), tuple(parts[2]))

    def put(self, month: str, parts: tuple) -> tuple:
        if self.path is not None:
            self.folds[month] = parts
            text = json.dumps(dict(settings=self.settings, folds=self.folds), ensure_ascii=False)
            self.path.write_text(text + "\n", encoding="utf-8")
        return parts


def format_rows(results: dict, label: str) -> str:
    return "\n".join(
        f"| {month} | {label} | {r['articles']} | "
        + " | ".join(f"{r[m]:.4f} ({r[m + '_n']})" for m in _METRICS)
        + " |"
        for month, r in results.items()
    )


def main(argv: Sequence[str] | None = None) -> int:
    from service.head_parts import PAIR_FEATURES
    from service.heads import FEATURES

    ap = argparse.ArgumentParser(
        prog="python -m training.month_out", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--months", type=month_list, default=DEV_MONTHS, help="the months held out")
    ap.add_argument("--shipped", action="store_true", help="read with the parts as shipped")
    ap.add_argument(
        "--without", action="append", default=[], choices=PARTS + FEATURES + PAIR_FEATURES,
        help="refit without this part, head score or pair score feature (repeatable)",
    )  # fmt: skip
    ap.add_argument(
        "--refit", type=lambda t: tuple(t.split(",")), default=REFIT,
        help="which of roles,score to refit (the other stays as shipped: in-sample)",
    )  # fmt: skip
    ap.add_argument("--forms-c", type=float, help="the form models' C (roles_fit.C)")
    ap.add_argument("--pair-c", type=float, help="the pair score's C (roles_fit.PAIR_C)")
    ap.add_argument("--score-c", type=float, help="the head score's C (pages_fit.C)")
    ap.add_argument("--every", type=int, help="the head score fitted on every Nth page")
    ap.add_argument(
        "--seeds", type=lambda t: tuple(int(x) for x in t.split(",")),
        help="render the head score's pages with these seeds (99,98), heads pooled",
    )  # fmt: skip
    ap.add_argument("--raise", dest="raise_", type=float, help="the bias offset (pages_fit.RAISE)")
    ap.add_argument(
        "--trees", action=argparse.BooleanOptionalAction,
        help="trees decide where the head score is unsure (default: as shipped)",
    )  # fmt: skip
    ap.add_argument(
        "--passes", type=int, choices=range(1, 5),
        help="collect-and-fit passes of the head score (1: along the shipped score's path)",
    )  # fmt: skip
    ap.add_argument("--markdown", action="store_true", help="read `## ` pages, not bare ones")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument(
        "--cache", type=Path,
        help="keep each fold's fitted parts in this file and read them from it when there "
        "(for rules read after the pass; delete it when the pass or a fitted part changes)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    knob = {
        k: getattr(args, k)
        for k in ("forms_c", "pair_c", "score_c", "every", "seeds", "raise_", "trees", "passes")
    }
    knob = {k: v for k, v in knob.items() if v is not None}
    if args.shipped and (args.without or knob or args.cache):
        ap.error("--without, the knobs and --cache refit: not with --shipped")
    results = run(
        args.data,
        args.months,
        args.shipped,
        args.without,
        args.refit,
        knob,
        args.cache,
        seed=args.seed,
        markdown=args.markdown,
    )
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        label = "shipped (in-sample)" if args.shipped else "fit on the other two"
        label += "".join(f", without {w}" for w in args.without)
        label += "".join(f", {k.rstrip('_')} {v}" for k, v in knob.items())
        label += "" if args.shipped or args.refit == REFIT else f" ({'+'.join(args.refit)} only)"
        print(format_rows(results, label + (", `## `" if args.markdown else "")))
    return 0


if __name__ == "__main__":
    from .command import exit_with

    exit_with(main)
