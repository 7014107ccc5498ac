"""What a loaded model's arrays must agree on before any kernel indexes with them.

scipy's sparse kernels take column numbers and shapes on trust: a model file whose term table
names a column past its block, or whose weights are narrower than its blocks, makes them write
or read outside their arrays (a crafted file crashed the process). The manifest's sha256 says
the file is the one trained, not that it is sound, so every file is checked once, at load.
"""

from __future__ import annotations

import numpy as np

from .cues import CUE_NAMES, MASKS, CueBlock
from .model import MAX_N, CharTfidf, DeskModel, HeadWords, TermTable, WordTfidf
from .tokenize import Segmenter

__all__ = ["check_model"]


def check_model(model: DeskModel) -> None:
    """Raise ValueError naming the first part that disagrees; return quietly if none does."""
    classes = _array(model.classes_, "classes_", 1)
    coef = _array(model.coef_, "coef_", 2, "f")
    intercept = _array(model.intercept_, "intercept_", 1, "f")
    rows = len(classes) if len(classes) > 2 else 1  # two classes: one logistic row
    if len(classes) < 2 or coef.shape[0] != rows or len(intercept) != rows:
        raise ValueError(
            f"{len(classes)} classes, {coef.shape[0]} weight rows, {len(intercept)} intercepts"
        )
    if not isinstance(model.blocks, tuple) or not model.blocks:
        raise ValueError("a model without feature blocks")
    for i, block in enumerate(model.blocks):
        _check_block(block, f"blocks[{i}]")
    width = sum(block.n_features for block in model.blocks)
    if coef.shape[1] != width:
        raise ValueError(f"coef_ has {coef.shape[1]} columns, the blocks give {width} features")
    if model.keywords_block is not None:
        if not isinstance(model.keywords_block, WordTfidf):
            raise ValueError("keywords_block is not a word block")
        _check_block(model.keywords_block, "keywords_block")


def _check_block(block: object, where: str) -> None:
    if isinstance(block, CueBlock):
        unknown = [n for n in block.names if n not in CUE_NAMES]
        if unknown:
            raise ValueError(f"{where} names an unknown cue {unknown[0]!r}")
        return
    if not isinstance(block, CharTfidf | WordTfidf):
        raise ValueError(f"{where} is a {type(block).__name__}, not a feature block")
    idf = _array(block.idf_, f"{where}.idf_", 1, "f")
    if block.norm not in (None, "l1", "l2"):
        raise ValueError(f"{where} has norm {block.norm!r}")
    for flag in ("lowercase", "sublinear_tf"):
        if not isinstance(getattr(block, flag), bool):
            raise ValueError(f"{where}.{flag} is not true or false")
    if isinstance(block, CharTfidf):
        low, high = block.ngram_range
        if not (_count(low) and _count(high) and 1 <= low <= high <= MAX_N):
            raise ValueError(f"{where} reads n-grams {block.ngram_range!r}")
        if not _count(block.head_chars) or (block.mask is not None and block.mask not in MASKS):
            raise ValueError(f"{where} reads {block.head_chars!r} characters, mask {block.mask!r}")
        _check_table(block.table_, len(idf), f"{where}.table_")
    else:
        if isinstance(block.tokenizer, HeadWords):
            if not _count(block.tokenizer.chars):
                raise ValueError(f"{where} reads {block.tokenizer.chars!r} characters")
            if isinstance(block.tokenizer.segment, Segmenter):
                _check_userdict(block.tokenizer.segment.userdict, f"{where}'s user dictionary")
        ids = _word_ids(block)
        if len(ids) and (ids.min() < 0 or ids.max() >= len(idf)):
            raise ValueError(f"{where}'s vocabulary names a column outside its {len(idf)}")


def _check_table(table: object, n_features: int, where: str) -> None:
    if not isinstance(table, TermTable):
        raise ValueError(f"{where} is not a TermTable")
    keys = _array(table.keys_, f"{where}.keys_", 1, "i")
    values = _array(table.values_, f"{where}.values_", 1, "i")
    size = len(keys)
    if keys.dtype != np.int64 or values.dtype != np.int32 or len(values) != size:
        raise ValueError(f"{where}: keys and values are not int64 and int32 of one length")
    if size < 16 or size & (size - 1):
        raise ValueError(f"{where} has {size} slots, not a power of two")
    empty = values == -1
    if not np.array_equal(empty, keys == 0):  # lookup reads an empty slot's value as "no column"
        raise ValueError(f"{where}: an empty slot gives a column, or a key gives none")
    if 2 * np.count_nonzero(empty) < size:  # a probe ends on an empty slot: there must be many
        raise ValueError(f"{where} is more than half full")
    if values.min() < -1 or values.max() >= n_features:
        raise ValueError(f"{where} names a column outside its block's {n_features}")


def _check_userdict(entries: tuple, where: str) -> None:
    """rjieba takes each word as UTF-8 and its frequency as a 64-bit count: a lone surrogate or
    a larger number loads here and fails every segmentation after."""
    for word, freq, tag in entries:
        try:
            word.encode("utf-8"), tag.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{where} holds {word!r}, not text") from None
        if freq is not None and not (_count(freq) and freq < 2**63):
            raise ValueError(f"{where} gives {word!r} the frequency {freq!r}")


def _word_ids(block: WordTfidf) -> np.ndarray:
    """The vocabulary's columns; a model file's deferred vocabulary carries them (`ids`)
    without being made."""
    vocabulary = block.__dict__.get("vocabulary_")
    ids = getattr(vocabulary, "ids", None) if callable(vocabulary) else None
    if ids is None:
        ids = np.fromiter(block.vocabulary_.values(), dtype=np.int64)
    return _array(ids, "vocabulary ids", 1, "iu")


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _array(value: object, where: str, ndim: int, kinds: str = "") -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.ndim != ndim:
        raise ValueError(f"{where} is not a {ndim}-D array")
    if kinds and value.dtype.kind not in kinds:
        raise ValueError(f"{where} holds {value.dtype}, not numbers of kind {kinds!r}")
    if value.dtype.kind == "f" and not np.isfinite(value).all():
        raise ValueError(f"{where} holds a value that is not finite")
    return value
