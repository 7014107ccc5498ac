"""Extractive leads (导语): the article's own sentences, trimmed, so a lead never says more."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import accumulate

import numpy as np

from service.documents import Lead, Span
from service.errors import InvalidInput
from service.sentences import clauses, iter_sentences
from service.text import is_non_copy, split_dateline

__all__ = [
    "lead",
    "check_lead_options",
    "Weights",
    "FEATURES",
    "Candidates",
    "candidates",
    "DEFAULT_WEIGHTS",
    "DEFAULT_MAX_SENTENCES",
    "DEFAULT_MAX_CHARS",
    "MAX_SENTENCES",
    "MAX_CHARS",
    "MAX_TEXT_CHARS",
]

DEFAULT_MAX_SENTENCES = 2  # a lead is one or two sentences
DEFAULT_MAX_CHARS = 120  # what fits a lead slot / a push notification
MAX_SENTENCES = 50  # as the gRPC contract (server.MAX_LEAD_SENTENCES)
MAX_CHARS = 100_000  # as the server's default text limit: a lead is never longer
MAX_TEXT_CHARS = 10_000_000

# Bounded work: a lead lives near the top, so only a prefix of the text is read, and only the
# first sentences become candidates; 1 MB costs what a long article costs.
_WINDOW_CHARS = 12_000
_MAX_GRAPH = 10  # sentences in the centrality graph: the top of the story
_MAX_UNITS = 6  # sentences that may become (part of) the lead
_MAX_TRIMMED = 4  # sentences whose clause ranges are candidates (the rest only whole)
_MIN_UNIT = 10  # characters in a unit cut from a longer sentence
_MAX_CLAUSES = 8  # clauses per sentence considered for ranges


@dataclass(frozen=True)
class Weights:
    """Scoring weights over the candidate features (FEATURES), one set per desk label."""

    # Fitted by training.summaries.fit_weights on the even rows of summarise/dev.jsonl
    # (ridge 0.1, sharpness 10; graph of 15 sentences); the odd rows are the holdout the
    # report quotes. Refitted with the graph cut to 10 the fit scored lower (41.52 vs 41.65
    # ROUGE-L on all rows), so these stay.
    coef: tuple[float, ...] = (
        0.0873,
        0.0639,
        -0.0303,
        0.2429,
        0.3536,
        0.1167,
        -0.0583,
        0.0168,
        0.0,
        -0.0801,
        -0.0717,
    )
    target: int = 40  # characters: a one-sentence brief
    # A unit starts at its sentence's first clause after the frames (time, source, "针对…，"):
    # starting anywhere scored +0.2 ROUGE-L (+0.1 on the holdout) but drops the lead's subject.
    free_start: bool = False
    redundancy: float = 0.1  # MMR: weight of similarity to what was already picked


# The columns of the candidate feature matrix, in order (see _select).
FEATURES = (
    "first_sentence",
    "second_sentence",
    "position",  # sentence index / 10, capped at 1
    "title_cosine",  # TF-IDF cosine of the unit with the title
    "title_chars",  # character-bigram overlap F1 with the title (names, numbers)
    "centrality",  # LexRank score of the unit's sentence, max-normalised
    "length_gap",  # |length - target| / target
    "length",  # characters / 100
    "starts_mid",  # starts after a clause that is not a frame (time, source)
    "ends_early",  # stops before the end of its sentence
    "title_cosine_first",  # title_cosine, in the first sentence only
)

DEFAULT_WEIGHTS = Weights()
# Commentary argues a thesis, usually echoed by the headline and restated through the piece:
# the opening matters less, the title and centrality more, and a thesis may be longer.
# (No briefs exist for commentary; these scale the fitted weights, checked by reading.)
_COMMENTARY = {
    "first_sentence": 0.2,
    "second_sentence": 0.2,
    "title_cosine": 2.0,
    "title_chars": 1.5,
    "centrality": 2.0,
    "length_gap": 0.5,
}
LABEL_WEIGHTS: dict[str, Weights] = {
    "commentary": replace(
        DEFAULT_WEIGHTS,
        target=60,
        coef=tuple(
            c * _COMMENTARY.get(f, 1.0) for c, f in zip(DEFAULT_WEIGHTS.coef, FEATURES, strict=True)
        ),
    )
}

# Datelines, credits, 下转N版 and page furniture are recognised by service.text (split_dateline,
# is_non_copy), which cleaning uses too: `lead` may get raw text, and one rule serves both.
_TERMINAL = frozenset("。！？!?；;…”’」』）)\"'.")  # a line ending in one of these is prose
_LONG_FRAGMENT = 25  # an unpunctuated line this long is prose that lost its full stop
# A first clause that is only a time or sequence phrase: "昨天下午，" "当地时间20号晚，" "随后，".
_TIME_CLAUSE = re.compile(
    r"^(?:(?:当地时间|北京时间|今天|昨天|前天|今年|去年|近日|日前|近期|随后|此后|当天|同日|目前|"
    r"\d{1,4}年|\d{1,2}月|\d{1,2}[日号]|上午|下午|晚上?|早上|早晨|凌晨|中午|傍晚|夜间|[至到起]|"
    r"\d{1,2}[时点](?:\d{1,2}分)?许?)\s*)+[，,]$"
)
# Leading clauses an editor drops: time, source attribution, connectives ("据新华社报道，"
# "记者从教育部获悉，" "与此同时，"). A unit may start after them, not in the middle of a thought.
_FRAME_CLAUSE = re.compile(
    r"^(?:据[^，,]{1,20}(?:报道|消息|介绍|统计|显示)|记者[^，,]{0,20}(?:获悉|了解到|看到)|"
    r"随后|同时|此外|另外|与此同时|其中|目前|近年来|今年以来|日前|近日|当天|同日|"
    r"(?:针对|为了|随着|根据|按照|作为|经过|面对|围绕|在)[^，,]{1,40}?"
    r"(?:期间|之际|以来|上|中|下|时|后|前|里|方面|背景|一事|措施|问题|要求|部署|精神))[，,]$"
)
# A unit that stops early must not stop on a clause that announces what follows
# ("…时强调，" "…期间，" "…表示：").
_OPEN_END = re.compile(
    r"(?:强调|表示|指出|认为|说|称|提出|要求|期间|时|之际|以来|以后|之后|后|前|中|[：:])[，,：:]?$"
)
# Nor on a clause that is only an adverbial ("在河南济源、三门峡，"): the predicate follows it.
_ADVERBIAL = re.compile(r"(?:在|于|从|向|对|就|自|据|经|由|随着|为了|为|与|同|跟|把|被|当)")
# A time phrase inside a clause, between its subject and verb: "习近平4日在…会见" → "习近平在…会见".
# Full dates ("12月4日") are kept: only a bare day or a deictic word is dropped.
_INLINE_TIME = re.compile(
    r"(?<![\d月年第于在至到从将])(?:当地时间|北京时间)?(?:\d{1,2}[日号]|今天|昨天|今晨|昨晚|今晚|近日|日前)"
    r"(?:上午|下午|晚上?|早晨|凌晨|中午)?(?=在|同|与|和|向|对|出席|会见|会晤|举行|召开|发布|公布|"
    r"宣布|表示|发表|抵达|致|主持|就|起|开始|正式)"
)
# Sentences that are in the story but never its lead: a teaser that trails off ("……"), and
# the list of who else attended ("市领导刘本立、付涛参加。").
_TRAILS_OFF = ("…", "...")  # before any closing quotes or brackets
_ATTENDANCE = re.compile(r"[^。；;]{0,50}(?:参加|陪同|出席)[。.]$")
_ATTENDANCE_END = tuple(verb + stop for verb in ("参加", "陪同", "出席") for stop in "。.")
_TIME_HINT = re.compile(r"[日号天晨晚]")  # every _INLINE_TIME match holds one: a cheap pre-check
_OPEN_END_REACH = 4  # an _OPEN_END match starts at most this far from the clause's end
_DUPLICATE = 0.7  # cosine above which a second unit only repeats the first
_TRAILING = "，,、：:；; \u3000"
_WORD = re.compile(r"\w")


def _check(text: object, title: object, max_sentences: object, max_chars: object) -> None:
    if not isinstance(text, str):
        raise InvalidInput("text must be a string", field="text")
    if not text.strip():
        raise InvalidInput("text is empty: send the article body to summarise", field="text")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"text has {len(text)} characters, over the limit of {MAX_TEXT_CHARS}: "
            "split the page into articles first",
            field="text",
            limit=MAX_TEXT_CHARS,
        )
    if not isinstance(title, str):
        raise InvalidInput("title must be a string (or empty)", field="title")
    check_lead_options(max_sentences, max_chars)


def check_lead_options(max_sentences: object, max_chars: object) -> None:
    """Refuse lead bounds out of range (InvalidInput naming the option and its limit)."""
    for name, value, limit in (
        ("max_sentences", max_sentences, MAX_SENTENCES),
        ("max_chars", max_chars, MAX_CHARS),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise InvalidInput(
                f"{name} must be an integer from 0 (the default) to {limit}, got {value!r}",
                field=name,
                limit=limit,
            )


def _strip_dateline(text: str, span: Span) -> Span | None:
    """The sentence after its dateline (本报讯 …), or None if nothing worded follows it."""
    _, cut = split_dateline(span.text)
    if not cut:
        return span
    start = span.start + cut
    if start >= span.end or not _WORD.search(text, start, span.end):
        return None
    return Span(start, span.end, text[start : span.end])


def _sentences(text: str) -> list[Span]:
    """Candidate sentences of the window: datelines stripped, furniture and subheads dropped."""
    window = text[:_WINDOW_CHARS]
    found = []
    for s in iter_sentences(window):
        if len(found) >= _MAX_GRAPH:
            break
        found.append(s)
    if len(text) > _WINDOW_CHARS and len(found) > 1 and found[-1].end >= len(window):
        found.pop()  # cut by the window: not a whole sentence
    kept = []
    for s in found:
        s = _strip_dateline(text, s)
        if s is None or is_non_copy(s.text):
            continue
        kept.append(s)
    prose = [s for s in kept if s.text[-1] in _TERMINAL or len(s.text) >= _LONG_FRAGMENT]
    # Text with no punctuation at all still gets a lead: then every line is a candidate.
    return prose or kept


def _is_weak(sentence: str) -> bool:
    """A teaser that trails off, or an attendance list: in the graph, never the lead."""
    if sentence.rstrip("”’」』）)").endswith(_TRAILS_OFF):
        return True
    # Sentences are stripped, so the regex's "$" is their last character: test that first.
    return sentence.endswith(_ATTENDANCE_END) and bool(_ATTENDANCE.match(sentence))


def _trim_piece(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    while start < end and text[start] in _TRAILING:
        start += 1
    return start, end


def _pieces(start: int, end: int, drops: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges kept from [start, end) once the inline time phrases `drops` are cut out."""
    out = []
    pos = start
    for a, b in drops:
        if a >= start and b <= end:
            if a > pos:
                out.append((pos, a))
            pos = b
    if pos < end:
        out.append((pos, end))
    return out


def _trimmed(piece: Span) -> tuple[int, int]:
    """`_trim_piece` of one clause, by str methods on its text (a clause is its own slice)."""
    kept = piece.text.rstrip(_TRAILING)
    return piece.start + len(kept) - len(kept.lstrip(_TRAILING)), piece.start + len(kept)


class _Units:
    """Candidates as parallel arrays: a run of clauses [first, last] of sentence k, text [a, b)."""

    def __init__(self, text: str, sentences: list[Span], free_start: bool) -> None:
        self.parts: list[list[Span]] = []
        self.drops: list[list[tuple[int, int]]] = []
        rows: list[tuple[int, ...]] = []  # (k, lo, hi, start, end, length, mid, early)
        base = 0  # clauses before this sentence, over all sentences
        for n, s in enumerate(sentences):
            if n >= _MAX_UNITS or _is_weak(s.text):  # in the graph, never the lead
                self.parts.append([s])
                self.drops.append([])
                base += 1  # its one clause row: the units after it count their own rows
                continue
            cl = clauses(s)[:_MAX_CLAUSES] if n < _MAX_TRIMMED else []
            if len(cl) <= 1 or cl[-1].end != s.end:
                cl = [s]  # one clause, or too many to enumerate: the sentence stays whole
            self.parts.append(cl)
            drops = (
                [m.span() for m in _INLINE_TIME.finditer(text, s.start, s.end)]
                if _TIME_HINT.search(s.text)
                else []
            )
            self.drops.append(drops)
            c = len(cl)
            if c == 1:  # the sentence whole: its one unit, no frames, no early stop
                a, b = _trimmed(s)
                cut = sum(y - x for x, y in drops if a <= x and y <= b) if drops else 0
                rows.append((n, base, base + 1, a, b, b - a - cut, False, False))
                base += 1
                continue
            frames = 0
            while frames < c - 1 and (
                _TIME_CLAUSE.match(cl[frames].text) or _FRAME_CLAUSE.match(cl[frames].text)
            ):
                frames += 1
            # Units start after the frames: the clauses before them are never part of one.
            trimmed = [_trimmed(x) for x in cl[frames:]]
            # A run may stop early, but not on a clause that announces what follows.
            closed = [
                not (
                    _OPEN_END.search(x.text, len(x.text) - _OPEN_END_REACH)
                    or _ADVERBIAL.match(x.text)
                )
                for x in cl[frames:-1]
            ]
            closed.append(True)
            for i in range(frames, c if free_start else frames + 1):
                a = trimmed[i - frames][0]
                for j in range(i, c):
                    b = trimmed[j - frames][1]
                    if not closed[j - frames] or b - a < _MIN_UNIT and (i > 0 or j < c - 1):
                        continue  # a fragment this short says nothing on its own
                    cut = sum(y - x for x, y in drops if a <= x and y <= b) if drops else 0
                    rows.append(
                        (n, base + i, base + j + 1, a, b, b - a - cut, i > frames, j < c - 1)
                    )
            base += c
        self.rows = rows
        cols = np.array(rows, dtype=np.int64).reshape(-1, 8)
        self.k = cols[:, 0]
        self.length = cols[:, 5].astype(np.float64)
        self.flags = cols[:, 6:8]  # starts_mid, ends_early

    def pieces(self, i: int) -> list[tuple[int, int]]:
        k, _, _, start, end, *_ = self.rows[i]
        return _pieces(start, end, self.drops[k])


# Sums as the ufunc's own reduce: ndarray.sum and np.cumsum-style functions go through Python
# wrappers that cost about a microsecond a call, a tenth of a lead's array work here.
_add = np.add.reduce


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)


def _word_table() -> np.ndarray:
    """Han characters (basic, extension A), ASCII and full-width letters and digits in the BMP."""
    cp = np.arange(0x10000)
    return (
        ((cp >= 0x4E00) & (cp <= 0x9FFF))
        | ((cp >= 0x3400) & (cp <= 0x4DBF))
        | ((cp >= 0x30) & (cp <= 0x39))
        | ((cp >= 0x41) & (cp <= 0x5A))
        | ((cp >= 0x61) & (cp <= 0x7A))
        | ((cp >= 0xFF10) & (cp <= 0xFF5A))
    )


_WORD_TABLE = _word_table()  # 64 KB, one lookup per character instead of six comparisons


def _is_word(cp: np.ndarray) -> np.ndarray:
    """Word characters, as `_word_table`, plus the Han extensions beyond the BMP."""
    return _WORD_TABLE[np.minimum(cp, 0xFFFF)] | (cp >= 0x20000)


def _bigrams(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Character bigrams of word characters as int64 keys, with their offsets in `text`."""
    cp = _codepoints(text)
    if len(cp) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ok = _is_word(cp)
    pos = (ok[:-1] & ok[1:]).nonzero()[0]
    return (cp[pos] << 21) | cp[pos + 1], pos


def _term_ids(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """Each key's rank among the distinct keys, and their number: np.unique's inverse, cheaper."""
    order = keys.argsort()
    ordered = keys[order]
    new = np.empty(len(keys), dtype=bool)  # where a sorted key differs from the one before
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    rank = new.cumsum()
    ids = np.empty(len(keys), dtype=np.int64)
    ids[order] = rank - 1
    return ids, max(int(rank[-1]) if len(rank) else 0, 1)


def _range_counts(
    text: str, spans: list[Span], title: str, first: list[int], last: list[int]
) -> np.ndarray:
    """Character-bigram counts of runs of the rows [title, *spans]: run i is rows [first[i],
    last[i]). No segmenter, a few array ops whatever the number of runs.
    """
    lo, hi = spans[0].start, spans[-1].end
    # The title and the text in one pass; the line break between them is no word character,
    # so no bigram crosses it.
    shift = len(title) + 1 - lo
    keys, pos = _bigrams(f"{title}\n{text[lo:hi]}")
    ids, v = _term_ids(keys)
    starts = np.array([0, *(s.start + shift for s in spans)])
    ends = np.array([len(title), *(s.end + shift for s in spans)])
    row = starts.searchsorted(pos, side="right") - 1
    inside = pos + 1 < ends[row]  # not across two spans, nor in the gap between them
    ids, row = ids[inside], row[inside]
    # Bigrams come in text order, so a run of rows owns a slice of them: gather each run's
    # slice under the run's number, and count all runs in one bincount.
    at = row.searchsorted(np.arange(len(starts) + 1))  # row r owns [at[r], at[r + 1])
    begin, size = at[first], at[last] - at[first]
    total = size.cumsum()
    take = np.arange(total[-1]) + (begin - total + size).repeat(size)
    runs = (np.arange(len(first)) * v).repeat(size)
    return np.bincount(runs + ids[take], minlength=len(first) * v).reshape(len(first), v)


def _lexrank(sim: np.ndarray, damping: float = 0.85, squarings: int = 5) -> np.ndarray:
    """Stationary distribution of the similarity graph by power iteration, max-normalised.

    The iteration p <- p G runs 2**squarings steps as `squarings` squarings of G (32 steps:
    the error shrinks by damping**32 < 0.6%), a handful of small matrix products.
    """
    n = sim.shape[0]
    if n == 1:
        return np.ones(1)
    w = sim.copy()
    w.flat[:: n + 1] = 0.0  # no self-links
    rows = _add(w, axis=1, keepdims=True)
    linked = rows > 0
    if np.logical_and.reduce(linked, axis=None):
        g = damping * (w / rows)
    else:
        # A sentence sharing no term with any other links uniformly: the chain stays ergodic.
        g = damping * np.where(linked, w / np.where(linked, rows, 1.0), 1.0 / n)
    g += (1 - damping) / n
    for _ in range(squarings):
        g = g @ g
    p = _add(g, axis=0) / n  # the mean of the rows, without np.mean's overhead
    return p / np.maximum.reduce(p)


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.sqrt(_add(m * m, axis=1, keepdims=True))
    return m / np.where(norms > 0, norms, 1.0)


def _fallback(text: str, max_chars: int) -> Lead:
    """No sentence fits the budget: cut the first one at its last clause or space within it."""
    first = next(iter_sentences(text[:_WINDOW_CHARS]), None)
    start = first.start if first else 0
    end = min(first.end if first else len(text), start + max_chars)
    cut = max(text.rfind(c, start, end) for c in "，,；; ")
    if first and first.end <= start + max_chars:
        cut = -1
    if cut > start:
        end = cut
    start, end = _trim_piece(text, start, end)
    if start >= end:  # only separators: return the raw window rather than nothing
        end = min(len(text), max_chars)
        start = 0
    return Lead(text[start:end], (Span(start, end, text[start:end]),))


@dataclass(frozen=True, eq=False)
class Candidates:
    """Every unit that could open the lead, with its features (rows) and TF-IDF vectors."""

    text: str
    units: _Units | None
    sentence: np.ndarray  # index of the unit's sentence among the candidates
    length: np.ndarray  # characters
    features: np.ndarray  # columns as FEATURES
    vectors: np.ndarray  # L2-normalised TF-IDF rows, for redundancy

    def __len__(self) -> int:
        return len(self.length)

    def pieces(self, i: int) -> list[tuple[int, int]]:
        """The [start, end) ranges of the input that unit `i` keeps."""
        return self.units.pieces(i) if self.units is not None else []

    def unit_text(self, i: int) -> str:
        """Unit `i` as the lead would print it."""
        return "".join(self.text[a:b] for a, b in self.pieces(i))


def _headline(title: str) -> str:
    """The title without its series line ("——九论…"): it names the series, not the piece."""
    main, dash, _ = title.partition("——")
    return main if dash and len(main.strip()) >= 4 else title


def candidates(text: str, title: str = "", *, weights: Weights = DEFAULT_WEIGHTS) -> Candidates:
    """All candidate units of `text` with their features; the tuner and `lead` share this."""
    title = _headline(title)
    sentences = _sentences(text)
    if not sentences:
        empty = np.zeros(0)
        return Candidates(
            text, None, empty.astype(np.int64), empty, np.zeros((0, len(FEATURES))), empty
        )
    units = _Units(text, sentences, weights.free_start)
    parts = units.parts
    # Every vector counts a run of the rows [title, *clauses]: the title, each sentence, then
    # each unit (clause c is row c + 1).
    ends = list(accumulate(map(len, parts), initial=1))  # sentence n is rows [ends[n], ends[n+1])
    counts = _range_counts(
        text,
        [c for cl in parts for c in cl],
        title,
        [0, *ends[:-1], *(r[1] + 1 for r in units.rows)],
        [1, *ends[1:], *(r[2] + 1 for r in units.rows)],
    )
    n = len(sentences)
    title_vec, sent_counts, unit_counts = counts[0], counts[1 : n + 1], counts[n + 1 :]
    # Inverse sentence frequency: terms in every sentence say nothing about any one of them.
    df = _add(sent_counts > 0, axis=0)
    idf = np.log((1 + n) / (1 + df)) + 1.0
    vecs = _normalise(counts * idf)
    sent_vecs, unit_vecs = vecs[1 : n + 1], vecs[n + 1 :]
    centrality = _lexrank(sent_vecs @ sent_vecs.T)
    title_sim = unit_vecs @ vecs[0]
    k = units.k
    lengths = units.length
    # Bigram-overlap F1 with the title (clipped, as ROUGE-2): names and numbers in common.
    overlap = _add(np.minimum(unit_counts, title_vec), axis=1)
    title_f = 2 * overlap / np.maximum(_add(unit_counts, axis=1) + _add(title_vec), 1.0)
    features = np.empty((len(k), len(FEATURES)))
    features[:, 0] = k == 0
    features[:, 1] = k == 1
    features[:, 2] = np.minimum(k, 10) / 10
    features[:, 3] = title_sim
    features[:, 4] = title_f
    features[:, 5] = centrality[k]
    features[:, 6] = np.abs(lengths - weights.target) / weights.target
    features[:, 7] = np.minimum(lengths, 300) / 100
    features[:, 8:10] = units.flags
    features[:, 10] = title_sim * features[:, 0]
    return Candidates(
        text,
        units,
        k,
        lengths,
        features,
        unit_vecs,
    )


def _select(text: str, title: str, max_sentences: int, max_chars: int, weights: Weights) -> Lead:
    found = candidates(text, title, weights=weights)
    if not len(found):
        return _fallback(text, max_chars)
    score = found.features @ np.asarray(weights.coef)
    k, lengths, unit_vecs = found.sentence, found.length, found.vectors
    early = found.features[:, FEATURES.index("ends_early")] > 0
    chosen: list[int] = []
    used_sentences: set[int] = set()
    budget = max_chars
    eligible = lengths <= budget
    while len(chosen) < max_sentences:
        mask = eligible
        mmr = score
        if chosen:
            penalty = (unit_vecs @ unit_vecs[chosen].T).max(axis=1)
            mmr = score - weights.redundancy * penalty
            # One unit per sentence, and no near-duplicate of what the lead already says.
            mask = mask & ~np.isin(k, list(used_sentences)) & (penalty < _DUPLICATE)
            # A unit that stops mid-sentence can only close the lead: "…《走自己的路" followed
            # by another sentence would read as one garbled sentence.
            mask &= ~(early & (k < max(int(k[c]) for c in chosen)))
            cut = [int(k[c]) for c in chosen if early[c]]
            if cut:
                mask &= k < min(cut)
        if not np.logical_or.reduce(mask):
            break
        best = int(np.where(mask, mmr, -np.inf).argmax())
        chosen.append(best)
        used_sentences.add(int(k[best]))
        budget -= int(lengths[best])
        eligible = lengths <= budget
    if not chosen:
        return _fallback(text, max_chars)
    pieces = sorted(p for i in chosen for p in found.pieces(i))
    spans: list[tuple[int, int]] = []
    room = max_chars - sum(b - a for a, b in pieces)
    for a, b in pieces:
        gap = a - spans[-1][1] if spans else -1
        # Sentences separated by spaces (English copy) keep their space, when it fits.
        if gap == 0 or 0 < gap <= room and not text[spans[-1][1] : a].strip(" "):
            room -= max(gap, 0)
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    out = tuple(Span(a, b, text[a:b]) for a, b in spans)
    return Lead("".join(s.text for s in out), out)


def lead(
    text: str,
    title: str = "",
    *,
    label: str | None = None,
    max_sentences: int = 0,
    max_chars: int = 0,
    weights: Weights | None = None,
) -> Lead:
    """Write the lead of one article from its own sentences; spans are offsets into `text`.

    `max_sentences` and `max_chars` bound the lead (0 = the defaults, two sentences and 120
    characters); `label` (a desk) shifts the weights, e.g. a commentary's lead is its thesis.
    """
    _check(text, title, max_sentences, max_chars)
    if weights is None:
        weights = LABEL_WEIGHTS.get(label or "", DEFAULT_WEIGHTS)
    return _select(
        text,
        title,
        max_sentences or DEFAULT_MAX_SENTENCES,
        max_chars or DEFAULT_MAX_CHARS,
        weights,
    )
