"""Page splitting: cut an extracted newspaper page into articles, with offsets into the page."""

from __future__ import annotations

__all__ = ["split_page", "single_article", "article_record", "line_kind"]

import re

from service.documents import Article, Span
from service.errors import InvalidInput
from service.text import (
    byline_end,
    byline_start,
    clean_body,
    clean_lines,
    continues_to,
    is_furniture,
    lines,
    split_dateline,
)

# What a line of a page can be; decided once per line, from the line alone.
HEADING = "heading"  # a markdown heading: always opens an article
FURNITURE = "furniture"  # digests, 版次 markers, mastheads, editor credits
CONTINUES = "continues"  # 下转N版: closes an article
BYLINE_END = "byline_end"  # (贵阳日报融媒体中心 代晓龙): closes an article
BYLINE_START = "byline_start"  # 本报评论员 / 新华社记者 周芷若: opens a body, or closes one
SHORT = "short"  # a bare short line: a title, kicker, subhead, banner, or a column-cut piece
PARA = "para"  # running text

_HEADING = re.compile(r"#{1,6}[ \t\u3000]+(?P<text>.*)")
_SHORT_MAX = 40  # the longest headline on the sample page is 32 characters
_OPEN_END = set("。，,、；;：:…")  # a line ending in one of these is running text
_SUBTITLE = ("——", "—", "--", "－－")


def line_kind(line: str) -> str:
    """Classify one stripped line of a page (see the kind constants above)."""
    m = _HEADING.fullmatch(line)
    if m:
        text = m.group("text").strip()
        return FURNITURE if not text or is_furniture(text) else HEADING
    if continues_to(line):
        return CONTINUES
    if is_furniture(line):
        return FURNITURE
    if byline_end(line):
        return BYLINE_END
    if byline_start(line):
        return BYLINE_START
    if len(line) <= _SHORT_MAX and line[-1] not in _OPEN_END and not split_dateline(line)[0]:
        return SHORT
    return PARA


def _tidy(title: str) -> str:
    # Headlines are set over several print lines; runs of spaces stand for those breaks.
    return " ".join(title.split())


class _Draft:
    """An article being assembled: its head lines and the page lines of its body."""

    __slots__ = ("title", "kicker", "start", "end", "body", "has_para", "closed")

    def __init__(self, title: str, kicker: str, start: int, end: int) -> None:
        self.title, self.kicker = title, kicker
        self.start, self.end = start, end
        self.body: list[Span] = []
        self.has_para = False
        self.closed = False

    def add(self, line: Span, para: bool = False) -> None:
        self.body.append(line)
        self.end = line.end
        self.has_para = self.has_para or para


def _titled(heads: list[Span]) -> _Draft:
    """An article headed by bare lines: the last is the title, any before it the kicker."""
    title = heads[-1].text
    kick = heads[:-1]
    if len(heads) > 1 and title.startswith(_SUBTITLE):
        title, kick = f"{heads[-2].text} {title}", heads[:-2]
    kicker = " ".join(s.text for s in kick)
    return _Draft(_tidy(title), _tidy(kicker), heads[0].start, heads[-1].end)


class _Splitter:
    """One pass over the page's lines, holding bare short lines until what follows decides them."""

    def __init__(self) -> None:
        self.drafts: list[_Draft] = []
        self.cur: _Draft | None = None
        self.pending: list[tuple[Span, str]] = []

    def _open(self, draft: _Draft) -> _Draft:
        self.drafts.append(draft)
        self.cur = draft
        return draft

    def _body_target(self, line: Span) -> _Draft:
        if self.cur is None or self.cur.closed:
            # Text with no head of its own (a page opening mid-article): an untitled article.
            return self._open(_Draft("", "", line.start, line.end))
        return self.cur

    def _settle(self, line: Span, kind: str) -> None:
        """Decide the held short lines when body text (`line`) arrives after them."""
        pending, self.pending = self.pending, []
        last_furniture = max((i for i, (_, k) in enumerate(pending) if k == FURNITURE), default=-1)
        heads = [s for s, _ in pending[last_furniture + 1 :]]
        if not heads:
            return
        cur = self.cur
        # Bare lines open a new article after a finished one, after page furniture, or when
        # the text below them opens like an article (a dateline or a credit line). Otherwise
        # they are subheads or column-cut pieces of the current article.
        opens = (
            cur is None
            or cur.closed
            or (cur.has_para and last_furniture >= 0)
            or (cur.has_para and kind == BYLINE_START)
            or (cur.has_para and kind == PARA and bool(split_dateline(line.text)[0]))
        )
        if opens and kind in (PARA, BYLINE_START):
            self._open(_titled(heads))
            return
        target = self._body_target(heads[0])
        for s in heads:
            target.add(s)

    def feed(self, line: Span, kind: str) -> None:
        if kind in (SHORT, FURNITURE):
            self.pending.append((line, kind))
            return
        if kind == HEADING:
            pending, self.pending = self.pending, []
            last_furniture = max(
                (i for i, (_, k) in enumerate(pending) if k == FURNITURE), default=-1
            )
            kick = [s for s, _ in pending[last_furniture + 1 :]]
            title = _HEADING.fullmatch(line.text).group("text")
            kicker = " ".join(s.text for s in kick)
            start = kick[0].start if kick else line.start
            self._open(_Draft(_tidy(title), _tidy(kicker), start, line.end))
            return
        self._settle(line, kind)
        if kind == PARA:
            self._body_target(line).add(line, para=True)
        elif kind == BYLINE_START:
            target = self._body_target(line)
            # A credit line under the head opens the body; after running text it closes it.
            target.closed = target.has_para
            target.add(line)
        else:  # BYLINE_END, CONTINUES
            target = self._body_target(line)
            target.add(line)
            target.closed = True

    def finish(self) -> list[_Draft]:
        # Short lines left at the foot of the page: page furniture and banners, unless they
        # follow an open article with no furniture in between (a trailing subhead or cut).
        pending = self.pending
        self.pending = []
        if pending and all(k == SHORT for _, k in pending) and self.cur and not self.cur.closed:
            for s, _ in pending:
                self.cur.add(s)
        return self.drafts


def _subtitle(draft: _Draft) -> list[Span]:
    """Move a ——subtitle line right under the head into the title; return the body lines."""
    body = draft.body
    if body and body[0].text.startswith(_SUBTITLE) and line_kind(body[0].text) == SHORT:
        draft.title = _tidy(f"{draft.title} {body[0].text}")
        return body[1:]
    return body


def split_page(raw: str) -> list[Article]:
    """Split a whole extracted page into its articles, in page order.

    Titles come from `## ` headings or, on plain pages, from bare short lines; a bare line just
    above a title is its kicker (引题). Offsets (start/end, body index) are code points of `raw`.
    """
    if not isinstance(raw, str):
        raise InvalidInput(
            f"page must be a str, got {type(raw).__name__}; decode the page as UTF-8 first",
            field="raw",
        )
    splitter = _Splitter()
    for line in lines(raw):
        splitter.feed(line, line_kind(line.text))
    articles = []
    for d in splitter.finish():
        cleaned = clean_lines(raw, _subtitle(d))
        if not d.title and not cleaned.body.text:
            continue
        articles.append(
            Article(
                title=d.title,
                body=cleaned.body,
                kicker=d.kicker,
                byline=cleaned.byline,
                dateline=cleaned.dateline,
                continues=cleaned.continues,
                start=d.start,
                end=d.end,
            )
        )
    return articles


def single_article(title: str, text: str, id: str = "", *, field: str = "text") -> Article:
    """One article a caller sends on its own: the body cleaned, offsets into `text`.

    Refused (InvalidInput on `field`) when nothing is left to read: no title, and a text that
    was only page furniture, a byline or a dateline ("（完）", "本报讯", "(下转3版)").
    """
    for name, value in (("title", title), ("text", text), ("id", id)):
        if not isinstance(value, str):
            raise InvalidInput(
                f"{name} must be a str, got {type(value).__name__}; send text as UTF-8 strings",
                field=name,
            )
    cleaned = clean_body(text)
    tidy = _tidy(title)
    if not tidy.strip() and not cleaned.body.text.strip():
        raise InvalidInput(
            f"{field} holds only page furniture, a byline or a dateline ({text.strip()[:20]!r}) "
            "and there is no title: nothing is left to read; send the article's body",
            field=field,
        )
    return Article(
        title=tidy,
        body=cleaned.body,
        byline=cleaned.byline,
        dateline=cleaned.dateline,
        continues=cleaned.continues,
        start=0,
        end=len(text),
        id=id,
    )


def article_record(article: Article) -> dict:
    """The JSON record `newsdesk split` prints for one article."""
    return {
        "title": article.title,
        "kicker": article.kicker,
        "byline": article.byline,
        "dateline": article.dateline,
        "text": article.text,
        "start": article.start,
        "end": article.end,
        "continues": article.continues,
    }
