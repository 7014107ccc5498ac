"""The LABELS.md cue columns as a scikit-learn transformer, for fitting the pipeline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from service.model import BASE_CUES, cues

__all__ = ["Cues"]


class Cues(TransformerMixin, BaseEstimator):
    """Binary LABELS.md cues (title series, an official's activity up front …) beside TF-IDF:
    the ones `names` lists (`training.train.CONFIG["cues"]`), in that order."""

    def __init__(self, names: Sequence[str] = BASE_CUES) -> None:
        self.names = names

    def fit(self, texts: Sequence[str], y: object = None) -> Cues:
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.csr_matrix(cues(texts, self.names))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(list(self.names), dtype=object)
