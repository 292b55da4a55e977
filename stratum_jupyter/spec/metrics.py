"""The metric vocabulary of the spec: names, the tasks they fit, and the scikit-learn scorer.

Pure data, so validating a spec needs no scikit-learn import. Every metric is reported
"higher is better", as scikit-learn's scorers are: error metrics are negated.

What a classification metric asks of the target is part of its entry: ``binary_only``
(it scores one positive class; on a target of three or more classes it is refused, and
``alternatives`` are offered), ``uses_pos_label`` (its value depends on which class is the
positive one: ``evaluation.pos_label``) and ``label_set`` (a probability metric, computed
over every class of the target, so a class missing from a fold neither breaks nor distorts
it).
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
    binary_only: bool = False
    alternatives: tuple[str, ...] = ()  # what to use instead on a multiclass target
    uses_pos_label: bool = False
    label_set: bool = False


_CLASSIFICATION = {
    "accuracy": "Fraction of correct predictions.",
    "balanced_accuracy": "Accuracy averaged over classes.",
    "f1": "F1 score of the positive class (binary targets).",
    "f1_macro": "F1 score, unweighted mean over classes.",
    "f1_micro": "F1 score over all predictions.",
    "f1_weighted": "F1 score, mean over classes weighted by support.",
    "precision": "Precision of the positive class (binary targets).",
    "precision_macro": "Precision, unweighted mean over classes.",
    "precision_micro": "Precision over all predictions.",
    "precision_weighted": "Precision, mean over classes weighted by support.",
    "recall": "Recall of the positive class (binary targets).",
    "recall_macro": "Recall, unweighted mean over classes.",
    "recall_micro": "Recall over all predictions.",
    "recall_weighted": "Recall, mean over classes weighted by support.",
    "roc_auc": "Area under the ROC curve (binary targets).",
    "roc_auc_ovr": "Area under the ROC curve, one-vs-rest, unweighted mean over the classes "
                   "present in the fold.",
    "roc_auc_ovr_weighted": "Area under the ROC curve, one-vs-rest, mean over the classes "
                            "present in the fold weighted by their support.",
    "average_precision": "Area under the precision-recall curve of the positive class "
                         "(binary targets).",
    "neg_log_loss": "Negated cross-entropy loss.",
    "neg_brier_score": "Negated Brier score (squared error of the predicted probabilities).",
}
# Binary-only metrics and what to use on three or more classes (scikit-learn's scorers of
# the same family: these raise "Target is multiclass but average='binary'" or the like).
_AVERAGES = ("macro", "weighted", "micro")
_BINARY_ONLY = {
    "f1": tuple(f"f1_{a}" for a in _AVERAGES),
    "precision": tuple(f"precision_{a}" for a in _AVERAGES),
    "recall": tuple(f"recall_{a}" for a in _AVERAGES),
    "roc_auc": ("roc_auc_ovr", "roc_auc_ovr_weighted"),
    "average_precision": ("roc_auc_ovr", "roc_auc_ovr_weighted"),
}
# Scores of one positive class: scikit-learn's default pos_label=1 fails on string labels.
_POS_LABEL = {"f1", "precision", "recall", "average_precision"}
# Probability metrics: computed over the target's whole label set.
_LABEL_SET = {"roc_auc_ovr", "roc_auc_ovr_weighted", "neg_log_loss", "neg_brier_score"}
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
    METRICS[_name] = Metric(_name, "classification", _name, doc=_doc,
                            binary_only=_name in _BINARY_ONLY,
                            alternatives=_BINARY_ONLY.get(_name, ()),
                            uses_pos_label=_name in _POS_LABEL, label_set=_name in _LABEL_SET)
for _name, _doc in _REGRESSION.items():
    METRICS[_name] = Metric(_name, "regression", _name, doc=_doc)
for _alias, _target in _ALIASES.items():
    _base = METRICS[_target]
    METRICS[_alias] = Metric(_alias, _base.task, _base.scorer, doc=f"Alias of {_target}.",
                             label_set=_base.label_set)
for _name, (_labels, _doc) in _CLUSTERING.items():
    METRICS[_name] = Metric(_name, "clustering", None, needs_labels=_labels, doc=_doc)

DEFAULT_METRIC = {"classification": "accuracy", "regression": "r2", "clustering": "silhouette"}


def metrics_for(task: str) -> list[str]:
    """Names of the metrics that fit ``task``, in a stable order."""
    return [name for name, metric in METRICS.items() if metric.task == task]
