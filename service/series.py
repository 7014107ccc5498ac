"""Subheads in series: a head the pass opened that repeats the form of a subhead above it.

A feature's sections are headed alike (量与质 / 绿与富, 以军人精神冲锋在前 / 以劳模精神勇担使命,
主动请缨—— / 奔赴抗疫一线 then 加班加点—— / 生产应急物资), and the head score opens some of them as
articles. On the development months' printed pages, a run of one to three short body lines
between running text repeats the form of an earlier such run of the same body (as many lines,
the first of the same length with the same marks at the same places, and a mark or a character
shared at one place; or a label closing on a dash or colon of the same form) 950 times, while an
article's head so repeats a subhead of the article right above it once in 4,909 articles. A
draft whose head so repeats a subhead of the open article above, over undated running text, is
put back into that article (stop 35, i109). Stop 36 (i112) reads two more forms of a
series, counted the same way both ways before their month-out runs: a label opening the
first line (传承：… / 发展：…; 132 body runs, no head), and two-line runs whose decks have one
form (五个包干、一网统管 / 基层防控有保障, then 推出政策送温暖增信心 / 复工复产有秩序; 184 body
runs, no head); and reads a line the column cut in two as one (运用政策工具 助 / 力疫情防控),
as print has it. Settled after the pass (`service.settle`), so the head score's path and the
heads `training.pages_fit` collects stay the pass's.
"""

from __future__ import annotations

import re

from service.composite import absorb
from service.credited_items import stands_alone
from service.cut_pieces import joins_cut
from service.lines import PARA, SHORT
from service.subheads import LABELLED

__all__ = ["rejoin_series"]

_RUN = 3  # a subhead of at most three lines (a kicker, a title, a deck)
_LABEL_ENDS = ("——", "：", ":")  # a section's label over its head (企业生产——, 汪勇：)
# A section's label opening its head over 4 characters of text, not a quote (传承：… / 创新：… /
# 发展：…): on the development months' printed pages 132 body runs open on a label as long as an
# earlier run's of the same body, no article's head on one of a run of the article above (stop
# 36, i112; 杨维兵说：“, a paragraph's words cut by the column, is no label).
_LABEL_OPENS = re.compile(r"[^\s：:，,。；;！？!?、“”]{1,6}[：:](?=[^\s“”‘’\"].{3})")


def rejoin_series(drafts: list) -> None:
    """Drafts whose head has the form of a subhead in the body of the open draft above,
    joined to it, their head lines becoming lines of its body."""
    at = 1
    seen: dict = {}  # (each draft's runs of short lines, read once as its body grows)
    while at < len(drafts):
        d, above = drafts[at], drafts[at - 1]
        # (the article above first: most are closed, and their heads are not read)
        if (
            _open(above)
            and (heads := _whole(_subhead(d) or []))
            and _repeats(heads, _runs(above, seen))
            and not stands_alone(above, d)  # (an item closed by its own credit)
        ):
            absorb(above, d)
            del drafts[at]
            continue
        at += 1


def _subhead(d) -> list[str] | None:
    """A draft's head lines and the short lines the pass left under them (a deck) when they
    may be a subhead's: unmarked, undated, at most three lines over running text, no column
    label closing a line (a standalone item's: （曝光）, （身边事））; else None."""
    lead = next((i for i, k in enumerate(d.kinds) if k != SHORT), len(d.kinds))
    heads = d.kicker + d.title + d.subtitle + d.body[:lead]
    if d.marked or d.dated or not 0 < len(heads) <= _RUN or lead == len(d.kinds):
        return None
    if d.kinds[lead] != PARA or any(LABELLED.fullmatch(s.text) for s in heads):
        return None
    return [s.text for s in heads]


def _whole(lines: list[str]) -> list[str]:
    """The lines, two the column cut from one line read as one (运用政策工具 助 / 力疫情防控,
    `cut_pieces.joins_cut`): the forms compared are the printed lines'."""
    out: list[str] = []
    for line in lines:
        if out and joins_cut(out[-1], line):
            out[-1] += line
        else:
            out.append(line)
    return out


def _open(d) -> bool:
    return bool(d.title) and not d.closed


def _runs(d, seen: dict) -> list[tuple[int, str, str, tuple]]:
    """The runs of one to three short lines between running text in `d`'s body, as (lines,
    the first line's form, the first line, every line's form), read on from where the last
    call stopped."""
    got = seen.setdefault(id(d), [1, []])
    kinds, at = d.kinds, got[0]
    while at < len(kinds) - 1:
        if kinds[at] != SHORT or kinds[at - 1] != PARA:
            at += 1
            continue
        end = next((i for i in range(at, len(kinds)) if kinds[i] != SHORT), len(kinds))
        if end == len(kinds):
            break  # (the body may go on: read again when it has)
        if end - at <= _RUN and kinds[end] == PARA:
            lines = _whole([s.text for s in d.body[at:end]])
            forms = tuple(map(_shape, lines))
            got[1].append((len(lines), forms[0], lines[0], forms))
        at = end
    got[0] = at
    return got[1]


def _repeats(head: list[str], runs: list[tuple[int, str, str, tuple]]) -> bool:
    """Whether a run has `head`'s form: as many lines, the first of the same form and marked
    (the decks may differ in length: 一起案件的侦破 / its deck, then 一个企业的复产 / its deck),
    or a section's label closing on a lead-in dash or a colon of the same form over a deck of
    any length (`企业生产——` / `准时交货 充满信心`, then `商品贸易——` / its deck / its quoted
    first line); or a label opening the first line as long as the run's (传承：… / 发展：…); or
    two lines whose deck has the form of the run's deck (推出政策送温暖增信心 / 复工复产有秩序
    under 五个包干、一网统管 / 基层防控有保障: plain decks of one length, where two plain first
    lines of one length alone are no series)."""
    want = _shape(head[0])
    label = head[0].endswith(_LABEL_ENDS)
    opens = _opening_label(head[0])
    deck = _shape(head[1]) if len(head) == 2 and not label else ""
    return any(
        form == want
        and (label or n == len(head) and _marked(first, head[0], want))
        or opens
        and _opening_label(first) == opens
        or deck
        and n == 2
        and forms[1] == deck
        and not first.endswith(_LABEL_ENDS)
        for n, form, first, forms in runs
    )


def _opening_label(line: str) -> int:
    """The length of a section's label opening the line (发展：彰显… 3), else 0."""
    m = _LABEL_OPENS.match(line)
    return m.end() if m else 0


def _marked(a: str, b: str, form: str) -> bool:
    """A mark in the form (a comma, a dash, a space, a colon, a digit) or a character the two
    lines share at one place (以军人精神… / 以劳模精神…, 扎根一线的… / 满怀深情的…): two plain
    lines of one length alone are no series, nor two quotations (“…”, a mark both titles and
    subheads carry)."""
    a, b = _unquoted(a), _unquoted(b)
    return bool(set(_unquoted(form)) - {"H"}) or any(x == y for x, y in zip(a, b, strict=True))


def _unquoted(text: str) -> str:
    return text.removeprefix("“").removesuffix("”")


def _shape(text: str) -> str:
    """A line's form: each Han character H, digits 0, Latin letters a, spaces one space,
    other marks as they are."""
    out: list[str] = []
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            out.append("H")
        elif ch.isdigit():
            out.append("0")
        elif ch.isascii() and ch.isalpha():
            out.append("a")
        elif ch.isspace():
            if not out or out[-1] != " ":
                out.append(" ")
        else:
            out.append(ch)
    return "".join(out)
