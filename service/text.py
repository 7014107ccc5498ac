"""Body cleaning: repair column breaks and drop page furniture, keeping offsets into the input."""

from __future__ import annotations

__all__ = [
    "Cleaned",
    "clean_body",
    "clean_lines",
    "lines",
    "is_furniture",
    "is_non_copy",
    "continues_to",
    "split_dateline",
    "byline_start",
    "byline_end",
    "ends_paragraph",
    "is_heading_like",
    "cuts_word",
    "is_column_break",
]

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.documents import Body, Span

# Punctuation that ends a paragraph (after any closing quotes or brackets are set aside).
_TERMINAL = set("。！？!?…；;：:.")
# Closing marks that may follow the terminal punctuation: 。” or ！）.
_CLOSERS = "”’」』）)】》\"'"
# Marks after which a sentence must go on: a line ending in one was cut by the layout.
_CLAUSE = set("，,、—·～~/-")
# Characters no paragraph starts with: a line beginning with one continues the previous line.
_NON_INITIAL = set("，,、。．；;：:！？!?）)」』”’】》.")
# Particles no paragraph opens with (的支持…); 地 得 之 了 are left out: 得益于, 之所以 open some.
_PARTICLES = set("的们吗呢吧么")
# Any punctuation inside a line marks running text rather than a heading.
_RUNNING_PUNCT = re.compile(r"[，,、。．；;：:！？!?（）()…\[\]【】]")
# Subheads may carry a colon or a 【label】 (辽宁海城：产业集聚百业兴, 【口播】), not a comma.
_HEAD_PUNCT = re.compile(r"[，,、。．；;！？!?（）()…]")
_MARKDOWN_HEADING = re.compile(r"#{1,6}[ \t\u3000]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

_ROLE = r"(?:见习记者|特约记者|特约撰稿人|撰稿人|评论员|记者|通讯员|实习生)"
_ORG = (
    r"(?:本报|本刊|本台|新华社|中新社|中新网|中国新闻网|人民日报|人民网|新华网|央视网|央广网"
    r"|光明网|中国日报网|国际在线)"
)
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_DATE = rf"(?:{_NUM}月)?{_NUM}日"  # 12月17日, or the day alone (新华社北京3日电)
# 本报讯 / 本报贵阳12月17日讯 / 新华社北京12月17日电（记者 周芷若）/ 央视网消息（新闻联播）：/
# 本台消息：/ 据新华社电. A place name goes with a date, or stands alone only right before
# 电/讯 and a break (本报综合讯 , 新华社北京电（…）), never holding 记者: so that
# 本报记者近日从市电力公司… and 本报记者从市通讯… are not datelines.
_DATELINE = re.compile(
    rf"(?:据)?{_ORG}"
    rf"(?:(?:[\u4e00-\u9fff]{{1,8}}?{_DATE}|{_DATE})?(?:电|讯|消息)"
    r"|(?:(?!记者)[\u4e00-\u9fff]){1,8}?[电讯](?=[\s:：,，（(]|$))"
    r"(?:[ \t\u3000]*[（(](?P<paren>[^（）()\n]{1,40})[）)])?"
)
_DATELINE_SEP = re.compile(r"[\s\u3000:：,，]*")
_CONTINUES = re.compile(
    r"[（(]?\s*下?转\s*第?\s*(?P<page>[A-Za-z]?\d{1,2}|[一二三四五六七八九十]{1,3})\s*版\s*[）)]?"
)
_INLINE_CONTINUES = re.compile(
    r"\s*[（(]\s*下?转\s*第?\s*(?P<page>[A-Za-z]?\d{1,2}|[一二三四五六七八九十]{1,3})\s*版\s*[）)]\s*$"
)
_PAREN_LINE = re.compile(r"[（(]\s*(?P<inner>[^（）()\n]{1,40}?)\s*[）)]")
_INLINE_BYLINE = re.compile(
    r"(?<=[。！？!?”’」』])\s*[（(]\s*(?P<inner>[^（）()\n]{1,40}?)\s*[）)]\s*$"
)
_BYLINE_KEY = re.compile(rf"{_ROLE}|融媒体|编辑|撰稿|供稿|整理|报道组|日报|新华社|中心|据")
_LIST_COMMA = re.compile(r"[，,、]")  # (记者 张三，通讯员 李四) lists credits with commas
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,5}")
# A credit line's first token: the outlet (up to 12 characters: 贵阳日报融媒体中心), the role and
# maybe a name set solid; names may be listed with 、 (记者 张三、李四).
_BYLINE_FIRST = re.compile(
    rf"(?:[■●◎▲]\s*)?(?:[\u4e00-\u9fff]{{0,12}}?{_ROLE}"
    r"[\u4e00-\u9fff·]{0,4}(?:、[\u4e00-\u9fff·]{2,4})*"
    r"|(?:文|图|文图|文/图|文／图)\s*[/／|｜:：]\s*\S+)"
)
_BYLINE_REST = re.compile(
    rf"(?:{_ROLE}|[\u4e00-\u9fff·]{{1,6}}(?:、[\u4e00-\u9fff·]{{1,6}})*|[/／|｜:：]\S*)"
)
_BYLINE_PUNCT = re.compile(r"[。！？!?，,；;“”]")

# Page furniture: what a page carries around its articles. Each alternative is one kind.
_FURNITURE = re.compile(
    r"""(?:
        (?:今日|本版|本期)?导读                                   # the front-page digest
      | [>＞》]?\s*(?:第\s*)?[A-Za-z]?\d{1,2}\s*版\s*[>＞》]?   # 版次 markers: >2版, 第3版
      | [>＞》]\s*(?:第\s*)?[一二三四五六七八九十]{1,3}\s*版
      | (?:上接|接)\s*第?\s*[A-Za-z]?\d{1,2}\s*版                 # jump-in notes
      | [\u4e00-\u9fff]{0,6}(?:新闻|要闻)                         # page mastheads: 贵阳新闻
      | [\u4e00-\u9fff]{1,3}网                                    # web mastheads: 贵阳网
      | [\u4e00-\u9fff]{1,6}(?:日报|晚报|时报|商报|都市报)
      | 要闻|综合|国内|国际|时政|经济|社会|文化|体育|副刊|评论|理论|专版|专题|广告|天气
      | (?:责任|本版|值班|执行|特约)?                              # editor credits
        (?:编辑|校对|美编|组版|版式|审校|审核|编审|终审|监制|制图|设计|主编)
        (?:[\s\u3000:：/／][^。！？；;]{0,40}。?)?                  # 编辑：王芳，校对：李四。
      | 责任编辑[\u4e00-\u9fff·]{2,4}                             # the name set solid
      | 完                                                         # (完)
      | \d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日                   # dated page headers
        (?:\s*(?:星期|周)[一二三四五六日天])?(?:\s*农历[\u4e00-\u9fff]{2,12})?
      | (?:星期|周)[一二三四五六日天]
      | (?:https?://|www\.)\S+
      | [-—－]\s*\d{1,3}\s*[-—－]                                  # page numbers
    )""",
    re.VERBOSE,
)
_FURNITURE_MAX = 60  # furniture lines are short; longer lines are never tested
_BRACKETS = re.compile(r"[（(【\[]\s*(?P<inner>.*?)\s*[）)】\]]")
_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True, eq=False)
class Cleaned:
    """A cleaned article body and the parts cleaning took out of it."""

    body: Body
    byline: str = ""
    dateline: str = ""
    continues: str = ""  # "3版" for 下转3版


def lines(raw: str, offset: int = 0) -> list[Span]:
    """The non-blank lines of `raw`, stripped, as spans into `raw` shifted by `offset`."""
    out = []
    for m in _LINE.finditer(raw):
        s = m.group()
        left = len(s) - len(s.lstrip())
        right = len(s.rstrip())
        if right > left:
            a = m.start() + offset
            out.append(Span(a + left, a + right, s[left:right]))
    return out


def _unbracket(line: str) -> str:
    m = _BRACKETS.fullmatch(line)
    return m.group("inner") if m else line


def is_furniture(line: str) -> bool:
    """True for page furniture: digests, 版次 markers, mastheads, editor credits, page dates."""
    line = line.strip()
    if not line or len(line) > _FURNITURE_MAX:
        return False
    line = line.lstrip("#").strip()
    if _FURNITURE.fullmatch(line):
        return True
    inner = _unbracket(line)  # (责任编辑：王芳), (完): match again only if brackets came off
    return inner != line and bool(_FURNITURE.fullmatch(inner))


def continues_to(line: str) -> str:
    """The page a 下转N版 line sends the reader to ("3版"), or "" for any other line."""
    m = _CONTINUES.fullmatch(line.strip())
    return f"{m.group('page')}版" if m else ""


def split_dateline(text: str) -> tuple[str, int]:
    """The dateline opening a paragraph (本报讯, 新华社北京12月17日电) and the chars to drop."""
    m = _DATELINE.match(text)
    if not m:
        return "", 0
    end = _DATELINE_SEP.match(text, m.end()).end()
    return m.group(), end


def _dateline_reporter(dateline: str) -> str:
    m = _DATELINE.match(dateline)
    inner = (m.group("paren") or "").strip() if m else ""
    return inner if re.search(_ROLE, inner) else ""


def byline_start(line: str) -> str:
    """The credit when `line` is a bare credit line (本报评论员, 新华社记者 周芷若), else ""."""
    line = line.strip()
    if not line or len(line) > 40 or _BYLINE_PUNCT.search(line):
        return ""
    first, *rest = line.split()
    if not _BYLINE_FIRST.fullmatch(first):
        return ""
    if not all(_BYLINE_REST.fullmatch(tok) for tok in rest):
        return ""
    return " ".join(line.split())


def _is_byline_inner(inner: str) -> bool:
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


def byline_end(line: str) -> str:
    """The credit inside a closing parenthesised byline ((贵阳日报融媒体中心 代晓龙)), else ""."""
    line = line.strip()
    if len(line) > 44:
        return ""
    m = _PAREN_LINE.fullmatch(line)
    if not m or not _is_byline_inner(m.group("inner")):
        return ""
    return " ".join(m.group("inner").split())


def is_non_copy(line: str) -> bool:
    """True for a line that is never article prose: furniture, a credit, 下转N版, or an aside.

    For text that did not go through clean_body (the summariser may get it raw). Two kinds
    here are no byline and stay in a cleaned body, as printed: an aside wholly in brackets
    ((图为…), (展示画面)), and a reporter's credit handing over mid-story (本台记者 蒋林：).
    """
    line = line.strip()
    if not line or len(line) > _FURNITURE_MAX:  # every kind below is shorter: a cheap exit
        return False
    return bool(
        is_furniture(line)
        or continues_to(line)
        or _PAREN_LINE.fullmatch(line)
        or byline_start(line[:-1] if line[-1] in ":：" else line)
    )


def ends_paragraph(line: str) -> bool:
    """True when `line` ends on sentence-final punctuation (closing quotes set aside)."""
    core = line.rstrip().rstrip(_CLOSERS)
    return bool(core) and core[-1] in _TERMINAL


def is_heading_like(line: str) -> bool:
    """True for a short line with no running punctuation: an in-article subhead or a title."""
    return 0 < len(line) <= 24 and not _HEAD_PUNCT.search(line)


def cuts_word(prev: str, nxt: str, window: int = 8) -> bool:
    """True when the segmenter puts a dictionary word across the seam: 招商引|资 is 招商引资.

    Words jieba's HMM step glues from single characters (百业兴|在 gives 兴在) do not count.
    """
    if not prev or not nxt or not (_CJK.match(prev[-1]) and _CJK.match(nxt[0])):
        return False
    from service.tokenize import default_segmenter  # loads the dictionary on first use

    segment = default_segmenter()
    left = prev[-window:]
    seam, pos = len(left), 0
    for tok in segment(left + nxt[:window]):
        if pos < seam < pos + len(tok):
            return segment.has_word(tok)
        pos += len(tok)
    return False


def is_column_break(prev: str, nxt: str) -> bool:
    """True when `nxt` continues `prev` across a column break rather than starting a paragraph.

    A paragraph ends on 。！？…；： (closing quotes aside). A line ending mid-clause (，、) or
    one the next line continues (，。” or 的 at its start) was cut by the layout. A short line
    with no running punctuation is a subhead unless the cut splits a word (强化比|较优势).
    """
    if not prev or not nxt or _MARKDOWN_HEADING.match(prev) or _MARKDOWN_HEADING.match(nxt):
        return False
    if nxt[0] in _NON_INITIAL or prev[-1] in _CLAUSE:
        return True
    if ends_paragraph(prev):
        return False
    if nxt[0] in _PARTICLES:
        return True
    if is_heading_like(prev):
        return cuts_word(prev, nxt)
    return True


def _trim_tail(text: str) -> tuple[str, str, str]:
    """Split an inline trailing 下转N版 or (byline) off the last paragraph."""
    continues = byline = ""
    m = _INLINE_CONTINUES.search(text)
    if m and m.start() > 0:
        continues, text = f"{m.group('page')}版", text[: m.start()].rstrip()
    m = _INLINE_BYLINE.search(text)
    if m and _is_byline_inner(m.group("inner")):
        byline, text = " ".join(m.group("inner").split()), text[: m.start()].rstrip()
    return text, byline, continues


def clean_lines(raw: str, spans: Sequence[Span], offset: int = 0) -> Cleaned:
    """Clean an article body given as stripped lines of `raw` (spans index into `raw`).

    Furniture and 下转N版 lines go, a leading credit line and dateline go to their fields,
    a closing byline too; column breaks are joined and paragraphs joined by "\\n". Each "\\n"
    is indexed at the newline that ended its paragraph, so every character of the body,
    joins included, equals the input character at its index.
    """
    byline = dateline = continues = ""
    kept: list[Span] = []
    for s in spans:
        page = continues_to(s.text)
        if page:
            continues = continues or page
        elif not is_furniture(s.text):
            kept.append(s)
    # A credit line opening the body (本报评论员) or closing it (本报记者 张三), or (byline).
    lo, hi = 0, len(kept)
    while lo < hi and byline_start(kept[lo].text):
        byline = byline or byline_start(kept[lo].text)
        lo += 1
    while hi - lo > 1 and (byline_end(kept[hi - 1].text) or byline_start(kept[hi - 1].text)):
        byline = byline or byline_end(kept[hi - 1].text) or byline_start(kept[hi - 1].text)
        hi -= 1
    kept = kept[lo:hi]
    if kept:
        dl, cut = split_dateline(kept[0].text)
        if dl:
            dateline = dl
            byline = byline or _dateline_reporter(dl)
            first = kept[0]
            rest = first.text[cut:]
            kept[0] = Span(first.start + cut, first.end, rest)
            if not rest:
                del kept[0]
    if kept:
        last = kept[-1]
        text, tail_byline, tail_continues = _trim_tail(last.text)
        if text != last.text:
            byline = byline or tail_byline
            continues = continues or tail_continues
            kept[-1] = Span(last.start, last.start + len(text), text)
            if not text:
                kept.pop()
    return Cleaned(_join(raw, kept, offset), byline, dateline, continues)


def _join(raw: str, kept: Sequence[Span], offset: int) -> Body:
    parts: list[str] = []
    idx: list[np.ndarray] = []
    for i, s in enumerate(kept):
        if i and not is_column_break(kept[i - 1].text, s.text):
            # The newline that ended the previous line: the first after its content.
            nl = raw.find("\n", kept[i - 1].end)
            parts.append("\n")
            idx.append(np.array([nl + offset], dtype=np.int64))
        parts.append(s.text)
        idx.append(np.arange(s.start + offset, s.end + offset, dtype=np.int64))
    index = np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64)
    return Body("".join(parts), index)


def clean_body(raw: str, offset: int = 0) -> Cleaned:
    """Clean one article body; offsets are positions in `raw` plus `offset`."""
    return _verbatim(raw, offset) or clean_lines(raw, lines(raw), offset)


def _verbatim(raw: str, offset: int) -> Cleaned | None:
    """The Cleaned of a body with nothing to clean (the body is `raw` itself), else None.

    Most single articles arrive as tidy paragraphs, one per line. For those every test of
    clean_lines comes out negative; making the same tests here without building a Span and an
    offset array per line halves the cost. Any positive test sends the body to clean_lines.
    """
    paras = raw.split("\n")
    for p in paras:
        # A blank line or padding: lines() would strip it, so the body would differ from raw.
        if not p or p[0].isspace() or p[-1].isspace():
            return None
        if continues_to(p) or is_furniture(p):
            return None
    first, last = paras[0], paras[-1]
    if byline_start(first) or split_dateline(first)[0]:
        return None
    if len(paras) > 1 and (byline_end(last) or byline_start(last)):
        return None
    if _trim_tail(last)[0] != last:
        return None
    # Each paragraph's "\n" stays where it is, unless a column break joins two lines.
    if any(is_column_break(a, b) for a, b in zip(paras, paras[1:], strict=False)):
        return None
    return Cleaned(Body(raw, np.arange(offset, offset + len(raw), dtype=np.int64)))
