"""The metric vocabulary says what each metric asks of the target, in agreement with
scikit-learn's own scorers; ``evaluation.pos_label`` is checked like every other field."""

from __future__ import annotations

import copy
import warnings

import pytest

from stratum_jupyter.errors import SpecError
from stratum_jupyter.spec import METRICS, collect_issues, load_spec, metrics_for
from tests.conftest import VALID


def test_every_classification_metric_is_a_sklearn_scorer():
    from sklearn.metrics import get_scorer_names

    names = set(get_scorer_names())
    for metric in METRICS.values():
        assert metric.scorer is None or metric.scorer in names, metric.name
        for other in metric.alternatives:
            assert not METRICS[other].binary_only and METRICS[other].task == metric.task
        assert not metric.alternatives or metric.binary_only


def _refused_by_sklearn(model, X, y) -> set[str]:
    """The classification metrics whose scikit-learn scorer raises on ``(model, X, y)``."""
    from sklearn.metrics import get_scorer

    refused = set()
    for name in metrics_for("classification"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                get_scorer(METRICS[name].scorer)(model, X, y)
        except ValueError:
            refused.add(name)
    return refused


def test_binary_only_is_what_sklearn_refuses_on_three_classes():
    """Each classification metric of the vocabulary on a 3-class target: scikit-learn's own
    scorer raises exactly for those marked binary_only (average_precision, which scikit-learn
    takes as a one-vs-rest mean, is kept binary-only here: its positive class is the point)."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    refused = _refused_by_sklearn(model, X, y)
    binary_only = {n for n in metrics_for("classification") if METRICS[n].binary_only}
    assert refused == binary_only - {"average_precision"}
    assert binary_only == {"f1", "precision", "recall", "roc_auc", "average_precision"}


def test_pos_label_metrics_are_those_sklearn_refuses_on_string_labels():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    X, y = load_breast_cancer(return_X_y=True)
    y = y.astype(str).astype(object)  # '0', '1'
    model = LogisticRegression(max_iter=5000).fit(X, y)
    refused = _refused_by_sklearn(model, X, y)
    uses = {n for n in metrics_for("classification") if METRICS[n].uses_pos_label}
    # neg_brier_score is refused too, but does not depend on the positive class: it is
    # computed over the label set (it is the same for either class of a binary target).
    assert refused == uses | {"neg_brier_score"}
    assert METRICS["neg_brier_score"].label_set and METRICS["log_loss"].label_set


def _with(**evaluation):
    spec = copy.deepcopy(VALID)
    spec["evaluation"].update(evaluation)
    return spec


def test_pos_label_field():
    assert load_spec(_with(pos_label="yes")).evaluation.pos_label == "yes"
    assert load_spec(_with(pos_label=1)).evaluation.pos_label == 1
    assert load_spec(_with(pos_label=False)).evaluation.pos_label is False
    assert load_spec(VALID).evaluation.pos_label is None
    assert "pos_label" not in load_spec(VALID).to_dict()["evaluation"]
    (issue,) = collect_issues(_with(pos_label=0.5))
    assert issue.field == "evaluation.pos_label"
    assert "a class label is a string, an integer or true/false; got 0.5" in str(issue)
    spec = _with(pos_label="yes", metrics=["r2"], select_by="r2")
    spec["task"] = "regression"
    spec["candidates"] = [{"name": "ridge", "steps": [{"Ridge": {}}]}]
    spec["data"] = {"source": "sklearn:diabetes"}
    with pytest.raises(SpecError) as err:
        load_spec(spec)
    assert err.value.fields == ["evaluation.pos_label"]
    assert "a positive class is for classification, not for regression" in str(err.value)


def test_docs_name_every_metric():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text("utf-8")
    for name in METRICS:
        if not name.startswith(("f1_", "precision_", "recall_")):  # "their _macro ... means"
            assert f"`{name}`" in text, name
