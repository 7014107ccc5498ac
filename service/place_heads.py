"""A place's name over a title, glued into the body above (stop 33, i100): read after the pass
(called from `service.settle`, after `service.glued`), so the head score's path stays the pass's.

A kicker naming a place (湖北武汉, 河南郑州市上街区, 海  南) over its title under a closed paragraph
heads an article in print; a place line over a short line inside a body is a roundup's item, and
a roundup names several places (重庆渝中 / … / 湖南长沙 / … / 浙江衢州 / …), while a printed series
of places (春耕: 四  川 / … / 海  南 / …) is of articles each under one whose kicker names a place.
On the development months 56 printed heads carry a place kicker and no subtitle (54 under an
article); run on drafts built from the printed articles the rule opens 45 of them and fires on 2
body runs (重庆 主妇李琦; 南京梅花山 in a roundup of gardens named without their province)."""

from __future__ import annotations

import re

from service.body_runs import ended, shorts
from service.glued import PLACED, cut_opening, split_at
from service.lines import PARA, SHORT

__all__ = ["names_place", "split_place"]

_PROVINCES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南"
    " 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
    # (and the provinces' capitals)
    " 石家庄 太原 呼和浩特 沈阳 长春 哈尔滨 南京 杭州 合肥 福州 南昌 济南 郑州 武汉 长沙 广州 南宁"
    " 海口 成都 贵阳 昆明 拉萨 西安 兰州 西宁 银川 乌鲁木齐"
).split()
_NAME = r"[^\s，,：:；;。！？!?（）()“”《》、—·]"
# A province, maybe a place in it closing on its kind (江苏连云港连云区, 新疆乌什县托万克麦盖提村)
# or a short name after it (湖北武汉, 西藏民航, 天津高新区).
_PLACE = re.compile(
    rf"(?:{'|'.join(_PROVINCES)})(?:{_NAME}{{0,10}}[省市县区镇乡村州旗盟]|{_NAME}{{0,4}})(?:人大常委会|人大|政府)?"
)


_FIRST = frozenset(p[0] for p in _PROVINCES)  # (most short lines open on none: read no further)


def names_place(line: str) -> bool:
    """The line names a place and nothing else (spaces set inside it left out: 海  南)."""
    line = line.lstrip()
    return bool(line) and line[0] in _FIRST and bool(_PLACE.fullmatch("".join(line.split())))


def split_place(d):
    """A place line over one short line, under a closed paragraph and over running text (or the
    body's first line the column cut), in a body naming no other place on a short line unless
    the draft's own kicker names one: a new article, the place its kicker (the new draft, its
    body what followed); else None."""
    if d.composite or d.marked or SHORT not in d.kinds:
        return None
    body, kinds = d.body, d.kinds
    n = len(body)
    places = [i for i in shorts(kinds) if i < n - 2 and names_place(body[i].text)]
    if not places:
        return None
    series = any(names_place(s.text) for s in d.kicker)
    if len(places) > 1 and not series:
        return None  # (a roundup's places)
    for i in places:
        title = body[i + 1].text
        if kinds[i + 1] != SHORT or not ended(body[i - 1].text):
            continue
        if title[0] in "（(■●◆▲◎" or ended(title) or names_place(title):
            continue
        cut = kinds[i + 2] == SHORT and i + 3 < n and kinds[i + 3] != SHORT
        if kinds[i + 2] != PARA and not (cut and cut_opening(body[i + 2].text, body[i + 3].text)):
            continue
        if (new := split_at(d, i, i + 2, PLACED)) is not None:
            if cut:
                new.kinds[0] = PARA  # (running text, as printed: no subtitle)
                new.has_para = True
            return new
    return None
