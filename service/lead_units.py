"""What may become a lead: the top's whole sentences, and each without its opening frame.

A unit always ends where its sentence ends (service.sentences.ends_sentence), so a lead made
of units is whole sentences. The only cuts inside a sentence keep it reading as one: the
opening frame clauses (a time, a source, an attribution) are dropped, so the unit starts where
a sentence can start, and a bare day or deictic time between subject and verb is cut out
("习近平4日在…会见" → "习近平在…会见"), which leaves two spans, as does a photo's credit or
pointer cut out ("于漪（见上图，…摄），" → "于漪，"). A quotation's sentences are one
sentence (iter_lead_sentences); a piece of one too long to join is a unit marked `partial`.
"""

from __future__ import annotations

import re

import numpy as np

from service.documents import Span
from service.sentences import ends_sentence, is_attribution, iter_lead_sentences, quote_state
from service.text import BOX, is_non_copy, split_dateline

__all__ = ["WINDOW_CHARS", "Units", "lead_sentences", "is_weak"]

# Bounded work: a lead lives near the top, so only a prefix of the text is read, and only the
# first sentences become candidates; 1 MB costs what a long article costs.
WINDOW_CHARS = 12_000
_MAX_GRAPH = 12  # sentences in the centrality graph: the top of the story
_MAX_UNITS = 8  # sentences that may become the lead
_MIN_UNIT = 8  # characters a unit keeps once its frame is dropped

# A first clause that is only a time or sequence phrase: "昨天下午，" "当地时间20号晚，" "随后，".
_TIME_CLAUSE = re.compile(
    r"^(?:(?:当地时间|北京时间|今天|昨天|前天|今年|去年|近日|日前|近期|随后|此后|当天|同日|目前|"
    r"\d{1,4}年|\d{1,2}月|\d{1,2}[日号]|上午|下午|晚上?|早上|早晨|凌晨|中午|傍晚|夜间|[至到起]|"
    r"\d{1,2}[时点](?:\d{1,2}分)?许?)\s*)+[，,]$"
)
# Leading clauses an editor drops: time, source attribution, connectives ("据新华社报道，"
# "记者从教育部获悉，" "与此同时，"). What follows them starts a sentence of its own.
_FRAME_CLAUSE = re.compile(
    r"^(?:据[^，,]{1,20}(?:报道|消息|介绍|统计|显示)|记者[^，,]{0,20}(?:获悉|了解到|看到)|"
    r"随后|同时|此外|另外|与此同时|其中|目前|近年来|今年以来|日前|近日|当天|同日|"
    r"(?:针对|为了|随着|根据|按照|作为|经过|面对|围绕|在)[^，,]{1,40}?"
    r"(?:期间|之际|以来|上|中|下|时|后|前|里|方面|背景|一事|措施|问题|要求|部署|精神))[，,]$"
)
# A time phrase inside a clause, between its subject and verb: "习近平4日在…会见" → "习近平在…会见".
# Full dates ("12月4日") are kept: only a bare day or a deictic word is dropped.
_INLINE_TIME = re.compile(
    r"(?<![\d月年第于在至到从将])(?:当地时间|北京时间)?(?:\d{1,2}[日号]|今天|昨天|今晨|昨晚|今晚|近日|日前)"
    r"(?:上午|下午|晚上?|早晨|凌晨|中午)?(?=在|同|与|和|向|对|出席|会见|会晤|举行|召开|发布|公布|"
    r"宣布|表示|发表|抵达|致|主持|就|起|开始|正式)"
)
_TIME_HINT = re.compile(r"[日号天晨晚]")  # every _INLINE_TIME match holds one: a cheap pre-check
# A photo's credit or pointer inside a sentence (于漪（见上图，新华社记者刘颖 摄），这是…; 油菜花
# 盛开（图一）。) points at a picture the lead is shown without: cut out as an inline time is.
_PHOTO_ASIDE = re.compile(
    r"[（(](?:[^（）()\n]{0,30}?摄|见[上下左右]?图[^（）()\n]{0,30}?|图[一二三四五六七八九十\d]{1,2})[）)]"
)
# Sentences that are in the story but never its lead: a teaser that trails off ("……"), and
# the list of who else attended ("市领导刘本立、付涛参加。").
_TRAILS_OFF = ("…", "...")  # before any closing quotes or brackets
_ATTENDANCE = re.compile(r"[^。；;]{0,50}(?:参加|陪同|出席)[。.]$")
_ATTENDANCE_END = tuple(verb + stop for verb in ("参加", "陪同", "出席") for stop in "。.")
# A photo's caption (图为村民在参加比赛。上图：…): the lead is shown without the picture.
_CAPTION = re.compile(r"[上下左右]?图[一二三四五六\d]?(?:为|[：:])")
# What opens a sentence that leans on the one before it: a third-person or demonstrative
# pronoun (他强调，… 这是…首次… 该款…), or a connective linking back (对此，… 因此，…). The
# closed classes of Chinese grammar (personal and demonstrative pronouns, linking adverbs),
# not a list read off leads; 他乡 他人 其实 are no anaphors.
_LEANS = re.compile(
    r"他(?!乡|人)|她|它|这|此|该|其(?!实)|(?:对此|为此|因此|所以|但是|然而|不过|而|与此同时|"
    r"同时|此外|另外|其中|随后|此后|同样|于是|可见|总之)[，,]"
)
# A demonstrative that only names a time (这几天，… 这些年，… 这个春节里，…) leans on nothing.
_DEICTIC_TIME = re.compile(r"这(?:几|些|两)?[天日年][，,]|这[^，,。]{1,4}(?:里|期间|时候)[，,]")
_TRAILING = "，,、：:；; \u3000"
_WORD = re.compile(r"\w")
_COMMA = re.compile(r"[，,]")
_OPENERS = "“‘「『《（(【"


def _after(text: str, span: Span, cut: int) -> Span | None:
    """`span` from `cut` characters on, or None if nothing worded follows the cut."""
    if not cut:
        return span
    start = span.start + cut
    if start >= span.end or not _WORD.search(text, start, span.end):
        return None
    return Span(start, span.end, text[start : span.end])


# What a sentence may open with that is no part of it: a point's mark (■ 70年来…), an editor's
# note label (编者按：), a section label (【故事】). The lead starts after it, as after a dateline.
_LABEL_FIRST = frozenset(BOX + "编【")  # what _OPENING_LABEL opens with: most sentences do not
_OPENING_LABEL = re.compile(rf"(?:(?:[{BOX}]|编者按[：:]|【[^】\n]{{1,8}}】)\s*)+")


def _strip_opening(text: str, s: Span) -> Span | None:
    """The sentence after its dateline (本报讯 …) and opening label, or None if nothing is left."""
    found = _after(text, s, split_dateline(s.text)[1])
    if found is None or found.text[:1] not in _LABEL_FIRST:
        return found
    label = _OPENING_LABEL.match(found.text)
    return _after(text, found, label.end() if label else 0)


def lead_sentences(text: str) -> list[Span]:
    """The top's sentences for the graph: datelines stripped, furniture and subheads dropped.

    Datelines, credits, 下转N版 and furniture are recognised by service.text (split_dateline,
    is_non_copy), the rules body cleaning uses, since `lead` may get text never cleaned. A line
    without final punctuation (a subhead) is dropped here: it is never a lead.
    """
    window = text[:WINDOW_CHARS]
    found = []
    for s in iter_lead_sentences(window):
        if len(found) >= _MAX_GRAPH:
            break
        found.append(s)
    if len(text) > WINDOW_CHARS and len(found) > 1 and found[-1].end >= len(window):
        found.pop()  # cut by the window: not a whole sentence
    kept = []
    for s in found:
        s = _strip_opening(text, s)
        if s is None or not ends_sentence(s.text) or is_non_copy(s.text):
            continue
        kept.append(s)
    return kept


def is_weak(sentence: str) -> bool:
    """A teaser that trails off, an attendance list or a photo's caption: in the graph, never
    the lead."""
    if sentence.rstrip("”’」』）)").endswith(_TRAILS_OFF) or _CAPTION.match(sentence):
        return True
    # Sentences are stripped, so the regex's "$" is their last character: test that first.
    return sentence.endswith(_ATTENDANCE_END) and bool(_ATTENDANCE.match(sentence))


def _frame_end(s: Span) -> int:
    """Where `s` starts once its opening frame clauses are dropped, or s.start if it has none.

    Frames are whole leading clauses cut at a comma (a frame holds no bracket or quotation),
    and at least one clause must follow them.
    """
    text = s.text
    pos = cut = 0
    while True:
        m = _COMMA.search(text, pos)
        if m is None or m.end() >= len(text):
            break
        clause = text[pos : m.end()].strip()
        if not (_TIME_CLAUSE.match(clause) or _FRAME_CLAUSE.match(clause)):
            break
        pos = cut = m.end()
    while cut and cut < len(text) and text[cut] in _TRAILING:
        cut += 1
    if not cut or len(text) - cut < _MIN_UNIT:
        return s.start
    # What is left must open like a sentence: a word, or an opening quote or bracket.
    return s.start + cut if _WORD.match(text, cut) or text[cut] in _OPENERS else s.start


def _in_quotation(text: str, s: Span) -> bool:
    """A piece of a quotation too long to join (it opens or ends inside the speech), or the
    speaker named after one on its own: a lead only where no whole sentence can be."""
    if any(quote_state(s.text)):
        return True
    before = text[max(0, s.start - 4) : s.start].rstrip()
    return before.endswith(("”", "」")) and is_attribution(s.text)


def _drops(text: str, s: Span) -> list[tuple[int, int]]:
    """The ranges cut out of sentence `s`: inline times and photo asides, in order."""
    # A time opening the sentence is no aside between subject and verb: cut, it would leave
    # 起，新发放的… of 8日起，… or 召开的… of 日前召开的中央农村工作会议提出，….
    found = (
        [m.span() for m in _INLINE_TIME.finditer(text, s.start, s.end) if m.start() > s.start]
        if _TIME_HINT.search(s.text)
        else []
    )
    if "图" in s.text or "摄" in s.text:
        found += [m.span() for m in _PHOTO_ASIDE.finditer(text, s.start, s.end)]
        found.sort()
    return found


class Units:
    """Candidates: sentence k whole, or from its frame's end, as rows (k, row, start, end, …).

    Each sentence is one or two rows of text for the bigram counts: [frame, rest] when it has a
    frame, else [whole]; a unit is a run of those rows. `parts` lists every row's span.
    """

    def __init__(self, text: str, sentences: list[Span]) -> None:
        self.parts: list[Span] = []
        self.drops: list[list[tuple[int, int]]] = []
        self.first_row: list[int] = []  # sentence n owns rows [first_row[n], first_row[n + 1])
        rows: list[tuple[int, ...]] = []  # (k, lo, hi, start, end, length, framed, partial, leans)
        for n, s in enumerate(sentences):
            self.first_row.append(len(self.parts))
            framed = _frame_end(s) if n < _MAX_UNITS else s.start
            if framed > s.start:
                self.parts += [
                    Span(s.start, framed, text[s.start : framed]),
                    Span(framed, s.end, text[framed : s.end]),
                ]
            else:
                self.parts.append(s)
            drops = _drops(text, s)
            self.drops.append(drops)
            if n >= _MAX_UNITS or is_weak(s.text):  # in the graph, never the lead
                continue
            row = self.first_row[n]
            partial = _in_quotation(text, s)
            # Leaning on a sentence that never leads (…一篇作文只需3.3毫秒…… 这些曾经难以想象的
            # 场景，…): alone it points at nothing, so a last resort like a quotation's piece.
            after_weak = n > 0 and is_weak(sentences[n - 1].text)
            starts = [(s.start, row), (framed, row + 1)] if framed > s.start else [(s.start, row)]
            for a, lo in starts:
                cut = sum(y - x for x, y in drops if a <= x) if drops else 0
                length = s.end - a - cut
                leans = n > 0 and _LEANS.match(text, a) is not None  # (the story's first: on none)
                dangles = leans and after_weak and not _DEICTIC_TIME.match(text, a)
                last = partial or dangles
                rows.append((n, lo, len(self.parts), a, s.end, length, a > s.start, last, leans))
        self.first_row.append(len(self.parts))
        self.rows = rows
        cols = np.array(rows, dtype=np.int64).reshape(-1, 9)
        self.k = cols[:, 0]
        self.length = cols[:, 5].astype(np.float64)
        self.framed = cols[:, 6].astype(bool)
        self.partial = cols[:, 7].astype(bool)
        self.leans = cols[:, 8].astype(bool)  # opens leaning on the sentence before (_LEANS)

    def pieces(self, i: int) -> list[tuple[int, int]]:
        """The [start, end) ranges unit `i` keeps: its text less the inline times in it."""
        k, _, _, start, end, *_ = self.rows[i]
        out = []
        pos = start
        for a, b in self.drops[k]:
            if a >= start and b <= end:
                if a > pos:
                    out.append((pos, a))
                pos = b
        if pos < end:
            out.append((pos, end))
        return out
