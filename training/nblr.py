"""The desk classifier: one-vs-rest logistic regressions on naive-Bayes-scaled features.

NBSVM (Wang & Manning, "Baselines and Bigrams", ACL 2012), with logistic regression in place
of the SVM: label c's model reads each feature scaled by its log-count ratio r_c, how much
more often (by row weight) the feature occurs in c's rows than in the others'. The scores stay
linear in the features (coef_c = w_c * r_c), so this is a `LogisticRegression` to everything
downstream: the compiled model, exact evidence, and probabilities as the softmax of the
scores. Chosen by cross-validation on held-out newspaper months, half and half with a plain
LR's scores so that a leader's activity about industry stays leadership (training/EXPERIMENTS.md,
rows 141–153).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

__all__ = ["NBLogisticRegression"]


class NBLogisticRegression(LogisticRegression):
    """`alpha`: the count smoothing of the log-count ratios (NBSVM's 1). `mix`: the share of
    the NB-scaled scores in the final ones, the rest a plain (multinomial) LR's on the same
    rows, as NBSVM interpolates its weights with a plain model's (1: NB-scaled alone)."""

    def __init__(
        self,
        C: float = 1.0,
        alpha: float = 1.0,
        mix: float = 1.0,
        max_iter: int = 5000,
        random_state=None,
    ) -> None:
        super().__init__(C=C, max_iter=max_iter, random_state=random_state)
        self.alpha = alpha
        self.mix = mix

    def fit(self, X, y, sample_weight=None):
        X = sparse.csr_matrix(X)
        y = np.asarray(y)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
        present = X.copy()
        present.data = np.ones_like(present.data, dtype=np.float64)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("NBLogisticRegression needs rows of two or more labels")
        # two labels: one model, for the second (LogisticRegression's binary layout)
        ones = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        coefs, biases, iters = [], [], []
        for label in ones:
            mine = y == label
            p = self.alpha + present.T @ (w * mine)
            q = self.alpha + present.T @ (w * ~mine)
            r = np.log(p / p.sum()) - np.log(q / q.sum())
            binary = LogisticRegression(
                C=self.C, max_iter=self.max_iter, random_state=self.random_state
            )
            binary.fit((X @ sparse.diags(r)).tocsr(), mine, sample_weight=w)
            coefs.append(binary.coef_[0] * r)
            biases.append(binary.intercept_[0])
            iters.append(binary.n_iter_[0])
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.asarray(biases)
        if self.mix < 1.0:
            plain = LogisticRegression(
                C=self.C, max_iter=self.max_iter, random_state=self.random_state
            ).fit(X, y, sample_weight=w)
            self.coef_ = self.mix * self.coef_ + (1 - self.mix) * plain.coef_
            self.intercept_ = self.mix * self.intercept_ + (1 - self.mix) * plain.intercept_
            iters.append(plain.n_iter_[0])
        self.n_iter_ = np.asarray(iters)
        self.n_features_in_ = X.shape[1]
        return self
