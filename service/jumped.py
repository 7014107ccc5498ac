"""Text under a 下转 jump: the article above went on another page, so nothing below the note on
this page is of it (下转A05版 / 编者按 / 乡村振兴，人才是关键。…). The pass gives text with no
head of its own to the article being read; after a jump it is the next article's, or one of
its own (an editor's note over the next article, a title the head score turned down). Read
after the pass (called from `service.settle`), so the head score's path stays the pass's.
"""

from __future__ import annotations

from service.body_runs import MAX_HEAD
from service.head_parts import parse_heads
from service.lines import CONTINUES, PARA, SHORT

__all__ = ["after_jump"]

_SENTENCE_END = frozenset("。！？!?”")  # (a paragraph's end; a kicker may close on a colon)


def after_jump(d):
    """A new draft of what follows a 下转 line in draft `d`'s body, when a paragraph follows it
    (its head read from the short lines opening it, else untitled); else None."""
    kinds = d.kinds
    if CONTINUES not in kinds[:-1]:  # (most bodies hold no jump, or close on it)
        return None
    c = kinds.index(CONTINUES)
    body, values = d.body, d.values
    # (a credit or a caption's line after the note is still the article's; a lone line that
    # ends no paragraph, 王光生：, is the kicker of the `## ` title under it)
    after = zip(body[c + 1 :], kinds[c + 1 :], strict=True)
    if not any(k == PARA and s.text[-1] in _SENTENCE_END for s, k in after):
        return None
    j = c + 1
    while j < len(kinds) and kinds[j] == SHORT:
        j += 1
    title = kicker = subtitle = rest = []
    if 0 < j - c - 1 <= MAX_HEAD and j < len(kinds) and kinds[j] == PARA:
        title, kicker, subtitle, rest = parse_heads(body[c + 1 : j])
    if not title:
        j, rest = c + 1, []
    new = type(d)(title, kicker, subtitle)
    new.heads, new.end = body[c + 1 : j], d.end
    new.body = rest + body[j:]
    new.kinds = [SHORT] * len(rest) + kinds[j:]
    new.values = [""] * len(rest) + values[j:]
    new.has_para = True
    dates = (v for k, v in zip(new.kinds, new.values, strict=True) if k == PARA)
    new.dated = bool(next(dates, ""))
    if not title:
        new.start = new.body[0].start
    del body[c + 1 :], kinds[c + 1 :], values[c + 1 :]
    d.end = body[-1].end
    return new
