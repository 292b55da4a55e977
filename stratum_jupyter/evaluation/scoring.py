"""Scorers for the spec's metric names, "higher is better" as scikit-learn's are.

Classification and regression names map to scikit-learn scorers (aliases such as ``mse``
resolved); clustering metrics score the clusters a fitted pipeline assigns to held-out rows,
in the feature space the clusterer saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

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
    """A scorer ``(estimator, X, y) -> float`` for a metric name of the spec."""
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
