"""Page splitting measured on real page make-up: People's Daily pages with furniture we add.

`newspaper/articles.jsonl.gz` holds each page's articles in page order (kicker, title, subtitle,
body as printed). A seeded generator adds what extraction leaves on a page and the corpus lacks:
a page header in one of several papers' styles, 今日导读 digests, 上接/下转 jumps, credit lines
(本版责编, 本版制图, 版式设计) and column breaks that cut paragraphs mid-word. Each page is
rendered twice, titles bare and titles as `## `, split with `service.pages.split_page`, and scored
as ../shared/DECISIONS.md defines the page metrics.

Split (fixed before any tuning, docs/pages.md): the test month is 2020-05; development (what the
rules were tuned on) is 2019-10, 2020-01 and 2020-02.

    python -m training.pages_eval --data ../shared/data [--split dev|test|all] [--seed 11]
        [--layout columns|printed-lines] [--markup converter|stacked|flat|html-oneline]
        [--indent ideographic|spaces] [--halves | --month 202002]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise
from pathlib import Path

from service.errors import DataError

from .progress import stage_done, stages

__all__ = [
    "TEST_MONTHS",
    "DEV_MONTHS",
    "month_list",
    "load_pages",
    "render",
    "score",
    "evaluate",
    "Rendered",
    "Truth",
]

ARTICLES = "newspaper/articles.jsonl.gz"
TEST_MONTHS = ("202005",)
DEV_MONTHS = ("201910", "202001", "202002")  # each fitted on the other two, read on its own
TITLE_SLACK = 40  # a predicted title may hold the true one plus this much (a joined subtitle)
WHOLE = 0.98  # character similarity for a body to count as whole
FURNITURE_MIN = 4  # shorter furniture lines are not searched for in bodies
BREAK_CONTEXT = 3  # characters each side of a column break that must sit together in a body
# Characters each side of a true paragraph boundary that, found together on one line of a split
# body, say the boundary was joined as if it were a break (more than BREAK_CONTEXT: a paragraph
# end such as 。 then 我们 recurs inside running text by chance).
PARA_CONTEXT = 8
_WS = re.compile(r"\s+")
_TERMINAL = set("。！？!?；;：:…”’」』）)")
_PAPERS = ("人民日报", "光明日报", "经济日报", "解放日报", "南方日报", "新华每日电讯", "北京日报")
_PAGE_NAMES = ("要闻", "综合", "国际", "评论", "经济", "社会", "文化", "体育", "副刊", "理论")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红亮晨雪琳宁远航"
_WEEKDAYS = "一二三四五六日"
_CN_NUM = "〇一二三四五六七八九十"


@dataclass
class Truth:
    """One true article of a rendered page."""

    kicker: str
    title: str
    subtitle: str
    body: str


@dataclass
class Rendered:
    """A page as text, with what a split of it should give."""

    text: str
    articles: list[Truth]
    furniture: list[str] = field(default_factory=list)  # furniture lines we added
    breaks: list[tuple[str, str]] = field(default_factory=list)  # text each side of a cut


def load_pages(data: Path, months: Iterable[str] | None = None) -> list[list[dict]]:
    """The corpus' pages, each its articles in `seq` order, in date and page order."""
    keep = set(months) if months is not None else None
    pages: dict[tuple[str, int], list[dict]] = defaultdict(list)
    path = Path(data)
    path = path / ARTICLES if path.is_dir() else path  # the corpus folder, or one file
    if not path.is_file():  # a wrong --data, as train and evaluate say it: exit 1, not 2
        raise DataError(
            f"{path} not found; point --data (make DATA=…) at the shared data folder", field="data"
        )
    opener = gzip.open if path.suffix == ".gz" else open
    n = 0
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                n += 1
                row = json.loads(line)
                if keep is None or row["date"][:6] in keep:
                    pages[(row["date"], int(row["page"]))].append(row)
    # a cut or corrupt copy, or a row without date and page: the file named, not a traceback
    except (OSError, EOFError, zlib.error, ValueError, KeyError, TypeError) as exc:
        raise DataError(
            f"{path}: cannot be read after line {n} ({type(exc).__name__}: {exc}); a truncated "
            "or corrupt copy? fetch it again",
            field="data",
        ) from exc
    return [sorted(pages[k], key=lambda r: int(r["seq"])) for k in sorted(pages)]


def pages_or_none(data: Path) -> list[list[dict]] | None:
    """`load_pages`, or None with the reason on stderr (the tools then exit 1)."""
    try:
        return load_pages(data)
    except DataError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return None


def month_list(text: str) -> tuple[str, ...]:
    """Development months given as 201910,202001 (an argparse type: never a test month)."""
    months = tuple(m.strip() for m in text.split(",") if m.strip())
    if not months or any(m not in DEV_MONTHS for m in months):
        raise argparse.ArgumentTypeError(f"development months are {', '.join(DEV_MONTHS)}")
    return months


def page_count(text: str) -> int:
    """`--limit N`: N ≥ 1 (0 read every page and -1 all but the last, without a word)."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of pages, 1 or more: {text!r}")
    return int(text)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _cn(n: int) -> str:
    if n <= 10:
        return _CN_NUM[n]
    return ("" if n < 20 else _CN_NUM[n // 10]) + "十" + (_CN_NUM[n % 10] if n % 10 else "")


def _header(rng: random.Random, date: str, page: int) -> list[str]:
    """A page header in one of several papers' styles."""
    import datetime as dt

    d = dt.date(int(date[:4]), int(date[4:6]), int(date[6:8]))
    day = f"{d.year}年{d.month}月{d.day}日"
    week = f"星期{_WEEKDAYS[d.weekday()]}"
    paper, name = rng.choice(_PAPERS), rng.choice(_PAGE_NAMES)
    styles = [
        [f"{paper} {day} {week} 第{page}版"],
        [f"{day}　{week}", f"{page:02d} {name}"],
        [f"{paper}", f"{day} {week} 第{page}版：{name}"],
        [f"第{page}版 {name}", f"{day}"],
        [f"{day} {week} 农历{rng.choice(['九月廿二', '腊月初八', '四月初九'])}"],
        [f"{name} {page}", f"{paper} {day}"],
        [f"{d.year}年{d.month}月{d.day}日 {week} {name} 第{_cn(page)}版"],
    ]
    return rng.choice(styles)


def _credits(rng: random.Random) -> list[str]:
    roles = ["本版责编", "本版制图", "版式设计", "责任编辑", "本版统筹", "美术编辑"]
    picked = rng.sample(roles, rng.choice((1, 1, 2, 3)))
    cut = [f"{r}：{_name(rng)}" + (f"　{_name(rng)}" if rng.random() < 0.4 else "") for r in picked]
    return ["　".join(cut)] if len(cut) > 1 and rng.random() < 0.4 else cut


def _digest(rng: random.Random, titles: Sequence[str]) -> list[str]:
    lines = [rng.choice(["今日导读", "本版导读", "导读"])]
    for t in titles:
        page = rng.randint(2, 20)
        style = rng.randrange(3)
        if style == 0:
            lines.append(f"{t}　>{page}版")
        elif style == 1:
            lines.append(f"{t}（第{page}版）")
        else:
            lines += [t, f">{page}版"]
    return lines


def _cut_points(para: str, rng: random.Random, lo: int) -> list[int]:
    """Mid-word places a column may cut `para`: never right after a sentence end."""
    # A column ends anywhere in the running text, so a paragraph is cut in proportion to its
    # length: long ones often, a short subhead or credit line seldom.
    if len(para) < lo + 12 or rng.random() > min(0.8, len(para) / 400):
        return []
    at = rng.randint(lo + 4, len(para) - 4)
    for k in range(at, len(para) - 4):
        if para[k - 1] not in _TERMINAL and not para[k - 1].isspace() and not para[k].isspace():
            return [k]
    return []


def _printed_lines(para: str, rng: random.Random, lo: int) -> list[int]:
    """Where a narrow column (14–24 characters, one width a paragraph) ends each printed line,
    as pdftotext's default layout or OCR gives a page: never right after a sentence end."""
    width = rng.randint(14, 24)
    return [
        k
        for k in range(width, len(para) - 2, width)
        if k > lo and para[k - 1] not in _TERMINAL and not para[k - 1].isspace()
        and not para[k].isspace()
    ]  # fmt: skip


LAYOUTS = {"columns": _cut_points, "printed-lines": _printed_lines}
# A paragraph's first printed line indented, as e-papers, news sites and many PDF extractions set
# it (a column's continuation line, heads and furniture not): `--indent`.
INDENTS = {"": "", "ideographic": "\u3000\u3000", "spaces": "    "}


def render(
    rows: Sequence[dict],
    rng: random.Random,
    markdown: bool,
    others=(),
    layout: str = "columns",
    indent: str = "",
) -> Rendered:
    """One page as extraction gives it: header, maybe a digest, articles, jumps, credits;
    paragraphs cut at most once by a column's end, or (`layout` "printed-lines") one printed
    line a line; each body paragraph's first line opening on `indent` (`INDENTS`; no draw)."""
    cuts = LAYOUTS[layout]
    lead = INDENTS[indent]
    from service.text import split_dateline

    out = Rendered("", [])
    sep = rng.choice(("\n", "\n\n"))
    lines: list[str] = []
    for line in _header(rng, rows[0]["date"], int(rows[0]["page"])):
        lines.append(line)
        out.furniture.append(line)
    if others and rng.random() < 0.15:
        for line in _digest(rng, rng.sample(list(others), min(3, len(others)))):
            lines.append(line)
            out.furniture.append(line)
    for i, row in enumerate(rows):
        body = [p for p in row["text"].split("\n") if p.strip()]
        title = row["title"].strip()
        if not title or not body:
            continue
        out.articles.append(
            Truth(row["kicker"].strip(), title, row["subtitle"].strip(), "\n".join(body))
        )
        if row["kicker"].strip():
            lines.append(row["kicker"].strip())
        lines.append(f"## {title}" if markdown else title)
        if row["subtitle"].strip():
            lines.append(row["subtitle"].strip())
        if i and rng.random() < 0.05:
            jump = f"（上接第{rng.randint(1, 4)}版）"
            lines.append(jump)
            out.furniture.append(jump)
        for j, para in enumerate(body):
            para = para.strip()
            lo = split_dateline(para)[1] if j == 0 else 0
            start = 0
            for k in cuts(para, rng, lo):
                lines.append(lead + para[start:k] if start == 0 else para[start:k])
                out.breaks.append(
                    (para[max(start, k - BREAK_CONTEXT) : k], para[k : k + BREAK_CONTEXT])
                )
                start = k
            lines.append(lead + para[start:] if start == 0 else para[start:])
        if rng.random() < 0.05:
            jump = rng.choice(("（下转第{}版）", "（转第{}版）", "下转{}版")).format(
                rng.randint(2, 20)
            )
            lines.append(jump)
            out.furniture.append(jump)
    for line in _credits(rng):
        lines.append(line)
        out.furniture.append(line)
    out.text = sep.join(lines) + "\n"
    return out


def _squash(s: str) -> str:
    return _WS.sub("", s)


def similarity(a: str, b: str) -> float:
    """Character similarity of two texts, whitespace ignored (difflib's ratio)."""
    a, b = _squash(a), _squash(b)
    if a == b:
        return 1.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < WHOLE or m.quick_ratio() < WHOLE:
        return m.quick_ratio()
    return m.ratio()


def title_found(true: str, predicted: str) -> bool:
    t, p = " ".join(true.split()), " ".join(predicted.split())
    return bool(t) and (p == t or (t in p and len(p) - len(t) <= TITLE_SLACK))


def _whole(truth: Truth, art) -> float:
    """The best similarity of the true body with the article's body, moved parts put back."""
    dl, by, sub = art.dateline, art.byline, getattr(art, "subtitle", "")
    options = [
        art.text,
        dl + art.text,
        dl + art.text + by,
        by + dl + art.text,
        sub + dl + art.text + by,
        sub + by + dl + art.text,
    ]
    return max(similarity(truth.body, o) for o in dict.fromkeys(options))


def score(page: Rendered, articles: Sequence) -> dict[str, int]:
    """Counts for the five page metrics on one rendered page and its split."""
    titles = [a.title for a in articles]
    grams = {id(a): set(_ngrams(_squash(a.text))) for a in articles}
    used: set[int] = set()
    found = whole = 0
    for t in page.articles:
        hit = next(
            (i for i, p in enumerate(titles) if i not in used and title_found(t.title, p)), None
        )
        if hit is not None:
            used.add(hit)
            found += 1
        # The article holding most of the true body: the one whose body shares most text.
        probe = set(_ngrams(_squash(t.body), step=3))
        best = max(articles, key=lambda a: len(probe & grams[id(a)]), default=None)
        if best is not None and _whole(t, best) >= WHOLE:
            whole += 1
    bodies = [a.text for a in articles]
    lines_of = [line for b in bodies for line in b.split("\n")]
    repaired = sum(any(left + right in line for line in lines_of) for left, right in page.breaks)
    # The other side of break repair: a true paragraph boundary joined into one line (a
    # splitter joining every line would repair every break). One string: no side holds "\n".
    flat_lines = "\n".join(bodies)
    seams = [
        (a[-PARA_CONTEXT:], b[:PARA_CONTEXT])
        for t in page.articles
        for a, b in pairwise(p.strip() for p in t.body.split("\n"))
    ]
    kept = sum(left + right not in flat_lines for left, right in seams)
    flat = [_squash(b) for b in bodies]
    leaks = [f for f in page.furniture if len(_squash(f)) >= FURNITURE_MIN]
    leaked = sum(any(_squash(f) in b for b in flat) for f in leaks)
    return {
        "articles": len(page.articles),
        "read": len(articles),  # (more than the page holds: heads or pieces read as articles)
        "titles_found": found,
        "bodies_whole": whole,
        "breaks": len(page.breaks),
        "breaks_repaired": repaired,
        "paragraphs": len(seams),
        "paragraphs_kept": kept,
        "furniture": len(leaks),
        "furniture_leaked": leaked,
    }


def _ngrams(s: str, n: int = 4, step: int = 1) -> list[str]:
    return [s[i : i + n] for i in range(0, max(len(s) - n + 1, 1), step)]


def halves(pages: Sequence[Sequence[dict]]) -> dict[str, list]:
    """The pages in date order cut in two by count: a rule is kept only where both halves rise
    or one rises and the other stays level, and weights fitted on one half are read on the other."""
    cut = len(pages) // 2
    first, second = list(pages[:cut]), list(pages[cut:])
    name = lambda part: f"{part[0][0]['date']}–{part[-1][0]['date']}" if part else "empty"  # noqa: E731
    return {f"half 1 ({name(first)})": first, f"half 2 ({name(second)})": second}


def evaluate(
    pages: Sequence[Sequence[dict]],
    seed: int = 11,
    split=None,
    kinds=(False, True),
    done=None,
    layout: str = "columns",
    markup: str = "",
    indent: str = "",
) -> dict[str, dict]:
    """The five metrics over `pages`, titles bare and titles as `## ` (`kinds`: markdown or not;
    each kind draws from its own seeded generator, so bare alone reads as with both). `done`,
    if given, is called with each kind's name as it is scored. `markup` "converter" or "stacked":
    the pages marked up as a converter to markdown does (`training.converted.MARKUPS`); `indent`:
    paragraphs' first lines indented (`INDENTS`)."""
    if split is None:
        from service.pages import split_page as split
    titles = [r["title"].strip() for p in pages for r in p if r["title"].strip()]
    results = {}
    for markdown in kinds:
        rng = random.Random(f"{seed}-{markdown}")
        marks = random.Random(f"{seed}-{markdown}-{markup}")  # (apart: the same pages under it)
        totals: dict[str, int] = defaultdict(int)
        t0 = time.perf_counter()
        spent = 0.0
        for rows in pages:
            page = render(
                rows, rng, markdown, others=rng.sample(titles, 3), layout=layout, indent=indent
            )
            if markup:
                from .converted import MARKUPS

                page = MARKUPS[markup](page, rows, marks, markdown)
            t = time.perf_counter()
            arts = split(page.text)
            spent += time.perf_counter() - t
            for k, v in score(page, arts).items():
                totals[k] += v
        totals["pages"] = len(pages)
        kind = "markdown" if markdown else "bare"
        results[kind] = _rates(totals, spent, time.perf_counter() - t0)
        if done is not None:
            done(kind)
    return results


def _rates(t: dict[str, int], split_s: float, total_s: float) -> dict:
    def rate(a: str, b: str) -> float:
        return round(t[a] / t[b], 4) if t[b] else 0.0

    return {
        "pages": t["pages"],
        "articles": t["articles"],
        "titles_found": rate("titles_found", "articles"),
        "bodies_whole": rate("bodies_whole", "articles"),
        "breaks_repaired": rate("breaks_repaired", "breaks"),
        "paragraphs_kept": rate("paragraphs_kept", "paragraphs"),
        "furniture_left": rate("furniture_leaked", "furniture"),
        "articles_read": t["read"],
        "breaks": t["breaks"],
        "paragraphs": t["paragraphs"],
        "furniture_lines": t["furniture"],
        "split_pages_per_s": round(t["pages"] / split_s, 1) if split_s else 0.0,
        "seconds": round(total_s, 1),
    }


def format_table(results: dict[str, dict[str, dict]]) -> str:
    head = (
        "| split | page text | pages | articles | titles found | bodies whole "
        "| breaks repaired | paragraphs kept | furniture left in a body |"
    )
    rows = [head, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for split, by_kind in results.items():
        for kind, r in by_kind.items():
            rows.append(
                f"| {split} | {'titles as `## `' if kind == 'markdown' else 'bare titles'} | "
                f"{r['pages']} | {r['articles']} | {r['titles_found']:.3f} | "
                f"{r['bodies_whole']:.3f} | {r['breaks_repaired']:.3f} | "
                f"{r['paragraphs_kept']:.3f} | {r['furniture_left']:.3f} |"
            )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m training.pages_eval", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--limit", type=page_count, help="only the first N pages of each split")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument(
        "--layout", choices=tuple(LAYOUTS), default="columns",
        help="how paragraphs are cut: at most once by a column's end (the figures' rendering), "
        "or printed-lines (every 14–24 characters, as pdftotext's layout or OCR gives a page)",
    )  # fmt: skip
    ap.add_argument(
        "--markup", choices=("converter", "stacked", "flat", "html-oneline"),
        help="pages marked up as a converter from PDF or HTML to markdown writes them: the lead "
        "title as # , decks and subheads as ### or bold, bare titles bold, image lines "
        "(converter); or every head line of a `## ` page as `## `, kickers and subtitles too "
        "(stacked); or a page's HTML on one line, `## ` titles as <h2>, other lines <p> "
        "(html-oneline)",
    )  # fmt: skip
    ap.add_argument(
        "--indent", choices=tuple(k for k in INDENTS if k), default="",
        help="each body paragraph's first printed line indented, as e-papers and many PDF "
        "extractions set it: two ideographic spaces, or four spaces (default: none)",
    )  # fmt: skip
    which = ap.add_mutually_exclusive_group()
    which.add_argument(
        "--halves", action="store_true",
        help="the development months as two halves in date order, each scored on its own "
        "(the test month is not read: halves are for tuning)",
    )  # fmt: skip
    which.add_argument(
        "--month", type=month_list,
        help="development months (201910,202001) each scored on its own, e.g. a month held out",
    )  # fmt: skip
    args = ap.parse_args(argv)
    every = pages_or_none(args.data)
    if every is None:
        return 1
    splits = {
        "dev (tuned on)": [p for p in every if p[0]["date"][:6] not in TEST_MONTHS],
        "test (2020-05)": [p for p in every if p[0]["date"][:6] in TEST_MONTHS],
    }
    if args.halves:  # a tuning reading: the test month stays unread, whatever --split says
        splits = {f"dev {k}": v for k, v in halves(splits["dev (tuned on)"]).items()}
    if args.month:
        dev = splits["dev (tuned on)"]
        splits = {f"dev {m}": [p for p in dev if p[0]["date"][:6] == m] for m in args.month}
    if args.split != "all":
        splits = {k: v for k, v in splits.items() if k.startswith(args.split)}
    # A partial corpus (a month missing) scored its split on no page: a table of 0.000, exit 0.
    empty = [k for k, v in splits.items() if not v]
    if empty:
        print(
            f"error: {args.data}: no pages for {', '.join(empty)}; a partial copy of {ARTICLES}? "
            "fetch it again, or pick what is there (--split, --month)",
            file=sys.stderr,
        )
        return 1
    results = {}
    # Each split and kind takes tens of seconds to minutes on the full corpus: say so as they end
    # (a bar on a terminal, a line each in a log), as train and evaluate do.
    bar = stages(True if sys.stderr.isatty() else "lines", 2 * len(splits), "evaluate-pages")
    with bar or nullcontext():
        for name, pages in splits.items():
            if args.limit:
                pages = pages[: args.limit]
            step = lambda kind, name=name: stage_done(bar, f"{name}, {kind}")  # noqa: E731
            results[name] = evaluate(
                pages,
                seed=args.seed,
                done=step,
                layout=args.layout,
                markup=args.markup or "",
                indent=args.indent,
            )
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        print(format_table(results))
        for name, by_kind in results.items():
            for kind, r in by_kind.items():
                print(
                    f"{name} {kind}: {r['articles_read']} articles read for {r['articles']}, "
                    f"{r['breaks']} breaks, {r['paragraphs']} paragraph "
                    f"boundaries, {r['furniture_lines']} furniture lines, "
                    f"split {r['split_pages_per_s']} pages/s, {r['seconds']} s",
                    file=sys.stderr,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
