"""The desk model compiled to numpy arrays: the fitted pipeline's exact features and probabilities.

Training fits a scikit-learn pipeline (word TF-IDF + char TF-IDF + cues → LogisticRegression);
`training.export` compiles it into these classes. They compute the same numbers with a handful
of vectorised numpy passes per batch instead of a Python dict lookup per n-gram, and loading
them imports neither scikit-learn nor joblib's pipeline machinery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import chain, repeat

import numpy as np

# The LABELS.md cues live in their own module; their names stay importable from here too.
from .cues import BASE_CUES, CUE_NAMES, CueBlock, cue_spans, cues, masked

# The n-gram coding and the sparse rows live in their own modules; their names stay importable
# from here, where model files and callers have always found them.
from .ngrams import (
    BITS,
    MAX_N,
    TermTable,
    char_ngram_codes,
    char_ngrams,
    known_ngrams,
    ngram_code,
    ngrams_at_every_start,
    prepared_positions,
)
from .termrows import TermMatrix, tfidf

__all__ = [
    "BASE_CUES",
    "CHUNK_CHARS",
    "CUE_NAMES",
    "CharTfidf",
    "CueBlock",
    "DeskModel",
    "HeadChars",
    "HeadWords",
    "MAX_N",
    "TermMatrix",
    "TermTable",
    "WordTfidf",
    "char_heads",
    "char_ngram_codes",
    "char_ngrams",
    "compose",
    "cue_spans",
    "cues",
    "head",
    "headline",
    "ngram_code",
    "prepared_positions",
]

# Characters per vectorised pass: the arrays of one pass (~8 int64 per character) stay in
# cache-sized memory; a whole 10^6-record file is never expanded at once.
CHUNK_CHARS = 200_000


def compose(title: str, body: str) -> str:
    """One text from a title and body, as the vectorisers see it at training and serving alike."""
    return f"{title}\n{body}"


def headline(title: str, kicker: str = "", subtitle: str = "") -> str:
    """The title line the model reads: 引题, title and 副题 on one line (a title has no newline)."""
    parts = (kicker, title, subtitle)
    return " ".join(" ".join(p.split()) for p in parts if p and p.strip())


def head(text: str, chars: int) -> str:
    """A composed text cut to its title and the body's first `chars` characters (0 = whole).

    What a feature block reads when the model says so: the opening names the desk's subject,
    and segmentation and n-grams cost per character.
    """
    if chars <= 0:
        return text
    return text[: text.find("\n") + 1 + chars]  # composed as title + "\n" + body


class HeadWords:
    """A picklable tokenizer: `segment(head(text, chars))`, the same at training and serving."""

    def __init__(self, segment: Callable[[str], list[str]], chars: int) -> None:
        self.segment = segment
        self.chars = chars

    def __call__(self, text: str) -> list[str]:
        return self.segment(head(text, self.chars))


def char_heads(texts: Sequence[str], chars: int, mask: str | None) -> Sequence[str]:
    """What a char block reads of composed texts before sklearn's own preparing: each text's
    head (`head`), then its mask (`service.cues.masked`: same length), at training and serving."""
    if chars > 0:
        texts = [head(t, chars) for t in texts]
    return masked(texts, mask) if mask else texts


class HeadChars:
    """A picklable char preprocessor: `char_heads` of one text, lower-cased as sklearn's default
    does."""

    mask: str | None = None  # pickles from before the option read the text unmasked

    def __init__(self, chars: int, lowercase: bool = True, mask: str | None = None) -> None:
        self.chars = chars
        self.lowercase = lowercase
        if mask:  # stored only when set, as CharTfidf does
            self.mask = mask

    def __call__(self, text: str) -> str:
        (text,) = char_heads([text], self.chars, self.mask)
        return text.lower() if self.lowercase else text


class _TfidfBlock:
    """What both TF-IDF blocks share: width from their idf, rows as scipy.sparse from `terms`."""

    idf_: np.ndarray
    sublinear_tf: bool
    norm: str | None

    @property
    def n_features(self) -> int:
        return len(self.idf_)

    def matrix(self, texts: Sequence[str]):
        """The texts' TF-IDF rows as a scipy.sparse matrix, as the fitted vectoriser gives them."""
        return self.terms(texts).to_scipy()

    def terms(self, texts: Sequence[str]) -> TermMatrix:
        raise NotImplementedError

    def rows(self, columns: np.ndarray, owners: np.ndarray, n_texts: int) -> TermMatrix:
        """The TF-IDF rows of `hits`' columns and owners (laid out as `termrows.tfidf` picks)."""
        return tfidf(columns, owners, n_texts, self.idf_, self.sublinear_tf, self.norm)


class CharTfidf(_TfidfBlock):
    """TfidfVectorizer(analyzer="char") at transform time: n-gram codes looked up in a table."""

    head_chars = 0  # models pickled before the option read the whole text
    mask: str | None = None  # model files before YEARS5 read the text unmasked

    def __init__(
        self,
        table_: TermTable,
        idf_: np.ndarray,
        *,
        ngram_range: tuple[int, int],
        lowercase: bool,
        sublinear_tf: bool,
        norm: str | None,
        head_chars: int = 0,
        mask: str | None = None,
    ) -> None:
        self.table_ = table_
        self.idf_ = idf_
        self.ngram_range = ngram_range
        self.lowercase = lowercase
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.head_chars = head_chars
        if mask:  # only a masking block stores it: an unmasked model writes the bytes it did
            self.mask = mask

    def terms(self, texts: Sequence[str]) -> TermMatrix:
        columns, owners, _, _ = self.hits(texts)
        return self.rows(columns, owners, len(texts))

    def hits(
        self, texts: Sequence[str], *, positions: bool = False, odd: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Every n-gram of the texts' heads the model knows, in the order `terms` counts them:
        its column and its text; with `positions` (for evidence) also where it starts in the
        heads as `prepared_positions` prepares them, joined in order, and its length (`odd`:
        filled as `ngrams.prepared_points` fills it)."""
        texts = char_heads(texts, self.head_chars, self.mask)
        table, unigrams = self.table_, self._unigrams()
        known = known_ngrams(texts, self.ngram_range, self.lowercase, unigrams, table, odd)
        if known is not None:
            return known if positions else (known[0], known[1], None, None)
        columns, owners, starts, sizes = [], [], [], []
        for found, docs, at, n in self._known(texts, odd):
            columns.append(found)
            owners.append(docs)
            if positions:
                starts.append(at)
                sizes.append(np.full(len(at), n, dtype=np.int64))
        if not columns:
            columns, owners = [np.zeros(0, dtype=np.int32)], [np.zeros(0, dtype=np.int32)]
            starts, sizes = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        if not positions:
            return np.concatenate(columns), np.concatenate(owners), None, None
        return tuple(map(np.concatenate, (columns, owners, starts, sizes)))  # type: ignore[return-value]

    def _known(self, texts: Sequence[str], odd: np.ndarray | None = None) -> Iterator[tuple]:
        """`ngrams.known_ngrams` in numpy passes (which define its values): for each n, the
        columns, texts and starts of the n-grams the block knows, and n."""
        grams = ngrams_at_every_start(texts, self.ngram_range, self.lowercase, odd)
        for n, codes, docs, whole in grams:
            if n == 1:  # a code past the table's end is clipped onto its last entry, -1
                found = self._unigrams().take(codes, mode="clip")
            else:
                found = self.table_.lookup(codes)
            known = found >= 0
            if whole is not None:  # one filter for both: known, and not spanning two texts
                known &= whole
            at = np.flatnonzero(known)  # found once, then gathers (not three mask passes)
            yield found[at], docs[at], at, n

    def _unigrams(self) -> np.ndarray:
        """Column of each single character, by code, in a flat array: one gather, no hashing.

        The array ends one past the highest known code, with -1 there for every code beyond.
        """
        flat = self.__dict__.get("_flat")
        if flat is None:
            keys, values = self.table_.keys_, self.table_.values_
            single = (keys > 0) & (keys < (1 << BITS))
            flat = np.full(int(keys[single].max(initial=0)) + 2, -1, dtype=np.int32)
            flat[keys[single]] = values[single]
            self._flat = flat
        return flat

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_flat"}  # rebuilt on use


class WordTfidf(_TfidfBlock):
    """TfidfVectorizer over a tokenizer's words at transform time: one dict lookup per word."""

    def __init__(
        self,
        vocabulary_: dict[str, int],
        idf_: np.ndarray,
        tokenizer: Callable[[str], list[str]],
        *,
        lowercase: bool,
        sublinear_tf: bool,
        norm: str | None,
    ) -> None:
        self.vocabulary_ = vocabulary_
        self.idf_ = idf_
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.sublinear_tf = sublinear_tf
        self.norm = norm

    @property
    def vocabulary_(self) -> dict[str, int]:
        """word → column. A model file's is made on first use (`modelfile` defers it: the
        keyword block's 76k words cost ~30 ms of every start, and a plain classify never
        reads them)."""
        vocabulary = self.__dict__["vocabulary_"]
        if callable(vocabulary):  # a deferred mapping: make it once, keep it
            vocabulary = self.__dict__["vocabulary_"] = vocabulary()
        return vocabulary

    @vocabulary_.setter
    def vocabulary_(self, value: dict[str, int]) -> None:
        self.__dict__["vocabulary_"] = value

    def __getstate__(self) -> dict:
        return {**self.__dict__, "vocabulary_": self.vocabulary_}

    def terms(self, texts: Sequence[str]) -> TermMatrix:
        tokenize = self.tokenizer
        return self.counted([tokenize(t.lower() if self.lowercase else t) for t in texts])

    def counted(self, words: Sequence[list[str]]) -> TermMatrix:
        """`terms` of texts already tokenized, as `tokenizer` tokenizes them (for evidence)."""
        columns, owners, _ = self.hits(words)
        return self.rows(columns, owners, len(words))

    def hits(self, words: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The column and text of every known word of tokenized texts, in order, and where the
        known ones are among all the words."""
        counts = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        total = int(counts.sum())
        # get(word, -1) over all words in C: no Python frame, no KeyError per unknown word.
        columns = np.fromiter(
            map(self.vocabulary_.get, chain.from_iterable(words), repeat(-1)),
            dtype=np.int64,
            count=total,
        )
        owners = np.repeat(np.arange(len(words), dtype=np.int64), counts)
        known = columns >= 0
        return columns[known], owners[known], known


class DeskModel:
    """Feature blocks side by side, then a linear layer: LogisticRegression's probabilities."""

    def __init__(
        self,
        classes_: np.ndarray,
        blocks: Sequence[CharTfidf | WordTfidf | CueBlock],
        coef_: np.ndarray,
        intercept_: np.ndarray,
        keywords_block: WordTfidf | None = None,
    ) -> None:
        self.classes_ = classes_
        self.blocks = tuple(blocks)
        self.coef_ = coef_
        self.intercept_ = intercept_
        # Word idf over the whole training texts, for keywords only (labels never read it):
        # the desk blocks read character n-grams, which weigh no word.
        self.keywords_block = keywords_block

    def features(self, items: Sequence[tuple[str, str]]):
        """The texts × features matrix the fitted pipeline's FeatureUnion gives (float64, CSR)."""
        from scipy import sparse

        texts = [compose(t, b) for t, b in items]
        parts = [sparse.csr_matrix(block.matrix(texts)) for block in self.blocks]
        out = sparse.hstack(parts, format="csr", dtype=np.float64)
        out.sort_indices()
        return out

    def decision_function(self, items: Sequence[tuple[str, str]]) -> np.ndarray:
        """X @ coef_.T + intercept_, computed a chunk of about CHUNK_CHARS characters at a time."""
        texts = [compose(t, b) for t, b in items]
        out = np.empty((len(texts), len(self.intercept_)), dtype=np.float64)
        for lo, hi in _chunks(texts):
            out[lo:hi] = self._scores(texts[lo:hi])
        return out

    def _scores(self, texts: list[str]) -> np.ndarray:
        return self.scores_of([block.terms(texts) for block in self.blocks])

    def scores_of(self, terms: Sequence) -> np.ndarray:
        """Decision values from each block's `terms` of one batch (evidence reuses them)."""
        scores = np.zeros((terms[0].shape[0], len(self.intercept_)), dtype=np.float64)
        for block_terms, weights in zip(terms, self._weights(), strict=True):
            if isinstance(block_terms, np.ndarray):
                scores += block_terms @ weights
            else:
                scores += block_terms.dot(weights)
        return scores + self.intercept_

    def _weights(self) -> list[np.ndarray]:
        """Each block's slice of coef_, transposed and contiguous once, not per chunk."""
        weights = self.__dict__.get("_block_weights")
        if weights is None:
            bounds = np.cumsum([0] + [b.n_features for b in self.blocks])
            weights = [
                np.ascontiguousarray(self.coef_[:, lo:hi].T)
                for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
            ]
            self._block_weights = weights
        return weights

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_block_weights"}

    def predict_proba(self, items: Sequence[tuple[str, str]]) -> np.ndarray:
        """Class probabilities, columns in `classes_` order (softmax; logistic for two classes)."""
        return self.proba_of(self.decision_function(items))

    def proba_of(self, scores: np.ndarray) -> np.ndarray:
        """`predict_proba` from decision values (overwrites `scores`)."""
        if len(self.classes_) <= 2:
            p = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - p, p])
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict(self, items: Sequence[tuple[str, str]]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(items), axis=1)]


def _chunks(texts: Sequence[str]) -> list[tuple[int, int]]:
    bounds, lo, size = [], 0, 0
    for i, t in enumerate(texts):
        size += len(t)
        if size >= CHUNK_CHARS:
            bounds.append((lo, i + 1))
            lo, size = i + 1, 0
    if lo < len(texts):
        bounds.append((lo, len(texts)))
    return bounds
