"""How writers and speakers are named on the line under a head (bylines, letters' signatures,
interviewees): never a title. Read by the head roles (`head_parts`), composite items and
subheads alike; one home for the rule."""

from __future__ import annotations

import re

__all__ = [
    "BARE_NAME",
    "SPACED_NAME",
    "WRITER",
    "bare_name",
    "spaced_name",
    "wide_name",
    "writer_under",
]

# A spaced personal name, as bylines and interviewees are set: 马  琳, 环球时报副总编辑  蒋安全.
SPACED_NAME = re.compile(
    r"(?:^|.*[\s：:])[\u4e00-\u9fff][\s\u3000\xa0]{2,}[\u4e00-\u9fff](?:$|[\s\u3000\xa0（(].*)"
    r"|.*\S[\s\u3000\xa0]{2,}[\u4e00-\u9fff]{2,3}(?:[（(].*)?"
)


def spaced_name(text: str) -> bool:
    """`SPACED_NAME.fullmatch(text)`, the pattern run only on a line holding a blank: each
    branch needs two, and a blank is a space or unprintable (most head lines hold none, and
    the pattern's scans cost ~0.8 µs a line)."""
    return (" " in text or not text.isprintable()) and bool(SPACED_NAME.fullmatch(text))


# A writer with a country in brackets before the name, under a piece's head: a byline,
# never a title (（墨西哥）亚历杭德罗·马西亚斯).
WRITER = re.compile(
    r"[（(][\u4e00-\u9fff]{1,8}[）)][\u4e00-\u9fff]{1,6}(?:[·—－][\u4e00-\u9fff]{1,8}){0,3}"
)
# A writer named under a piece's head, with a post or role in brackets after a name of two or
# three characters: 高满堂（电视剧《老酒馆》编剧）, 王  雷（电视剧《陆战之王》主演）.
_NAMED = re.compile(
    r"[\u4e00-\u9fff](?:[\s\u3000\xa0]*[\u4e00-\u9fff]){1,2}[（(][^（）()]{2,30}[）)]"
)
# (not spaced: 贺  信 over a letter is its label)
BARE_NAME = re.compile(r"[\u4e00-\u9fff]{2,3}")  # 张近东, 林亦辰
# The hundred commonest surnames (the 2019 household register's ranking, ~85 % of people): a
# bare name opens on one; a section's label of two or three characters (序曲, 源流, 回信, under
# People's Daily's features) seldom does.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# A two-character name with one blank between, as e-paper extraction gives a name set wide
# (王　蒙, 李 敬); People's Daily sets two (李\xa0\xa0璇), and one in labels over a body (贺\xa0信,
# 目\xa0录) and in interviewees' names (张\xa0译).
_WIDE_NAME = re.compile(r"[\u4e00-\u9fff][ \u3000\xa0][\u4e00-\u9fff]")
_ESSAY_HEAD = 16  # an essay's or a poem's title; a letter's (贺\xa0信) is a leader's long one


def bare_name(text: str) -> bool:
    """A writer's bare name: two or three characters set solid, opening on a common surname."""
    return text[:1] in _SURNAMES and bool(BARE_NAME.fullmatch(text))


def wide_name(head: str, text: str) -> bool:
    """`text` under `head` is a writer's two-character name with one blank (王　蒙): a surname
    opens it and the head is an essay's (People's Daily's 贺\xa0信 sits under a long title)."""
    return len(head) <= _ESSAY_HEAD and text[:1] in _SURNAMES and bool(_WIDE_NAME.fullmatch(text))


def writer_under(upper: str, lower: str) -> bool:
    """The lower of two head lines names the writer or speaker (a commentary's, a letter's, an
    interview's): the upper line is the title and the name its byline line, never the title
    under a kicker. A name set with its country (（法国）让—弗朗索瓦·唐泽尔), spaced or after a
    post (铁  凝, 环球时报副总编辑  蒋安全), with a role in brackets, or bare under a longer head
    (守好校园责任田 / 王明钦): no title under a kicker is two or three characters."""
    return bool(
        WRITER.fullmatch(lower)
        or spaced_name(lower)
        or _NAMED.fullmatch(lower)
        or (len(upper) >= 4 and BARE_NAME.fullmatch(lower))
    )
