"""One article as the desk model reads it: the composed text, its words, and where they came from.

Evidence and keywords both start here. An article is segmented once (the words of what the model
reads, and for keywords the rest of the text), each word's distinct id is found once, and each
code point of the composed text knows the field and the offset in the caller's text it came from,
so a chosen term's spans are a few array lookups.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain, count, pairwise

import numpy as np

from .documents import Article, Body, Span
from .errors import ModelError
from .html_text import plain
from .model import CharTfidf, CueBlock, DeskModel, WordTfidf, compose, head, headline
from .placing import Layout
from .wordtable import Words, pair_numbers, top_pairs, words_table

__all__ = [
    "Reading",
    "WordBatch",
    "is_readable",
    "locate",
    "read",
    "read_all",
    "readable",
    "segmenter",
    "shared_block",
    "words_table",
]

_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")  # a term shows at least one letter, digit or hanzi


def is_readable(word: str) -> bool:
    """A term a person reads as a word: two or more characters, not punctuation or space."""
    return len(word.strip()) >= 2 and bool(_WORDLIKE.search(word))


# For words met one at a time; a batch's are judged once each by its word table (`Words`).
readable = lru_cache(maxsize=1 << 16)(is_readable)


def locate(title: str, source: str, start: int = 0) -> np.ndarray:
    """Where each code point of a tidied title (space-joined pieces) sits in `source`, found
    from `start` on; -1 for the spaces that stand for line breaks, and all -1 when not found."""
    index = np.full(len(title), -1, dtype=np.int64)
    pieces = title.split()
    if not pieces:
        return index
    at = source.find(title, start)
    if at >= 0:  # most titles stand on the page as they are
        index[:] = np.arange(at, at + len(title))
        if len(pieces) == 1:
            return index
        index[np.fromiter(map(str.isspace, title), bool, len(title))] = -1
        return index
    found = re.compile(r"\s+".join(map(re.escape, pieces))).search(source, start)
    if found is None:
        return _past_marks(title, source, start, index)
    at, t = found.start(), 0
    for piece in pieces:
        at = source.index(piece, at)
        index[t : t + len(piece)] = np.arange(at, at + len(piece))
        at, t = at + len(piece), t + len(piece) + 1
    return index


def _past_marks(title: str, source: str, start: int, index: np.ndarray) -> np.ndarray:
    # A title read without its zero-width marks and HTML (service.html_text) is found in the
    # source without them, and its code points placed back where they stand in the source.
    p = plain(source)
    if p is None:
        return index
    inner = locate(title, p.text, p.inner(start))
    return np.fromiter((p.pos(i) if i >= 0 else -1 for i in inner.tolist()), np.int64, len(inner))


_NOWHERE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class _Part:
    """One field of the composed text: where it starts there, and its code points' sources."""

    field: str
    offset: int
    index: np.ndarray  # per code point of the field, its offset in `source` (-1: none)
    source: str


@dataclass(frozen=True, eq=False)
class Reading:
    """One article as the model reads it: the composed text, its words and where they came from."""

    text: str  # compose(title, body): what every feature block reads a head of
    words: list[str]  # segmenter words of the text read, in order
    starts: np.ndarray  # each word's start in `text`, then the end of the last
    read_until: int  # the end of the longest head any block reads
    parts: tuple[_Part, ...]
    shared: int = -1  # the first `shared` words are the word block's own tokens (-1: not so)

    @cached_property
    def vocabulary(self) -> tuple[dict[str, int], np.ndarray]:
        """Each distinct word's id (first seen first), and the id of every word in order."""
        index = dict(zip(dict.fromkeys(self.words), count()))
        ids = np.fromiter(map(index.__getitem__, self.words), np.int64, len(self.words))
        return index, ids

    @cached_property
    def _bounds(self) -> list[tuple[int, int, _Part]]:
        return [(p.offset, p.offset + len(p.index), p) for p in self.parts if len(p.index)]

    def field_of(self, start: int) -> str:
        """The field that text[start] lies in ("" for the line between title and body)."""
        for lo, hi, part in self._bounds:
            if lo <= start < hi:
                return part.field
        return ""

    def spans(self, word: str, starts: Sequence[int] | np.ndarray) -> dict[str, list[Span]]:
        """Per field, the ranges of the caller's text holding `word` where it starts at each of
        `starts` in `text`: only ranges that slice it exactly (a word the layout broke over a
        column, or a title not found in the text sent, has none)."""
        out: dict[str, list[Span]] = {}
        n = len(word)
        bounds = self._bounds
        for start in np.asarray(starts).tolist():  # the few places of one chosen term
            for lo, hi, part in bounds:
                if lo <= start and start + n <= hi:
                    found = out.setdefault(part.field, [])
                    a = int(part.index[start - lo])
                    if a >= 0 and part.source.startswith(word, a):
                        found.append(Span(a, a + n, word))
                    break
        return out


def segmenter(model: DeskModel):
    """The segmenter of the model's word block, else the default one."""
    for block in model.blocks:
        segment = getattr(getattr(block, "tokenizer", None), "segment", None)
        if segment is not None:
            return segment
    from .tokenize import default_segmenter

    return default_segmenter()


def shared_block(model: DeskModel, segment) -> WordTfidf | None:
    """The word block whose tokens are `segment(head(text, chars))`, which a reading can share."""
    for block in model.blocks:
        if isinstance(block, WordTfidf) and not block.lowercase:
            tokenizer = block.tokenizer
            if getattr(tokenizer, "segment", None) is segment and hasattr(tokenizer, "chars"):
                return block
    return None


_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _plan(model: DeskModel) -> tuple:
    """What reading needs of a model, found once per model: its segmenter, the word block that
    shares its tokens, and the longest head a block reads (0: all of the text)."""
    plan = _PLANS.get(model)
    if plan is None:
        segment = segmenter(model)
        plan = _PLANS[model] = (segment, shared_block(model, segment), _longest_head(model))
    return plan


def _longest_head(model: DeskModel) -> int:
    """The longest head a block reads, 0 when one reads all (a block of unknown kind does)."""
    heads = []
    for block in model.blocks:
        if isinstance(block, CharTfidf):
            heads.append(block.head_chars)
        elif isinstance(block, WordTfidf):
            heads.append(getattr(block.tokenizer, "chars", 0))
        elif not isinstance(block, CueBlock):  # the cues read the title and the body's opening
            heads.append(0)
    if not heads or any(h <= 0 for h in heads):  # a block that reads everything
        return 0
    return max(heads)


def read(
    model: DeskModel,
    article: Article,
    title_source: str | dict[str, str] | None = None,
    text_source: str | None = None,
    *,
    whole: bool = False,
) -> Reading:
    """Segment what the model reads of `article` (`whole`: all of it, for keywords); spans will
    point into `title_source`/`text_source` (default: the article's own title and text; a dict
    names each head part's own text: a record's `kicker`, `title` and `subtitle`)."""
    return read_all(model, [article], [title_source], [text_source], whole=whole)[0]


def read_all(
    model: DeskModel,
    articles: Sequence[Article],
    title_sources: Sequence[str | dict[str, str] | None],
    text_sources: Sequence[str | None],
    *,
    whole: bool = False,
) -> list[Reading]:
    """`read` of each article; the word starts and the bodies' offsets made for the batch at
    once (numpy's per-call cost outweighed an article's few arrays: ~50 ms of 1,050)."""
    segment, block, longest = _plan(model)
    Body.index_all([a.body for a in articles])
    lines, texts, cut, shared, untils = [], [], [], [], []
    for article in articles:
        # The title line as the model reads it (引题 title 副题, service.model.headline); spans
        # are given for the title's own part, the kicker's and subtitle's words still count.
        line = headline(article.title, article.kicker, article.subtitle)
        text = compose(line, article.text)
        if compose(line, "") != line + "\n":  # one home for composing: model.py
            raise ModelError("the model composes texts evidence cannot place", field="model")
        until = len(head(text, longest))  # the end of the longest head a block reads
        end = len(text) if whole else until
        if block is not None:  # the word block's tokens first, so attribute need not cut again
            first = head(text, block.tokenizer.chars)
            words = segment(first) if first else []
            shared.append(len(words))
            if end > len(first):
                words += segment(text[len(first) : end])
        else:
            words = segment(text[:end]) if end else []
            shared.append(-1)
        lines.append(line)
        texts.append(text)
        cut.append(words)
        untils.append(until)
    out = []
    starts = _word_starts(cut)
    for i, (article, title_source, text_source) in enumerate(
        zip(articles, title_sources, text_sources, strict=True)
    ):
        kicker = " ".join(article.kicker.split())
        at = len(kicker) + 1 if kicker else 0
        title = " ".join(article.title.split())
        parts = (
            _placed(article, title_source, article.kicker, "kicker", 0),
            _placed(article, title_source, article.title, "title", at),
            _placed(article, title_source, article.subtitle, "subtitle", at + len(title) + 1),
            _Part("text", len(lines[i]) + 1, article.body.index, text_source or article.text),
        )  # fmt: skip
        out.append(Reading(texts[i], cut[i], starts[i], untils[i], parts, shared[i]))
    return out


def _placed(article: Article, title_source, part: str, field: str, offset: int) -> _Part:
    # Into the page (title_source) when there is one, else into the record's own field.
    source = title_source.get(field) if isinstance(title_source, dict) else title_source
    if not part:
        return _Part(field, offset, _NOWHERE, source or part)
    tidy = " ".join(part.split())
    if source is not None:
        index = locate(tidy, source, article.start)
    else:
        index = locate(tidy, part)
    return _Part(field, offset, index, source or part)


def _word_starts(cut: Sequence[list[str]]) -> list[np.ndarray]:
    """Per reading, each word's start in its text, then the end of the last: slices of one
    cumulative sum over the batch's words, each reading's opening on a 0."""
    each = np.fromiter(map(len, cut), np.int64, len(cut)) + 1
    firsts = np.cumsum(each) - each  # each reading's 0
    word = np.ones(int(each.sum()), dtype=bool)
    word[firsts] = False
    lengths = np.zeros(len(word), dtype=np.int64)
    lengths[word] = np.fromiter(map(len, chain.from_iterable(cut)), np.int64, len(word) - len(cut))
    ends = np.cumsum(lengths)
    ends -= np.repeat(ends[firsts], each)
    return [ends[a:b] for a, b in pairwise([*firsts.tolist(), len(ends)])]


def _pairs(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys numbered in the order they first occur: each one's first place, and
    each place's number. One stable sort (a key's places stay in order: its first comes first);
    a key's number is how many keys start before its first place."""
    # A batch's keys (reading · words + word) come reading by reading, in ascending runs: the
    # stable sort takes 2.9 ms for a 5,000-line run's 256 readings (~75k words) where making
    # the keys distinct by their place for numpy's default sort took 4.3 ms (i119).
    perm = np.argsort(key, kind="stable")
    ordered = key[perm]
    opens = np.ones(len(key), dtype=bool)  # per sorted place: a new key starts here
    opens[1:] = ordered[1:] != ordered[:-1]
    firsts = perm[opens]
    is_first = np.zeros(len(key), dtype=bool)
    is_first[firsts] = True
    pair = np.empty(len(key), dtype=np.int64)
    pair[perm] = (np.cumsum(is_first) - 1)[firsts][np.cumsum(opens) - 1]
    return np.flatnonzero(is_first), pair


def _at_least_kth(values: np.ndarray, docs: np.ndarray, n_docs: int, k: int) -> np.ndarray:
    """Whether each value is at least its reading's k-th largest (`docs` ascending): a reading's
    k best are among these, so the stable sorts after need only them, not every pair."""
    counts = np.bincount(docs, minlength=n_docs)
    width = int(counts.max()) if len(counts) else 0
    if k <= 0 or width <= k:
        return np.ones(len(values), dtype=bool)
    firsts = np.cumsum(counts) - counts
    # A reading's values negated in a row, +inf past them: its k-th smallest is minus its k-th
    # largest. Selecting near a row's start, not its end: numpy's partition took ~10x longer
    # for the same k-th largest near the end of rows padded with -inf (keywords' k + 8 of rows
    # ~500 wide: 6-11 ms a batch, now ~1 ms).
    table = np.full((n_docs, width), np.inf)
    table[docs, np.arange(len(docs)) - firsts[docs]] = -values
    kth = -np.partition(table, k - 1, axis=1)[:, k - 1]  # -inf: fewer than k values
    return values >= kth[docs]


@dataclass(frozen=True, eq=False)
class WordBatch:
    """The words of several readings counted together, so that choosing terms takes a few
    numpy calls per batch instead of per article. A pair is one distinct word of one reading."""

    names: list[str]  # every word numbered so far (`Words.names`): the batch's among them
    starts: np.ndarray  # per word of the readings joined: its start in its reading's text
    doc: np.ndarray  # per word: its reading
    pair: np.ndarray  # per word: its pair
    pair_doc: np.ndarray  # per pair: its reading
    pair_id: np.ndarray  # per pair: its word's number in `names`
    pair_first: np.ndarray  # per pair: its first word (ascending: pairs come in text order)
    offsets: np.ndarray  # each reading's first word, then the number of words
    sizes: np.ndarray  # per word: its length
    readings: tuple[Reading, ...]
    table: Words

    @classmethod
    def of(cls, readings: Sequence[Reading]) -> WordBatch:
        table = words_table()
        sizes = np.fromiter((len(r.words) for r in readings), np.int64, len(readings))
        doc = np.repeat(np.arange(len(readings), dtype=np.int64), sizes)
        starts = np.concatenate([r.starts[:-1] for r in readings] + [np.zeros(0, np.int64)])
        ends = np.concatenate([r.starts[1:] for r in readings] + [np.zeros(0, np.int64)])
        # Each word by where it lies in the texts joined (a reading's words are its text's
        # pieces in order), the short ones numbered by their codes, not one dict lookup each.
        texts = [r.text for r in readings]
        lengths = np.fromiter(map(len, texts), np.int64, len(texts))
        at = starts + (np.cumsum(lengths) - lengths)[doc]
        ids = table.ids_at([r.words for r in readings], texts, at, ends - starts)
        names = len(table.names)
        first, pair = pair_numbers(doc, ids, names) or _pairs(doc * max(names, 1) + ids)
        offsets = np.zeros(len(readings) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return cls(table.names, starts, doc, pair, doc[first], ids[first], first,
                   offsets, ends - starts, tuple(readings), table)  # fmt: skip

    def judged(self, judge, dtype) -> np.ndarray:
        """`judge(word)` per word number (index it with `pair_id`), judged once per process."""
        return self.table.judged(judge, dtype)

    @cached_property
    def layout(self) -> Layout:
        """Where the readings' fields lie, for placing chosen terms (`service.placing`)."""
        return Layout.of(self.readings)

    def top(self, score: np.ndarray, k: int) -> np.ndarray:
        """Per reading, its (at most) k pairs of highest score > 0, ties in text order: pair
        numbers ordered by reading, then rank."""
        if (chosen := top_pairs(score, self.pair_doc, k)) is not None:
            return chosen
        keep = np.flatnonzero(score > 0)  # by reading, then in text order
        keep = keep[_at_least_kth(score[keep], self.pair_doc[keep], len(self.offsets) - 1, k)]
        order = keep[np.argsort(-score[keep], kind="stable")]  # by score, ties in text order
        docs = self.pair_doc[order]
        small = np.int16 if len(self.offsets) <= 2**15 else np.int64  # int16: a radix sort
        order = order[np.argsort(docs.astype(small), kind="stable")]  # by reading
        docs = self.pair_doc[order]
        firsts = np.searchsorted(docs, docs, side="left")
        return order[np.arange(len(order)) - firsts < k]

    def grouped(
        self, pairs: np.ndarray, words: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The words (batch numbers) of `pairs` (`words`: only these), and for each the number
        of its pair in `pairs`: ordered by that number, each pair's words in text order."""
        number = np.full(len(self.pair_doc), -1, dtype=np.int64)
        number[pairs] = np.arange(len(pairs))
        of = number[self.pair]
        hit = of >= 0 if words is None else words & (of >= 0)
        at = np.flatnonzero(hit)
        at = at[np.argsort(of[at], kind="stable")]
        return at, of[at]
