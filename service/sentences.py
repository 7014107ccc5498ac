"""Sentence and clause splitting for Chinese news, with code-point offsets into the input."""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.documents import Span

__all__ = [
    "split",
    "clauses",
    "iter_sentences",
    "iter_lead_sentences",
    "ends_sentence",
    "quote_state",
    "is_attribution",
    "QUOTE_CHARS",
    "TERMINATORS",
    "SENTENCE_ENDS",
    "LEAD_CLOSERS",
]

# Characters that end a sentence; a run of them ends it once ("！？", "。。").
TERMINATORS = "。！？；!?;"
_CLOSERS = "”’」』）)】》〕\"'"
# What ends a lead (docs/shared DECISIONS): 。！？!? or an ellipsis, optionally followed by
# closing quotes or brackets. A semicolon does not: "A；B。" is one sentence for a lead, and a
# line without final punctuation (a subhead) is never one. A half-width full stop is left out:
# in Chinese copy it is a decimal, a list number or an abbreviation far more often than an end.
SENTENCE_ENDS = "。！？!?…"
LEAD_CLOSERS = "”’」』）)"

# One regex finds every candidate end, so splitting is a single linear scan even on 1 MB:
#   - full- or half-width terminators, then the quotes/brackets that close the sentence (“……。”);
#   - an ellipsis (…… or ...), which in news copy closes an elided list or a trailing thought;
#   - a half-width full stop only where it cannot be a decimal, a date or a list number
#     ("3.5%", "12.17", "1."): after a non-digit and before whitespace or the end, or between
#     two Chinese characters (copy typed with a half-width keyboard);
#   - a line break, which always closes a paragraph.
_END = re.compile(
    r"(?:[。！？；!?;]+[…]*|[…]{1,}|\.{3,}|(?<!\d)\.(?=\s|$)|(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff]))"
    r"[。！？；!?;”’」』）)】》〕\"']*"
    r"|[\n\r\u2028\u2029]+"
)

# Every _END match starts with one of these: a plain character class, which the regex engine
# scans for at C speed, where _END's alternation is tried at every position (4x slower).
_END_START = re.compile(r"[。！？；!?;….\n\r\u2028\u2029]")

# After a quotation that ends with its own full stop, a short attribution belongs to the same
# sentence: “……发展。”朱宗尧说。  Splitting there would leave a fragment "朱宗尧说。".
_ATTRIBUTION = re.compile(
    r"[^\s，,。！？；!?;“”\"]{1,12}?(?:说|道|表示|介绍|指出|称|认为|强调|坦言|感慨|补充)[。！!.]"
)
_CONTENT = re.compile(r"\w")


def _trim(text: str, start: int, end: int) -> tuple[int, int, str]:
    """[start, end) without surrounding whitespace (ASCII, ideographic, no-break) and its text."""
    piece = text[start:end]
    kept = piece.strip()  # str.strip drops exactly the characters str.isspace calls space
    if len(kept) == len(piece):
        return start, end, piece
    if not kept:
        return end, end, ""
    start += len(piece) - len(piece.lstrip())
    return start, start + len(kept), kept


def _next_end(text: str, pos: int) -> re.Match[str] | None:
    """`_END.search(text, pos)`: the same match, tried only where one can start."""
    while True:
        at = _END_START.search(text, pos)
        if at is None:
            return None
        m = _END.match(text, at.start())
        if m:
            return m
        pos = at.start() + 1  # a decimal point or a list number: not an end


def iter_sentences(text: str) -> Iterator[Span]:
    """Yield sentences lazily, so a caller that needs only the first N never scans 1 MB."""
    start = 0
    pos = 0
    n = len(text)
    while pos < n:
        m = _next_end(text, pos)
        end = m.end() if m else n
        is_break = bool(m) and text[m.start()] in "\n\r\u2028\u2029"
        if m and not is_break and text[end - 1] in '”」』"':
            a = _ATTRIBUTION.match(text, end)
            if a:
                end = a.end()
        pos = end
        s, e, kept = _trim(text, start, m.start() if is_break else end)
        start = end
        if kept and _CONTENT.search(kept):
            yield Span(s, e, kept)


def ends_sentence(text: str) -> bool:
    """True when `text` ends where a sentence ends (SENTENCE_ENDS, then any LEAD_CLOSERS)."""
    core = text.rstrip().rstrip(LEAD_CLOSERS)
    return bool(core) and core[-1] in SENTENCE_ENDS


# Quotation marks, opening and closing. A quotation of several sentences ("他说：“甲。乙。”")
# is one sentence for a lead, as far as QUOTE_CHARS (a lead's hard cap, HARD_MAX_CHARS): a lead
# that stops at 甲。 ends inside the speech, one that opens at 乙。” opens inside it.
_QUOTE = re.compile(r"[“”「」]")
_OPENING_QUOTES = "“「"
QUOTE_CHARS = 160
# The speaker after a quotation, as a sentence of its own: “……。”一位青年干部说。 Alone it refers
# back to the quotation, so it goes with it; _ATTRIBUTION catches only the shortest.
_SPEAKER = re.compile(
    r"[^“”「」。！？!?；;\n]{1,50}?(?:说|道|表示|介绍|指出|称|强调|坦言|感慨|感叹|补充|告诉记者)[。！!]"
)


def quote_state(text: str) -> tuple[bool, bool]:
    """(a quotation mark closes one never opened in `text`, one is still open at its end)."""
    stray = False
    depth = 0
    for mark in _QUOTE.findall(text):
        if mark in _OPENING_QUOTES:
            depth += 1
        elif depth:
            depth -= 1
        else:
            stray = True
    return stray, depth > 0


def is_attribution(text: str) -> bool:
    """A sentence that only names who spoke (一位挂职扶贫的青年干部说。)."""
    return _SPEAKER.fullmatch(text) is not None


def _joins(text: str, held: Span, s: Span, limit: int) -> bool:
    """Whether sentence `s` goes on lead sentence `held`: the same line, and `held` ends in a
    semicolon, or leaves a quotation open, or closes one and `s` only names its speaker."""
    if "\n" in text[held.end : s.start] or "\r" in text[held.end : s.start]:
        return False
    if held.text.rstrip(_CLOSERS).endswith(("；", ";")):
        return True
    if s.end - held.start > limit:
        return False
    return quote_state(held.text)[1] or (held.text[-1] in "”」" and is_attribution(s.text))


def iter_lead_sentences(text: str, quote_chars: int = QUOTE_CHARS) -> Iterator[Span]:
    """Sentences as a lead counts them: `iter_sentences` with the pieces that end in a
    semicolon joined to what follows on the same line ("A；B。" is one sentence), and so the
    sentences of a quotation, with the speaker named after it, up to `quote_chars` in all.

    A line that ends in a semicolon stays as it is (not a sentence end: never a lead alone);
    so does a longer quotation's piece (quote_state tells it).
    """
    held: Span | None = None
    for s in iter_sentences(text):
        if held is not None:
            if _joins(text, held, s, quote_chars):
                s = Span(held.start, s.end, text[held.start : s.end])
            else:
                yield held
            held = None
        if _QUOTE.search(s.text) or s.text.rstrip(_CLOSERS).endswith(("；", ";")):
            held = s  # may go on: decided by the next sentence
            continue
        yield s
    if held is not None:
        yield held


def split(text: str) -> list[Span]:
    """Split `text` into sentences; each span's `text == text[start:end]`, in document order."""
    return list(iter_sentences(text))


# Clause cuts: full- and half-width commas and colons. The enumeration comma is not used
# (cutting "A、B" breaks a list), nor a comma inside a book title, quotation or bracket
# (《走自己的路，坚定制度自信》 is one name). A cut keeps the comma with the clause before it.
_CLAUSE_END = re.compile(r"[，,：:]")
_ENCLOSED = re.compile(r"《[^》]*》|“[^”]*”|「[^」]*」|（[^）]*）|\([^)]*\)|【[^】]*】")


def clauses(sentence: Span) -> list[Span]:
    """Split one sentence span into comma/colon clauses, offsets in the same input."""
    text = sentence.text
    enclosed = [m.span() for m in _ENCLOSED.finditer(text)]
    out = []
    start = 0
    for m in _CLAUSE_END.finditer(text):
        at = m.start()
        # "1,000" and "3:30" are numbers, not clause boundaries.
        if m.group() in ",:" and 0 < at < len(text) - 1 and text[at + 1].isdigit():
            continue
        if enclosed and any(a < at < b for a, b in enclosed):
            continue
        s, e, kept = _trim(text, start, m.end())
        if kept:
            out.append(Span(sentence.start + s, sentence.start + e, kept))
        start = m.end()
    s, e, kept = _trim(text, start, len(text))
    if kept:
        out.append(Span(sentence.start + s, sentence.start + e, kept))
    return out
