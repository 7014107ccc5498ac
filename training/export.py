"""Compile a fitted desk pipeline into a `service.model.DeskModel`: serving needs no sklearn."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from service.classifier import Vocabulary, compose_all
from service.errors import ExportError
from service.model import (
    MAX_N,
    CharTfidf,
    CueBlock,
    DeskModel,
    HeadChars,
    TermTable,
    WordTfidf,
    ngram_code,
)

from .cues import Cues

__all__ = ["export", "check_export", "TOLERANCE"]

# Compiled and fitted probabilities agree to this (float32 features, float64 sums).
TOLERANCE = 1e-6


def export(pipeline: Pipeline) -> DeskModel:
    """The fitted `training.train.build_pipeline` pipeline as a DeskModel of numpy arrays."""
    steps = dict(pipeline.steps)
    text, features, clf = (steps.get(k) for k in ("text", "features", "clf"))
    if not (
        len(pipeline.steps) == 3
        and isinstance(text, FunctionTransformer)
        and text.func is compose_all
        and isinstance(features, FeatureUnion)
        and isinstance(clf, LogisticRegression)
    ):
        raise ExportError("expected Pipeline(text=compose_all, features=FeatureUnion, clf=LR)")
    if features.transformer_weights:
        raise ExportError("transformer weights are not compiled")
    blocks = [_block(name, step) for name, step in features.transformer_list]
    n = sum(b.n_features for b in blocks)
    # Column-major: each block's slice of coef_, transposed, is then contiguous as it is.
    coef = np.asfortranarray(clf.coef_, dtype=np.float64)
    if coef.shape[1] != n:
        raise ExportError(f"the classifier has {coef.shape[1]} inputs, the blocks give {n}")
    classes = np.asarray([str(c) for c in clf.classes_], dtype=object)
    return DeskModel(classes, blocks, coef, np.asarray(clf.intercept_, dtype=np.float64))


def _block(name: str, step: object) -> CharTfidf | WordTfidf | CueBlock:
    if isinstance(step, Cues):
        return CueBlock(step.names)
    if not isinstance(step, TfidfVectorizer):
        raise ExportError(f"feature step {name!r} is a {type(step).__name__}, not compiled")
    pre = step.preprocessor
    same = (
        step.input == "content"
        and (pre is None or (isinstance(pre, HeadChars) and step.analyzer == "char"))
        and step.strip_accents is None
        and step.stop_words is None
        and step.use_idf
        and hasattr(step, "idf_")
    )
    if not same:
        raise ExportError(f"feature step {name!r} uses options the compiled model lacks")
    idf = np.asarray(step.idf_)
    common = {"sublinear_tf": step.sublinear_tf, "norm": step.norm}
    if step.analyzer == "char":
        low, high = step.ngram_range
        if not 1 <= low <= high <= MAX_N:
            raise ExportError(f"char n-grams {step.ngram_range} beyond 1..{MAX_N}")
        terms = list(step.vocabulary_)
        keys = np.fromiter(map(ngram_code, terms), dtype=np.int64, count=len(terms))
        columns = np.fromiter((step.vocabulary_[t] for t in terms), np.int32, len(terms))
        return CharTfidf(
            TermTable.build(keys, columns),
            idf,
            ngram_range=(low, high),
            # sklearn applies a given preprocessor instead of its own lower-casing
            lowercase=pre.lowercase if pre is not None else step.lowercase,
            head_chars=pre.chars if pre is not None else 0,
            mask=pre.mask if pre is not None else None,
            **common,
        )
    if step.analyzer == "word" and step.tokenizer is not None and step.ngram_range == (1, 1):
        return WordTfidf(
            Vocabulary(step.vocabulary_), idf, step.tokenizer, lowercase=step.lowercase, **common
        )
    raise ExportError(f"feature step {name!r}: analyzer {step.analyzer!r} is not compiled")


def check_export(pipeline: Pipeline, model: DeskModel, items: Sequence[tuple[str, str]]) -> float:
    """The largest probability gap of model and pipeline on `items`; raises past TOLERANCE."""
    if not items:
        return 0.0
    want = pipeline.predict_proba(list(items))
    got = model.predict_proba(list(items))
    gap = float(np.abs(want - got).max())
    if gap > TOLERANCE or list(model.classes_) != [str(c) for c in pipeline.classes_]:
        raise ExportError(f"compiled model differs from the pipeline by {gap:.2e}")
    return gap
