"""The metric vocabulary of the spec: names, the tasks they fit, and the scikit-learn scorer.

Pure data, so validating a spec needs no scikit-learn import. Every metric is reported
"higher is better", as scikit-learn's scorers are: error metrics are negated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    task: str
    scorer: str | None  # a scikit-learn scorer name; None for the clustering metrics
    needs_labels: bool = True
    doc: str = ""


_CLASSIFICATION = {
    "accuracy": "Fraction of correct predictions.",
    "balanced_accuracy": "Accuracy averaged over classes.",
    "f1": "F1 score of the positive class (binary targets).",
    "f1_macro": "F1 score, unweighted mean over classes.",
    "f1_micro": "F1 score over all predictions.",
    "f1_weighted": "F1 score, mean over classes weighted by support.",
    "precision": "Precision of the positive class (binary targets).",
    "precision_macro": "Precision, unweighted mean over classes.",
    "recall": "Recall of the positive class (binary targets).",
    "recall_macro": "Recall, unweighted mean over classes.",
    "roc_auc": "Area under the ROC curve (binary targets).",
    "roc_auc_ovr": "Area under the ROC curve, one-vs-rest (multiclass).",
    "neg_log_loss": "Negated cross-entropy loss.",
}
_REGRESSION = {
    "r2": "Coefficient of determination.",
    "explained_variance": "Explained variance.",
    "neg_mean_squared_error": "Negated mean squared error.",
    "neg_root_mean_squared_error": "Negated root mean squared error.",
    "neg_mean_absolute_error": "Negated mean absolute error.",
    "neg_median_absolute_error": "Negated median absolute error.",
    "neg_mean_absolute_percentage_error": "Negated mean absolute percentage error.",
}
_ALIASES = {
    "mse": "neg_mean_squared_error",
    "rmse": "neg_root_mean_squared_error",
    "mae": "neg_mean_absolute_error",
    "log_loss": "neg_log_loss",
}
_CLUSTERING = {
    "silhouette": (False, "Mean silhouette coefficient of the predicted clusters."),
    "calinski_harabasz": (False, "Calinski-Harabasz index (between/within dispersion)."),
    "davies_bouldin": (False, "Negated Davies-Bouldin index (lower raw values are better)."),
    "adjusted_rand": (True, "Adjusted Rand index against the given labels."),
}

METRICS: dict[str, Metric] = {}
for _name, _doc in _CLASSIFICATION.items():
    METRICS[_name] = Metric(_name, "classification", _name, doc=_doc)
for _name, _doc in _REGRESSION.items():
    METRICS[_name] = Metric(_name, "regression", _name, doc=_doc)
for _alias, _target in _ALIASES.items():
    _base = METRICS[_target]
    METRICS[_alias] = Metric(_alias, _base.task, _base.scorer, doc=f"Alias of {_target}.")
for _name, (_labels, _doc) in _CLUSTERING.items():
    METRICS[_name] = Metric(_name, "clustering", None, needs_labels=_labels, doc=_doc)

DEFAULT_METRIC = {"classification": "accuracy", "regression": "r2", "clustering": "silhouette"}


def metrics_for(task: str) -> list[str]:
    """Names of the metrics that fit ``task``, in a stable order."""
    return [name for name, metric in METRICS.items() if metric.task == task]
