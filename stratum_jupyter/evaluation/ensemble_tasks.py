"""The arithmetic of scikit-learn's ensembles over responses already computed, and the
stacking tasks that run on the workers.

A member's responses on a fold's test part (:func:`tasks.responses`) are what
``VotingClassifier``/``VotingRegressor`` combine, so a voting ensemble is scored without
fitting its members again: :func:`vote` does what their ``predict``/``predict_proba`` do
(same operations, same order: the same numbers). Stacking also needs the members'
out-of-fold predictions on the fold's train part (:func:`inner_predictions`, one task per
member and fold: scikit-learn's own ``cross_val_predict`` with the inner splitter that
``StackingClassifier``/``StackingRegressor`` would make) and fits its final estimator on
them (:func:`stack_fold`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from copy import deepcopy
from typing import Any

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if

from .tasks import FoldScore, TaskFailure, _failure, _take, runner_for

VOTING = ("soft_voting", "hard_voting")
STACK_METHODS = ("predict_proba", "decision_function", "predict")  # "auto", in sklearn's order


def _has(method: str) -> Any:
    return lambda self: method in self.responses


class Responses(BaseEstimator):
    """An estimator that answers with ``responses`` computed on the rows being scored:
    scikit-learn's scorers (and :class:`scoring.LabelSetScorer`) then score an ensemble as
    they score any model, through the response methods the ensemble has, and no others."""

    def __init__(self, responses: Any = None):
        self.responses = responses

    def _get(self, method: str, X: Any) -> Any:
        out = self.responses[method]
        if len(out) != len(X):
            raise ValueError(f"responses for {len(out)} rows, asked for {len(X)}")
        return out

    def predict(self, X: Any) -> Any:
        return self._get("predict", X)

    @available_if(_has("predict_proba"))
    def predict_proba(self, X: Any) -> Any:
        return self._get("predict_proba", X)

    @available_if(_has("decision_function"))
    def decision_function(self, X: Any) -> Any:
        return self._get("decision_function", X)


class Ensemble(ClassifierMixin, Responses):
    @property
    def classes_(self) -> Any:
        return self.responses["classes"]


class EnsembleRegressor(RegressorMixin, Responses):
    pass


def scorable(task: str, responses: dict[str, Any]) -> Responses:
    """``responses`` as an estimator the scorers of ``task`` accept."""
    if task == "classification":
        return Ensemble(responses)
    return EnsembleRegressor(responses)


def vote(task: str, method: str, members: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The voting ensemble's responses from its members' (same rows, same train part)."""
    import numpy as np

    if task != "classification":  # VotingRegressor.predict
        return {"predict": np.average(np.asarray([m["predict"] for m in members]).T, axis=1)}
    classes = members[0]["classes"]
    if method == "soft_voting":  # VotingClassifier.predict_proba, then predict
        proba = np.average(np.asarray([m["predict_proba"] for m in members]), axis=0)
        return {"predict": classes[np.argmax(proba, axis=1)], "predict_proba": proba,
                "classes": classes}
    votes = np.asarray([np.searchsorted(classes, m["predict"]) for m in members]).T
    majority = np.apply_along_axis(lambda x: np.argmax(np.bincount(x)), axis=1, arr=votes)
    return {"predict": classes[majority], "classes": classes}


def stack_method(task: str, pipeline: Any) -> str:
    """``stack_method='auto'``: the first of predict_proba, decision_function, predict the
    member answers (regressors: predict)."""
    if task != "classification":
        return "predict"
    return next(m for m in STACK_METHODS if hasattr(pipeline, m))


def _encoded(task: str, y: Any) -> tuple[Any, Any]:
    """The target as the Stacking/Voting classifiers fit their members: label-encoded."""
    from sklearn.preprocessing import LabelEncoder

    if task != "classification":
        return y, None
    encoder = LabelEncoder().fit(y)
    return encoder.transform(y), encoder


def inner_predictions(X: Any, y: Any, fold: tuple[Any, Any], task: str, pipeline: Any,
                      method: str, cv: int) -> Any:
    """A member's out-of-fold ``method`` responses on the fold's train part, over the inner
    folds ``StackingClassifier(cv=cv)`` (``StackingRegressor``) would use."""
    from sklearn.base import clone
    from sklearn.model_selection import check_cv, cross_val_predict

    try:
        train, _ = fold
        y_train, _ = _encoded(task, _take(y, train))
        splitter = check_cv(cv, y=y_train, classifier=task == "classification")
        return cross_val_predict(clone(pipeline), _take(X, train), y_train,
                                 cv=deepcopy(splitter), method=method)
    except Exception as exc:
        return _failure("stacking (inner folds)", exc)


def _meta_features(predictions: Sequence[Any], methods: Sequence[str], n_classes: int
                   ) -> Any:
    """``StackingClassifier._concatenate_predictions`` without passthrough."""
    import numpy as np

    columns = []
    for preds, method in zip(predictions, methods, strict=True):
        if preds.ndim == 1:
            columns.append(preds.reshape(-1, 1))
        elif method == "predict_proba" and n_classes == 2:
            columns.append(preds[:, 1:])
        else:
            columns.append(preds)
    return np.hstack(columns)


def _test_response(member: dict[str, Any], method: str, task: str) -> Any:
    import numpy as np

    out = member[method]
    if method == "predict" and task == "classification":  # members fitted on encoded labels
        return np.searchsorted(member["classes"], out)
    return out


def stack_fold(inner: list[Any], members: list[dict[str, Any]], methods: list[str], X: Any,
               y: Any, fold: tuple[Any, Any], task: str, final: Any, scorers: dict[str, Any]
               ) -> FoldScore | TaskFailure:
    """Fit the final estimator on the members' out-of-fold responses of the train part and
    score the stack on the test part, from the members' responses there."""
    from sklearn.base import clone

    failed = next((p for p in inner if isinstance(p, TaskFailure)), None)
    if failed is not None:
        return failed
    try:
        start = time.perf_counter()
        train, test = fold
        y_train, encoder = _encoded(task, _take(y, train))
        n_classes = 0 if encoder is None else len(encoder.classes_)
        fitted = clone(final).fit(_meta_features(inner, methods, n_classes), y_train)
        fit_time = time.perf_counter() - start
        meta = _meta_features([_test_response(m, meth, task) for m, meth in
                               zip(members, methods, strict=True)], methods, n_classes)
        out = {"predict": fitted.predict(meta)}
        if encoder is not None:
            out = {"predict": encoder.inverse_transform(out["predict"]),
                   "classes": encoder.classes_}
            for method in ("predict_proba", "decision_function"):
                if hasattr(fitted, method):
                    out[method] = getattr(fitted, method)(meta)
        scores, errors = runner_for("sklearn").score_each(
            scorable(task, out), scorers, _take(X, test), _take(y, test))
    except Exception as exc:
        return _failure("stacking (final estimator)", exc)
    own = time.perf_counter() - start
    return FoldScore(scores, fit_time, own - fit_time, own, {}, errors)
