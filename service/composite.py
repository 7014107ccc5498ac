"""Composite items: several pieces printed under one heading are one article.

A page sets a composite item (several letters, interviews or reports under one heading: 来论,
名家谈, 一线群英谱) as pieces, each a short head with the writer's or speaker's name right under
it (本报记者  赵  兵, 铁  凝（中国作协主席）, （墨西哥）亚历杭德罗·马西亚斯). A standalone
article seldom opens so: its credit sits in its dateline (本报北京2月25日电（记者…）). So
after splitting, a run of drafts each opening as such a piece is put back together: the first
piece's article takes the others, their heads becoming subheads of its body. City dailies print
each article's credit under its lone title: such a run is an item only under an item's heading.
"""

from __future__ import annotations

__all__ = [
    "merge_pieces",
    "is_name_line",
    "CLOSING_NAME",
    "ends_above",
    "SIGN_OFF",
    "END_NOTE",
    "NOTE",
    "EDITOR",
]

import re

from service.documents import Span
from service.head_parts import LEAD_IN, column_name
from service.lines import BYLINE_END, BYLINE_START, PARA, SHORT
from service.writer_heads import bare_writer
from service.writers import BARE_NAME, WRITER, bare_name, spaced_name

# A writer set with a role in brackets: 何建明（中国作协副主席）, 王  雷（电视剧《陆战之王》主演）;
# with a country before the name, `writers.WRITER` (（墨西哥）亚历杭德罗·马西亚斯).
_BRACKETED = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff\s\u3000\xa0]{1,4}[（(][^（）()]{2,30}[）)]")


def is_name_line(text: str, kind: str = SHORT) -> bool:
    """A line naming a piece's writer or speaker, as set right under the piece's head."""
    if kind == BYLINE_START:
        return True
    if kind != SHORT or len(text) > 40:
        return False
    return spaced_name(text) or bool(WRITER.fullmatch(text) or _BRACKETED.fullmatch(text))


_ROLE = re.compile(r"\S*?(?:记者|通讯员|评论员|特约撰稿人)")


def _form(text: str, kind: str = SHORT) -> str:
    """How a name line is set, which the pieces of one item share: the credit's role (本报记者,
    新华社记者, 本报评论员), a spaced name, a name with a country before it or a role after it;
    "" for no name line."""
    if not is_name_line(text, kind):
        return ""
    if kind == BYLINE_START:
        m = _ROLE.match(text)
        return m.group() if m else text.split()[0]
    if text[0] in "（(":
        return "country"
    return "role" if text[-1] in "）)" else "name"


def _piece(d) -> str:
    """How the writer is named if this draft opens as a piece (a bare head line with a name
    line under it), else ""."""
    if not d.title or d.marked:
        return ""
    form = _under_head(d.subtitle[-1].text) if d.subtitle else ""
    if _upside_down(d):
        return _form(d.title[0].text)
    if form or not d.body:
        return form
    form = _form(d.body[0].text, d.kinds[0])
    if not form and len(d.body) > 1 and d.kinds[0] == SHORT:
        # the item's heading right over its first piece: the piece's head, then its writer
        form = _form(d.body[1].text, d.kinds[1])
        if (
            not form
            and len(d.body) > 2
            and d.kinds[1] == SHORT
            and LEAD_IN.fullmatch(d.body[0].text)
        ):
            # (a piece's head in two lines, its kicker closing on a lead-in dash: 江西井冈山——)
            form = _form(d.body[2].text, d.kinds[2])
    return form


def _upside_down(d) -> bool:
    """A piece's head read as a kicker over its writer's line read as the title (以真善美鼓舞读者
    / 天蚕土豆（网络作家）); a lead-in (…张超——) is a kicker over a title, as the draft reads it."""
    return bool(
        d.kicker
        and not d.subtitle
        and len(d.title) == 1
        and not LEAD_IN.fullmatch(d.kicker[-1].text)
        and _form(d.title[0].text)
    )


def _under_head(text: str) -> str:
    """How a writer is named on the line under a piece's head (`writers.writer_under`
    made it the head's subtitle): a name line, or a bare name (王明钦)."""
    if _form(text):
        return _form(text)
    writers = _WRITERS.fullmatch(text) and len(text) - text.count(" ") - text.count("\xa0") >= 3
    return "name" if BARE_NAME.fullmatch(text) or writers else ""


# Writers set apart by single spaces under a piece's head (王伟健 蔡铭越, 靳 博 马 坤): under a head
# only, where a title's two parts (江苏 多措并举支持企业) seldom stand; two single characters are
# as often a letter's label (贺 信).
_WRITERS = re.compile(r"[\u4e00-\u9fff]{1,3}(?:\s[\u4e00-\u9fff]{1,3}){1,3}")


def absorb(into, d) -> None:
    """Put draft `d`'s heads and body at the end of `into`'s body."""
    for s in d.kicker + d.title + d.subtitle:
        into.body.append(s)
        into.kinds.append(SHORT)
        into.values.append("")
    into.body += d.body
    into.kinds += d.kinds
    into.values += d.values
    into.end = max(into.end, d.end)
    into.closed = d.closed


def _first_piece(d) -> None:
    """The first piece read with the item's heading over it (as kicker over title, or title
    over subtitle): the heading is the title, the piece's head a subhead of the body."""
    if d.kicker and (not d.subtitle or _under_head(d.subtitle[-1].text)):
        sub, d.title, d.kicker, d.subtitle = d.title + d.subtitle, d.kicker, [], []
    elif d.subtitle and not d.kicker and not _under_head(d.subtitle[-1].text):
        sub, d.subtitle = d.subtitle, []
    else:
        return
    d.body[:0] = sub
    d.kinds[:0] = [SHORT] * len(sub)
    d.values[:0] = [""] * len(sub)


def _same_item(a: str, b: str) -> bool:
    # Pieces of one item name their writers alike; two credits of different roles (本报评论员
    # over one article, 新华社记者 over the next) are two articles.
    return a == b or a in _NAMES or b in _NAMES


_NAMES = ("country", "role", "name")


# A writer's name in brackets on a line of its own: what closes each brief of a column of
# briefs (财经短波: title, 本报电 text, （柯\u3000文）), or two or three writers' names set
# apart by spaces (（丁怡婷  倪  弋）).
_ONE = r"[\u4e00-\u9fff](?:[\s\u3000\xa0]{0,3}[\u4e00-\u9fff]){1,3}"
CLOSING_NAME = re.compile(
    r"[（(][\u4e00-\u9fff][\u4e00-\u9fff\s\u3000\xa0]{1,5}[）)]"
    rf"|[（(]{_ONE}(?:[\s\u3000\xa0]+{_ONE}){{1,2}}[）)]"
)


def _brief(d) -> bool:
    """A brief of a column of briefs: a bare head over text closed by its writer's name."""
    return bool(
        d.title
        and d.body
        and not d.marked
        and d.kinds[-1] == SHORT  # a bare name, not a credit (（记者 陈晓）)
        and CLOSING_NAME.fullmatch(d.body[-1].text)
    )


# A dateline or closing credit without a date: how a brief in a column of briefs is sourced
# (本报电, 据新华社悉尼电); a standalone report names its day (本报北京2月4日电).
_UNDATED = re.compile(r"[（(]?(?:据)?[^\d（）()]{0,12}电[）)]?(?:[\s\u3000\xa0]+.*)?")
_BRIEF_CHARS = 600  # a brief is a paragraph or three (400 and 600 tried on dev: level)


def _undated_brief(d) -> bool:
    """A short bare-headed item sourced without a date (opening 本报电, or closed by
    （据新华社悉尼电）or a writer's bare name): a brief, as a column of briefs sets them."""
    if not d.title or d.marked or not d.body or d.chars > _BRIEF_CHARS:
        return False
    if d.subtitle and (d.kicker or not _column_name(d)):
        return False
    opens = d.values[0].strip() if d.kinds[0] == PARA else ""
    if opens and _UNDATED.fullmatch(opens):
        return True
    last = d.body[-1].text
    return (d.kinds[-1] == BYLINE_END and bool(_UNDATED.fullmatch(last))) or _brief(d)


def _column_name(d) -> bool:
    """A column's name over its first brief (微阅读, 资讯速递): one short word, read as the
    brief's kicker, or as the title with the brief's title as its subtitle."""
    word = d.kicker or (d.title if d.subtitle or (d.title and column_name(d.title[0].text)) else [])
    return len(word) == 1 and len(word[0].text) <= 6 and not spaced_name(word[0].text)


def merge_pieces(drafts: list) -> list:
    """Drafts with consecutive pieces of one composite item put back together (see above)."""
    out: list = []
    run = ""  # the last draft in `out` is a piece, its writer named so: an item is being read
    for i, d in enumerate(drafts):
        piece = _piece(d)
        if (
            (piece and run and _same_item(run, piece) and out and not _credited(out[-1]))
            and not (piece not in _NAMES and (bare_writer(out[-1]) or _city_signed(out[-1], d)))
            or (
                out
                and _brief(d)
                and not d.kicker
                and _brief(out[-1])
                # the column's name over the first
                and (out[-1].kicker or _column_name(out[-1]) or out[-1].composite)
            )
            or (out and _lead_piece(d) and _holds_led(out[-1]))
            or (
                # a column of undated briefs under a column's name, closed or not by a name
                out
                and not d.kicker
                and _undated_brief(d)
                and _undated_brief(out[-1])
                and (out[-1].composite or _column_name(out[-1]))
            )
        ):
            head = out[-1]
            if not head.composite and not _lead_piece(d):
                _first_piece(head)
                head.composite = True
            absorb(head, d)
            continue
        if (
            piece
            and out
            and not run
            and (_introduces(out[-1], piece, drafts[i + 1 : i + 2]) or _holds(out[-1], piece))
        ):
            # The first piece under the item's introduction: its editor's note (——编者),
            # printed at the head of what it introduces, or a short text with no credit
            # over two pieces or more named alike.
            out[-1].composite = True
            absorb(out[-1], d)
            run = piece
            continue
        if (
            piece in _NAMES
            and (d.kicker or d.subtitle)
            and not _upside_down(d)
            and not bare_writer(d)
            and not _city_signed(d, drafts[i + 1] if i + 1 < len(drafts) else None)
        ):
            # A head over a piece's head and its writer's bare name: the item's heading over
            # its only piece (来论 / 为战“疫”注入必胜信心 / 江西南昌  杨铭鸣), seldom a kicker
            # (a kicker's article is credited 本报记者 …, left as it is).
            _first_piece(d)
            d.composite = True
        out.append(d)
        run = piece
    return out


def _city_signed(d, after) -> bool:
    """A head under a kicker over its writer's bare name (街巷故事 / 修鞋匠老周 / 张红梅), with a
    lone title over its own role credit after it (本报记者 孙立): a city daily's page, where each
    article is credited under its title, so the name is the article's byline; People's Daily
    sets its 来论 so with a second piece named alike under it (a lone piece stays the item)."""
    return (
        after is not None
        and _credited(after)
        and bool(d.kicker and len(d.subtitle) == 1)
        and not d.composite
        and bare_name(d.subtitle[0].text)
    )


def _credited(d) -> bool:
    """A lone title (or one over its deck) over its own credit and text, no item's heading over
    it: an article as city dailies print them (二环路绿道年底前全线贯通 / 本报记者 刘冕 / …),
    never a composite's first piece, which stands under the item's heading (a kicker or a
    title over the piece's head). A deck read as a piece's head glued the next article in."""
    return not (d.composite or d.kicker or d.subtitle and not _deck(d)) and d.kinds[:1] == [
        BYLINE_START
    ]


def _deck(d) -> bool:
    """The line under a lone title is its deck, not a piece's head: longer than the title, with
    no colon or blank (职业索赔人批量起诉超市获赔被驳回 / 法院认定其购买行为不以生活消费为目的).
    People's Daily's piece heads under an item's heading (6 on the development months) are
    shorter, or name their place (社区防控，我们在行动 / 天津：集中隔离 避免交叉感染)."""
    if len(d.title) != 1 or len(d.subtitle) != 1:
        return False
    title, deck = d.title[0].text, d.subtitle[0].text
    return len(deck) > len(title) and not any(c in deck for c in "：: \u3000\xa0")


def _lead_piece(d) -> bool:
    """A testimony's piece: its speaker over its head, closing on a lead-in dash (邓前堆——,
    …班长程强——), as a kicker, and no dateline."""
    return bool(d.kicker and d.title and not d.marked and not d.dated) and bool(
        LEAD_IN.fullmatch(d.kicker[-1].text)
    )


def _holds_led(d) -> bool:
    """The draft's body opens with such a piece (a short line closing on the dash, the piece's
    head under it, then text), or holds one put back: the item goes on. (Elsewhere in a body,
    even under an editor's note, such lines are as often a report's sections or articles.)"""
    kinds, body = d.kinds, d.body
    return any(
        kinds[k] == SHORT
        and kinds[k + 1] == SHORT
        and kinds[k + 2] == PARA
        and LEAD_IN.fullmatch(body[k].text)
        and (k == 0 or d.composite)
        for k in range(len(body) - 2)
    )


# An editor's note's signature (——编  者), printed at the head of what the note introduces.
EDITOR = re.compile(r"——\s*编\s*者")


def _introduces(d, piece: str, after: list) -> bool:
    """The draft heads the item whose first piece (named `piece`) follows it: it ends with an
    editor's note's signature, or it is a short text without a credit or dateline with a
    second piece of the item after the first (`after`: the draft after the first piece)."""
    if not d.body or d.composite or not d.title:
        return False
    if EDITOR.fullmatch(d.body[-1].text):
        return True
    return (
        d.chars <= _INTRO_CHARS
        and not d.dated
        and BYLINE_START not in d.kinds
        and BYLINE_END not in d.kinds
        and bool(after)
        and bool(second := _piece(after[0]))
        and _same_item(piece, second)
    )


_INTRO_CHARS = 400  # an introduction is a paragraph or two


def _holds(d, piece: str) -> bool:
    """The draft's body already holds a piece named alike (a short line, its writer named
    under it, then text): the item it opened goes on."""
    kinds, body = d.kinds, d.body
    for k in range(len(body) - 2):
        if kinds[k] == SHORT and kinds[k + 2] == PARA:
            form = _form(body[k + 1].text, kinds[k + 1])
            if form and _same_item(piece, form):
                return True
    return False


def ends_above(heads: list[Span]) -> int:
    """How many leading head lines end the text above rather than head what follows: a writer's
    name in brackets (（柯\u3000文）), a bracket or a quote closing one opened above (宇采访整理）,
    家人过上更好的生活。”, or （本报开罗1 / 月13日电）), a note wholly in brackets
    (（相关报道见第十二版）), an editor's note signed ——编者, a column's mailbox (栏目投稿邮箱：…),
    which may follow the article's closing credit (pages._Splitter takes it there too)."""
    first = heads[0].text
    # (a name or a note opens with its bracket: most head lines need neither pattern)
    if first[0] in "（(" and (CLOSING_NAME.fullmatch(first) or NOTE.fullmatch(first)):
        return 1
    # (SIGN_OFF's three: ——编者, a source's 来源, a mailbox's @: most head lines hold none)
    if ("@" in first or "来源" in first or first[0] == "—") and SIGN_OFF.fullmatch(first):
        return 1
    opened = _open_brackets(first)
    if opened < 0 or first.count("”") > first.count("“"):
        return 1  # (closing a bracket or a quote opened above: 2042元。”)
    if len(heads) > 1 and opened > 0 and _open_brackets(heads[1].text) < 0:
        return 2
    return 0


def _open_brackets(line: str) -> int:
    return line.count("（") + line.count("(") - line.count("）") - line.count(")")


# A column's mailbox under its text (栏目投稿邮箱：…@163.com, 信箱：…): the column ends there.
END_NOTE = re.compile(r"[\u4e00-\u9fff]{0,8}[邮信]箱\s*[:：]\s*\S+@\S+")
# That, an editor's note signed ——编者, or a chart's source (数据来源：国家统计局,
# 资料和数据来源：…; an advertorial's parts each close with theirs: no end of the item).
SIGN_OFF = re.compile(
    r"——\s*编\s*者|(?:资料|数据|图表|信息)(?:和数据)?来源\s*[:：][^。！？]{2,60}|"
    + END_NOTE.pattern
)
# A note wholly in brackets closing the text above: （相关报道见第十版）, （综合本报记者…报道）,
# maybe naming a body in brackets of its own (（作者为中央党校（国家行政学院）…研究员）).
NOTE = re.compile(r"[（(][^（）()]{4,}(?:[（(][^（）()]+[）)][^（）()]*)?[）)]")
