"""A learned second look at each article the bare-page splitter opened past the page's first
(issue 11, stop 53, helper i184): an experiment, kept here because its answer was no.

After the rules settled after the pass (`service.settle`), each draft under another (`drafts_of`)
is one example: an article, or a piece of the one above (a subhead, a brief inside a roundup, a
feature's section), labelled by the page's make-up (`true_heads`: one of its head lines lies on a
true article's head lines, or none does). A logistic regression over what the whole page shows
(`FEATURES`: whether the text above closed, the draft's head and its dating, the words across the
seam, the head's likeness to the subheads above, the page's datelines, lengths and place) is
fitted on them; a draft it reads as a piece with probability ≥ `JOIN_AT` is put back into the
article above (`composite.absorb`, as `service.subheads` does) and the next one read against the
article so joined. Pages are read by `joined_split` in place of `service.pages.split_page` (the
same drafts and cleaning; the rendered pages hold no markup), so nothing in service/ changes
(branch i184-hook holds the same decision wired into `service.pages`, weights as JSON).

    python -m training.joins_fit --month-out FOLDS [--markdown] [--json FILE]
        # each development month read with its fold's fitted parts (`training.month_out --cache
        # FOLDS`) and a model fitted on the other two months' drafts under those parts
    python -m training.joins_fit --halves [--json FILE]
        # each development half read with a model fitted on the other (parts as shipped)

Stop 53: month out titles + bodies 11,928 → 11,905 (−23): not kept (training/EXPERIMENTS.md).
The test month is never read.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from service.cohesion import bigram_share, cohesion, head_bigrams
from service.lines import BYLINE_END, BYLINE_START, PARA, SHORT
from service.text import ends_paragraph
from training.pages_eval import DEV_MONTHS, evaluate, halves, load_pages, render, score

SEEDS = (99, 98)  # the drafts' pages rendered as pages_fit's are (not the figures' seed 11)
C = 1.0
# Joined only when the model is three times as sure of a piece as of an article: a wrong join
# costs the draft's title and body and the body above, a missed one the body above (set before
# any run; measured after: a wrong join alone costs 2.9 titles + bodies on average).
JOIN_AT = 0.75

FEATURES = (
    "above_closed", "above_ends", "above_credit", "above_short", "above_dated", "above_untitled",
    "above_chars", "above_subheads", "kicker", "subtitle", "head_lines", "dated", "credit",
    "closed", "title_chars", "title_space", "title_label", "title_comma", "title_exclaims",
    "title_ordinal", "title_colon", "seam", "share_body", "share_head", "chars", "subheads",
    "same_length", "same_edges", "page_dated", "undated_among_dated", "position", "last",
    "above_label", "root_label", "undated_run", "title_quote", "same_form",
    "root_share", "root_chars", "page_drafts", "page_mean",
)  # fmt: skip
_LABEL = re.compile(r".*[（(][^（）()]{2,}[）)]$")
_ORDINAL = re.compile(
    r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|[●■◆▲★【]"
)


def _text(spans) -> str:
    return " ".join(s.text for s in spans)


def features(drafts: list, at: int) -> list[float]:
    """What the page shows of the boundary between `drafts[at - 1]` and `drafts[at]`."""
    above, d = drafts[at - 1], drafts[at]
    title = _text(d.title) or _text(d.kicker + d.subtitle)
    last = above.body[-1].text if above.body else ""
    # (the body's own text: rules after the pass rewrite bodies, so no cached join is read)
    whole = "".join(s.text for s in above.body)
    tail = whole[-240:] if above.body else _text(above.title)
    first = "".join(s.text for s in d.body[:3])
    mine = head_bigrams(title)
    # (from the lines: rules after the pass move lines without the pass's running counts)
    shorts = [s.text for s, k in zip(above.body, above.kinds, strict=True) if k == SHORT]
    edges = {(s[:1], s[-1:]) for s in shorts}
    others = [x for i, x in enumerate(drafts) if i != at]
    dated = sum(x.dated for x in others) / len(others) if others else 0.0
    # (the head over the run of undated drafts above: a feature's sections read as articles)
    root = next(i for i in range(at - 1, -1, -1) if drafts[i].dated or i == 0)
    labelled = (i for i in range(at - 1, root - 1, -1) if _LABEL.match(_text(drafts[i].title)))
    root = next(labelled, root)
    run = drafts[root:at]
    return [
        float(above.closed),
        float(bool(last) and ends_paragraph(last)),
        float(bool(above.kinds) and above.kinds[-1] == BYLINE_END),
        float(bool(above.kinds) and above.kinds[-1] == SHORT),
        float(above.dated),
        float(not above.title),
        math.log1p(len(whole)),
        math.log1p(len(shorts)),
        float(bool(d.kicker)),
        float(bool(d.subtitle)),
        float(len(d.kicker) + len(d.title) + len(d.subtitle)),
        float(d.dated),
        float(BYLINE_START in d.kinds[:2]),
        float(d.closed),
        len(title) / 20,
        float(" " in title.strip() or "\u3000" in title),
        float(bool(_LABEL.match(title))),
        float("，" in title or "," in title),
        float(title[-1:] in "！？!?"),
        float(bool(_ORDINAL.match(title))),
        float(title[-1:] in "：:" or title.endswith("——")),
        cohesion(tail, first),
        bigram_share(mine, whole),
        bigram_share(mine, _text(above.title + above.kicker + above.subtitle)),
        math.log1p(sum(len(s.text) for s in d.body)),
        math.log1p(sum(k == SHORT for k in d.kinds)),
        float(len(title) in {len(s) for s in shorts}),
        float((title[:1], title[-1:]) in edges),
        dated,
        (1.0 - d.dated) * dated,
        at / (len(drafts) - 1),
        float(at == len(drafts) - 1),
        float(bool(_LABEL.match(_text(above.title)))),
        float(bool(_LABEL.match(_text(drafts[root].title)))),
        math.log1p(at - 1 - root),
        float(title[:1] in '“"「'),
        float(_form(above) == _form(d)),
        bigram_share(mine, "".join(_text(x.title) + "".join(s.text for s in x.body) for x in run)),
        math.log1p(sum(len(s.text) for x in run for s in x.body)),
        math.log1p(len(drafts)),
        math.log1p(sum(len(s.text) for x in drafts for s in x.body) / len(drafts)),
    ]


def _form(d) -> tuple:
    """A head's shape: its lines, the kicker's last mark, the title's length in fours."""
    kicker = _text(d.kicker)
    return len(d.kicker), len(d.subtitle), kicker[-2:] == "——", len(_text(d.title)) // 4


def drafts_of(raw: str) -> list:
    """The drafts `service.pages` reads from a page once the rules after the pass are done."""
    from service.composite import merge_pieces
    from service.html_lines import html_lines
    from service.indents import page_items
    from service.invisible import page_lines
    from service.markup import unmarked
    from service.pages import HEADING, _Splitter
    from service.settle import settle_heads

    raw, spans, _ = page_lines(raw)
    raw, spans, _, tags = html_lines(raw, spans)
    raw, spans, _, demoted, setext, _ = unmarked(raw, spans, tags)
    items = page_items(raw, spans)
    if setext:
        items = [(it[0], HEADING, "") if it[0].start in setext else it for it in items]
    drafts = merge_pieces(_Splitter(items, demoted).run())
    settle_heads(drafts, raw)
    return drafts


def articles_of(raw: str, drafts: list) -> list:
    """The articles `service.pages._read` makes of the drafts (a page with no markup)."""
    from service.documents import Article
    from service.item_column import ITEMS
    from service.text import clean_kinds

    out = []
    for d in drafts:
        c = clean_kinds(raw, d.body, d.kinds, d.values, tail=d.composite != ITEMS)
        if d.title or c.body.text:
            heads = [" ".join(s.text for s in x) for x in (d.title, d.kicker, d.subtitle)]
            out.append(
                Article(
                    title=heads[0], body=c.body, kicker=heads[1], subtitle=heads[2],
                    byline=c.byline, dateline=c.dateline, continues=c.continues,
                    start=d.start, end=d.end,
                )
            )  # fmt: skip
    return out


def _opened(drafts: list, at: int) -> bool:
    d, above = drafts[at], drafts[at - 1]
    return bool(d.title) and bool(above.title or above.body) and PARA in d.kinds


def joined(drafts: list, fitted: dict) -> list:
    """The drafts with those the model reads as pieces put back into the article above."""
    from service.composite import absorb

    if any(d.marked for d in drafts):
        return drafts  # (titles as `## `: never)
    w, bias = np.array(fitted["weights"]), fitted["bias"]
    at = 1
    while at < len(drafts):
        if _opened(drafts, at):
            z = bias + float(w @ np.array(features(drafts, at)))
            if z >= math.log(JOIN_AT / (1 - JOIN_AT)):
                absorb(drafts[at - 1], drafts[at])
                del drafts[at]
                continue
        at += 1
    return drafts


def joined_split(fitted: dict | None):
    """A `split` for `pages_eval.evaluate`: the page's articles with the model's joins (none:
    the drafts as they are, which reads as `split_page` does on these pages)."""
    from service.pages import split_page

    def split(raw: str) -> list:
        if fitted is None:
            return split_page(raw)
        return articles_of(raw, joined(drafts_of(raw), fitted))

    return split


def true_heads(page) -> list[tuple[int, int]]:
    """Each true article's head lines as a range of the rendered page's text."""
    text, at, out = page.text, 0, []
    for t in page.articles:
        start = end = None
        for line in [x for x in (t.kicker, t.title, t.subtitle) if x]:
            while True:  # (a whole line: after a line end or at the top, before a line end)
                i = text.find(line, at)
                after = text[i + len(line) : i + len(line) + 1]
                if i < 0 or (i == 0 or text[i - 1] == "\n") and after == "\n":
                    break
                at = i + 1
            if i < 0:
                break
            start = i if start is None else start
            end = at = i + len(line)
        if start is not None:
            out.append((start, end))
    return out


def examples(pages, seeds: Sequence[int] = SEEDS, deltas: bool = False):
    """Features and labels (1: a piece of the article above) of every opened draft; with
    `deltas`, also how titles + bodies of its page move when it alone is joined."""
    from service.composite import absorb

    titles = [r["title"].strip() for p in pages for r in p if r["title"].strip()]
    xs, ys, ds = [], [], []
    for seed in seeds:
        rng = random.Random(f"{seed}-False")
        for rows in pages:
            page = render(rows, rng, False, others=rng.sample(titles, 3))
            heads, drafts, base = true_heads(page), drafts_of(page.text), None
            for at in range(1, len(drafts)):
                if not _opened(drafts, at):
                    continue
                mine = drafts[at].kicker + drafts[at].title + drafts[at].subtitle
                xs.append(features(drafts, at))
                ys.append(
                    0 if any(s.start < e and b < s.end for s in mine for b, e in heads) else 1
                )
                if deltas:
                    base = _found(page, drafts) if base is None else base
                    above = copy.copy(drafts[at - 1])
                    above.body, above.kinds = list(above.body), list(above.kinds)
                    above.values = list(above.values)
                    absorb(above, drafts[at])
                    ds.append(_found(page, drafts[: at - 1] + [above] + drafts[at + 1 :]) - base)
    return np.array(xs, dtype=float), np.array(ys), np.array(ds)


def _found(page, drafts) -> int:
    s = score(page, articles_of(page.text, drafts))
    return s["titles_found"] + s["bodies_whole"]


def fit(x: np.ndarray, y: np.ndarray, c: float = C) -> dict:
    return logistic(x, y, c, FEATURES, digits=6)


def logistic(x: np.ndarray, y: np.ndarray, c: float, features, digits: int) -> dict:
    """A logistic regression, its standardisation folded into the weights (as JSON)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    w = model.coef_[0] / scale
    return {
        "features": list(features),
        "weights": [round(float(v), digits) for v in w],
        "bias": round(float(model.intercept_[0] - (w * mean).sum()), digits),
        "examples": int(len(y)),
        "pieces": int(y.sum()),
    }


_METRICS = ("titles_found", "bodies_whole", "breaks_repaired", "paragraphs_kept")


def read(pages, fitted: dict | None, markdown: bool = False) -> dict:
    """Counts of the page metrics (seed 11, as `training.month_out.read`)."""
    return counts(pages, joined_split(fitted), markdown)


def counts(pages, split, markdown: bool = False) -> dict:
    """The page metrics as counts, `split` reading each page (seed 11, the figures' rendering)."""
    from service.pages import _read

    _read.cache_clear()
    r = evaluate(pages, seed=11, kinds=(markdown,), split=split)
    r = r["markdown" if markdown else "bare"]
    of = ("articles", "articles", "breaks", "paragraphs")
    out = {m: round(r[m] * r[n]) for m, n in zip(_METRICS, of, strict=True)}
    out["furniture_left"] = round(r["furniture_left"] * r["furniture_lines"])
    return out | {"articles": r["articles"], "articles_read": r["articles_read"]}


def _both(pages, fitted: dict, markdown: bool = False) -> dict:
    return {"base": read(pages, None, markdown), "with": read(pages, fitted, markdown)}


def _line(name: str, both: dict) -> str:
    b, w = both["base"], both["with"]
    gain = sum(w[m] - b[m] for m in _METRICS[:2])
    cells = ", ".join(f"{m} {b[m]} → {w[m]}" for m in (*_METRICS, "furniture_left"))
    return f"{name}: {cells} (titles + bodies {gain:+d})"


def month_out(data: Path, folds: Path, markdown: bool) -> dict:
    from training import month_out as mo

    every = {m: load_pages(data, [m]) for m in DEV_MONTHS}
    saved = json.loads(folds.read_text(encoding="utf-8"))["folds"]
    out = {}
    for month in DEV_MONTHS:
        forms, pair, parts = saved[month]
        mo.use(forms, tuple(pair), tuple(parts))  # (the fold's parts: fitted on the other two)
        x, y, _ = examples([p for m in DEV_MONTHS if m != month for p in every[m]])
        out[month] = read_month(every[month], fit(x, y), month, _both, markdown)
    mo.use(*mo._shipped())
    return out


def read_month(pages, fitted: dict, name: str, both, markdown: bool) -> dict:
    """One held-out month read without and with `fitted` (`both`: a module's two readings),
    `## ` pages too with `markdown`; each reading said on stderr."""
    out = both(pages, fitted) | {"model": fitted}
    print(_line(name, out), file=sys.stderr)
    if markdown:
        out["markdown"] = both(pages, fitted, markdown=True)
        print(_line(name + " `## `", out["markdown"]), file=sys.stderr)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.joins_fit", description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--month-out", type=Path, metavar="FOLDS", help="month_out --cache's file")
    which.add_argument("--halves", action="store_true")
    ap.add_argument("--markdown", action="store_true", help="also read `## ` pages")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    if args.month_out:
        out = month_out(args.data, args.month_out, args.markdown)
    else:
        parts = list(halves(load_pages(args.data, DEV_MONTHS)).items())
        out = {}
        for (name, pages), (_, other) in zip(parts, parts[::-1], strict=True):
            fitted = fit(*examples(other)[:2])  # (parts as shipped: fitted on both halves)
            out[name] = _both(pages, fitted) | {"model": fitted}
            print(_line(name, out[name]), file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
