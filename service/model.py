"""The desk model compiled to numpy arrays: the fitted pipeline's exact features and probabilities.

Training fits a scikit-learn pipeline (word TF-IDF + char TF-IDF + cues → LogisticRegression);
`training.export` compiles it into these classes. They compute the same numbers with a handful
of vectorised numpy passes per batch instead of a Python dict lookup per n-gram, and loading
them imports neither scikit-learn nor joblib's pipeline machinery.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CHUNK_CHARS",
    "CUE_NAMES",
    "CharTfidf",
    "CueBlock",
    "DeskModel",
    "HeadChars",
    "HeadWords",
    "TermMatrix",
    "TermTable",
    "WordTfidf",
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

# scikit-learn's char analyzer squeezes runs of two or more whitespace characters to one space
# (`_VectorizerMixin._white_spaces`); a single "\n" stays as it is.
_WHITE_SPACES = re.compile(r"\s\s+")
# A code point is < 0x110000 < 2**21; stored +1 so no n-gram code is 0 (the empty slot) and an
# n-gram never shares a code with a shorter one. Three 21-bit characters fit in an int64.
_BITS = 21
MAX_N = 3
_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: golden-ratio multiplier

# LABELS.md: numbered commentary series (一论…九论) and "论学习贯彻…" subtitles mark opinion
# writing even where the byline (本报评论员) has been stripped from the body.
_SERIES = re.compile(r"[一二三四五六七八九十]+论|论学习贯彻")
# LABELS.md leadership: an official's 座谈/调研/招商… as the opening subject. The training news
# names national leaders; a local daily opens with "省委常委、市委书记X…举行座谈".
_OFFICIAL_ACTIVITY = re.compile(
    r"(书记|省长|市长|州长|县长|区长|常委)[^，。,]{0,15}"
    r"(会见|会谈|座谈|调研|考察|视察|主持|出席|看望|慰问|率队|招商)"
)
_LEAD_CHARS = 150  # the opening of the body, where the main subject is named
# LABELS.md: "signed essays and columns that argue a view (大使随笔, 观象台, 人民论坛 …) are
# commentary". A newspaper marks a column with a bracketed name on the title line (（人民时评）,
# （大使随笔）); other pages use the same mark for features (（解码）), so it is a cue the model
# weighs, not a rule. A signed essay ends with its author's affiliation (（作者为…）).
_TITLE_TAG = re.compile(r"[（(][^（）()]{2,8}[）)]")
_SIGNED = re.compile(r"作者为|作者单位|作者系")
_TAIL_CHARS = 120  # the body's end, where a signed essay names its author
CUE_NAMES = ("title_series", "official_activity", "title_tag", "signed")


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


class HeadChars:
    """A picklable char preprocessor: `head(text, chars)`, lower-cased as sklearn's default does."""

    def __init__(self, chars: int, lowercase: bool = True) -> None:
        self.chars = chars
        self.lowercase = lowercase

    def __call__(self, text: str) -> str:
        text = head(text, self.chars)
        return text.lower() if self.lowercase else text


def cues(texts: Sequence[str]) -> np.ndarray:
    """The binary LABELS.md cues of composed texts, in CUE_NAMES order."""
    out = np.zeros((len(texts), len(CUE_NAMES)), dtype=np.float64)
    for i, text in enumerate(texts):
        title, _, body = text.partition("\n")
        out[i, 0] = 1.0 if _SERIES.search(title) else 0.0
        out[i, 1] = 1.0 if _OFFICIAL_ACTIVITY.search(body[:_LEAD_CHARS]) else 0.0
        out[i, 2] = 1.0 if _TITLE_TAG.search(title) else 0.0
        out[i, 3] = 1.0 if _SIGNED.search(body[-_TAIL_CHARS:]) else 0.0
    return out


def cue_spans(text: str) -> tuple[tuple[int, int] | None, ...]:
    """Where each cue of `cues` fires in one composed text ([start, end) in it), None if not."""
    title, _, body = text.partition("\n")
    series = _SERIES.search(title)
    activity = _OFFICIAL_ACTIVITY.search(body[:_LEAD_CHARS])
    tag = _TITLE_TAG.search(title)
    tail = body[-_TAIL_CHARS:]
    signed = _SIGNED.search(tail)
    skip = len(title) + 1
    at_tail = skip + len(body) - len(tail)
    return (
        series.span() if series else None,
        (activity.start() + skip, activity.end() + skip) if activity else None,
        tag.span() if tag else None,
        (signed.start() + at_tail, signed.end() + at_tail) if signed else None,
    )


class TermTable:
    """A hash table from nonzero int64 codes to int32 columns, looked up a whole array at a time.

    Open addressing with linear probing, sized for a load of at most a third, so almost every
    key is settled by the first gather; the few collisions are probed on shrinking subsets.
    """

    def __init__(self, keys_: np.ndarray, values_: np.ndarray) -> None:
        self.keys_ = keys_
        self.values_ = values_

    @classmethod
    def build(cls, keys: np.ndarray, values: np.ndarray) -> TermTable:
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        values = np.ascontiguousarray(values, dtype=np.int32)
        if len(keys) != len(values) or (keys == 0).any() or len(np.unique(keys)) != len(keys):
            raise ValueError("a TermTable needs as many values as keys, keys unique and nonzero")
        bits = max(4, int(3 * max(len(keys), 1) - 1).bit_length())
        size = 1 << bits
        table_keys = np.zeros(size, dtype=np.int64)
        table_values = np.full(size, -1, dtype=np.int32)
        slot = _slots(keys, bits)
        pending = np.arange(len(keys))
        while pending.size:
            # Each free slot goes to the first pending key that wants it; the rest move on.
            free = table_keys[slot[pending]] == 0
            _, first = np.unique(slot[pending[free]], return_index=True)
            won = pending[free][first]
            table_keys[slot[won]] = keys[won]
            table_values[slot[won]] = values[won]
            placed = np.zeros(len(keys), dtype=bool)
            placed[won] = True
            pending = pending[~placed[pending]]
            slot[pending] = (slot[pending] + 1) & (size - 1)
        return cls(table_keys, table_values)

    def __len__(self) -> int:
        return int(np.count_nonzero(self.keys_))

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """The column of every code, -1 where a code is not in the table."""
        mask = len(self.keys_) - 1
        slot = _slots(codes, mask.bit_length())
        found = self.keys_[slot]
        out = self.values_[slot]
        miss = found != codes
        out[miss] = -1
        todo = np.flatnonzero(miss & (found != 0))  # landed on another key: probe on
        slot = slot[todo]
        while todo.size:
            slot = (slot + 1) & mask
            found = self.keys_[slot]
            hit = found == codes[todo]
            out[todo[hit]] = self.values_[slot[hit]]
            more = ~hit & (found != 0)
            todo, slot = todo[more], slot[more]
        return out


def _slots(codes: np.ndarray, bits: int) -> np.ndarray:
    hashed = np.ascontiguousarray(codes, dtype=np.int64).view(np.uint64) * _MULT
    return (hashed >> np.uint64(64 - bits)).view(np.int64)


def char_ngrams(
    texts: Sequence[str],
    ngram_range: tuple[int, int],
    lowercase: bool = True,
    *,
    positions: bool = False,
) -> Iterator[tuple]:
    """For each n: every character n-gram of `texts` as one int64 code, and its text's index
    (`positions`: and where it starts in the prepared texts, joined in order).

    The texts are prepared as scikit-learn's char analyzer prepares them (lower-cased, runs of
    whitespace squeezed to one space); an n-gram never spans two texts.
    """
    low, high = ngram_range
    docs = [_WHITE_SPACES.sub(" ", t.lower() if lowercase else t) for t in texts]
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    # surrogatepass: a lone surrogate (from a JSON "\ud800") is a code point like any other.
    joined = "".join(docs).encode("utf-32-le", "surrogatepass")
    points = np.frombuffer(joined, dtype="<u4").astype(np.int64) + 1
    doc = np.repeat(np.arange(len(docs), dtype=np.int32), lengths)
    ends = np.cumsum(lengths)
    for n in range(low, high + 1):
        m = len(points) - n + 1
        if m <= 0:
            break
        code = points[:m].copy()
        for j in range(1, n):
            code <<= _BITS
            code |= points[j : j + m]
        if n == 1:
            yield (n, code, doc, np.arange(m)) if positions else (n, code, doc)
            continue
        # The last n-1 positions of each text start no n-gram. (Where a text is shorter, the
        # positions this reaches back into the text before are too close to its end as well.)
        ok = np.ones(m, dtype=bool)
        for k in range(1, n):
            stop = ends - k
            ok[stop[(stop >= 0) & (stop < m)]] = False
        if positions:
            yield n, code[ok], doc[:m][ok], np.flatnonzero(ok)
        else:
            yield n, code[ok], doc[:m][ok]


def prepared_positions(text: str, lowercase: bool = True) -> tuple[str, np.ndarray]:
    """The text `char_ngrams` reads (lower-cased, whitespace runs squeezed) and, for each of its
    code points, the position in `text` it came from (a squeezed run: the run's first)."""
    starts = np.arange(len(text), dtype=np.int64)
    if lowercase:
        lowered = text.lower()  # whole-string, as char_ngrams does (a final Σ lowers to ς)
        if len(lowered) != len(text):  # a few characters lower to two ("İ" → "i̇")
            starts = np.repeat(starts, [len(c.lower()) for c in text])
        text = lowered
    keep = np.ones(len(text), dtype=bool)
    for m in _WHITE_SPACES.finditer(text):
        keep[m.start() + 1 : m.end()] = False
    squeezed = _WHITE_SPACES.sub(" ", text)
    return squeezed, starts[keep]


def char_ngram_codes(
    texts: Sequence[str], ngram_range: tuple[int, int], lowercase: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """All of `char_ngrams` in one pair of arrays: codes, and the index of each code's text."""
    parts = list(char_ngrams(texts, ngram_range, lowercase))
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    return np.concatenate([c for _, c, _ in parts]), np.concatenate([o for _, _, o in parts])


def ngram_code(term: str) -> int:
    """The code `char_ngram_codes` gives the n-gram `term` (1 to 3 characters)."""
    code = 0
    for ch in term:
        code = (code << _BITS) | (ord(ch) + 1)
    return code


def _kernels() -> Any:
    """scipy's compiled sparse kernels (`scipy.sparse._sparsetools`) without scipy.sparse.

    `import scipy.sparse` costs 0.1 s (its array-API layer pulls in numpy.testing and f2py), a
    tenth of a `newsdesk classify` run; the kernels are one extension module that needs only
    numpy. It is registered under its own name, so a later `import scipy.sparse` reuses it. The
    manifest pins scipy's major.minor, and the tests compare every result with scikit-learn's.
    """
    name = "scipy.sparse._sparsetools"
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    import importlib.machinery
    import importlib.util

    spec = importlib.util.find_spec("scipy")  # locates the package without importing it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(folder) / "sparse" / f"_sparsetools{suffix}"
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader(name, str(path))
                module = importlib.util.module_from_spec(
                    importlib.util.spec_from_file_location(name, path, loader=loader)
                )
                sys.modules[name] = module
                loader.exec_module(module)
                return module
    from scipy.sparse import _sparsetools  # an unusual layout: the ordinary import

    return _sparsetools


@dataclass(frozen=True, eq=False)
class TermMatrix:
    """A texts × features matrix as CSC parts: per feature, the texts that have it and values."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """self @ weights for a dense C-contiguous float64 (features × k) array."""
        n_docs, n_features = self.shape
        out = np.zeros((n_docs, weights.shape[1]), dtype=np.float64)
        if len(self.data):
            _kernels().csc_matvecs(
                n_docs,
                n_features,
                weights.shape[1],
                self.indptr,
                self.indices,
                self.data.astype(np.float64),
                weights.ravel(),
                out.ravel(),
            )
        return out

    def to_scipy(self):
        """The same matrix as a scipy.sparse.csc_matrix (for inspection and tests)."""
        from scipy import sparse

        return sparse.csc_matrix((self.data, self.indices, self.indptr), shape=self.shape)


def _tfidf(
    columns: np.ndarray,
    owners: np.ndarray,
    n_docs: int,
    idf: np.ndarray,
    sublinear_tf: bool,
    norm: str | None,
) -> TermMatrix:
    """Counts of (text, column) hits → TfidfTransformer's matrix, in its dtype and arithmetic.

    The counts are summed per feature by scipy's COO→CSR kernel, a counting sort that keeps
    input order within a feature. Hits of one feature arrive in text order (each n-gram length
    and the words come text by text), so its duplicates end up adjacent and are summed without
    any sort.
    """
    kernels = _kernels()
    dtype = idf.dtype
    n_features, nnz = len(idf), len(columns)
    index = np.int32 if max(n_features, n_docs, nnz) < 2**31 - 1 else np.int64
    indptr = np.empty(n_features + 1, dtype=index)
    indices = np.empty(nnz, dtype=index)
    data = np.empty(nnz, dtype=dtype)
    kernels.coo_tocsr(
        n_features,
        n_docs,
        nnz,
        columns.astype(index, copy=False),
        owners.astype(index, copy=False),
        np.ones(nnz, dtype=dtype),
        indptr,
        indices,
        data,
    )
    kernels.csr_sum_duplicates(n_features, n_docs, indptr, indices, data)
    nnz = int(indptr[-1])
    indices, data = indices[:nnz], data[:nnz]
    if sublinear_tf:
        np.log(data, out=data)
        data += 1
    data *= np.repeat(idf, np.diff(indptr))
    if norm == "l2":
        # sklearn: the squares in the data's dtype, their sum in double, the quotient rounded back.
        sums = np.bincount(indices, weights=data * data, minlength=n_docs)
        lengths = np.sqrt(sums)
        lengths[lengths == 0] = 1.0  # an empty row stays empty
        data[:] = data / lengths[indices]
    elif norm == "l1":
        sums = np.bincount(indices, weights=np.abs(data), minlength=n_docs)
        sums[sums == 0] = 1.0
        data[:] = data / sums[indices]
    return TermMatrix(indptr, indices, data, (n_docs, n_features))


class _TfidfBlock:
    """What both TF-IDF blocks share: width from their idf, rows as scipy.sparse from `terms`."""

    idf_: np.ndarray

    @property
    def n_features(self) -> int:
        return len(self.idf_)

    def matrix(self, texts: Sequence[str]):
        """The texts' TF-IDF rows as a scipy.sparse matrix, as the fitted vectoriser gives them."""
        return self.terms(texts).to_scipy()

    def terms(self, texts: Sequence[str]) -> TermMatrix:
        raise NotImplementedError


class CharTfidf(_TfidfBlock):
    """TfidfVectorizer(analyzer="char") at transform time: n-gram codes looked up in a table."""

    head_chars = 0  # models pickled before the option read the whole text

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
    ) -> None:
        self.table_ = table_
        self.idf_ = idf_
        self.ngram_range = ngram_range
        self.lowercase = lowercase
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.head_chars = head_chars

    def terms(self, texts: Sequence[str]) -> TermMatrix:
        if self.head_chars > 0:
            texts = [head(t, self.head_chars) for t in texts]
        columns, owners = [], []
        for n, codes, docs in char_ngrams(texts, self.ngram_range, self.lowercase):
            if n == 1:  # a code past the table's end is clipped onto its last entry, -1
                found = self._unigrams().take(codes, mode="clip")
            else:
                found = self.table_.lookup(codes)
            known = found >= 0
            columns.append(found[known])
            owners.append(docs[known])
        if not columns:
            columns, owners = [np.zeros(0, dtype=np.int32)], [np.zeros(0, dtype=np.int32)]
        return _tfidf(
            np.concatenate(columns),
            np.concatenate(owners),
            len(texts),
            self.idf_,
            self.sublinear_tf,
            self.norm,
        )

    def ngram_columns(
        self, texts: Sequence[str]
    ) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """For each n, every n-gram `terms` counts, kept in place (for evidence): its column
        (-1 where the model has none), its text, and where it starts in the texts' heads as
        `prepared_positions` prepares them, joined in order."""
        if self.head_chars > 0:
            texts = [head(t, self.head_chars) for t in texts]
        for n, codes, docs, starts in char_ngrams(
            texts, self.ngram_range, self.lowercase, positions=True
        ):
            if n == 1:
                found = self._unigrams().take(codes, mode="clip")
            else:
                found = self.table_.lookup(codes)
            yield n, found, docs, starts

    def _unigrams(self) -> np.ndarray:
        """Column of each single character, by code, in a flat array: one gather, no hashing.

        The array ends one past the highest known code, with -1 there for every code beyond.
        """
        flat = self.__dict__.get("_flat")
        if flat is None:
            keys, values = self.table_.keys_, self.table_.values_
            single = (keys > 0) & (keys < (1 << _BITS))
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

    def terms(self, texts: Sequence[str]) -> TermMatrix:
        tokenize = self.tokenizer
        return self.counted([tokenize(t.lower() if self.lowercase else t) for t in texts])

    def counted(self, words: Sequence[list[str]]) -> TermMatrix:
        """`terms` of texts already tokenized, as `tokenizer` tokenizes them (for evidence)."""
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
        return _tfidf(
            columns[known], owners[known], len(words), self.idf_, self.sublinear_tf, self.norm
        )


class CueBlock:
    """The binary cue columns, unweighted, as the pipeline's cue step gives them."""

    n_features = len(CUE_NAMES)

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        return cues(texts)

    def terms(self, texts: Sequence[str]) -> np.ndarray:
        return cues(texts)


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
