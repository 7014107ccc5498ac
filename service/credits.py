"""Credits and datelines: who wrote an article and where it was filed, as a page prints them.

本报讯 / 新华社北京12月17日电（记者 周芷若） open a body (`split_dateline`); 本报评论员 / 新华社记者
周芷若 open or close one (`byline_start`); (贵阳日报融媒体中心 代晓龙) closes one (`byline_end`).
"""

from __future__ import annotations

__all__ = [
    "split_dateline",
    "dateline_reporter",
    "byline_start",
    "byline_end",
    "is_byline_inner",
    "DATELINE_FIRST",
    "may_open_dateline",
    "read_dateline",
    "dateline_across",
    "dateline_of",
    "CREDIT_LAST",
    "trim_tail",
]

import re

from service.furniture import continues_to, is_furniture

# Any punctuation inside a line marks running text rather than a heading.
_RUNNING_PUNCT = re.compile(r"[，,、。．；;：:！？!?（）()…\[\]【】]")
_ROLE = r"(?:见习记者|特约记者|特约撰稿人|撰稿人|评论员|记者|通讯员|实习生)"
_ORG = (
    r"(?:本报|本刊|本台|新华社|中新社|中新网|中国新闻网|人民日报|人民网|新华网|央视网|央广网"
    r"|光明网|中国日报网|国际在线)"
)
# A paper filing under its own name (南方日报讯, 羊城晚报讯): a name ending on what papers do.
_PAPER = r"[\u4e00-\u9fff]{1,6}(?:日报|晚报|时报|商报|都市报|青年报|晨报|早报|快报|法治报)"
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE = rf"(?:{_NUM}月)?{_NUM}日"  # 12月17日, or the day alone (新华社北京3日电)
# 本报讯 / 本报贵阳12月17日讯 / 新华社北京12月17日电（记者 周芷若）/ 央视网消息（新闻联播）：/
# 本台消息：/ 据新华社电. A place name goes with a date, or stands alone only right before
# 电/讯 and a break (本报综合讯 , 新华社北京电（…）), never holding 记者: so that
# 本报记者近日从市电力公司… and 本报记者从市通讯… are not datelines.
_DATELINE = re.compile(
    # a paper's foreign news in lenticular brackets (【环球时报驻日本特约记者 王欣】,
    # 【环球时报综合报道】): the outlet first, a role or 报道 last; 【案情】 is a label
    rf"【(?P<lent>(?:{_ORG}|{_PAPER})[^【】\n]{{0,24}}?(?:{_ROLE}[^【】\n]{{0,12}}|报道|讯|电))】"
    # (or a paper named with 报 alone filing under it: 新京报讯, 华商报讯; 本报讯 is _ORG's)
    rf"|(?:据)?(?:{_ORG}|{_PAPER}|(?:(?!本)[\u4e00-\u9fff]){{2,3}}报(?=讯))"
    rf"(?:(?:[\u4e00-\u9fff]{{1,8}}?{_DATE}|{_DATE})?(?:电|讯|消息)(?![\u4e00-\u9fff])"
    r"|(?:(?!记者)[\u4e00-\u9fff]){1,8}?[电讯](?=[\s:：,，（(]|$))"
    r"(?:[^\S\n]*[（(](?P<paren>[^（）()\n]{1,40})[）)]"
    # or the credits set solid and apart, no bracket (本报讯 记者王磊 通讯员李明 近日，…)
    rf"|[^\S\n]+(?P<solid>(?:{_ROLE}[\u4e00-\u9fff·]{{2,4}}(?:[^\S\n]+|$))+))?"
)
# What a dateline opens with: 据, or an outlet's first character.
# What a dateline opens with (an outlet's first character, or 据): `split_dateline` and its
# callers look for it first, as most lines open otherwise.
DATELINE_FIRST = frozenset("据【" + "".join(w[0] for w in re.findall(r"[\u4e00-\u9fff]+", _ORG)))
_DATELINE_SEP = re.compile(r"[\s\u3000:：,，]*")
_PAREN_LINE = re.compile(r"[（(]\s*(?P<inner>[^（）()\n]{1,40}?)\s*[）)]")
_BYLINE_KEY = re.compile(rf"{_ROLE}|融媒体|编辑|编译|撰稿|供稿|整理|报道组|日报|新华社|中心|据")
_LIST_COMMA = re.compile(r"[，,、]")  # (记者 张三，通讯员 李四) lists credits with commas
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,5}")
# A credit line's first token: the outlet (up to 12 characters: 贵阳日报融媒体中心), the role and
# maybe a name set solid; names may be listed with 、 (记者 张三、李四).
_BYLINE_FIRST = re.compile(
    rf"(?:[\u4e00-\u9fff·]{{0,12}}?{_ROLE}(?!手记|札记|观察|见闻|感言|问)"
    r"[\u4e00-\u9fff·]{0,4}(?:、[\u4e00-\u9fff·]{2,4})*"
    r"|(?:文|图|文图|文/图|文／图)\s*[/／|｜:：]\s*\S+|(?:作者|来信人)[:：]\S*"
    # (a reader signing a letter, the name set apart: 读者 李明; 读者来信 is a column's name)
    r"|读者)"
)
# A mark some papers set before a credit (■ 本报评论员 李斌, □本报记者 张三); a hollow square
# before a bare name too (□李斌, □ 李 斌): papers box their subheads and links in ■, not □.
_READER = "读者"  # (alone on its line: a column's label)
_MARK = re.compile(r"[■□●◎▲◆◇]\s*")
_MARKED_NAME = re.compile(r"□\s*[\u4e00-\u9fff](?:\s?[\u4e00-\u9fff]){1,3}")
_BYLINE_REST = re.compile(
    rf"(?:{_ROLE}|[\u4e00-\u9fff·]{{1,6}}(?:、[\u4e00-\u9fff·]{{1,6}})*|[/／|｜:：]\S*)"
)
_BYLINE_PUNCT = re.compile(r"[。！？!?，,；;“”]")


def may_open_dateline(text: str) -> bool:
    """Whether `text` can open on a dateline: an outlet's first character or a paper's 报."""
    return text[:1] in DATELINE_FIRST or "报" in text[1:9]


def split_dateline(text: str) -> tuple[str, int]:
    """The dateline opening a paragraph (本报讯, 新华社北京12月17日电) and the chars to drop."""
    if not may_open_dateline(text):
        return "", 0  # (asked of every line of a page: one in ten opens so)
    return read_dateline(text)


def read_dateline(text: str) -> tuple[str, int]:
    """`split_dateline` of a text `may_open_dateline` passed (`service.lines.classify` tests
    that itself, on the first character it already holds)."""
    m = _DATELINE.match(text)
    if not m:
        return "", 0
    end = _DATELINE_SEP.match(text, m.end()).end()
    return m.group().rstrip(), end


def dateline_of(prefix: str) -> str:
    """The dateline of a paragraph's dateline prefix: the separator after it set aside."""
    end = len(prefix)
    while end and (prefix[end - 1].isspace() or prefix[end - 1] in ":：,，"):
        end -= 1
    return prefix[:end]


def dateline_across(first: str, cut: int, second: str) -> int:
    """How much of `second` a dateline `first` opens takes, where the column cut `first` inside
    the dateline's credit in brackets (本报北京10月13日电  （记者 / 刘毅）受…): its end read on
    the two lines joined, past `first` (0: the dateline ends on `first`, `cut` long)."""
    rest = first[cut:]
    if not rest.startswith(("（", "(")) or "）" in rest or ")" in rest:
        return 0
    _, end = read_dateline(first + second)
    return max(end - len(first), 0)


def dateline_reporter(dateline: str) -> str:
    m = _DATELINE.match(dateline)
    inner = (m.group("paren") or m.group("solid") or m.group("lent") or "") if m else ""
    inner = inner.strip()
    return inner if re.search(_ROLE, inner) else ""


# What a credit line holds: a role's character (记者, 评论员, 实习生, 撰稿人, 作者, 来信人), the
# mark of 文/图 or a hollow square. A line with none (most short lines of a page: heads): no credit.
_BYLINE_HINT = re.compile(r"[记员生撰文图者□信]")


def byline_start(line: str) -> str:
    """The credit when `line` is a bare credit line (本报评论员, 新华社记者 周芷若, 作者：李斌,
    □李斌), else ""; without the mark it may open with."""
    line = line.strip()
    if not line or len(line) > 40 or not _BYLINE_HINT.search(line) or _BYLINE_PUNCT.search(line):
        return ""
    if _MARKED_NAME.fullmatch(line):
        return " ".join(line[1:].split())
    if m := _MARK.match(line):
        line = line[m.end() :]
        if not line:
            return ""
    first, *rest = line.split()
    if not _BYLINE_FIRST.fullmatch(first) or first == _READER and not rest:
        return ""
    if not all(_BYLINE_REST.fullmatch(tok) for tok in rest):
        return ""
    return " ".join(line.split())


def is_byline_inner(inner: str) -> bool:
    if (
        continues_to(inner)
        or is_furniture(inner)
        or _RUNNING_PUNCT.search(_LIST_COMMA.sub(" ", inner))
    ):
        return False
    if _BYLINE_KEY.search(inner):
        return True
    # Bare names: (张三 李四) — at least two tokens of two to five characters.
    toks = inner.split()
    return len(toks) >= 2 and all(_NAME.fullmatch(t) for t in toks)


# A photo credit closing a picture story: 张建成摄（影像中国）, 新华社记者 李嘉南摄.
_PHOTO_CREDIT = re.compile(
    r"(?:[\u4e00-\u9fff]{0,12}?(?:记者|通讯员)[\s\u3000\xa0]*)?"
    r"[\u4e00-\u9fff·、\s\u3000\xa0]{2,24}?(?:摄|摄影|摄影报道|供图)"
    r"(?:[（(][^（）()，。]{1,12}[）)])?"
)


# A photo report's two credits, the picture's and the text's, either order (曹  一图  于  石文,
# 郭  鹏摄  本报记者  姚雪青文): a page-5 cartoon closes so daily; read as a short head line, it
# took the next article's title as its own. Two parts, each a name (maybe spaced, maybe after a
# role) ending on its mark, set apart by space: 一带一路绘宏图 and 潘基文 are neither.
_S = r"[\s\u3000\xa0]"
_PART = (
    rf"(?:[\u4e00-\u9fff]{{0,12}}?(?:记者|通讯员){_S}*)?"
    rf"[\u4e00-\u9fff·]{{1,12}}(?:{_S}{{1,3}}[\u4e00-\u9fff·]{{1,4}})?"
)
_PICTURE = rf"{_PART}(?:图|摄|供图|绘)"
_PHOTO_TEXT = re.compile(rf"{_PICTURE}{_S}+{_PART}文|{_PART}文{_S}+{_PICTURE}")


# A closing note on who wrote or filed it: （作者为…）, （本报华盛顿10月17日电）, （摘自…）.
_CLOSING_NOTE = re.compile(
    r"[（(](?:作者|摘自|原载|来源|本报记者|本报[^（）()]{0,24}电|新华社[^（）()]{0,12}电|应受访者"
    r"|[^（）()]{2,30}(?:参与采写|参与采访|整理))[^（）()]{0,60}[）)]"
)


# What a closing credit ends on (each pattern below is matched whole): a photo credit's 摄, 摄影,
# 摄影报道 or 供图, a photo report's 文 or 图, a bracket. Most lines end otherwise: no test at all.
CREDIT_LAST = frozenset("摄影道图文）)")


def byline_end(line: str) -> str:
    """The credit inside a closing parenthesised byline ((贵阳日报融媒体中心 代晓龙)), else ""."""
    line = line.strip()
    if len(line) > 80 or line[-1:] not in CREDIT_LAST:
        return ""
    # (the patterns are tried only on lines that can match: a photo credit holds 摄 or 供图,
    # the others open with a bracket; most lines hold neither)
    if ("摄" in line or "供图" in line) and _PHOTO_CREDIT.fullmatch(line):
        return " ".join(line.split())
    if line[-1] in "文图" and _PHOTO_TEXT.fullmatch(line):
        return " ".join(line.split())
    if not line.startswith(("（", "(")):
        return ""
    if _CLOSING_NOTE.fullmatch(line):
        return " ".join(line[1:-1].split())
    m = _PAREN_LINE.fullmatch(line) if len(line) <= 44 else None
    if not m or not is_byline_inner(m.group("inner")):
        return ""
    return " ".join(m.group("inner").split())


_INLINE_CONTINUES = re.compile(
    r"\s*[（(]\s*下?转\s*第?\s*(?P<page>[A-Za-z]?\d{1,2}|[一二三四五六七八九十]{1,3})\s*版\s*[）)]\s*$"
)
_INLINE_BYLINE = re.compile(
    r"(?<=[。！？!?”’」』])\s*[（(]\s*(?P<inner>[^（）()\n]{1,40}?)\s*[）)]\s*$"
)


def trim_tail(text: str) -> tuple[str, str, str]:
    """Split an inline trailing 下转N版 or (byline) off a body's last paragraph: (the text
    left, the byline, the page continued on as "3版"), the two empty when there is none."""
    continues = byline = ""
    if not text.rstrip().endswith(("）", ")")):
        return text, byline, continues  # both patterns end on a bracket: most lines hold none
    m = _INLINE_CONTINUES.search(text)
    if m and m.start() > 0:
        continues, text = f"{m.group('page')}版", text[: m.start()].rstrip()
    m = _INLINE_BYLINE.search(text)
    if m and is_byline_inner(m.group("inner")):
        byline, text = " ".join(m.group("inner").split()), text[: m.start()].rstrip()
    return text, byline, continues
