"""The numbers behind each diagnostic plot, as tidy DataFrames computed with scikit-learn's
own functions from one configuration's out-of-fold predictions (:class:`.oof.OutOfFold`).

Curves are pooled over the folds (every row scored by the model that did not see it, as
``cross_val_predict`` gives them). Classification curves are one class against the rest:
for a binary target only the positive class's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .oof import OutOfFold


def _classes(oof: OutOfFold, pos_label: Any) -> list[tuple[int, Any]]:
    """(score column, class) pairs that get a curve: the positive class only when binary."""
    if oof.scores is None:
        return []
    labels = list(oof.classes)
    if len(labels) == 2:
        return [(labels.index(pos_label) if pos_label in labels else 1,
                 pos_label if pos_label in labels else labels[1])]
    return list(enumerate(labels))


def _score(oof: OutOfFold, column: int) -> np.ndarray:
    assert oof.scores is not None
    if oof.scores.ndim == 1:  # a binary decision_function: positive for classes[1]
        return oof.scores if column == 1 else -oof.scores
    return oof.scores[:, column]


def confusion_matrix(oof: OutOfFold) -> Any:
    """Columns ``actual``, ``predicted``, ``count``, ``fraction`` (of the actual class's
    rows: scikit-learn's ``normalize="true"``), one row per pair of the classes."""
    import pandas as pd
    from sklearn import metrics

    labels = list(oof.classes) or sorted(set(oof.actual if oof.actual is not None else ())
                                         | set(oof.predicted))
    counts = metrics.confusion_matrix(oof.actual, oof.predicted, labels=labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        fractions = counts / counts.sum(axis=1, keepdims=True)
    return pd.DataFrame([{"actual": a, "predicted": p, "count": int(counts[i, j]),
                          "fraction": float(fractions[i, j])}
                         for i, a in enumerate(labels) for j, p in enumerate(labels)])


def roc_curve(oof: OutOfFold, pos_label: Any) -> Any:
    """Columns ``class``, ``fpr``, ``tpr``, ``threshold``, ``auc`` (the class's area)."""
    from sklearn import metrics

    return _curves(oof, pos_label, lambda truth, score: (
        dict(zip(("fpr", "tpr", "threshold"), metrics.roc_curve(truth, score), strict=True)),
        metrics.roc_auc_score(truth, score)))


def precision_recall_curve(oof: OutOfFold, pos_label: Any) -> Any:
    """Columns ``class``, ``precision``, ``recall``, ``threshold`` (NaN on the last point,
    which scikit-learn gives no threshold), ``auc`` (the average precision)."""
    from sklearn import metrics

    def curve(truth: np.ndarray, score: np.ndarray) -> tuple[dict[str, Any], float]:
        precision, recall, thresholds = metrics.precision_recall_curve(truth, score)
        return ({"precision": precision, "recall": recall,
                 "threshold": np.append(thresholds, np.nan)},
                metrics.average_precision_score(truth, score))

    return _curves(oof, pos_label, curve)


def calibration_curve(oof: OutOfFold, pos_label: Any, n_bins: int = 10) -> Any:
    """Columns ``class``, ``mean_predicted``, ``fraction_positive`` (scikit-learn's
    ``calibration_curve`` with ``n_bins`` uniform bins); empty unless the model gives
    probabilities."""
    from sklearn.calibration import calibration_curve as curve

    if oof.score_kind != "predict_proba":
        return _empty("class", "mean_predicted", "fraction_positive")

    def one(truth: np.ndarray, score: np.ndarray) -> tuple[dict[str, Any], float]:
        fraction, mean = curve(truth, score, n_bins=n_bins)
        return {"mean_predicted": mean, "fraction_positive": fraction}, np.nan

    return _curves(oof, pos_label, one).drop(columns="auc")


def _curves(oof: OutOfFold, pos_label: Any, curve: Any) -> Any:
    import pandas as pd

    parts = []
    for column, label in _classes(oof, pos_label):
        truth = np.asarray(oof.actual == label)
        if truth.all() or not truth.any():  # a class never (or always) there: no curve
            continue
        values, area = curve(truth, _score(oof, column))
        part = pd.DataFrame(values)
        part.insert(0, "class", [label] * len(part))
        part["auc"] = float(area)
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else _empty("class", "auc")


def threshold_table(oof: OutOfFold, pos_label: Any, steps: int = 19) -> Any:
    """A binary classifier at ``steps`` thresholds of its positive score (0.05 ... 0.95 for
    probabilities; the scores' quantiles for decision values): columns ``threshold``,
    ``tp``, ``fp``, ``fn``, ``tn``, ``precision``, ``recall``, ``f1``, ``accuracy`` (a row
    is positive when its score is at least the threshold). Empty unless binary."""
    import pandas as pd

    pairs = _classes(oof, pos_label)
    if len(oof.classes) != 2 or not pairs:
        return _empty("threshold", "tp", "fp", "fn", "tn", "precision", "recall", "f1",
                      "accuracy")
    column, label = pairs[0]
    score, truth = _score(oof, column), np.asarray(oof.actual == label)
    grid = np.linspace(0.05, 0.95, steps)
    cuts = grid if oof.score_kind == "predict_proba" else np.quantile(score, grid)
    positive = score[None, :] >= cuts[:, None]
    tp = (positive & truth).sum(axis=1)
    fp = (positive & ~truth).sum(axis=1)
    fn = truth.sum() - tp
    tn = (~truth).sum() - fp
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = tp / max(int(truth.sum()), 1)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall),
                      0.0)
    return pd.DataFrame({"threshold": cuts, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
                         "precision": precision, "recall": recall, "f1": f1,
                         "accuracy": (tp + tn) / len(truth)})


def predicted_vs_actual(oof: OutOfFold) -> Any:
    """Columns ``row``, ``fold``, ``actual``, ``predicted``, ``residual`` (actual -
    predicted), one per out-of-fold prediction of a regressor."""
    frame = oof.frame()[["row", "fold", "actual", "predicted"]]
    frame["residual"] = frame["actual"] - frame["predicted"]
    return frame


def residual_distribution(oof: OutOfFold, bins: int = 30) -> Any:
    """The residuals' histogram: columns ``left``, ``right``, ``count`` (numpy's bins)."""
    import pandas as pd

    counts, edges = np.histogram(np.asarray(oof.actual, dtype=float) - oof.predicted,
                                 bins=bins)
    return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "count": counts})


def cluster_sizes(oof: OutOfFold) -> Any:
    """Columns ``cluster``, ``size`` (out-of-fold rows labelled so, over all folds),
    ``fraction``."""
    import pandas as pd

    labels, counts = np.unique(oof.predicted, return_counts=True)
    return pd.DataFrame({"cluster": labels, "size": counts, "fraction": counts / counts.sum()})


def silhouette_by_cluster(oof: OutOfFold) -> Any:
    """Columns ``cluster``, ``mean``, ``min``, ``max``, ``size`` of the rows' silhouettes
    (each in its own fold's feature space); clusters with no defined silhouette left out."""
    import pandas as pd

    if oof.silhouette is None:
        return _empty("cluster", "mean", "min", "max", "size")
    frame = pd.DataFrame({"cluster": oof.predicted, "silhouette": oof.silhouette}).dropna()
    out = frame.groupby("cluster")["silhouette"].agg(["mean", "min", "max", "size"])
    return out.reset_index()


def _empty(*columns: str) -> Any:
    import pandas as pd

    return pd.DataFrame(columns=list(columns))
