"""A fold task computes each response of its model on the test part once, for its scores and
for the responses it keeps (predict_once.py): the same scores and responses as calling the
model for each, and the model comes back without the memo."""

from __future__ import annotations

import pickle
from collections import Counter

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer

from stratum_jupyter.evaluation import tasks

CALLS: Counter[str] = Counter()


class Counted(LogisticRegression):
    def predict(self, X):
        CALLS["predict"] += 1
        return super().predict(X)

    def predict_proba(self, X):
        CALLS["predict_proba"] += 1
        return super().predict_proba(X)


def test_each_response_is_computed_once_and_scores_are_unchanged():
    X, y = make_classification(300, 6, random_state=0)
    fold = (np.arange(200), np.arange(200, 300))
    names = ["accuracy", "roc_auc", "neg_log_loss", "f1"]
    scorers = {m: get_scorer(m) for m in names}
    CALLS.clear()
    score, fitted = tasks.fit_score_model(tasks.split_fold(X, y, fold), "lr", "sklearn",
                                          Counted(), scorers, keep=True)
    assert CALLS == {"predict": 1, "predict_proba": 1}  # accuracy and f1, roc_auc and log loss
    plain = LogisticRegression().fit(X[:200], y[:200])
    assert score.scores == {m: float(get_scorer(m)(plain, X[200:], y[200:])) for m in names}
    assert np.array_equal(score.predictions["predict"], plain.predict(X[200:]))
    assert np.array_equal(score.predictions["predict_proba"], plain.predict_proba(X[200:]))
    assert "predict" not in vars(fitted) and "predict_proba" not in vars(fitted)
    CALLS.clear()
    pickle.loads(pickle.dumps(fitted)).predict(X[:5])  # the class's own method again
    fitted.predict(X[200:])
    assert CALLS == {"predict": 2}


def test_without_kept_responses_nothing_is_memoised():
    X, y = make_classification(100, 4, random_state=0)
    fold = (np.arange(70), np.arange(70, 100))
    CALLS.clear()
    tasks.fit_score(tasks.split_fold(X, y, fold), "lr", "sklearn", Counted(),
                    {"accuracy": get_scorer("accuracy"), "f1": get_scorer("f1")})
    assert CALLS == {"predict": 2}
