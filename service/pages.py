"""Page splitting: cut an extracted newspaper page into articles, with offsets into the page.

Every non-whitespace character of the page ends up in exactly one place: an article's title,
kicker, subtitle, byline, dateline or body, or the page's furniture (`read_page`).
"""

from __future__ import annotations

__all__ = [
    "Page",
    "read_page",
    "split_page",
    "single_article",
    "article_record",
    "line_kind",
    "classify",
    "HEADING",
    "FURNITURE",
    "CONTINUES",
    "BYLINE_END",
    "BYLINE_START",
    "SHORT",
    "PARA",
]

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from service.composite import CLOSING_NAME, END_NOTE, SIGN_OFF, ends_above, merge_pieces
from service.cut_pieces import is_cut_piece, joins_cut
from service.documents import Article, Span, article_record
from service.drafts import Draft
from service.errors import InvalidInput
from service.furniture import jumps_in, lone_date
from service.head_parts import ITEM_LABEL, has_title
from service.heads import MAX_HEAD_LINES, opens_article, parse_heads
from service.html_lines import html_lines
from service.indents import page_items
from service.invisible import page_lines  # (zero-width marks out; service.printed_lines)
from service.item_column import ITEMS
from service.lines import (
    BYLINE_END,
    BYLINE_START,
    CONTINUES,
    FURNITURE,
    HEADING,
    PARA,
    SHORT,
    classify,
    heading_text,
    line_kind,
)
from service.markup import cut_out, outside, unmarked
from service.settle import settle_heads
from service.side_by_side import warning
from service.text import clean_kinds, single_article  # (records need none of the splitter)


@dataclass(frozen=True, eq=False)
class Page:
    """A split page: its articles, the furniture spans, and where each article's parts sit."""

    articles: tuple[Article, ...]
    furniture: tuple[Span, ...]
    # Per article: field name ("title", "kicker", "subtitle", "byline", "dateline") → spans.
    parts: tuple[dict[str, tuple[Span, ...]], ...]
    # Notes on the page as a whole (e.g. columns side by side: `service.side_by_side`).
    warnings: tuple[str, ...] = ()


class _Splitter:
    """One pass over the page's lines, holding bare short lines until what follows decides them."""

    def __init__(self, items: list[tuple[Span, str, str]], demoted: set[int]) -> None:
        self.items = items  # each line, its kind and value (service.lines.classify)
        self.demoted = demoted  # where headings deeper than the titles' start: read bare
        self.markdown = HEADING in map(itemgetter(1), items)  # (looked for in C: every line)
        self.drafts: list[Draft] = []
        self.furniture: list[Span] = []
        self.cur: Draft | None = None
        self.pending: list[tuple[Span, str]] = []
        self.held_furniture = False  # a FURNITURE line is among the pending ones
        self.signed = False  # an article was just signed off (`_signs_off`)
        self.under_jump: Span | None = None  # the short line right under a 上接 note
        self.stack: list[Span] = []  # the head lines of the last heading (`_stacks`)

    def _open(self, draft: Draft) -> Draft:
        self.drafts.append(draft)
        self.cur = draft
        return draft

    def _target(self) -> Draft:
        if self.cur is None:
            # Text with no head of its own (a page opening mid-article): an untitled article.
            return self._open(Draft([], [], []))
        # After a closing credit, headless text is still the article's (captions, 推荐读物).
        self.cur.closed = False
        return self.cur

    def _take_pending(self) -> tuple[list[Span], bool]:
        """The held short lines after the last furniture line; what comes before it is
        furniture (a banner, a digest and its teasers)."""
        pending, self.pending = self.pending, []
        held, self.held_furniture = self.held_furniture, False
        signed, self.signed = self.signed, False
        jumps: list[Span] = []
        last = -1
        self.under_jump = None
        if held:  # (most held lines are bare short lines)
            # A 上接 note sits under the head it belongs to: furniture, but it swallows nothing,
            # and the short line under it opens that head's body (`_settle`).
            jumps = [s for s, k in pending if k == FURNITURE and jumps_in(s.text)]
            if jumps:  # (seldom: the list is filtered only when it holds one)
                at = next(i for i, (s, _) in enumerate(pending) if s is jumps[0])
                if at + 1 < len(pending) and pending[at + 1][1] == SHORT:
                    self.under_jump = pending[at + 1][0]
                self.furniture += jumps
                pending = [(s, k) for s, k in pending if not (k == FURNITURE and jumps_in(s.text))]
            last = max((i for i, (_, k) in enumerate(pending) if k == FURNITURE), default=-1)
            self.furniture += [s for s, _ in pending[: last + 1]]
        heads = [s for s, _ in pending[last + 1 :]]
        # Leading lines that read on into each other were one paragraph the column cut (a
        # closing note, 作者为…): the end of the article being read, not a head.
        cut = 0
        while cut + 1 < len(heads) and joins_cut(heads[cut].text, heads[cut + 1].text):
            cut += 1
        # So is a first line that the column cut off the paragraph above it (…和我岁数差不多 /
        # 的邻村人也种土豆，收入差我一截哩！”).
        cur = self.cur
        if (
            not cut
            and heads
            and last < 0
            and cur is not None
            and not cur.closed
            and cur.kinds
            and cur.kinds[-1] == PARA
            and is_cut_piece(cur.body[-1].text, heads[0].text)
        ):
            cur.add(heads.pop(0), SHORT)
        # (a sign-off follows the article's closing credit too: （作者为…） / 栏目投稿邮箱：…)
        if (
            not cut
            and heads
            and cur
            and cur.has_para
            and not (cur.closed and not SIGN_OFF.fullmatch(heads[0].text))
        ):
            ends = ends_above(heads)
            for s in heads[:ends]:
                cur.add(s, SHORT)
            first = heads[0].text
            cur.closed = cur.closed or (
                bool(ends) and bool(CLOSING_NAME.fullmatch(first) or END_NOTE.fullmatch(first))
            )
            heads = heads[ends:]
        if cut and self.cur is not None:
            for s in heads[: cut + 1]:
                self.cur.add(s, SHORT)
            heads = heads[cut + 1 :]
        return heads, last >= 0 or bool(jumps) or signed

    def _settle(self, at: int) -> None:
        """Decide the held short lines (some) when body text (item `at`) arrives after them."""
        heads, after_furniture = self._take_pending()
        if not heads:
            return
        # Lines under a 上接 note are the continued body: the head is what stands above it.
        rest: list[Span] = []
        under = self.under_jump
        if under is not None:
            cut = next((i for i, s in enumerate(heads) if s is under), 0)
            heads, rest = (heads[:cut], heads[cut:]) if cut else (heads, rest)
        # (a heading deeper than the titles is read on the bare page's rules: `unmarked`)
        bare = (
            not self.markdown or bool(self.demoted) and any(h.start in self.demoted for h in heads)
        )
        reading = self.cur is not None and not self.cur.closed and bare
        if reading and len(heads) > MAX_HEAD_LINES:
            for s in heads[:-MAX_HEAD_LINES]:  # a list or a poem of the article being read
                self.cur.add(s, SHORT)
            heads = heads[-MAX_HEAD_LINES:]
        # A photo report names an item of its own: lines over its name end the article being
        # read (——@…, a caption's signature), never its kicker.
        item = len(heads) > 1 and ITEM_LABEL.fullmatch(heads[-1].text)
        if reading and self.cur.has_para and item:
            for s in heads[:-1]:
                self.cur.add(s, SHORT)
            heads = heads[-1:]
        tail = []
        below, kind, value = self.items[at]
        # (a line opening with a dateline opens its paragraph: nothing above is cut off it,
        # however the seam reads — 约翰·基 / 本报北京…电 is no word 基本)
        if (
            bare
            and not rest
            and not (kind == PARA and value)
            and is_cut_piece(heads[-1].text, below.text)
        ):
            tail = [heads.pop()]  # the opening of the paragraph below, cut by the column
        # (the heads are parsed only once the score opens them: most bare heads are subheads)
        if heads and has_title(heads) and self._opens(heads, tail, at, after_furniture, bare):
            pairs: dict[tuple[str, str], list[float]] = {}
            title, kicker, subtitle, body = parse_heads(heads, pairs)
            draft = self._open(Draft(title, kicker, subtitle))
            draft.heads, draft.pairs = heads, pairs
            for s in body + rest + tail:
                draft.add(s, SHORT)
            return
        target = self._target()
        for s in heads + rest + tail:
            target.add(s, SHORT)

    def _opens(self, heads: list[Span], tail: list[Span], at: int, after: bool, bare: bool) -> bool:
        # The head score reads the body's opening line: with a cut piece, the piece and the
        # line below it together (美滋滋 / 1月2日，重庆市黔江区举 / 行腊八公益活动…).
        line, kind, value = item = self.items[at]
        if tail:
            self.items[at] = (Span(tail[0].start, line.end, tail[0].text + line.text), kind, value)
        try:
            return opens_article(self.cur, heads, self.items, at, after, not bare)
        finally:
            self.items[at] = item

    def _stacks(self, title: Span) -> bool:
        """Whether a heading right under another, no text between, is a line of the same head:
        converters mark every line set in a head's fonts alike (`## 引题` / `## 标题` /
        `## ——副题`; MinerU sets all as `# `). The lines' roles are a bare head's (parse_heads);
        a run longer than a head, or one with a line that opens a body, is headings apart."""
        cur = self.cur
        if cur is None or not cur.marked or cur.body:
            return False
        heads = self.stack + [title]
        if len(heads) > MAX_HEAD_LINES:
            return False
        title_, kicker, subtitle, body = parse_heads(heads)
        if body or not title_:
            return False
        cur.title, cur.kicker, cur.subtitle = title_, kicker, subtitle
        cur.end, self.stack = title.end, heads
        return True

    def _signs_off(self, at: int) -> bool:
        """Whether a date alone on its line, under an open article's text and over no running
        text, is what a letter, decree or notice is signed with (习近平 / 2019年10月6日 /
        （新华社…电）): it and the few short lines held over it (the signer, a closing wish)
        stay in the article. As a page header they went to furniture, the lines over it too.
        Over running text a date heads an entry (a diary's, a chronicle's): read as before."""
        cur, line = self.cur, self.items[at][0]
        if cur is None or cur.closed or not cur.has_para or self.held_furniture:
            return False
        if len(self.pending) > MAX_HEAD_LINES or not lone_date(line.text):
            return False
        if at + 1 < len(self.items) and self.items[at + 1][1] == PARA:
            return False
        for s, _ in self.pending:
            cur.add(s, SHORT)
        cur.add(line, SHORT)
        # The lines after it are decided as after a page header, as they were (a decree's next
        # title opens; a law's 目录 under the decree that made it stays in it): closing the
        # article read that 目录 as a title.
        self.pending, self.signed = [], True
        return True

    def run(self) -> list[Draft]:
        for at, (line, kind, value) in enumerate(self.items):
            if kind == SHORT:
                self.pending.append((line, kind))
            elif kind == FURNITURE:
                if self._signs_off(at):
                    continue
                self.pending.append((line, kind))
                self.held_furniture = True
            elif kind == HEADING:
                title = line  # (a setext heading's line is its text: `unmarked` took the rule)
                if heading := heading_text(line):
                    marks, title = heading
                    self.furniture.append(marks)
                if self.pending or not self._stacks(title):
                    kick, _ = self._take_pending()
                    self._open(Draft([title], kick, [])).marked = True
                    self.stack = kick + [title]
            else:
                if self.pending:  # (most lines follow body text: nothing held to decide)
                    self._settle(at)
                self.signed = False
                target = self.cur  # (self._target(), written out: it runs for every line)
                if target is None:
                    target = self._open(Draft([], [], []))
                target.closed = False
                target.add(line, kind, value)
                # A credit line under the head opens the body; after running text it closes
                # it, except where titles carry `## `: there a credit inside an article (a
                # composite item, one credit per part) closes nothing.
                if kind == BYLINE_START:
                    target.closed = target.has_para and not self.markdown
                elif kind == BYLINE_END:
                    target.closed = not self.markdown
                elif kind == CONTINUES:
                    target.closed = True
        # Short lines left at the foot of the page: page furniture and banners, but those right
        # under an open article, over the first furniture line (the page's credits), are its last.
        pending, self.pending = self.pending, []
        cur, ends = self.cur, next((i for i, (_, k) in enumerate(pending) if k != SHORT), None)
        if cur and not cur.closed:
            for s, k in pending[:ends]:
                cur.add(s, k)
            pending = pending[len(pending) if ends is None else ends :]
        self.furniture += [s for s, _ in pending]
        return self.drafts


def _join(spans: list[Span]) -> str:
    # Heads set over several lines (kicker lines, a title and its ——subtitle) join with a space.
    return " ".join(s.text for s in spans)


def read_page(raw: str) -> Page:
    """Split a whole extracted page into its articles, in page order, and its furniture.

    Titles come from `## ` headings or, on plain pages, from bare short lines; a bare line just
    above a title is its kicker (引题), one just under it its subtitle (副题). Offsets (start/end,
    body index, spans) are code points of `raw`.
    """
    if not isinstance(raw, str):
        raise InvalidInput(
            f"page must be a str, got {type(raw).__name__}; decode the page as UTF-8 first",
            field="raw",
        )
    if len(raw) > CACHED_PAGE_CHARS:
        return _read.__wrapped__(raw)  # (read anew each time: see CACHED_PAGE_CHARS)
    return _read(raw)


# The last few pages read are kept, so a caller asking for a page again (its articles, then its
# furniture) reads it once. A Page is frozen; nobody writes to a body's index. Longer pages are
# never kept: four pages of a million characters, kept after their calls, held ~60 MiB of
# strings and ~100k small objects (the soak's memory-pages phase: idle 1.8x warm).
CACHED_PAGE_CHARS = 1 << 16  # a real page has ~6,000 characters, the longest seen ~30,000


@lru_cache(maxsize=4)
def _read(raw: str) -> Page:
    said = warning(raw)
    raw, spans, wrapped = page_lines(raw)  # (zero-width marks out, printed lines joined)
    raw, spans, breaks, tags = html_lines(raw, spans)  # (`…</p><p>…` on one line: its lines)
    raw, spans, marks, demoted, setext, inside = unmarked(raw, spans, tags)  # (`**标题**`, `<b>`)
    items = page_items(raw, spans)  # (kinds; an indented short line: service.indents)
    if setext:  # (`标题` over `===`: a heading, its line its text)
        items = [(it[0], HEADING, "") if it[0].start in setext else it for it in items]
    splitter = _Splitter(items, demoted)
    drafts = merge_pieces(splitter.run())
    furniture = splitter.furniture
    articles, parts = [], []
    settle_heads(drafts, raw)
    for d in drafts:
        cleaned = clean_kinds(raw, d.body, d.kinds, d.values, tail=d.composite != ITEMS)
        taken: dict[str, list] = {"title": d.title, "kicker": d.kicker, "subtitle": d.subtitle}
        for name, span in cleaned.dropped:
            if name == "furniture":
                furniture.append(span)
            else:
                taken.setdefault(name, []).append(span)
        body, heads = cleaned.body, [_join(d.title), _join(d.kicker), _join(d.subtitle)]
        byline, dateline = cleaned.byline, cleaned.dateline
        if inside:  # (a mark inside a line, `会议[^1]，`: the furniture's alone)
            heads, taken, body, byline, dateline = cut_out(inside, taken, body, byline, dateline)
        if not d.title and not cleaned.body.text:
            # Nothing to read: whatever it held (a stray credit) is furniture of the page.
            furniture += [s for v in taken.values() for s in v]
            continue
        articles.append(
            Article(
                title=heads[0],
                body=body,
                kicker=heads[1],
                subtitle=heads[2],
                byline=byline,
                dateline=dateline,
                continues=cleaned.continues,
                start=d.start,
                end=d.end,
            )
        )
        parts.append({k: tuple(v) for k, v in taken.items() if v})
    if inside:  # (furniture lines holding a mark: `0\<`)
        furniture = [p for s in furniture for p in outside(inside, s)]
    furniture = sorted(furniture + marks + breaks, key=lambda s: s.start)
    page = Page(tuple(articles), tuple(furniture), tuple(parts), (said,) if said else ())
    return page if wrapped is None else wrapped.restore(page)


def split_page(raw: str) -> list[Article]:
    """The articles of a whole extracted page, in page order (see `read_page`)."""
    return list(read_page(raw).articles)
