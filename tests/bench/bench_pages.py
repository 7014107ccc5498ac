"""Page splitting speed: service.pages.split_page against the splitter before issue 11.

Issue 11 asks that splitting stay within 2x of the splitter it replaced. That splitter (commit
BEFORE, `## ` titles only) is taken from git into this run's scratch folder, its imports
renamed, and both split the same rendered development pages (training.pages_eval: bare titles
and titles as `## `), CPU time, best of five runs alternating the two. Without git or that
commit the baseline is our own `## ` path on the same pages, and the note says so.
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


def run(ctx: Context) -> list[Figure]:
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
        for _ in range(repeat):  # alternating: the shared machine's load hits both alike
            ours = min(ours, _cpu(ours_split, pages))
            base = min(base, _cpu(old, pages))
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
                f"{'bare' if name == 'bare' else 'as `## `'}; CPU time, best of {repeat} "
                "alternating runs; the old splitter finds no bare titles (speed only)",
            )
        )
    return figures
