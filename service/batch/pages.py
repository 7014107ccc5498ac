"""A `--pages` shard's pages: split one by one, their articles labelled a chunk at a time.

`process_shard` calls `page_results` for a shard whose lines are pages; what it finds of each
page that is no article line (a page with none, one the splitter fails on) it reports here.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.batch.shards import CHUNK, CHUNK_CHARS
from service.jsonl import own_id
from service.pipeline import page_lines

# A chunk also closes here (256 real pages hold ~1.5M; 256 at the limit, ~GBs of splits): the
# budget of a chunk of records.
CHUNK_PAGE_CHARS = CHUNK_CHARS


def page_results(
    pages, classifier, asked: dict, seen: dict, errors: list, empty: list
) -> Iterator[tuple]:
    """`labelled_lines`' triples for pages: each page's articles as `newsdesk analyse --json`
    writes them (`pipeline.page_lines`), CHUNK pages' articles in one model call (a call per
    page ran at a third of the speed). A page the splitter fails on is rejected alone; a
    failing model call fails the shard, as a chunk of records' does. A page with no article
    writes nothing: its (line, id, warnings) go to `empty`, so the run can name it."""
    from service.pages import read_page

    for chunk in _page_chunks(pages):
        done = []
        for number, page in chunk:
            try:
                done.append((number, page, read_page(page.text)))
            except Exception as e:  # (a splitter's bug on one page of millions: that page)
                if isinstance(e, MemoryError):
                    raise
                why = f"the page could not be split ({type(e).__name__}: {e})"
                errors.append((number, why, own_id({"id": page.id})))
        found = page_lines([p for _, p, _ in done], [s for *_, s in done], classifier, **asked)
        for (number, page, split), lines in zip(done, found, strict=True):
            if not lines:
                empty.append((number, own_id({"id": page.id}), list(split.warnings)))
            seen["warned"] += bool(split.warnings)
            yield from lines


def _page_chunks(pages) -> Iterator[list]:
    """(number, page) pairs, up to CHUNK pages or CHUNK_PAGE_CHARS characters at a time."""
    chunk, chars = [], 0
    for item in pages:
        size = len(text) if isinstance(text := item[1].text, str) else 0  # (the splitter refuses)
        if chunk and (len(chunk) >= CHUNK or chars + size > CHUNK_PAGE_CHARS):
            yield chunk
            chunk, chars = [], 0
        chunk.append(item)
        chars += size
    if chunk:
        yield chunk
