"""Page furniture of newspapers in general: every rule for what a page carries around its articles.

One home for these rules (issue 11): page headers (paper, date, weekday, 第N版 / 版名),
editor and layout credits (本版责编, 责任编辑, 本版制图, 版式设计), jumps (下转 / 转第N版 out,
上接 / 紧接 in), 今日导读 digests and their teasers, mastheads and page numbers, QR notes
(扫码看视频) and hotlines (广告热线：…). `service.text` and
`service.pages` ask here.
"""

from __future__ import annotations

__all__ = [
    "is_furniture",
    "furniture_line",
    "continues_to",
    "jumps_in",
    "is_page_header",
    "is_digest_head",
    "lone_date",
    "FURNITURE_MAX",
    "JUMP_MARK",
]

import re

FURNITURE_MAX = 60  # furniture lines are short; longer lines are never tested
_NUM = r"(?:[A-Za-z]?\d{1,2}|[一二三四五六七八九十]{1,3})"
_CN_DATE = r"(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
# Names a page goes by (版名): a header holds one of them with a page number or a date.
_PAGE_NAME = (
    r"(?:要闻|综合|国内|国际|时政|政治|经济|财经|社会|文化|文艺|体育|副刊|评论|观点|理论|专版|专题"
    r"|广告|天气|地方|区域|民生|法治|科技|教育|健康|生态|视点|读书|军事|人物|新闻|视觉|大地|周刊"
    r"|特别报道|深度报道|深度|调查|产经|金融|农村|三农|环球|港澳台|海外|民族|党建|纪检|图片|副刊)"
)
_PAPER = r"[\u4e00-\u9fff]{1,6}(?:日报|晚报|时报|商报|都市报|电讯|青年报|周报|周末|早报|快报)"
# One whitespace-separated token of a page header; the header is nothing but such tokens.
_NUM_DATE = r"\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}"  # 2020.6.12, 2020-06-12, 2020/6/12
_HEADER_TOKEN = re.compile(
    rf"""(?:
        {_CN_DATE}
      | {_NUM_DATE}
      | (?:星期|周)[一二三四五六日天]
      | 农历[\u4e00-\u9fff]{{2,12}}
      | (?:第\s*{_NUM}\s*版|{_NUM}\s*版)(?:\s*[:：]\s*{_PAGE_NAME}|{_PAGE_NAME})?
      | {_PAGE_NAME}(?:\s*[:：]?\s*\d{{1,2}})?
      | [A-Z]?\d{{1,2}}
      | {_PAPER}
      | [\u4e00-\u9fff]{{1,4}}报
      | [A-Z][A-Z'’ ]{{3,30}}
    )""",
    re.VERBOSE,
)
_HEADER_HINT = re.compile(r"[\d〇零版报星讯A-Z]")
_HEADER_STRONG = re.compile(
    rf"{_CN_DATE}|{_NUM_DATE}|(?:星期|周)[一二三四五六日天]|第\s*{_NUM}\s*版|^{_PAPER}$"
)
# Header tokens run together with a bar, slash or dot (2020年6月12日/星期五, 体育·综合, 要闻 | 2).
_HEADER_JOIN = re.compile(r"[/|｜·]")
# What a header holds, kind by kind: a date, a weekday, a page (第N版, A6), a paper's name. A
# header holding three kinds is no running text: a 版名 of its own then passes (城事, 广州新闻).
_HEADER_KINDS = (
    re.compile(rf"{_CN_DATE}|{_NUM_DATE}"),
    re.compile(r"(?:星期|周)[一二三四五六日天]"),
    re.compile(rf"第\s*{_NUM}\s*版|{_NUM}\s*版|[A-Z]?\d{{1,2}}"),
    re.compile(rf"{_PAPER}|[\u4e00-\u9fff]{{1,4}}报"),
)
_OWN_PAGE_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")

# Editor and layout credits: one or more `role：names` on a line (本版责编：王芳　版式设计：李四).
_ROLE = (
    r"(?:责任|本版|值班|执行|特约|图片|摄影|美术|文字|视觉)?"
    r"(?:编辑|责编|校对|美编|组版|版式|版式设计|审校|审核|编审|终审|监制|制图|设计|主编|统筹|排版)"
)
_CREDIT = re.compile(rf"{_ROLE}(?:[\s\u3000:：/／][^。！？；;]{{0,60}}。?)?")
# A header's tail: the page's hotline (读者热线：12345678) and its editors' credits.
_HEADER_TAIL = re.compile(
    rf"(?:读者|新闻|报料|服务)热线[:：]\s*[\d\-]{{5,16}}\s+{_CREDIT.pattern}|{_CREDIT.pattern}"
)

_FURNITURE = re.compile(
    r"""(?:
        (?:今日|本版|本期)?导读                                   # the front-page digest
      | [>＞》]?\s*(?:第\s*)?[A-Za-z]?\d{1,2}\s*版\s*[>＞》]?   # 版次 markers: >2版, 第3版
      | [>＞》]\s*(?:第\s*)?[一二三四五六七八九十]{1,3}\s*版
      | [（(]?\s*(?:上接|紧接|接)\s*第?\s*[A-Za-z]?\d{1,2}\s*版\s*[）)]?  # jump-in notes: 上接第2版
      | [A-H]\d{1,2}                                              # a 版次 set alone: A4, B12
      | [\u4e00-\u9fff]{0,6}(?:新闻|要闻)                         # page mastheads: 贵阳新闻
      | [\u4e00-\u9fff]{1,3}网                                    # web mastheads: 贵阳网
      | [\u4e00-\u9fff]{1,6}(?:日报|晚报|时报|商报|都市报)
      | 要闻|综合|国内|国际|时政|经济|社会|文化|体育|副刊|评论|理论|专版|专题|广告|天气
      | (?:今天|今日|明天|明日|今明两天|本市|本地)天气(?:预报)?|天气预报   # a weather box's head
      | 责任编辑[\u4e00-\u9fff·]{2,4}                             # the name set solid
      | 完                                                         # (完)
      | (?:星期|周)[一二三四五六日天]
      | (?:https?://|www\.)\S+
      # the page's photographer credited by role (本版摄影 本报记者 王晓溪), as city dailies
      # print it; 本版摄影：李  舸 stays copy (in 5 printed bodies of the development months)
      | 本版(?:摄影|图片)\s+[\u4e00-\u9fff·]{0,12}(?:记者|通讯员)(?:\s*[\u4e00-\u9fff·]{1,4}){1,4}
      | (?:扫码|扫一扫|扫描二维码|长按二维码)[^，。]{0,24}             # QR notes: 扫码看视频
      | (?:广告|订阅|发行|新闻|报料|爆料|读者|服务)(?:热线|电话)[:：].{1,50}  # hotlines
      | [-—－]\s*\d{1,3}\s*[-—－]                                  # page numbers
    )""",
    re.VERBOSE,
)
# What a line _FURNITURE matches ends on, holds or opens with, alternative by alternative: 导读,
# a 版 marker or note, a masthead (…新闻, …网, …日报), a weather box's head (今天天气), a page
# number (- 3 -), a web address, a credit set solid (责任编辑…); the rest are of three characters
# at most (要闻, 完, 星期三). A short line of a page is most often none of these: the pattern's
# dozen branches not tried.
_FURNITURE_LAST = frozenset("读闻网报气-—－")
_HOTLINES = ("广告", "订阅", "发行", "新闻", "报料", "爆料", "读者", "服务")
_FURNITURE_FIRST = ("责任编辑", "http", "www.", "扫", "长按", *(w + "热" for w in _HOTLINES))
_FURNITURE_FIRST += tuple(w + "电" for w in _HOTLINES)
_FURNITURE_OPEN = frozenset(w[0] for w in _FURNITURE_FIRST)  # (their first characters)


# A weather box's lines (多云到阴，傍晚前后有阵雨 / 气温：22℃—28℃ / 东南风3—4级 相对湿度：60%—90%):
# nothing but the forecast's words, and a reading (℃, a wind's force, humidity) with another
# mark, or three skies.
# A head naming a temperature says more (-30℃，我们破雪而来): on the development months no head
# and no body line is so (21 body lines hold a ℃, each in a sentence).
_SKY = (
    r"(?:多云|少云|晴|阴|雷阵雨|阵雨|雷雨|雨夹雪|小雨|中雨|大雨|暴雨|小雪|中雪|大雪|雨|雪|雾|霾"
    r"|扬沙|浮尘)"
)
_WEATHER = re.compile(
    rf"""(?:
        {_SKY}
      | 今天|今日|明天|明日|后天|今晨|今夜|白天|夜间|夜里|上午|下午|傍晚|午后|凌晨|前后
      | 转|到|有|间|局部|短时|偶有
      | 偏?[东南西北]{{0,2}}风(?:力|向)?|微风
      | [\d一二三四五六七八九十~～—-]{{1,5}}级
      | (?:最高|最低)?(?:气温|温度)|相对湿度|湿度
      | -?\d{{1,2}}(?:\.\d)?\s*℃|\d{{1,3}}\s*%|[东南西北]
      | [\s，,：:~～—/、-]
    )+""",
    re.VERBOSE,
)
_READING = re.compile(r"℃|风[\d一二三四五六七八九十~～—-]*级|湿度")
_MARKS = re.compile(rf"{_SKY}|℃|级|气温|温度|湿度|风")  # (a reading alone, 37.6℃, is no box)
_WEATHER_HINT = re.compile(r"[℃级湿晴阴雨雪雾霾]")


def _weather(line: str) -> bool:
    if not _WEATHER_HINT.search(line) or not _WEATHER.fullmatch(line):
        return False  # (most lines hold none of a forecast's marks)
    if len(_MARKS.findall(line)) < 2:
        return False
    return bool(_READING.search(line)) or len(re.findall(_SKY, line)) >= 3


def _furniture_shaped(line: str, first: str | None = None) -> bool:
    """`_FURNITURE.fullmatch(line)`, the pattern tried only where the shape lets it match
    (`first`: `line[:1]`, as the caller read it; the 21 openings tried only after it)."""
    if first is None:
        first = line[:1]
    if not (
        len(line) <= 3
        or line[-1] in _FURNITURE_LAST
        or "版" in line
        or first in _FURNITURE_OPEN
        and line.startswith(_FURNITURE_FIRST)
    ):
        return False
    return bool(_FURNITURE.fullmatch(line))


# A digest teaser: a headline, column label included, with the page it is on (…　>3版,
# …（评论员观察）　>18版, …（第3版）).
_TEASER = re.compile(
    r"(?:[^（）()]|[（(][^（）()]{1,30}[）)]){2,60}?\s*(?:[>＞》]{1,2}\s*(?:第\s*)?\d{1,2}\s*版|[（(]\s*第\s*\d{1,2}\s*版\s*[）)])"
)
JUMP_MARK = "转"  # (every 下转 note holds it: what `continues_to` and its callers look for first)
_CONTINUES = re.compile(
    r"[（(]?\s*下?转\s*第?\s*(?P<page>[A-Za-z]?\d{1,2}|[一二三四五六七八九十]{1,3})\s*版\s*[）)]?"
)
_BRACKETS = re.compile(r"[（(【\[]\s*(?P<inner>.*?)\s*[）)】\]]")


def is_page_header(line: str) -> bool:
    """A page header: paper, date, weekday, 农历, 第N版 / 版名 and page numbers, nothing else but
    the page's editor credits after them.

    `人民日报 2019年2月21日 星期四 第6版`, `2019年10月20日　星期日`, `06 要闻`, `第3版：要闻`.
    A lone page name or number is too weak on its own; a date or 第N版 makes it a header.
    """
    if "，" in line or "。" in line:  # (no header token holds either: most running text does)
        return False
    return _page_header(line)


def _page_header(line: str) -> bool:
    """`is_page_header` of a line holding neither ， nor 。 (`furniture_line` knows it)."""
    if not _HEADER_HINT.search(line):  # every header holds a digit, a date or 版/报/星期
        return False
    toks = line.split()  # (str.split's whitespace is the regex's \s: the same tokens)
    if not toks:
        return False
    # tokens read as the page's own name (城事, 参考消息 or 大地副刊 first): three kinds needed
    names = 0
    if not _header_token(toks[0]):  # (most lines: one token, no match)
        if len(toks) < 3 or not _OWN_PAGE_NAME.fullmatch(toks[0]):
            return False
        names = 1
    for i, tok in enumerate(toks[1:], 1):
        if _header_token(tok):
            continue
        head = " ".join(toks[:i])
        # The page's editors on its header line, as city dailies print them (北京日报
        # 2020年6月12日 星期五 第3版 责任编辑：王小明): a dated header, then credits only.
        # (a date and a weekday with the credits make up the third kind: 大地副刊 2020年6月13日
        # 星期六 责任编辑：林华)
        if _HEADER_STRONG.search(head) and _HEADER_TAIL.fullmatch(
            line[line.index(tok, len(head)) :]
        ):
            return not names or _header_kinds(head) >= 3 or _date_and_day(head)
        if names or not _OWN_PAGE_NAME.fullmatch(tok):
            return False
        names += 1
    if names:
        return _header_kinds(line) >= 3
    return bool(_HEADER_STRONG.search(line)) or (
        len(toks) >= 2 and any(re.fullmatch(r"[A-Z]?\d{1,2}", t) for t in toks)
    )


def _header_token(tok: str) -> bool:
    """A header token, or header tokens joined by a bar or slash (2020年6月12日/星期五, |)."""
    if _HEADER_TOKEN.fullmatch(tok):
        return True
    if not _HEADER_JOIN.search(tok):
        return False
    parts = [p for p in _HEADER_JOIN.split(tok) if p]
    return all(_HEADER_TOKEN.fullmatch(p) for p in parts)


def _date_and_day(line: str) -> bool:
    toks = [p for t in line.split() for p in _HEADER_JOIN.split(t) if p]
    return all(any(k.fullmatch(t) for t in toks) for k in _HEADER_KINDS[:2])


def _header_kinds(line: str) -> int:
    toks = [p for t in line.split() for p in _HEADER_JOIN.split(t) if p]
    return sum(any(k.fullmatch(t) for t in toks) for k in _HEADER_KINDS)


_JUMP_IN = re.compile(r"[（(]?\s*(?:上接|紧接|接)\s*第?\s*[A-Za-z]?\d{1,2}\s*版\s*[）)]?")


_LONE_DATE = re.compile(_CN_DATE)


def lone_date(line: str) -> bool:
    """A date alone on its line (2019年10月6日): a page header at the page's head, but under an
    article's text the date a letter or decree is signed with (`service.pages`)."""
    return bool(_LONE_DATE.fullmatch(line.strip()))


def jumps_in(line: str) -> bool:
    """A 上接第N版 note: the article below began on another page."""
    return "接" in line and bool(_JUMP_IN.fullmatch(line.strip()))


def is_digest_head(line: str) -> bool:
    """The line that opens a digest (今日导读): the teasers under it are furniture too."""
    return bool(re.fullmatch(r"(?:今日|本版|本期)?导读", line.strip()))


def _unbracket(line: str) -> str:
    m = _BRACKETS.fullmatch(line)
    return m.group("inner") if m else line


def is_furniture(line: str) -> bool:
    """True for page furniture: headers, digests, 版次 markers, mastheads, credits, jumps in."""
    line = line.strip()
    if not line or len(line) > FURNITURE_MAX:
        return False
    return furniture_line(line)


def furniture_line(line: str) -> bool:
    """`is_furniture` of a stripped line of 1 to FURNITURE_MAX characters (what
    `service.lines.classify` asks of every short line of a page: nothing to strip)."""
    # (its first character read once: each read of a Han character makes a string)
    first = line[0]
    if first == "#":
        line = line.lstrip("#").strip()
        first = line[:1]
    # (whether the line holds ， or 。, asked once: the checks below each need it)
    running = "，" in line or "。" in line
    if "。" not in line and _weather(line):  # (a forecast may hold a comma, never a full stop)
        return True
    if running and not ("版" in line or first in _CREDIT_FIRST or line.startswith(_RUNNING_OK)):
        # Running text (most short lines of a page: pieces of paragraphs) is furniture only
        # as a teaser (…版), a credit, a note in brackets or a web address: no other
        # pattern below matches a line holding ， or 。 (see each).
        return False
    if _maybe_furniture(line, running, first) or ("版" in line and _TEASER.fullmatch(line)):
        return True
    if not running and _page_header(line):
        return True
    if first not in _BRACKET_OPEN:  # (what _BRACKETS opens with)
        return False
    inner = _unbracket(line)  # (责任编辑：王芳), (完): match again only if brackets came off
    return inner != line and _maybe_furniture(inner, "，" in inner or "。" in inner, inner[:1])


# What the two patterns can open with, so most lines need neither: no _FURNITURE line holds
# ， or 。 but a web address, and a credit opens with one of its roles' words.
_CREDIT_FIRST = frozenset(w[0] for w in re.findall(r"[\u4e00-\u9fff]+", _ROLE))


# What a furniture line holding ， or 。 opens with, besides a credit's role: a bracket (what
# _BRACKETS opens with) or a web address (_maybe_furniture).
_RUNNING_OK = ("（", "(", "【", "[", "http", "www.")
_BRACKET_OPEN = frozenset("（(【[")


def _maybe_furniture(line: str, running: bool, first: str) -> bool:
    """`_FURNITURE` or a credit (`running`: the line holds ， or 。; `first`: `line[:1]`)."""
    if (not running or line.startswith(("http", "www."))) and _furniture_shaped(line, first):
        return True
    return first in _CREDIT_FIRST and bool(_CREDIT.fullmatch(line))


def continues_to(line: str) -> str:
    """The page a 下转N版 line sends the reader to ("3版"), or "" for any other line."""
    if JUMP_MARK not in line:  # (the pattern needs it; most lines are no jump)
        return ""
    m = _CONTINUES.fullmatch(line.strip())
    if not m:
        return ""
    page = m.group("page")
    # Full-width (３) or other script digits name the same page: ASCII, so users can join on it.
    digits = page.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    if digits.isdecimal():
        page = page[: len(page) - len(digits)] + str(int(digits))
    return f"{page}版"
