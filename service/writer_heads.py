"""A head over its writer's bare name (快递小哥的一天 / 李斌, 麦田 / 王雪), as city dailies and
副刊 pages print essays and poems: the name is the article's byline, never a subtitle.

People's Daily sets such names under a composite item's pieces (来论 / …  / 郑少忠), which
`service.composite` reads; a lone head over a bare name is another paper's article. Inside a
body, a head and a bare name under a closed paragraph or under a poem's lines open the next
article: a poem (short lines with no sentence's end) glued the rest of a 副刊 page into the essay
above it. Read after the pass (called from `service.settle`), so the head score's path stays
the pass's.
"""

from __future__ import annotations

from service.lines import BYLINE_START, PARA, SHORT
from service.text import ends_paragraph
from service.writers import bare_name, wide_name

__all__ = ["bare_writer", "name_byline", "split_signed"]

_name = bare_name


def _writer(d, text: str) -> bool:
    """`text` under `d`'s head is its writer's bare name, set solid or wide (王　蒙)."""
    return _name(text) or bool(d.title) and wide_name(d.title[0].text, text)


_HEAD_MAX = 16  # an essay's or a poem's title
_VERSE_MAX = 20  # a poem's line


def _verse(text: str) -> bool:
    return len(text) <= _VERSE_MAX and text[-1] not in "。！？；…”"


def _poem(d, lo: int, hi: int) -> bool:
    """`d.body[lo:hi]` are a poem's lines: three or more short lines, none ending a sentence."""
    return hi - lo >= 3 and all(
        k == SHORT and _verse(s.text) for s, k in zip(d.body[lo:hi], d.kinds[lo:hi], strict=True)
    )


def _signed_at(d) -> int:
    """Where a head over its writer's bare name opens another article in `d`'s body, else 0."""
    body, kinds = d.body, d.kinds
    n = len(body)
    signed = 1 if kinds[0] == BYLINE_START else len(body) if not d.subtitle else 0
    for i in range(1, n - 2):
        if kinds[i] != SHORT or kinds[i + 1] != SHORT or not _name(body[i + 1].text):
            continue
        head = body[i].text
        if len(head) > _HEAD_MAX or ends_paragraph(head):
            continue
        above = kinds[i - 1] == PARA and ends_paragraph(body[i - 1].text)
        if not (above or _poem(d, signed, i)):  # (under a closed paragraph or a signed poem)
            continue
        j = i + 2
        while j < n and kinds[j] == SHORT and _verse(body[j].text):
            j += 1
        if _poem(d, i + 2, j) or (kinds[i + 2] == PARA and not above):
            return i  # (People's Daily's 大家谈 sets its pieces so under closed paragraphs)
    return 0


def bare_writer(d) -> bool:
    """A head over its writer's bare name read as its subtitle, over text: one article with its
    byline (`name_byline`), never an item's heading over its only piece, nor the first piece
    of an item that an article credited otherwise (本报记者 陈晨) goes on (`composite`). Under a
    kicker only a name of two characters set solid: People's Daily spaces those (李  璇) and
    sets its 来论 so (来论 / 用好网上新闻发布会 / 郑少忠), a kicker over a piece's head."""
    sub = d.subtitle
    if len(sub) != 1 or d.composite or d.kinds[:1] != [PARA] or not _writer(d, sub[0].text):
        return False
    return not d.kicker or len(sub[0].text) == 2


def split_signed(d):
    """The article a head over its writer's bare name opens inside `d`'s body: the new draft
    (its title the head, its byline the name), `d` left with what stood above; else None."""
    if d.composite or d.marked or SHORT not in d.kinds:
        return None
    i = _signed_at(d)
    if not i:
        return None
    body, kinds, values = d.body, d.kinds, d.values
    new = type(d)(body[i : i + 1], [], [])
    new.heads, new.end = body[i : i + 1], d.end
    new.body, new.kinds = body[i + 1 :], [BYLINE_START] + kinds[i + 2 :]
    new.values = [body[i + 1].text] + values[i + 2 :]
    new.has_para = PARA in new.kinds
    new.dated = False
    del body[i:], kinds[i:], values[i:]
    d.end = body[-1].end
    return new


def name_byline(d) -> None:
    """A subtitle that is the writer's bare name over the text: the article's byline. A wide
    name (王　蒙) the pass read as the title under the essay's head as kicker is one too (read
    here, after the pass, so the head score's collection stays the pass's)."""
    if len(d.kicker) == 1 and len(d.title) == 1 and not d.subtitle:
        if wide_name(d.kicker[0].text, d.title[0].text):  # (读书的日子 / 王　蒙: no title)
            d.title, d.kicker, d.subtitle = d.kicker, [], d.title
    sub = d.subtitle
    if len(sub) != 1 or d.composite or not d.body:
        return
    if sub[0].text.startswith("——"):
        # a reviewer's name under the deck (——评电视剧《山海情》 / 王 峰), over the text
        name = d.body[0].text
        if d.kinds[:2] == [SHORT, PARA] and _writer(d, name):
            d.kinds[0], d.values[0] = BYLINE_START, name
        return
    if not _writer(d, sub[0].text):
        return
    if d.kinds[0] == PARA or _poem(d, 0, len(d.body)):
        d.body[:0], d.kinds[:0], d.values[:0] = sub, [BYLINE_START], [sub[0].text]
        d.subtitle = []
