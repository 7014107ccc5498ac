"""Body cleaning: repair column breaks and drop page furniture, keeping offsets into the input."""

from __future__ import annotations

__all__ = [
    "Cleaned",
    "single_article",
    "clean_body",
    "clean_lines",
    "clean_kinds",
    "lines",
    "is_furniture",
    "is_non_copy",
    "continues_to",
    "split_dateline",
    "byline_start",
    "byline_end",
    "ends_paragraph",
    "is_heading_like",
    "cuts_word",
    "is_column_break",
    "BOX",
]

import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from operator import attrgetter

from service.credits import (
    _PAREN_LINE,
    byline_end,
    byline_start,
    dateline_across,
    dateline_of,
    dateline_reporter,
    split_dateline,
    trim_tail,
)
from service.documents import Article, Body, Span
from service.furniture import FURNITURE_MAX as _FURNITURE_MAX
from service.furniture import continues_to, is_furniture
from service.html_text import plain, plain_title
from service.indents import reader as indent_reader
from service.lines import (
    BYLINE_END,
    BYLINE_START,
    CONTINUES,
    FURNITURE,
    HEADING_MARKS,
    PARA,
    classify,
    lines,
)
from service.malloc import forget_on_trim
from service.paragraph_ends import kept_apart
from service.record_ends import reader
from service.tokenize import default_segmenter  # (light: no dictionary read on import)
from service.validation import check_readable, check_strings

# Punctuation that ends a paragraph (after any closing quotes or brackets are set aside).
_TERMINAL = set("。！？!?…；;：:.")
# Closing marks that may follow the terminal punctuation: 。” or ！）.
_CLOSERS = "”’」』）)】》\"'"
_CLOSER_SET = frozenset(_CLOSERS)
BOX = "■●◆▲◎"  # box and point marks: they open a box's label or a point, never a sentence
# Marks after which a sentence must go on: a line ending in one was cut by the layout.
_CLAUSE = set("，,、—·～~/-")
# Characters no paragraph starts with: a line beginning with one continues the previous line.
_NON_INITIAL = set("，,、。．；;：:！？!?）)」』”’】》.")
# Particles no paragraph opens with (的支持…); 地 得 之 了 are left out: 得益于, 之所以 open some.
_PARTICLES = set("的们吗呢吧么")
# Any punctuation inside a line marks running text rather than a heading.
_RUNNING_PUNCT = re.compile(r"[，,、。．；;：:！？!?（）()…\[\]【】]")
# Subheads may carry a colon or a 【label】 (辽宁海城：产业集聚百业兴, 【口播】), not a comma.
_HEAD_PUNCT = re.compile(r"[，,、。．；;！？!?（）()…]")
_MARKDOWN_HEADING = HEADING_MARKS  # (service.lines: `## 标题`, `##标题`)


def _is_cjk(c: str) -> bool:  # one character in [\u3400-\u9fff\uf900-\ufaff], no regex call
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


@dataclass(frozen=True, eq=False)
class Cleaned:
    """A cleaned article body and the parts cleaning took out of it."""

    body: Body
    byline: str = ""
    dateline: str = ""
    continues: str = ""  # "3版" for 下转3版
    # Where each piece taken out of the body went ("byline", "dateline", "furniture"), as
    # spans into the input: with the body's index they account for every character.
    dropped: tuple[tuple[str, Span], ...] = ()

    def __init__(
        self,
        body: Body,
        byline: str = "",
        dateline: str = "",
        continues: str = "",
        dropped: tuple[tuple[str, Span], ...] = (),
    ) -> None:
        # (as documents.Span's: no object.__setattr__ per field; one per article of a page)
        self.__dict__.update(
            body=body, byline=byline, dateline=dateline, continues=continues, dropped=dropped
        )


def is_non_copy(line: str) -> bool:
    """True for a line that is never article prose: furniture, a credit, 下转N版, or an aside.

    For text that did not go through clean_body (the summariser may get it raw). Two kinds
    here are no byline and stay in a cleaned body, as printed: an aside wholly in brackets
    ((图为…), (展示画面)), and a reporter's credit handing over mid-story (本台记者 蒋林：).
    """
    line = line.strip()
    if not line or len(line) > _FURNITURE_MAX:  # every kind below is shorter: a cheap exit
        return False
    return bool(
        is_furniture(line)
        or continues_to(line)
        or _PAREN_LINE.fullmatch(line)
        or byline_start(line[:-1] if line[-1] in ":：" else line)
    )


def ends_paragraph(line: str) -> bool:
    """True when `line` ends on sentence-final punctuation (closing quotes set aside)."""
    last = line[-1:]
    if last in _TERMINAL:  # (most lines: 。 last, nothing to strip)
        return True
    if last not in _CLOSER_SET and not last.isspace():
        return False  # (nothing to strip: the last character is no end; most of the others)
    core = line.rstrip().rstrip(_CLOSERS)
    return bool(core) and core[-1] in _TERMINAL


def is_heading_like(line: str) -> bool:
    """True for a short line with no running punctuation: an in-article subhead or a title."""
    return 0 < len(line) <= 24 and not _HEAD_PUNCT.search(line)


def cuts_word(prev: str, nxt: str, window: int = 8) -> bool:
    """True when the segmenter puts a dictionary word across the seam: 招商引|资 is 招商引资.

    Words jieba's HMM step glues from single characters (百业兴|在 gives 兴在) do not count.
    """
    if not prev or not nxt or not (_is_cjk(prev[-1]) and _is_cjk(nxt[0])):
        return False
    return _seam_word(prev[-window:], nxt[:window])


# A page asks about the same seam more than once (the head splitter, then body cleaning).
@forget_on_trim
@lru_cache(maxsize=1024)
def _seam_word(left: str, right: str) -> bool:
    # (loads the dictionary on first use; the seam's two characters are CJK: see word_across)
    return default_segmenter().word_across(left + right, len(left))


def is_column_break(prev: str, nxt: str) -> bool:
    """True when `nxt` continues `prev` across a column break rather than starting a paragraph.

    A paragraph ends on 。！？…；： (closing quotes aside). A line ending mid-clause (，、) or
    one the next line continues (，。” or 的 at its start) was cut by the layout. A short line
    with no running punctuation is a subhead unless a word or number is cut (强化比|较优势, 22|日).
    """
    if not prev or not nxt:
        return False
    last, first = prev[-1], nxt[0]  # (read once: each read of a Han character makes a string)
    if (prev[0] == "#" and _MARKDOWN_HEADING.match(prev)) or (
        first == "#" and _MARKDOWN_HEADING.match(nxt)
    ):
        return False
    if first in _NON_INITIAL or last in _CLAUSE:
        return True
    if last in _TERMINAL or ends_paragraph(prev):  # (most lines: 。 last, no call)
        return False
    if first in _PARTICLES:
        return True
    if last in "）)" and len(prev) <= 40 and ("（" in prev or "(" in prev):
        return False  # a line closing its own bracket: a name with its role, a column label
    if len(prev) <= 30 and (is_heading_like(prev) or _is_head_pair(prev, nxt)):  # (both need it)
        from service.cut_pieces import cuts_number  # (it imports this module)

        return cuts_word(prev, nxt) or cuts_number(last, first)
    return True


def _is_head_pair(prev: str, nxt: str) -> bool:
    # Two short lines, neither ending a sentence: a subhead over its one-line deck
    # (稳中求进，确保谷物基本自给 / 育秧工厂一天能出秧盘两万张). The second half of a cut
    # paragraph ends where the paragraph ends, on final punctuation.
    return (
        len(prev) <= 30
        and 0 < len(nxt) <= 30
        and not ends_paragraph(nxt)
        and nxt[-1] not in _CLAUSE
    )


def clean_lines(
    raw: str,
    spans: Sequence[Span],
    offset: int = 0,
    kinds: Sequence[tuple[str, str]] | None = None,
    record: bool = False,
) -> Cleaned:
    """Clean an article body given as stripped lines of `raw` (spans index into `raw`).

    Furniture and 下转N版 lines go, a leading credit line and dateline go to their fields,
    a closing byline too; column breaks are joined and paragraphs joined by "\\n". Each "\\n"
    is indexed at the newline that ended its paragraph, so every character of the body,
    joins included, equals the input character at its index. `kinds` are the lines' kinds and
    values as `service.lines.classify` gives them (made here when the caller has none): no
    line is tested again. `Cleaned.dropped` says where everything taken out of the body went.
    `record`: the text came on its own, maybe as whole paragraphs (`service.record_ends`).
    """
    if kinds is None:
        kinds = [classify(s.text) for s in spans]
    kind_list, values = [k for k, _ in kinds], [v for _, v in kinds]
    return clean_kinds(raw, spans, kind_list, values, offset, record=record)


def clean_kinds(
    raw: str, spans: Sequence[Span], kinds: list[str], values: list[str], offset: int = 0,
    tail: bool = True, record: bool = False,
) -> Cleaned:  # fmt: skip
    """`clean_lines` with the lines' kinds and values as two lists, as `drafts.Draft` keeps them;
    `tail` False: the closing credit stays (each item's own: `service.item_column`)."""
    byline = dateline = continues = ""
    dropped: list[tuple[str, Span]] = []

    def drop(name: str, s: Span) -> None:
        dropped.append((name, Span(s.start + offset, s.end + offset, s.text)))

    kept: list[Span] = list(spans)
    kept_kinds, kept_values = kinds, values  # (only read below)
    # (the kinds looked for in the list, in C: most bodies have nothing to drop)
    if not len(spans) == len(kinds) == len(values) or CONTINUES in kinds or FURNITURE in kinds:
        kept, kept_kinds, kept_values = [], [], []
        for s, kind, value in zip(spans, kinds, values, strict=True):
            if kind == CONTINUES:
                continues = continues or value
                drop("furniture", s)
            elif kind == FURNITURE:
                drop("furniture", s)
            else:
                kept.append(s)
                kept_kinds.append(kind)
                kept_values.append(value)
    # A credit line opening the body (本报评论员) or closing it (本报记者 张三), or (byline).
    lo, hi = 0, len(kept)
    while lo < hi and kept_kinds[lo] == BYLINE_START:
        byline = byline or kept_values[lo]
        drop("byline", kept[lo])
        lo += 1
    while tail and hi - lo > 1 and kept_kinds[hi - 1] in (BYLINE_END, BYLINE_START):
        byline = byline or kept_values[hi - 1]
        drop("byline", kept[hi - 1])
        hi -= 1
    kept = kept[lo:hi]
    if kept and kept_kinds[lo] == PARA and kept_values[lo]:
        cut = len(kept_values[lo])  # the dateline and what separates it from the text
        first = kept[0]
        # (its credit in brackets cut by the column: 本报北京…电  （记者 / 刘毅）受…)
        if len(kept) > 1 and (more := dateline_across(first.text, cut, kept[1].text)):
            drop("dateline", first)
            dateline = dateline_of(first.text + kept[1].text[:more])
            first, cut = kept.pop(1), more
        else:
            dateline = dateline_of(first.text[:cut])
        byline = byline or dateline_reporter(dateline)
        drop("dateline", Span(first.start, first.start + cut, first.text[:cut]))
        kept[0] = Span(first.start + cut, first.end, first.text[cut:])
        if not kept[0].text:
            del kept[0]
    if kept and tail:
        last = kept[-1]
        text, tail_byline, tail_continues = trim_tail(last.text)
        if text != last.text:
            byline = byline or tail_byline
            continues = continues or tail_continues
            cut = last.start + len(text)
            drop(
                "byline" if tail_byline else "furniture",
                Span(cut, last.end, last.text[len(text) :]),
            )
            kept[-1] = Span(last.start, cut, text)
            if not text:
                kept.pop()
    return Cleaned(_join(raw, kept, offset, record), byline, dateline, continues, tuple(dropped))


def _join(raw: str, kept: Sequence[Span], offset: int, record: bool) -> Body:
    parts: list[str] = []
    record_end = reader(raw, kept) if record else None  # (paragraphs as archived: none cut)
    indent = indent_reader(raw, kept)  # (paragraphs opening on an indent: service.indents)
    # Each "\n" put: the line it comes before, and where it is in raw.
    before_line, newline_at = array("q"), array("q")
    before = None  # the previous line's text (None before the first)
    put, put_line, put_newline = parts.append, before_line.append, newline_at.append
    for i, s in enumerate(kept):
        text = s.text
        # (a paragraph's end, 。 last and a sentence's opening next, told without is_column_break)
        opens = text[:1]
        says = None if indent is None or before is None else indent(i)
        if says or (
            says is None
            and before is not None
            and (
                (before[-1:] in _TERMINAL and opens not in _NON_INITIAL)
                or not is_column_break(before, text)
                # (a next line opening on 。 or 的 continues whatever the line above is)
                or (
                    opens not in _NON_INITIAL
                    and opens not in _PARTICLES
                    and (kept_apart(kept, i) or (record_end is not None and record_end(i)))
                )
            )
        ):
            # The newline that ended the previous line: the first after its content.
            put("\n")
            end = kept[i - 1].end  # (most often the newline itself: no search)
            put_line(i)
            put_newline(end if raw[end] == "\n" else raw.find("\n", end))
        put(text)
        before = text
    # The index's runs summed when it is first read (`Body.of_runs`: most splits read none),
    # from the lines' ranges and the newlines found here. Kept as int64 arrays, not lists of
    # Python ints and tuples: a 26 MiB request's ~10 MiB of such small objects, over fresh
    # pymalloc arenas, left ~20 of them pinned when idle by the few objects made beside them
    # that outlive the call (service.malloc: `_seam_word` here is one, emptied on trim).
    runs = partial(
        _runs, array("q", map(_START, kept)), array("q", map(_END, kept)), before_line,
        newline_at, offset,
    )  # fmt: skip
    return Body.of_runs("".join(parts), runs)


_START, _END = attrgetter("start"), attrgetter("end")


def _runs(
    starts: Sequence[int],
    ends: Sequence[int],
    before_line: Sequence[int],
    newline_at: Sequence[int],
    offset: int,
) -> tuple[list[int], list[int]]:
    """The body's runs of consecutive input positions (`Body.of_runs`): each line's, and each
    "\n" on its own; a run's shift is where it sits in the input less its place in the body
    (summed in Python: numpy's per-call cost outweighs a body's few dozen runs)."""
    shifts: list[int] = []
    sizes: list[int] = []
    pos = 0
    at = dict(zip(before_line, newline_at, strict=True))
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if i in at:
            shifts.append(at[i] + offset - pos)
            sizes.append(1)
            pos += 1
        shifts.append(start + offset - pos)
        sizes.append(end - start)
        pos += end - start
    return shifts, sizes


def clean_body(raw: str, offset: int = 0, record: bool = False) -> Cleaned:
    """Clean one article body; offsets are positions in `raw` plus `offset` (`record`: as
    `clean_lines`); zero-width marks and HTML out first (`service.html_text`)."""
    if (h := plain(raw)) is None:
        return clean_lines(raw, lines(raw), offset, record=record)
    return h.cleaned(clean_lines(h.text, lines(h.text), record=record), offset)


def single_article(title: str, text: str, id: str = "", *, field: str = "text") -> Article:
    """One article a caller sends on its own: the body cleaned, offsets into `text`.

    Refused (InvalidInput on `field`) when nothing is left to read: no title, and a text that
    was only page furniture, a byline or a dateline ("（完）", "本报讯", "(下转3版)").
    """
    check_strings(("title", title), ("text", text), ("id", id))
    cleaned = clean_body(text, record=True)
    tidy = " ".join(plain_title(title).split())  # (zero-width marks and HTML out too)
    check_readable(tidy, cleaned.body.text, text, field)
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
