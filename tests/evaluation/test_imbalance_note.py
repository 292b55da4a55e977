"""A classification target whose rarest class is under 10% of the rows, ranked by accuracy
alone, gets a note: what always predicting the majority scores, and the metrics that fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stratum_jupyter.errors import MetricError
from stratum_jupyter.evaluation.prepare import Options, prepare

X = pd.DataFrame({"a": np.arange(200.0)})
CHURN = pd.Series(["no"] * 186 + ["yes"] * 14, name="churn")  # 7% "yes"


def _spec(metrics=None, task="classification"):
    spec = {"version": 1, "task": task,
            "candidates": [{"name": "m", "steps": [
                "LogisticRegression" if task == "classification" else "Ridge"]}]}
    if metrics:
        spec["evaluation"] = {"metrics": metrics}
    return spec


def _imbalance(notes):
    return [n for n in notes if n.startswith("imbalanced target")]


def test_accuracy_alone_on_a_rare_class_is_noted():
    plan = prepare(_spec(), X, CHURN)
    assert _imbalance(plan.notes) == [
        "imbalanced target: class 'yes' is 7.0% of the rows (14 of 200); always predicting "
        "'no' scores accuracy 0.93, so accuracy alone says little: metrics that fit: "
        "balanced_accuracy, f1, roc_auc, average_precision (evaluation.metrics)"]


def test_the_metrics_named_are_accepted_by_the_product():
    # Every metric the note names is allowed for that target: a spec listing them runs.
    binary = ["accuracy", "balanced_accuracy", "f1", "roc_auc", "average_precision"]
    assert _imbalance(prepare(_spec(binary), X, CHURN).notes) == []
    three = pd.Series(["a"] * 100 + ["b"] * 90 + ["c"] * 10)
    (note,) = _imbalance(prepare(_spec(), X, three).notes)
    assert "class 'c' is 5.0%" in note and "always predicting 'a' scores accuracy 0.50" in note
    assert note.endswith("metrics that fit: balanced_accuracy, f1_macro, roc_auc_ovr "
                         "(evaluation.metrics)")
    prepare(_spec(["accuracy", "balanced_accuracy", "f1_macro", "roc_auc_ovr"]), X, three)
    with pytest.raises(MetricError):  # which is why the multiclass note names f1_macro
        prepare(_spec(["f1"]), X, three)


@pytest.mark.parametrize(("y", "metrics"), [
    (pd.Series(["no"] * 170 + ["yes"] * 30), None),  # 15%: not rare
    (pd.Series(["no"] * 180 + ["yes"] * 20), None),  # exactly 10%: not under
    (CHURN, ["accuracy", "f1"]),  # another metric beside accuracy
    (CHURN, ["balanced_accuracy"]),
])
def test_no_note_otherwise(y, metrics):
    assert _imbalance(prepare(_spec(metrics), X, y).notes) == []


def test_keyword_metrics_and_regression_targets():
    assert _imbalance(prepare(_spec(["f1"]), X, CHURN, Options(metrics=["accuracy"])).notes)
    skewed = pd.Series([0.0] * 195 + [1.0] * 5)
    assert _imbalance(prepare(_spec(task="regression"), X, skewed).notes) == []
