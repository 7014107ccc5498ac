"""Training-time copies: broadcast commentary unframed; TV rows with their leaders renamed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .corpus import Record

__all__ = [
    "OLDER_LEADER",
    "RENAMED",
    "copy_shares",
    "older_names",
    "rename_leaders",
    "unframe_commentary",
]

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


# Each 2013–2023 national leader's name → the 2002–2012 holder of the nearest office
# (EXPERIMENTS.md, YEARS4, where the map was written before any run). News of 2012–2013 names
# leaders a fit on 2014–2023 never saw; YEARS6 copies TV rows with these names so the older
# names learn what the newer did, and the year folds read their rows through it (reading (b)).
OLDER_LEADER = {
    "习近平": "胡锦涛",  # general secretary, state president
    "李克强": "温家宝",  # premier
    "李强": "温家宝",
    "张德江": "吴邦国",  # NPC chair
    "栗战书": "吴邦国",
    "俞正声": "贾庆林",  # CPPCC chair
    "汪洋": "贾庆林",
    "刘云山": "李长春",  # ideology and propaganda
    "王沪宁": "李长春",
    "王岐山": "贺国强",  # discipline inspection (and vice president 2018–2023)
    "赵乐际": "吴官正",
    "李希": "吴官正",
    "张高丽": "周永康",
    "韩正": "黄菊",  # executive vice premier
    "丁薛祥": "黄菊",
    "蔡奇": "曾庆红",  # first secretary of the secretariat
    "李源潮": "曾庆红",  # state vice president
}
# 汪洋 is also a word (一片汪洋, 汪洋大海): renamed only where it reads as a name.
_NEWER = re.compile(
    "|".join(r"(?<![一片成])汪洋(?!大海|恣肆)" if n == "汪洋" else n for n in OLDER_LEADER)
)
RENAMED = "#renamed"  # a renamed copy's source: its original's plus this


def older_names(text: str, names: dict[str, str] = OLDER_LEADER) -> str:
    """`text` with each 2013–2023 leader's name read through `names` (default: the older holder)."""
    return _NEWER.sub(lambda m: names[m.group()], text)


def rename_leaders(records: Sequence[Record]) -> list[Record]:
    """A copy of each record that names a 2013–2023 leader, those names renamed (older_names)."""
    copies = []
    for r in records:
        renamed = replace(
            r,
            title=older_names(r.title),
            kicker=older_names(r.kicker),
            subtitle=older_names(r.subtitle),
            text=older_names(r.text),
            source=r.source + RENAMED,
        )
        if renamed.item != r.item:
            copies.append(renamed)
    return copies


def copy_shares(records: Sequence[Record]) -> np.ndarray:
    """Each row's share of its weight: half for a renamed copy and half for the row it was
    copied from (together the one row's weight, so no source's or class's total moves), whole
    elsewhere."""
    copied = {r.source.removesuffix(RENAMED) for r in records if r.source.endswith(RENAMED)}
    return np.asarray(
        [0.5 if r.source.endswith(RENAMED) or r.source in copied else 1.0 for r in records]
    )
