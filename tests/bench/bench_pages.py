"""Page splitting speed: service.pages.split_page against the splitter before issue 11.

Issue 11 asks that splitting stay within 2x of the splitter it replaced. That splitter (commit
BEFORE, `## ` titles only) is taken from git into this run's scratch folder, its imports
renamed, and both split the same rendered development pages (training.pages_eval: bare titles
and titles as `## `), CPU time, best of five runs, the two taking 25 pages in turn. Without git
or that commit the baseline is our own `## ` path on the same pages, and the note says so.
"""

from __future__ import annotations

import importlib
import random
import subprocess
import sys
import time

from .common import ROOT, Context, Figure, Skip

__all__ = ["run", "BEFORE"]

BEFORE = "bc3449f"  # the last commit before issue 11's splitter (docs/pages.md)
_OLD = ("pages", "text", "documents", "errors")  # the modules the old splitter needs
TARGET = 0.5  # at most 2x slower: ours ≥ half the old splitter's pages/s
SCALING = 7.0  # a page 4x longer in at most 7x the time (linear: ~4; quadratic shapes read 8-15)


def _old_splitter(ctx: Context):
    """split_page of commit BEFORE, imported from the scratch folder; None if unreachable."""
    pkg = ctx.work / "oldsplit"
    pkg.mkdir(parents=True, exist_ok=True)
    for name in _OLD:
        try:
            src = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{BEFORE}:service/{name}.py"],
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        for other in _OLD:
            src = src.replace(f"from service.{other} import", f"from oldsplit.{other} import")
        (pkg / f"{name}.py").write_text(src, encoding="utf-8")
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(ctx.work))
    try:
        return importlib.import_module("oldsplit.pages").split_page
    except Exception:
        return None
    finally:
        sys.path.remove(str(ctx.work))


def _pages(ctx: Context, markdown: bool) -> list[str]:
    from training.pages_eval import TEST_MONTHS, load_pages, render

    path = ctx.data_file("newspaper/articles.jsonl.gz")
    if "dev_pages" not in ctx.cache:
        pages = [p for p in load_pages(path) if p[0]["date"][:6] not in TEST_MONTHS]
        ctx.cache["dev_pages"] = pages[: 60 if ctx.quick else 300]
    rows = ctx.cache["dev_pages"]
    if not rows:
        raise Skip("no development pages in newspaper/articles.jsonl.gz")
    rng = random.Random(f"bench-{markdown}")
    titles = [r["title"].strip() for p in rows for r in p if r["title"].strip()]
    return [render(p, rng, markdown, others=rng.sample(titles, 3)).text for p in rows]


def _cpu(split, pages: list[str]) -> float:
    from service.pages import _read

    _read.cache_clear()  # read_page keeps the last pages it read: every page is split anew
    t = time.process_time()
    for raw in pages:
        split(raw)
    return time.process_time() - t


def _paired_cpu(split, old, pages: list[str], block: int = 25) -> tuple[float, float]:
    """CPU seconds of each splitter over `pages`, the two taking `block` pages in turn: both
    meet the shared machine in about the same state (a whole run of each, back to back, read
    the old splitter anywhere from 579 to 1,011 pages/s, the ratio 0.49-0.86x on one code),
    and each runs warm within its block (a page in turn had each evict the other's caches)."""
    from service.pages import _read

    _read.cache_clear()  # read_page keeps the last pages it read: every page is split anew
    ours = base = 0.0
    clock = time.process_time
    for i in range(0, len(pages), block):
        t0 = clock()
        for raw in pages[i : i + block]:
            split(raw)
        t1 = clock()
        for raw in pages[i : i + block]:
            old(raw)
        t2 = clock()
        ours, base = ours + t1 - t0, base + t2 - t1
    return ours, base


def run(ctx: Context) -> list[Figure]:
    return _speed(ctx) + scaling(ctx)


def _speed(ctx: Context) -> list[Figure]:
    from service.pages import split_page

    old = _old_splitter(ctx)
    bare, marked = _pages(ctx, False), _pages(ctx, True)
    ours_split = split_page
    for split in (ours_split, old):  # dictionaries and caches loaded before timing
        if split is not None:
            split(bare[0])
    repeat = 3 if ctx.quick else 5
    figures = []
    if old is None:
        # No old splitter: our bare path against our own `## ` path on the same pages.
        b = min(_cpu(ours_split, bare) for _ in range(repeat))
        m = min(_cpu(ours_split, marked) for _ in range(repeat))
        return [
            Figure(
                "split_bare_pages_per_s",
                "pages/s",
                len(bare) / b,
                "our `## ` path",
                len(marked) / m,
                note=f"{len(bare)} dev pages; git or commit {BEFORE} not reachable, so no "
                "pre-issue-11 baseline: compared with titles as `## ` on the same pages",
            )
        ]
    for name, pages in (("bare", bare), ("markdown", marked)):
        ours = base = float("inf")
        for _ in range(repeat):
            o, b = _paired_cpu(ours_split, old, pages)
            ours, base = min(ours, o), min(base, b)
        figures.append(
            Figure(
                f"split_{name}_pages_per_s",
                "pages/s",
                len(pages) / ours,
                f"splitter at {BEFORE}",
                len(pages) / base,
                target=f">= {TARGET:g}x the pre-issue-11 splitter (within 2x)",
                met=base / ours >= TARGET,
                note=f"{len(pages)} rendered dev pages, titles "
                f"{'bare' if name == 'bare' else 'as `## `'}; CPU time, best of {repeat} runs, "
                "the two splitters taking 25 pages in turn; the old splitter finds no bare "
                "titles (speed only)",
            )
        )
    return figures


# -- time in proportion to the page: shapes that once made the split quadratic (stop 34, i107) --


def _many_heads(n: int) -> str:
    """An article, then `n` short lines each over a paragraph: every one is weighed as a head
    against the article above it, which it joins (its short lines pile up)."""
    return "贵阳市召开会议\n会议研究部署产业发展工作，强调要推动企业投产。\n" + (
        "产业发展\n会议研究部署产业发展工作。\n" * n
    )


def _one_char_lines(n: int) -> str:
    import random

    rng = random.Random(5)
    return "\n".join(rng.choice("字学会a1，。") for _ in range(n))


def _credited_pieces(n: int) -> str:
    """Short lines and pieces' credits in a seeded mix: each draft closed by a credit was read
    against every line of the article above it (`subheads._credited_piece`)."""
    import random

    rng, lines = random.Random(33), ["（作者为教授）", "上接1版", "产业", "——论发展"]
    return "\n".join(rng.choice(lines) for _ in range(n))


def _chronicle_entries(n: int) -> str:
    """Entries opening on a year between page furniture, in a seeded mix, and no full date:
    each was read against every line above it, and the whole page searched for its date
    (`subheads._chronicle`)."""
    import random

    rng, lines = random.Random(144), ["##", "2019年，企业投产。", "第3版"]
    return "\n".join(rng.choice(lines) for _ in range(n))


def _split_seconds(raw: str, ends: int) -> float:
    from service.pages import read_page

    raw += "\n" * ends  # (a text not read before: read_page keeps the last few pages)
    start = time.perf_counter()
    read_page(raw)
    return time.perf_counter() - start


def scaling(ctx: Context) -> list[Figure]:
    """Pages a server takes (AnalysePage, up to a million characters) that made the split
    quadratic: each head compared with every short line of its article (40k heads over
    paragraphs, 760k characters, took 37 s; then 2 s), the rest of the page copied per head
    (300k one-character lines 35 s; then 5 s), a piece closed by its credit, or a chronicle's
    entry, reading every line above it (80k lines 12-14 s; then 0.5-0.6 s). Timed here, not in
    the tests: a ratio of wall-clock times is the bench's to print."""
    figures = []
    for page, n in (
        (_many_heads, 10_000),
        (_one_char_lines, 25_000),
        (_credited_pieces, 10_000),
        (_chronicle_entries, 10_000),
    ):
        small, large = page(n), page(4 * n)
        _split_seconds(small, 1)  # (warm: the first call fills the line patterns' caches)
        base = min(_split_seconds(small, 2), _split_seconds(small, 3))
        ours = min(_split_seconds(large, 4), _split_seconds(large, 5))
        figures.append(
            Figure(
                f"split_scaling{page.__name__}",
                "s",
                ours,
                "the same shape a quarter as long",
                base,
                target=f"<= {SCALING:g}x (linear: ~4x)",
                met=ours <= SCALING * base,
                better="lower",
                note=f"{len(large):,} characters against {len(small):,}, best of 2",
            )
        )
    return figures
