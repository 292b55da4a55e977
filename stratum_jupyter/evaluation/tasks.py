"""What runs on the workers: slice a fold, fit a shared prefix step, fit and score a final
estimator, refit the best pipeline.

Functions here never raise for a user's model: a step that raises returns a
:class:`TaskFailure` (with its traceback), and everything downstream passes it on. A metric
that cannot be computed on a fold fails alone: its value is NaN and :attr:`FoldScore.errors`
says why; the other metrics and the configuration go on. Only the loss of a worker makes a
task err, and Dask retries those. Each step is run by the
:class:`StepRunner` of its library, so other model families (Keras, ...) plug in without
touching the graph. Every fit first sets the worker's BLAS/OpenMP threads to its share of
the cores (:mod:`.threads`), as joblib does for ``GridSearchCV``'s workers.
"""

from __future__ import annotations

import contextlib
import math
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from .predict_once import once
from .threads import limit as limit_threads


@dataclass
class TaskFailure:
    """A step that raised: which one, the error, and the worker-side traceback."""

    step: str
    error: str
    traceback: str


@dataclass
class FoldData:
    """A fold's train and test data as seen by the next step, and what it took to get here.

    ``fit_time``/``score_time`` accumulate along the prefix (what GridSearchCV would report
    for the whole pipeline); ``node_times`` is each shared node's own compute, by key.
    On all the data (for the refit) there is no test part, and ``fitted`` keeps the fitted
    steps so the final pipeline can be put together.
    """

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any
    fit_time: float = 0.0
    score_time: float = 0.0
    node_times: dict[str, float] = field(default_factory=dict)
    fitted: list[Any] | None = None
    # Prefix steps ``(step, library, fitted)`` not yet applied to ``X_test`` (big data:
    # :func:`fit_prefix` with ``defer``): it is transformed when scored (:meth:`test_part`),
    # after the final fit, so no transformed test part is held through a fit.
    test_steps: list[tuple[str, str, Any]] = field(default_factory=list)

    def test_part(self) -> tuple[Any, float]:
        """``X_test`` through the prefix steps still to apply, and the seconds that took.
        Raises :class:`PrefixError` naming the step that raised."""
        start, X = time.perf_counter(), self.X_test
        for step, library, fitted in self.test_steps:
            try:
                X = runner_for(library).transform(fitted, X)
            except Exception as exc:
                raise PrefixError(step) from exc
        return X, time.perf_counter() - start


class PrefixError(Exception):
    """The prefix step (``args[0]``) that raised on the test part (:meth:`FoldData.test_part`,
    the error as ``__cause__``)."""


@dataclass
class FoldScore:
    """One (configuration, fold): its scores and times; ``errors`` holds, by metric, why a
    score is NaN (the error it raised, or the warning that came with the NaN)."""

    scores: dict[str, float]
    fit_time: float
    score_time: float
    own_time: float
    prefix_times: dict[str, float]
    errors: dict[str, str] = field(default_factory=dict)
    # The test part's responses (see :func:`responses`), kept for ensembles and diagnostics.
    predictions: dict[str, Any] | None = None
    # A seeded HistGradientBoosting that met its early-stopping rule: its ``n_iter_`` (any
    # ``max_iter`` from there up fits this very model: :func:`.warmstart.stopped_at`).
    stopped_at: int | None = None


def _take(data: Any, idx: Any) -> Any:
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[idx]
    if isinstance(data, list):
        return [data[i] for i in idx]
    return data[idx]


def split_fold(X: Any, y: Any, fold: tuple[Any, Any], subset: Any = None) -> FoldData:
    """The fold's train and test parts; ``subset``: positions within the train part to keep
    (an adaptive search's subsample of the training rows; the test part stays whole)."""
    train, test = fold
    if subset is not None:
        train = train[subset]
    return FoldData(_take(X, train), _take(y, train), _take(X, test), _take(y, test))


def all_data(X: Any, y: Any) -> FoldData:
    """All the data as the train part, for refitting shared prefixes ahead of time."""
    return FoldData(X, y, None, None, fitted=[])


class StepRunner:
    """How one library's steps are fitted and scored. scikit-learn's is the default."""

    def fit_transform(self, estimator: Any, X: Any, y: Any) -> tuple[Any, Any]:
        from sklearn.base import clone

        fitted = clone(estimator)
        if hasattr(fitted, "fit_transform"):
            return fitted, fitted.fit_transform(X, y)
        return fitted, fitted.fit(X, y).transform(X)

    def transform(self, fitted: Any, X: Any) -> Any:
        return fitted.transform(X)

    def fit(self, estimator: Any, X: Any, y: Any) -> Any:
        from sklearn.base import clone

        return clone(estimator).fit(X, y)

    def score(self, fitted: Any, scorers: dict[str, Any], X: Any, y: Any) -> dict[str, float]:
        return {name: float(scorer(fitted, X, y)) for name, scorer in scorers.items()}

    def score_each(self, fitted: Any, scorers: dict[str, Any], X: Any, y: Any
                   ) -> tuple[dict[str, float], dict[str, str]]:
        """Every metric on its own (:meth:`score` with one scorer): one that raises, or
        gives NaN, is NaN with the reason in the second mapping; the others keep their
        values."""
        scores, errors = {}, {}
        for name, scorer in scorers.items():
            try:
                value = self.score(fitted, {name: scorer}, X, y)[name]
            except Exception as exc:
                value, errors[name] = math.nan, f"{type(exc).__name__}: {exc}"
            if math.isnan(value) and name not in errors:
                errors[name] = _undefined(y)
            scores[name] = value
        return scores, errors


def _undefined(y: Any) -> str:
    """Why a score is NaN though nothing raised: the metric is undefined on the fold (as
    scikit-learn's ROC AUC on a test part of one class). Warnings are not captured: that is
    not thread-safe, and a worker runs several tasks at once."""
    import numpy as np

    classes: list[Any] = []
    try:
        classes = np.unique(np.asarray(y, dtype=object)).tolist() if y is not None else []
    except TypeError:  # labels that cannot be sorted
        pass
    if len(classes) == 1:
        return f"undefined on this fold: its test part has one class ({classes[0]!r})"
    return "undefined on this fold"


RUNNERS: dict[str, StepRunner] = {"sklearn": StepRunner()}


def runner_for(library: str) -> StepRunner:
    """The runner of ``library``; libraries without their own use scikit-learn's API."""
    return RUNNERS.get(library, RUNNERS["sklearn"])


# What scikit-learn's text vectorizers say when handed a table (they read its column names
# as the documents) or a gap, and what to do instead.
_TEXT_HINT = ("; a text vectorizer takes one column of text, 1-D: name it by a string, as in "
              "ColumnTransformer([('words', TfidfVectorizer(), 'review')]) or a column rule "
              "select: review, and fill its gaps")
_TEXT_ERRORS = ("max_df corresponds to < documents than min_df", "no terms remain",
                "np.nan is an invalid document")


def _failure(step: str, exc: BaseException) -> TaskFailure:
    text = f"{type(exc).__name__}: {exc}"
    if any(error in str(exc) for error in _TEXT_ERRORS):
        text += _TEXT_HINT
    return TaskFailure(step, text, "".join(traceback.format_exception(exc)))


def fit_prefix(parent: FoldData | TaskFailure, key: str, step: str, library: str,
               estimator: Any, defer: bool = False) -> FoldData | TaskFailure:
    """Fit one transformer on the fold's train part and transform both parts (``defer``:
    the test part later, when scored: :attr:`FoldData.test_steps`)."""
    if isinstance(parent, TaskFailure):
        return parent
    runner = runner_for(library)
    limit_threads()
    X_test, steps = parent.X_test, parent.test_steps
    try:
        start = time.perf_counter()
        fitted, X_train = runner.fit_transform(estimator, parent.X_train, parent.y_train)
        fit_time = time.perf_counter() - start
        if X_test is not None and defer:
            steps = [*steps, (step, library, fitted)]
        elif X_test is not None:
            X_test = runner.transform(fitted, X_test)
        score_time = time.perf_counter() - start - fit_time
    except Exception as exc:
        return _failure(step, exc)
    return FoldData(X_train, parent.y_train, X_test, parent.y_test,
                    parent.fit_time + fit_time, parent.score_time + score_time,
                    {**parent.node_times, key: fit_time + score_time},
                    None if parent.fitted is None else [*parent.fitted, fitted], steps)


def responses(fitted: Any, X: Any) -> dict[str, Any]:
    """What an ensemble and the diagnostics need of a model on ``X``: ``predict``, and
    ``predict_proba`` (else ``decision_function``) where the estimator has it (arrays, one
    row per row of X), with its ``classes`` (classifiers); a clusterer's labels and silhouettes
    (:func:`..diagnostics.oof.cluster_responses`)."""
    import numpy as np
    from sklearn.base import is_clusterer

    if is_clusterer(fitted):  # labels and silhouettes, for the diagnostics
        from ..diagnostics.oof import cluster_responses

        return cluster_responses(fitted, X)
    out: dict[str, Any] = {"predict": np.asarray(fitted.predict(X))}
    # The first the model has: what stacking's "auto" and the diagnostics' curves use.
    method = next((m for m in ("predict_proba", "decision_function") if hasattr(fitted, m)),
                  None)
    if method is not None:
        out[method] = np.asarray(getattr(fitted, method)(X))
    if hasattr(fitted, "classes_"):
        out["classes"] = np.asarray(fitted.classes_)
    return out


def _kept(fitted: Any, X: Any) -> dict[str, Any] | None:
    """:func:`responses`, or None where the model cannot give them: its scores stand, and
    the diagnostics (or an ensemble, which then says what it misses) go without."""
    try:
        return responses(fitted, X)
    except Exception:
        return None


def fit_score(parent: FoldData | TaskFailure, step: str, library: str, estimator: Any,
              scorers: dict[str, Any], keep: bool = False) -> FoldScore | TaskFailure:
    """Fit the final estimator on the (transformed) train part; score it on the test part
    (``keep``: also keep its responses there, for ensembles).

    Scoring the final estimator on the transformed test rows is what ``Pipeline.predict``
    does, so the scores equal those of the whole pipeline.
    """
    return fit_score_model(parent, step, library, estimator, scorers, keep)[0]


def fit_score_model(parent: FoldData | TaskFailure, step: str, library: str, estimator: Any,
                    scorers: dict[str, Any], keep: bool = False, *, grow: Any = None
                    ) -> tuple[FoldScore | TaskFailure, Any]:
    """:func:`fit_score` and the fitted estimator (None after a failure). ``grow``: a
    fitted model of ``estimator``'s chain, already set to grow to its size with
    ``warm_start`` (:func:`.warmstart.grow`), fitted again (in place) instead of a fit
    from scratch."""
    fitted, fit_time = fit_model(parent, step, library, estimator, grow=grow)
    if isinstance(fitted, TaskFailure):
        return fitted, None
    assert isinstance(parent, FoldData)
    return score_model(parent, step, library, estimator, fitted, fit_time, scorers,
                       keep), fitted


def fit_model(parent: FoldData | TaskFailure, step: str, library: str, estimator: Any, *,
              grow: Any = None) -> tuple[Any, float]:
    """The final estimator fitted on the train part (see :func:`fit_score_model`), or a
    :class:`TaskFailure`; and its fit seconds."""
    if isinstance(parent, TaskFailure):
        return parent, 0.0
    runner = runner_for(library)
    limit_threads()
    try:
        start = time.perf_counter()
        if grow is None:
            fitted = runner.fit(estimator, parent.X_train, parent.y_train)
        else:
            fitted = grow.fit(parent.X_train, parent.y_train)
        return fitted, time.perf_counter() - start
    except Exception as exc:
        return _failure(step, exc), 0.0


def score_model(parent: FoldData, step: str, library: str, estimator: Any, fitted: Any,
                fit_time: float, scorers: dict[str, Any], keep: bool = False,
                test: tuple[Any, float, bool] | None = None) -> FoldScore | TaskFailure:
    """``fitted`` scored on the test part (``keep``: with its responses). ``test``: the
    test part transformed already (:meth:`FoldData.test_part`, shared by a group's models),
    its seconds (in each one's ``score_time``, as a pipeline's) and whether this one's own
    work counts them (the first's only)."""
    runner = runner_for(library)
    try:
        if test is None:
            X_test, test_s = parent.test_part()
            test = (X_test, test_s, True)
        start = time.perf_counter()
        with once(fitted, test[0]) if keep else contextlib.nullcontext():
            scores, errors = runner.score_each(fitted, scorers, test[0], parent.y_test)
            kept = _kept(fitted, test[0]) if keep else None
        score_time = time.perf_counter() - start
    except PrefixError as exc:
        return _failure(exc.args[0], exc.__cause__ or exc)
    except Exception as exc:
        return _failure(step, exc)
    from .warmstart import stopped_at

    own = fit_time + score_time + (test[1] if test[2] else 0.0)
    return FoldScore(scores, parent.fit_time + fit_time,
                     parent.score_time + score_time + test[1], own, parent.node_times,
                     errors, kept, stopped_at(estimator, fitted))


def fit_score_grow(parent: FoldData | TaskFailure, step: str, library: str, estimator: Any,
                   scorers: dict[str, Any], previous: Any = None) -> tuple[Any, Any]:
    """``(FoldScore or TaskFailure, fitted estimator or None)``: :func:`fit_score_model`,
    growing a copy of ``previous``'s model (an earlier rung's pair on the same fold and
    rows; its own stays as it was, for a retry) with ``warm_start`` where it can be
    (:func:`.warmstart.grow`), else fitting from scratch."""
    import copy

    from .warmstart import grow

    start = None
    if previous is not None and previous[1] is not None:
        start = grow(copy.deepcopy(previous[1]), estimator)
    return fit_score_model(parent, step, library, estimator, scorers, grow=start)


def first(pair: tuple[Any, Any]) -> Any:
    """The score of a :func:`fit_score_grow` pair (the model stays on the worker)."""
    return pair[0]


def split_then(X: Any, y: Any, fold: tuple[Any, Any], func: Any, *args: Any) -> Any:
    """``func(split_fold(X, y, fold), *args)``: a fold task with no shared prefix splits
    the data (on every worker) itself, so the scheduler may place it on any worker."""
    return func(split_fold(X, y, fold), *args)


def split_sub_then(X: Any, y: Any, fold: tuple[Any, Any], subset: Any, func: Any,
                   *args: Any) -> Any:
    """:func:`split_then` on the training rows ``subset`` of the fold."""
    return func(split_fold(X, y, fold, subset), *args)


def refit(X: Any, y: Any, library: str, pipeline: Any) -> tuple[Any, float] | TaskFailure:
    """Fit the whole pipeline on all the data; returns it with its fit time."""
    limit_threads()  # the worker's share, as the folds (threads.py says why)
    try:
        start = time.perf_counter()
        fitted = runner_for(library).fit(pipeline, X, y)
        return fitted, time.perf_counter() - start
    except Exception as exc:
        return _failure("refit", exc)


def refit_final(parent: FoldData | TaskFailure, library: str, pipeline: Any
                ) -> tuple[Any, float] | TaskFailure:
    """Finish a refit whose prefix was already fitted on all the data: fit the final
    estimator and put the pipeline together from the fitted steps, as ``Pipeline.fit``
    would have left it."""
    if isinstance(parent, TaskFailure):
        return parent
    from sklearn.base import clone

    limit_threads()
    try:
        start = time.perf_counter()
        final = runner_for(library).fit(pipeline.steps[-1][1], parent.X_train, parent.y_train)
        fitted = iter(parent.fitted or [])
        model = clone(pipeline)
        model.steps = [
            (name, est if est is None or isinstance(est, str) else next(fitted))
            for name, est in pipeline.steps[:-1]
        ] + [(pipeline.steps[-1][0], final)]
        return model, parent.fit_time + time.perf_counter() - start
    except Exception as exc:
        return _failure("refit", exc)
