"""Training-time copies of broadcast commentary items without the broadcast frame around them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from .corpus import Record

__all__ = ["unframe_commentary"]

# SOURCES.md: most training commentary is a TV item *about* a commentary ("人民日报评论员文章：X",
# "明天出版的人民日报将发表评论员文章，题目是《X》。文章说，…"), while a newspaper prints the
# argument itself under its own headline. Copies without the frame teach the argument's style.
_TITLE_FRAME = re.compile(
    r"^[【\[]?(央视快评|央视短评|国际锐评|新华时评|新华社评论员文章|新华社评论员|人民日报评论员文章|"
    r"人民日报评论员|人民日报社论|本台评论|本台短评|评论员文章|社论|时评|述评|央视评论|"
    r"[^：:】]{0,8}评论)[】\]]?[：:]?"
)
_LEAD_FRAME = re.compile(
    r"^[^。]{0,40}(发表|播发|刊发|刊播)[^。]{0,30}(评论员文章|社论|评论|短评|锐评)[^。]*。\s*"
)
_SAYS = re.compile(r"(文章|社论|评论|锐评|短评)(说|指出|强调|认为)[，,]")


def unframe_commentary(records: Sequence[Record]) -> tuple[list[Record], int]:
    """The records plus an unframed copy of each framed commentary item; and how many were added."""
    copies = []
    for r in records:
        if r.label != "commentary":
            continue
        title = _TITLE_FRAME.sub("", r.title)
        if title == r.title or not title.strip():
            continue
        text = _SAYS.sub("", _LEAD_FRAME.sub("", r.text))
        if text.strip():
            copies.append(replace(r, title=title, text=text, source=r.source + "#unframed"))
    return list(records) + copies, len(copies)
