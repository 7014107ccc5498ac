"""TF-IDF rows of a batch as sparse arrays, and their product with the model's weights.

Two layouts of the same numbers: by feature (CSC: built by a counting sort, whose cost grows
with the number of features) for large batches, and by text (CSR: sorted per text, whose cost
grows only with the hits) for the few articles of a single call. Both add each text's terms
in column order, so both give the same scores to the last bit.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TermMatrix", "hit_entries", "kernels", "tfidf", "tfidf_entries"]


def kernels() -> Any:
    """scipy's compiled sparse kernels (`scipy.sparse._sparsetools`) without scipy.sparse.

    `import scipy.sparse` costs 0.1 s (its array-API layer pulls in numpy.testing and f2py), a
    tenth of a `newsdesk classify` run; the kernels are one extension module that needs only
    numpy. It is registered under its own name, so a later `import scipy.sparse` reuses it. The
    manifest pins scipy's major.minor, and the tests compare every result with scikit-learn's.
    Threads (a Dask worker's first tasks) load it once, under a lock, and it is registered only
    once executed, as `tokenize._jieba_class` loads rjieba: registered first, a multi-phase
    build of the module would show threads a module without its kernels (today's scipy builds
    it single-phase, whole before its exec step).
    """
    loaded = sys.modules.get(_KERNELS)
    if loaded is not None:
        return loaded
    with _KERNELS_LOCK:
        loaded = sys.modules.get(_KERNELS)
        return loaded if loaded is not None else _load_kernels(_KERNELS)


_KERNELS = "scipy.sparse._sparsetools"
_KERNELS_LOCK = threading.Lock()


def _load_kernels(name: str) -> Any:
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
                loader.exec_module(module)
                sys.modules[name] = module
                return module
    from scipy.sparse import _sparsetools  # an unusual layout: the ordinary import

    return _sparsetools


try:  # (optional: a checkout or install without a C compiler has scipy's and numpy's passes)
    from service._kernels import value_rows as _value_rows
except ImportError:
    _value_rows = None

# Below this many hits per feature a batch is laid out by text: the counting sort by feature
# walks every one of the block's columns (150k) however few the hits (~2 ms a single article).
BY_TEXT_BELOW = 0.25


@dataclass(frozen=True, eq=False)
class TermMatrix:
    """A texts × features matrix in sparse parts: by feature (CSC: per feature, the texts that
    have it) or, `by_text`, by text (CSR: per text, its features in column order)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]
    by_text: bool = False

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """self @ weights for a dense C-contiguous float64 (features × k) array.

        Either layout adds a text's products in column order, so both give the same bits."""
        n_docs, n_features = self.shape
        out = np.zeros((n_docs, weights.shape[1]), dtype=np.float64)
        if len(self.data):
            matvecs = kernels().csr_matvecs if self.by_text else kernels().csc_matvecs
            matvecs(
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

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored value with its text and column (int64), in storage order."""
        spans = np.diff(self.indptr)
        outer = np.repeat(np.arange(len(spans), dtype=np.int64), spans)
        inner = np.asarray(self.indices, dtype=np.int64)
        return (outer, inner, self.data) if self.by_text else (inner, outer, self.data)

    def to_scipy(self):
        """The same matrix as a scipy.sparse matrix (for inspection and tests)."""
        from scipy import sparse

        kind = sparse.csr_matrix if self.by_text else sparse.csc_matrix
        return kind((self.data, self.indices, self.indptr), shape=self.shape)


def tfidf(
    columns: np.ndarray,
    owners: np.ndarray,
    n_docs: int,
    idf: np.ndarray,
    sublinear_tf: bool,
    norm: str | None,
    by_text: bool | None = None,
) -> TermMatrix:
    """Counts of (text, column) hits → TfidfTransformer's matrix, in its dtype and arithmetic.

    The counts are summed by scipy's COO→CSR kernel, a counting sort that keeps input order.
    By feature (the default for a large batch): hits of one feature arrive in text order (each
    n-gram length and the words come text by text), so its duplicates end up adjacent and are
    summed without any sort. By text (`by_text`; by default when the hits are few against the
    features): each text's columns are sorted, then summed.
    """
    sparse = kernels()
    dtype = idf.dtype
    n_features, nnz = len(idf), len(columns)
    if by_text is None:
        by_text = nnz < BY_TEXT_BELOW * n_features
    n_outer, n_inner = (n_docs, n_features) if by_text else (n_features, n_docs)
    index = np.int32 if max(n_features, n_docs, nnz) < 2**31 - 1 else np.int64
    indptr = np.empty(n_outer + 1, dtype=index)
    indices = np.empty(nnz, dtype=index)
    data = np.empty(nnz, dtype=dtype)
    outer, inner = (owners, columns) if by_text else (columns, owners)
    sparse.coo_tocsr(
        n_outer,
        n_inner,
        nnz,
        outer.astype(index, copy=False),
        inner.astype(index, copy=False),
        np.ones(nnz, dtype=dtype),
        indptr,
        indices,
        data,
    )
    if by_text:
        sparse.csr_sort_indices(n_outer, indptr, indices, data)
    sparse.csr_sum_duplicates(n_outer, n_inner, indptr, indices, data)
    nnz = int(indptr[-1])
    return _weigh(indptr, indices[:nnz], data[:nnz], n_docs, idf, sublinear_tf, norm, by_text)


def tfidf_entries(
    columns: np.ndarray,
    owners: np.ndarray,
    n_docs: int,
    idf: np.ndarray,
    sublinear_tf: bool,
    norm: str | None,
) -> tuple[TermMatrix, np.ndarray, np.ndarray]:
    """`tfidf` (the same matrix to the last bit) and `hit_entries` of it, in one counting sort:
    the hits' numbers go through the sort, so the counts and each hit's value come out of it."""
    n_features = len(idf)
    by_text = len(columns) < BY_TEXT_BELOW * n_features
    index = np.int32 if max(n_features, n_docs, len(columns)) < 2**31 - 1 else np.int64
    if not by_text and index is np.int32 and _value_rows is not None:  # (a batch's case)
        made = _rows_in_c(columns, owners, n_docs, idf, sublinear_tf, norm)
        if made is not None:
            return made
    indptr, indices, new, entry, before = _sorted_hits(
        columns, owners, n_docs, n_features, by_text, index
    )
    firsts = np.flatnonzero(new)
    counts = np.diff(np.append(firsts, len(columns)))
    matrix = _weigh(
        before[indptr].astype(index),
        indices[firsts],
        counts.astype(idf.dtype),
        n_docs,
        idf,
        sublinear_tf,
        norm,
        by_text,
    )
    return matrix, entry, counts


def _rows_in_c(columns, owners, n_docs, idf, sublinear_tf, norm):
    """`tfidf_entries` by feature with its counting sort in C (service/_kernels.c's value_rows:
    3 passes, not `_sorted_hits`' ~10 and the gathers after; the same arrays), or None where
    the extension does not take them."""
    n_features, nnz = len(idf), len(columns)
    indptr, docs = np.empty(n_features + 1, np.int32), np.empty(nnz, np.int32)
    counts, entry = np.empty(nnz, np.int64), np.empty(nnz, np.int32)
    values = _value_rows(
        columns.astype(np.int32, copy=False), owners.astype(np.int32, copy=False),
        indptr, docs, counts, entry,
    )  # fmt: skip
    if values is None:
        return None
    counts = counts[:values]
    data = counts.astype(idf.dtype)
    matrix = _weigh(indptr, docs[:values], data, n_docs, idf, sublinear_tf, norm, False)
    return matrix, entry, counts


def _weigh(indptr, indices, data, n_docs, idf, sublinear_tf, norm, by_text) -> TermMatrix:
    """Summed counts (one value per text and column) → TF-IDF values, normalised per text."""
    n_features = len(idf)
    if sublinear_tf:
        np.log(data, out=data)
        data += 1
    if by_text:
        docs = np.repeat(np.arange(n_docs, dtype=indices.dtype), np.diff(indptr))
        data *= idf[indices]
    else:
        docs = indices
        data *= np.repeat(idf, np.diff(indptr))
    # Either way a text's values come in column order, so its sums add in the same order.
    if norm == "l2":
        # sklearn: the squares in the data's dtype, their sum in double, the quotient rounded back.
        sums = np.bincount(docs, weights=data * data, minlength=n_docs)
        lengths = np.sqrt(sums)
        lengths[lengths == 0] = 1.0  # an empty row stays empty
        data[:] = data / lengths[docs]
    elif norm == "l1":
        sums = np.bincount(docs, weights=np.abs(data), minlength=n_docs)
        sums[sums == 0] = 1.0
        data[:] = data / sums[docs]
    return TermMatrix(indptr, indices, data, (n_docs, n_features), by_text)


def _sorted_hits(columns, owners, n_docs, n_features, by_text, index):
    """The counting sort of the hits by (column, text) (by text: (text, column)), carrying each
    hit's number: indptr and indices of the sorted hits, where a new value starts, for each
    hit (in input order) the number of its value, and the values before each sorted hit."""
    n_outer, n_inner = (n_docs, n_features) if by_text else (n_features, n_docs)
    outer, inner = (owners, columns) if by_text else (columns, owners)
    nnz = len(columns)
    indptr = np.empty(n_outer + 1, dtype=index)
    indices = np.empty(nnz, dtype=index)
    order = np.empty(nnz, dtype=index)  # hit numbers, in the index dtype (which counts them)
    sparse = kernels()
    sparse.coo_tocsr(
        n_outer,
        n_inner,
        nnz,
        outer.astype(index, copy=False),
        inner.astype(index, copy=False),
        np.arange(nnz, dtype=index),
        indptr,
        indices,
        order,
    )
    if by_text:
        sparse.csr_sort_indices(n_outer, indptr, indices, order)
    new = np.ones(nnz + 1, dtype=bool)  # where a value starts: the inner index or the outer changes
    new[1:nnz] = indices[1:] != indices[:-1]
    # Every outer's start (an empty one's is the next one's, or past the end: the extra place).
    new[indptr[:-1]] = True
    new = new[:nnz]
    before = np.zeros(nnz + 1, dtype=np.int64)  # values before each sorted hit, then all
    np.cumsum(new, out=before[1:])
    entry = np.empty(nnz, dtype=index)  # (the index dtype counts the hits, so their values)
    entry[order] = before[1:] - 1
    return indptr, indices, new, entry, before


def hit_entries(
    columns: np.ndarray, owners: np.ndarray, matrix: TermMatrix
) -> tuple[np.ndarray, np.ndarray]:
    """For the hits `matrix` was made of (`tfidf(columns, owners, …)`): each hit's index into
    `matrix.data`, and how many hits each value counts (for evidence).

    The same counting sort as `tfidf`, carrying each hit's number instead of a 1: the hits of
    one value end up adjacent, in the order of the values they make."""
    n_docs, n_features = matrix.shape
    index = matrix.indices.dtype
    _, _, new, entry, _ = _sorted_hits(columns, owners, n_docs, n_features, matrix.by_text, index)
    firsts = np.flatnonzero(new)
    if len(firsts) != len(matrix.data):
        raise ValueError("the hits are not the ones the matrix was made of")
    return entry, np.diff(np.append(firsts, len(columns)))
