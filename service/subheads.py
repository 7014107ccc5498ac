"""Subheads the pass read as heads: drafts that go back into the article above after the pass.

Some head lines never head an article on the development months' printed pages, while articles
hold them as subheads: a chapter of a law or regulation (第四章  法律责任: 122 body lines in 12
articles, no kicker, title or subtitle), and a field label over a piece of an article (时间：…
地点：…, 讲述人：…, 提案人：…, 关键词：…, 写信人：/收信人：, 镜头三：, 图③：…: 193 body lines in 38
articles, none a kicker or title). And a lone title over one short undated paragraph is seldom
an article (9 printed articles of the development months are a bare title over one undated
paragraph, none of at most `_PIECE_CHARS` under a title without a space), while a paragraph's
first words cut off by the column and read as a title leave just that (全国两会是 / 我国人民政治
生活中的一件大事，…). Nor does a chronicle's entry (汪辜会谈 / 1993年4月，…) head an article:
an undated draft opening on a past year under an article holding an entry of an earlier year
(191 subheads over such a paragraph in 105 printed articles; 22 printed articles follow an
article so, most of them on a recent year, which `_chronicle` leaves). Nor do a quotation
closing on 。” or ？” or a bare numeral as a draft's whole head, or a box's 链接 label (stop 31).
Nor do a series' pieces each closed by its credit (…整理, （作者为…）) under an item holding its
editor's note, a head closing on that note's signature (——编者), or a text under a paragraph
announcing it in full (…全文如下。) (stop 32). Such drafts are put back into the one above.
Settled after the pass (`service.settle`), so the head score's path and the heads
`training.pages_fit` collects stay the pass's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from service.composite import EDITOR, absorb, is_name_line
from service.digest_items import is_item
from service.head_parts import ITEM_LABEL
from service.lines import PARA, SHORT
from service.writers import BARE_NAME

__all__ = ["rejoin_subheads", "SUBHEAD_ONLY"]

_SPACE = r"[\s\u3000\xa0]"
SUBHEAD_ONLY = re.compile(
    rf"第[一二三四五六七八九十百零〇\d]+[章编节](?:{_SPACE}|$)"
    r"|(?:时间|地点|讲述人|提案人|关键词|写信人|收信人|镜头[一二三四五六七八九十]+|图[①-⑳\d]+)"
    rf"{_SPACE}*[：:]"
    # (a box's label, ■链接 知识链接 案例链接: 17 body lines, no head line)
    r"|■?[\u4e00-\u9fff]{0,2}链接$"
)
# Lines that never head an article on the development months' printed pages, when they are a
# draft's whole head: a quotation closing on 。” or ？” (390 body lines, no head line), a bare
# numeral (五: 28 body lines).
NEVER_TITLE = re.compile(r"“[^“”]*(?:”[^“”]{0,4}“[^“”]*)*[。？]”|[一二三四五六七八九十]{1,3}")
_PIECE_CHARS = 125
# A column label closing a title (（新论）, （礼赞70年）): a standalone short item's.
LABELLED = re.compile(r".*[（(][^（）()]{2,}[）)]")
_SPACED = re.compile(_SPACE)


def rejoin_subheads(drafts: list, raw: str) -> None:
    """Drafts whose head holds a line that only ever stands inside an article (`SUBHEAD_ONLY`),
    or a cut piece over the rest of its paragraph (`_cut_piece`), joined to the draft above,
    their head lines becoming lines of its body."""
    at = 1
    read: dict = {}  # (see _earlier_credit)
    years: dict = {}  # (see _earliest_entry)
    year: list = []  # (one search of the page, when first asked: no functools.cache a page)

    def page_year() -> int | None:
        if not year:
            year.append(_page_year(raw))
        return year[0]

    while at < len(drafts):
        d, above = drafts[at], drafts[at - 1]
        # (a subtitle may be a piece's label of its own: 提案人：… under a proposal's title)
        if (
            not d.marked
            and (above.title or above.body)
            and (
                any(SUBHEAD_ONLY.match(s.text) for s in d.kicker + d.title)
                # (an editor's note's signature closes the note above, its last words cut
                # by the column over it: never a head line; first in a head, `closes_above`)
                or _signed_head(d.kicker + d.title + d.subtitle)
                or (len(d.heads) == 1 and NEVER_TITLE.fullmatch(d.heads[0].text))
                or _cut_piece(d, above)
                or _chronicle(d, above, page_year, years)
                or _credited_piece(d, above, read)
                or _announced(above)
            )
        ):
            absorb(above, d)
            del drafts[at]
            continue
        at += 1


def _signed_head(heads: list) -> bool:
    """The head's last line signs an editor's note (——编  者): the head is the note's end."""
    return len(heads) > 1 and bool(EDITOR.fullmatch(heads[-1].text))


def _cut_piece(d, above) -> bool:
    """A lone bare title over one undated paragraph of at most `_PIECE_CHARS`, under an article
    still open (its last line running text, no closing credit)."""
    if d.kicker or d.subtitle or len(d.title) != 1 or len(d.body) != 1 or d.kinds[0] != PARA:
        return False
    if d.values[0] or d.chars > _PIECE_CHARS or not above.kinds or above.kinds[-1] != PARA:
        return False
    title = d.title[0].text
    # (a headline sets its phrases apart with a space, 战疫情 保生产; running text has none)
    return not (
        above.closed
        or ITEM_LABEL.fullmatch(title)
        or LABELLED.fullmatch(title)
        or _SPACED.search(title)
        or is_item(d)
        and is_item(above)  # (a digest's next item: `digest_items`)
    )


# A chronicle's entry opens on its year (1993年4月，…, 2006年7月1日，…).
_YEAR = re.compile(r"((?:1[89]|20)\d\d)年")
_DATE = re.compile(r"((?:19|20)\d\d)年\d{1,2}月\d{1,2}日")


def _chronicle(d, above, page_year: Callable[[], int | None], years: dict) -> bool:
    """An entry of a chronicle (新中国峥嵘岁月: 汪辜会谈 / 1993年4月，…): an undated draft under an
    unlabelled head, its text opening on a year of the past (two or more years before the page's
    first full date: its own time), under an open article holding an entry of an earlier or
    the same year (its first line, or a line under a short line)."""
    if d.dated or d.subtitle or not d.body or not above.kinds or above.kinds[-1] != PARA:
        return False
    year = _YEAR.match(d.body[0].text)
    if not year or above.closed or LABELLED.fullmatch(d.title[-1].text if d.title else ""):
        return False
    earliest = _earliest_entry(above, years)
    if earliest is None or earliest > year.group(1):
        return False
    # (a report of this year opening on it is news, not history: 2020年，法国在环境保护领域…;
    # the page's time is its first full date, as a page's header prints it)
    today = page_year()
    return today is not None and int(year.group(1)) <= today - 2


def _earliest_entry(above, years: dict) -> str | None:
    """The earliest year an entry of `above` opens on (its first line, or a line under a short
    line), None without one. Lines come only at the end of a body while subheads are rejoined,
    so `years` keeps, per draft, how many lines were read and the earliest year so far (each
    entry was read against every line above it: quadratic on a page of entries)."""
    body, kinds = above.body, above.kinds
    start, earliest = years.get(above, (0, None))
    for k in range(start, len(body)):
        if (k == 0 or kinds[k - 1] == SHORT) and kinds[k] == PARA:
            m = _YEAR.match(body[k].text)
            if m is not None and (earliest is None or m.group(1) < earliest):
                earliest = m.group(1)
    years[above] = (len(body), earliest)
    return earliest


def _page_year(raw: str) -> int | None:
    """The year of the page's first full date (searched once a page: it was once an entry)."""
    today = _DATE.search(raw)
    return int(today.group(1)) if today is not None else None


# A piece's closing credit in a series of pieces: its writer's note (（作者为…）), an
# as-told-to credit (本报记者 原韬雄整理, （本报记者王瑨采访整理）) or the speaker's line over
# it (…村民张耀军讲述).
_PIECE_CREDIT = re.compile(
    r"[（(]作者[为系].*[）)]|[^。！？]{2,58}整理[）)]?|[^。！？，]{2,58}讲述"
)


def _credited(lines) -> bool:
    """The body closes on a piece's credit, maybe cut by the column inside its brackets."""
    last = lines[-1].text
    if _PIECE_CREDIT.fullmatch(last):
        return True
    return (
        len(lines) > 1 and "（" not in last and bool(_PIECE_CREDIT.fullmatch(lines[-2].text + last))
    )


def _credited_piece(d, above, read: dict) -> bool:
    """A piece of a series each closed by its credit (…整理, （作者为…）, …讲述), under an item
    whose subtitle or body already holds its editor's note (——编者), a piece closed so or a
    piece's head over its writer: on the development months' printed pages 132 of 135 such
    piece boundaries (in 32 articles) stand so, and of 103 pairs of consecutive articles both
    closed by a credit none with an unlabelled second title has the first holding one of them.
    An undated draft only (a report opens on its dateline)."""
    if d.dated or d.marked or not d.body or not above.body or not _credited(d.body):
        return False
    # (a title closing on a column label, maybe nested, （艺海观澜·当科技遇上艺术（5））, is a
    # standalone commentary's: 94 of the 103 printed pairs of credited articles)
    if not _credited(above.body) or (d.title and _LABEL_END.fullmatch(d.title[-1].text)):
        return False
    return _earlier_credit(above, read)


def _earlier_credit(above, read: dict) -> bool:
    """Whether the lines of `above`'s subtitle and body but its last hold its editor's note, a
    piece's credit or a piece's head over its writer.

    Each line is read once: while subheads are rejoined, lines come only at the end of a body
    (`absorb`), so `read` keeps, per draft, how many lines were read and whether one was found
    (a page of many credited pieces, each read against all the lines above it, was quadratic:
    80,000 lines 12 s)."""
    sub, body = above.subtitle, above.body
    n = len(sub) + len(body) - 1
    start, found = read.get(above, (0, False))
    text = lambda i: (sub[i] if i < len(sub) else body[i - len(sub)]).text  # noqa: E731
    for i in range(start, n if not found else start):
        t = text(i)
        if EDITOR.fullmatch(t) or _PIECE_CREDIT.fullmatch(t) or i and _piece_head(text(i - 1), t):
            found = True
            break
    read[above] = (n, found)
    return found


def _piece_head(head: str, name: str) -> bool:
    """A piece's head over its writer's name (创新报国 执着前行 / 白春礼, 精品奉献人民 / 姜 昆)."""
    return (
        len(head) <= 30
        and head[-1] not in "。！？，：；…”"
        and bool(is_name_line(name) or BARE_NAME.fullmatch(name) or _SPACED_TWO.fullmatch(name))
    )


_LABEL_END = re.compile(r".{4,}[（(].{2,}[）)]")
_SPACED_TWO = re.compile(r"[\u4e00-\u9fff]\s[\u4e00-\u9fff]{1,2}")


# A paragraph announcing what follows in full (…《条例》全文如下。, …的署名文章。文章如下：):
# 16 short lines stand right under one inside the development months' printed bodies (a
# document's or an article's title, an address, a first item), and no printed body closes on
# one with an article after it.
_ANNOUNCES = re.compile(r".*如下[。：:]")


def _announced(above) -> bool:
    """The draft above closes on a paragraph announcing what follows."""
    return (
        bool(above.kinds)
        and above.kinds[-1] == PARA
        and bool(_ANNOUNCES.fullmatch(above.body[-1].text))
    )
