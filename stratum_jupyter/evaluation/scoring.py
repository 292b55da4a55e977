"""Scorers for the spec's metric names, "higher is better" as scikit-learn's are, fitted to
the target they score.

Classification and regression names map to scikit-learn scorers (aliases such as ``mse``
resolved); clustering metrics score the clusters a fitted pipeline assigns to held-out rows,
in the feature space the clusterer saw.

:func:`scorers_for` fits the metrics to the data before any task runs:

- a metric of one positive class (``f1``, ``precision``, ``recall``, ``roc_auc``,
  ``average_precision``) on a target of three or more classes is refused
  (:class:`MetricError`, naming the metric, the classes found and the alternatives);
- the positive class of a binary target is ``pos_label`` when given, else scikit-learn's
  ``1`` when it is a label, else the second of the sorted labels (what ``LabelEncoder``
  maps to 1, e.g. ``'yes'`` of ``'no'``/``'yes'``); it is said in the plan's notes;
- probability metrics (``neg_log_loss``, ``neg_brier_score``, ``roc_auc_ovr``,
  ``roc_auc_ovr_weighted``) are computed over the target's whole label set
  (:class:`LabelSetScorer`), so a class missing from a fold neither breaks nor distorts
  them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EvaluationError, MetricError, SpecIssue
from ..spec.metrics import METRICS

Scorer = Callable[[Any, Any, Any], float]


def _cluster_labels(estimator: Any, X: Any) -> tuple[Any, Any]:
    """Labels for ``X`` and the features the final clusterer saw."""
    from sklearn.base import clone
    from sklearn.pipeline import Pipeline

    features = estimator[:-1].transform(X) if isinstance(estimator, Pipeline) else X
    final = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    if hasattr(final, "predict"):
        return final.predict(features), features
    # Clusterers without predict (DBSCAN, agglomerative) can only label what they fit.
    return clone(final).fit_predict(features), features


def _clustering_scorer(name: str) -> Scorer:
    from sklearn import metrics as skm

    def score(estimator: Any, X: Any, y: Any = None) -> float:
        labels, features = _cluster_labels(estimator, X)
        if name == "adjusted_rand":
            if y is None:
                raise ValueError("adjusted_rand needs true labels (a target)")
            return float(skm.adjusted_rand_score(y, labels))
        if len(set(labels)) < 2:
            return float("nan")  # undefined for a single cluster; ranked last
        if name == "silhouette":
            return float(skm.silhouette_score(features, labels))
        if name == "calinski_harabasz":
            return float(skm.calinski_harabasz_score(features, labels))
        return -float(skm.davies_bouldin_score(features, labels))

    score.__name__ = f"{name}_scorer"
    return score


def get_scorer(name: str) -> Scorer:
    """A scorer ``(estimator, X, y) -> float`` for a metric name of the spec: scikit-learn's
    own (see :func:`scorers_for` for the scorers fitted to a target)."""
    try:
        metric = METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r} (allowed: {', '.join(METRICS)})") from None
    if metric.scorer is None:
        return _clustering_scorer(name)
    from sklearn.metrics import get_scorer as sk_get_scorer

    return sk_get_scorer(metric.scorer)


def make_scorers(metrics: Iterable[str]) -> dict[str, Scorer]:
    """``{name: scorer}`` for ``scoring=`` of scikit-learn's searches, keyed by the spec's names."""
    return {name: get_scorer(name) for name in metrics}


# --- probability metrics over the whole label set ------------------------------------------

def aligned_proba(estimator: Any, X: Any, labels: Sequence[Any]) -> Any:
    """``predict_proba(X)`` with one column per label of the target, in ``labels`` order; a
    class the estimator never saw (absent from the fold's train part) has probability 0."""
    import numpy as np

    proba = np.asarray(estimator.predict_proba(X), dtype=float)
    classes = list(estimator.classes_)
    if classes == list(labels):
        return proba
    out = np.zeros((proba.shape[0], len(labels)))
    column = {label: i for i, label in enumerate(labels)}
    for j, cls in enumerate(classes):
        out[:, column[cls]] = proba[:, j]
    return out


def _ovr_auc(y: Any, proba: Any, labels: Sequence[Any], weighted: bool) -> float:
    """One-vs-rest ROC AUC over the classes present in ``y`` (a class absent from the fold
    has no AUC); on a fold with every class this is scikit-learn's ``roc_auc_ovr``."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    present = [i for i, label in enumerate(labels) if np.any(y == label)]
    if len(present) < 2:
        warnings.warn("ROC AUC is undefined on a fold whose test part has one class",
                      stacklevel=2)
        return float("nan")
    if len(labels) == 2:  # binary: the second label's probability, as scikit-learn's scorer
        return float(roc_auc_score(y == labels[1], proba[:, 1]))
    if len(present) == len(labels):
        return float(roc_auc_score(y, proba, multi_class="ovr", labels=list(labels),
                                   average="weighted" if weighted else "macro"))
    aucs = [roc_auc_score(y == labels[i], proba[:, i]) for i in present]
    support = [int(np.sum(y == labels[i])) for i in present] if weighted else None
    return float(np.average(aucs, weights=support))


def _label_set_score(metric: str, y: Any, proba: Any, labels: Sequence[Any]) -> float:
    from sklearn.metrics import brier_score_loss, log_loss

    if metric == "neg_log_loss":
        return -float(log_loss(y, proba, labels=list(labels)))
    if metric == "neg_brier_score":
        return -float(brier_score_loss(y, proba, labels=list(labels)))
    return _ovr_auc(y, proba, labels, weighted=metric == "roc_auc_ovr_weighted")


@dataclass(frozen=True)
class LabelSetScorer:
    """A probability metric computed over the target's whole label set: the probabilities
    are aligned to ``labels`` (:func:`aligned_proba`) and the metric told every label."""

    metric: str  # a scikit-learn scorer name: neg_log_loss, neg_brier_score, roc_auc_ovr...
    labels: tuple[Any, ...]

    def __call__(self, estimator: Any, X: Any, y: Any) -> float:
        import numpy as np

        proba = aligned_proba(estimator, X, self.labels)
        return _label_set_score(self.metric, np.asarray(y), proba, self.labels)


# --- the positive class of a binary target ------------------------------------------------

_POSITIVE_CLASS = {"f1": "f1_score", "precision": "precision_score",
                   "recall": "recall_score", "average_precision": "average_precision_score"}


def _positive_class_scorer(name: str, pos_label: Any) -> Scorer:
    """scikit-learn's scorer ``name`` with ``pos_label`` (its own default is 1)."""
    from sklearn import metrics as skm

    response: Any = ("decision_function", "predict_proba") \
        if name == "average_precision" else "predict"
    return skm.make_scorer(getattr(skm, _POSITIVE_CLASS[name]), response_method=response,
                           pos_label=pos_label)


def default_pos_label(labels: Sequence[Any]) -> Any:
    """scikit-learn's ``1`` when it is a label, else the second of the sorted labels."""
    return next((label for label in labels if not isinstance(label, str) and label == 1),
                labels[-1])


# --- the metrics fitted to the data, before any task ---------------------------------------

@dataclass(frozen=True)
class Scoring:
    """The metrics fitted to a target: the scorers by name, the target's classes (None
    unless classification), the positive class (None unless the target is binary) and what
    was decided, for the log (``notes``)."""

    scorers: dict[str, Scorer]
    labels: tuple[Any, ...] | None = None
    pos_label: Any = None
    notes: tuple[str, ...] = ()


def class_labels(task: str, y: Any) -> tuple[Any, ...] | None:
    """The sorted classes of a classification target (missing values left out), as the
    classifiers' ``classes_``; None for other tasks or labels that cannot be sorted."""
    if task != "classification" or y is None:
        return None
    import numpy as np
    import pandas as pd

    values = np.asarray(y, dtype=object)
    try:
        return tuple(np.unique(values[~pd.isna(values)]).tolist())
    except TypeError:  # mixed types: the data checks report it
        return None


def _is_one(label: Any) -> bool:
    return not isinstance(label, str) and label == 1


def _show(labels: Sequence[Any], limit: int = 6) -> str:
    shown = ", ".join(repr(label) for label in labels[:limit])
    return shown + (f", ... ({len(labels) - limit} more)" if len(labels) > limit else "")


def _metric_issues(names: Sequence[str], task: str, labels: tuple[Any, ...] | None, y: Any,
                   prefix: tuple[str, ...]) -> Iterable[SpecIssue]:
    from ..spec.metrics import metrics_for

    for j, name in enumerate(names):
        metric = METRICS[name]
        path: tuple[str | int, ...] = (*prefix, j)
        if metric.task != task:
            yield SpecIssue(path, f"metric {name!r} is for {metric.task}, not for {task}",
                            value=name, allowed=", ".join(metrics_for(task)))
        elif metric.binary_only and labels is not None and len(labels) > 2:
            yield SpecIssue(path, f"metric {name!r} is for binary targets, but the target "
                            f"has {len(labels)} classes ({_show(labels)})", value=name,
                            allowed=", ".join(metric.alternatives))
        elif task == "clustering" and metric.needs_labels and y is None:
            yield SpecIssue(path, f"metric {name!r} compares the clusters with true labels, "
                            "but there is no target", value=name,
                            allowed="a target y, or " + ", ".join(
                                m for m in metrics_for(task) if not METRICS[m].needs_labels))


def _pos_label_issues(pos_label: Any, labels: tuple[Any, ...] | None,
                      path: tuple[str, ...]) -> list[SpecIssue]:
    if pos_label is None or labels is None or len(labels) != 2 or pos_label in labels:
        return []
    return [SpecIssue(path, f"{pos_label!r} is not a label of the target",
                      value=pos_label, allowed=_show(labels),
                      suggestions=tuple(x for x in labels if str(x) == str(pos_label)))]


def _notes(names: Sequence[str], labels: tuple[Any, ...] | None, given: Any, positive: Any,
           path: tuple[str, ...]) -> list[str]:
    field = ".".join(path)
    users = [name for name in names if METRICS[name].uses_pos_label]
    notes = []
    if positive is not None and users and labels is not None:
        why = (field if given is not None else
               f"scikit-learn's default; set {field} to choose another" if _is_one(positive)
               else f"the second of the sorted labels {_show(labels)}; set {field} to "
                    "choose another")
        notes.append(f"positive class for {', '.join(users)}: {positive!r} ({why})")
    if given is not None and labels is not None and len(labels) > 2:
        notes.append(f"{field} {given!r} is not used: the target has {len(labels)} classes")
    return notes


def _fitted_scorer(name: str, labels: tuple[Any, ...] | None, positive: Any) -> Scorer:
    metric = METRICS[name]
    if labels is not None and metric.task == "classification" and metric.scorer:
        if metric.label_set:
            return LabelSetScorer(metric.scorer, labels)
        if metric.uses_pos_label and positive is not None:
            return _positive_class_scorer(metric.scorer, positive)
    return get_scorer(name)


def scorers_for(names: Sequence[str], task: str, y: Any, *, pos_label: Any = None,
                metrics_path: tuple[str, ...] = ("evaluation", "metrics"),
                pos_label_path: tuple[str, ...] = ("evaluation", "pos_label")) -> Scoring:
    """The scorers of ``names`` fitted to the target ``y`` of ``task`` (see the module).

    Raises :class:`EvaluationError` for an unknown name and :class:`MetricError` (bad
    input, with every issue) for metrics or a ``pos_label`` that do not fit the data, at
    ``metrics_path``/``pos_label_path`` (the spec's fields, or the keywords of
    ``evaluate``)."""
    unknown = next((name for name in names if name not in METRICS), None)
    if unknown is not None:
        raise EvaluationError(f"metrics: unknown metric {unknown!r} "
                              f"(allowed: {', '.join(METRICS)})")
    labels = class_labels(task, y)
    issues = [*_metric_issues(names, task, labels, y, metrics_path),
              *_pos_label_issues(pos_label, labels, pos_label_path)]
    if issues:
        raise MetricError(issues)
    positive = None
    if labels is not None and len(labels) == 2:
        positive = pos_label if pos_label is not None else default_pos_label(labels)
    return Scoring({name: _fitted_scorer(name, labels, positive) for name in names}, labels,
                   positive, tuple(_notes(names, labels, pos_label, positive, pos_label_path)))
