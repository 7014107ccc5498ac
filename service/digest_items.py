"""A digest's items, each a colon head naming its subject over one paragraph that opens on the
same name (公告速递 / 万科A：5月销售金额494亿元 / 万科A公告，… / 贵州茅台：拟每股派息… /
贵州茅台公告，…): the pass reads the first item's head as a title and the next heads as
subheads of its body. Read after the pass (called from `service.settle`), so the head score's
path stays the pass's.

On the development months' printed articles 84 body lines are such a colon head over a line
opening on its name (a roundup's subheads: `福建：标准不降、力度不减` / `福建省委强调，…`), none in
an article whose own title is one over a body opening on its name (5 articles are so titled):
a thin count, the item's form read off the title, never off the body alone."""

from __future__ import annotations

import re

from service.glued import split_at
from service.lines import PARA, SHORT
from service.text import ends_paragraph

__all__ = ["is_item", "split_digest_item"]

# A subject's name, its colon, what it announced, no sentence's punctuation (万科A：5月…)
_ITEM_HEAD = re.compile(r"(?P<name>[\u4e00-\u9fffA-Za-z0-9]{2,8})：[^。！？；，：]{2,28}")


def _item_name(line: str) -> str:
    m = _ITEM_HEAD.fullmatch(line.strip())
    return m.group("name") if m else ""


def is_item(d) -> bool:
    """`d` is a digest's item: its title a colon head, its body opening on the head's name."""
    name = _item_name(d.title[0].text) if len(d.title) == 1 else ""
    return bool(name and d.body and d.body[0].text.lstrip().startswith(name))


def split_digest_item(d):
    """The next item of a digest whose first item is `d` (its title a colon head, its body opening
    on the head's name): a colon head under a closed paragraph over running text opening on that
    head's name opens an article (the new draft), else None."""
    if d.composite or d.marked or SHORT not in d.kinds or not is_item(d):
        return None
    body, kinds = d.body, d.kinds
    for i in range(1, len(body) - 1):
        if kinds[i] != SHORT or kinds[i + 1] != PARA or not ends_paragraph(body[i - 1].text):
            continue
        if (head := _item_name(body[i].text)) and body[i + 1].text.lstrip().startswith(head):
            return split_at(d, i, i + 1, "")
    return None
