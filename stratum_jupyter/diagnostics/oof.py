"""Out-of-fold predictions: each fold's test-part responses (what the workers kept, see
``evaluation.tasks.responses``) put together in one table of rows, so that every diagnostic
is computed from the very predictions the fold scores came from, with no extra fit.

Workers import this module (:func:`cluster_responses`): it imports only numpy at the top.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# A test part larger than this gets no silhouettes (silhouette_samples is quadratic in it).
SILHOUETTE_MAX_ROWS = 20_000


def cluster_responses(fitted: Any, X: Any) -> dict[str, Any]:
    """A fitted clusterer's labels of the rows ``X`` (``predict``, or a fit of a clone on
    them for clusterers that only label what they fit, as the clustering scorers do) and
    each row's silhouette in the feature space it saw (``silhouette``: NaN where undefined:
    one cluster, or more rows than :data:`SILHOUETTE_MAX_ROWS`)."""
    from sklearn.base import clone
    from sklearn.metrics import silhouette_samples

    if hasattr(fitted, "predict"):
        labels = np.asarray(fitted.predict(X))
    else:
        labels = np.asarray(clone(fitted).fit_predict(X))
    n = len(labels)
    silhouette = np.full(n, np.nan)
    if 2 <= len(np.unique(labels)) < n <= SILHOUETTE_MAX_ROWS:
        silhouette = silhouette_samples(X, labels)
    return {"predict": labels, "silhouette": np.asarray(silhouette, dtype=float)}


@dataclass(frozen=True)
class OutOfFold:
    """One configuration's out-of-fold responses, fold after fold.

    ``rows``: the positions of the rows in the evaluated data (n,); ``fold``: the fold each
    row was tested in (n,); ``actual``: the target (n,) or None (clustering without labels);
    ``predicted`` (n,); ``scores``: (n, n_classes) probabilities or decision values, or
    (n,) decision values of a binary classifier, or None; ``score_kind``:
    ``"predict_proba"``, ``"decision_function"`` or ""; ``classes``: the classifier's labels
    in the order of the score columns; ``silhouette`` (n,) for clusterers."""

    rows: np.ndarray
    fold: np.ndarray
    actual: np.ndarray | None
    predicted: np.ndarray
    scores: np.ndarray | None = None
    score_kind: str = ""
    classes: tuple[Any, ...] = ()
    silhouette: np.ndarray | None = None

    @classmethod
    def collect(cls, folds: Sequence[tuple[Any, Any]], kept: Mapping[int, Mapping[str, Any]],
                y: Any) -> OutOfFold:
        """Put together the responses ``kept`` by fold number, the folds' ``(train, test)``
        positions and the target ``y`` (or None)."""
        order = sorted(kept)
        rows = np.concatenate([np.asarray(folds[f][1]) for f in order])
        fold = np.concatenate([np.full(len(folds[f][1]), f) for f in order])
        actual = None if y is None else np.asarray(take(y, rows))
        first = kept[order[0]]
        kind = next((m for m in ("predict_proba", "decision_function") if m in first), "")
        scores = np.concatenate([np.asarray(kept[f][kind], dtype=float) for f in order]) \
            if kind else None
        silhouette = np.concatenate([kept[f]["silhouette"] for f in order]) \
            if "silhouette" in first else None
        return cls(rows, fold, actual, np.concatenate([kept[f]["predict"] for f in order]),
                   scores, kind, tuple(first.get("classes", ())), silhouette)

    def frame(self) -> Any:
        """One row per out-of-fold prediction: ``row``, ``fold``, ``actual`` (absent without
        a target), ``predicted``, and a ``score_<class>`` column per class where the model
        gives probabilities or decision values."""
        import pandas as pd

        data: dict[str, Any] = {"row": self.rows, "fold": self.fold}
        if self.actual is not None:
            data["actual"] = self.actual
        data["predicted"] = self.predicted
        if self.scores is not None and self.scores.ndim == 2:
            for i, label in enumerate(self.classes):
                data[f"score_{label}"] = self.scores[:, i]
        elif self.scores is not None:
            data["score"] = self.scores
        if self.silhouette is not None:
            data["silhouette"] = self.silhouette
        return pd.DataFrame(data)


def take(data: Any, rows: Any) -> Any:
    """The rows of a table, array, sparse matrix or list at positions ``rows`` (None stays
    None), as the fold tasks slice them."""
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[rows]
    if isinstance(data, list):
        return [data[i] for i in rows]
    return data[rows]
