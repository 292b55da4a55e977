"""Metrics that do not fit the data are refused in ``prepare``, before any task: binary-only
metrics on a multiclass target, a ``pos_label`` that is not a label; the positive class of
a binary target is chosen and said; probability metrics use the target's whole label set."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from stratum_jupyter.errors import EvaluationError, MetricError, SpecError
from stratum_jupyter.evaluation.prepare import Options, prepare
from stratum_jupyter.evaluation.scoring import (
    LabelSetScorer,
    aligned_proba,
    class_labels,
    default_pos_label,
    scorers_for,
)

PENGUINS = Path(__file__).resolve().parents[1] / "data" / "penguins.csv"

SPEC = """
version: 1
task: classification
evaluation: {cv: 3, random_state: 0, metrics: [accuracy, f1, roc_auc]}
candidates:
  - name: logreg
    steps: [StandardScaler, {LogisticRegression: {max_iter: 1000}}]
"""


@pytest.fixture(scope="module")
def iris_named():
    """Iris with the species names as labels (a string multiclass target)."""
    from sklearn.datasets import load_iris

    bunch = load_iris(as_frame=True)
    return bunch.data, bunch.target.map(dict(enumerate(bunch.target_names))).astype(object)


@pytest.fixture(scope="module")
def cancer_named():
    """Breast cancer with its class names as labels (a string binary target)."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    return bunch.data, bunch.target.map(dict(enumerate(bunch.target_names))).astype(object)


def _candidates():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {"lr": (make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)), {})}


@pytest.mark.parametrize("metric", ["f1", "precision", "recall", "roc_auc",
                                    "average_precision"])
def test_binary_only_metric_on_multiclass_target_is_refused(iris_named, metric):
    X, y = iris_named
    with pytest.raises(MetricError) as err:
        prepare(_candidates(), X, y, Options(metrics=["accuracy", metric]))
    (issue,) = err.value.issues
    assert issue.field == "metrics[1]" and issue.value == metric
    assert f"metric {metric!r} is for binary targets" in str(err.value)
    assert "3 classes ('setosa', 'versicolor', 'virginica')" in str(err.value)
    alternatives = {"f1": "f1_macro, f1_weighted, f1_micro",
                    "precision": "precision_macro, precision_weighted, precision_micro",
                    "recall": "recall_macro, recall_weighted, recall_micro",
                    "roc_auc": "roc_auc_ovr, roc_auc_ovr_weighted",
                    "average_precision": "roc_auc_ovr, roc_auc_ovr_weighted"}[metric]
    assert issue.allowed == alternatives
    assert isinstance(err.value, SpecError)  # bad input: exit 2, UsageError in a magic
    assert str(err.value).startswith("the metrics do not fit the data (1 problem):")


def test_every_mismatch_of_a_spec_is_named_at_its_field(iris_named):
    X, y = iris_named
    with pytest.raises(MetricError) as err:
        prepare(SPEC, X, y)
    assert err.value.fields == ["evaluation.metrics[1]", "evaluation.metrics[2]"]
    # The same metrics on the binary part of the table are fine.
    binary = y != "setosa"
    plan = prepare(SPEC, X[binary], y[binary])
    assert plan.metrics == ("accuracy", "f1", "roc_auc")


def test_cli_exit_code_2_on_a_real_table(tmp_path, capsys):
    from stratum_jupyter.cli import main

    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("StandardScaler, ", ""))
    code = main(["evaluate", str(spec), "--data", str(PENGUINS), "--target", "species",
                 "--display", "none"])
    err = capsys.readouterr().err
    assert code == 2
    assert "evaluation.metrics[1]: metric 'f1' is for binary targets, but the target has " \
           "3 classes ('Adelie', 'Chinstrap', 'Gentoo') (allowed: f1_macro" in err
    assert "evaluation.metrics[2]: metric 'roc_auc'" in err


def test_other_mismatches_before_any_work(iris_named):
    from sklearn.cluster import KMeans
    from sklearn.linear_model import Ridge

    X, y = iris_named
    with pytest.raises(MetricError, match=r"metrics\[0\]: metric 'accuracy' is for "
                                          r"classification, not for regression"):
        prepare({"ridge": (Ridge(), {})}, X, np.arange(len(X)), Options(metrics=["accuracy"]))
    with pytest.raises(MetricError, match="'adjusted_rand' compares the clusters with true "
                                          "labels, but there is no target.*silhouette"):
        prepare({"km": (KMeans(3, n_init=2), {})}, X, None, Options(metrics=["adjusted_rand"]))
    with pytest.raises(EvaluationError, match="metrics: unknown metric 'f2'"):
        prepare(_candidates(), X, y, Options(metrics=["f2"]))


def test_positive_class_of_a_string_binary_target(cancer_named):
    X, y = cancer_named
    assert class_labels("classification", y) == ("benign", "malignant")
    plan = prepare(_candidates(), X, y, Options(metrics=["accuracy", "f1", "recall"]))
    assert plan.notes[0] == ("positive class for f1, recall: 'malignant' (the second of the "
                             "sorted labels 'benign', 'malignant'; set pos_label to choose "
                             "another)")
    spec = SPEC.replace("random_state: 0,", "random_state: 0, pos_label: benign,")
    plan = prepare(spec, X, y)
    assert plan.notes[0] == "positive class for f1: 'benign' (evaluation.pos_label)"
    plan = prepare(spec, X, y, Options(pos_label="malignant"))  # the keyword wins
    assert plan.notes[0] == "positive class for f1: 'malignant' (pos_label)"
    # Numeric labels keep scikit-learn's own default, 1.
    assert default_pos_label((0, 1)) == 1 and default_pos_label((-1, 1)) == 1
    assert default_pos_label((False, True)) is True
    assert default_pos_label(("no", "yes")) == "yes" and default_pos_label((2, 3)) == 3
    plan = prepare(_candidates(), X, (y == "benign").astype(int), Options(metrics=["f1"]))
    assert plan.notes[0] == ("positive class for f1: 1 (scikit-learn's default; set "
                             "pos_label to choose another)")


def test_pos_label_that_is_not_a_label_is_refused(cancer_named, iris_named):
    X, y = cancer_named
    spec = SPEC.replace("random_state: 0,", "random_state: 0, pos_label: Benign,")
    with pytest.raises(MetricError) as err:
        prepare(spec, X, y)
    (issue,) = err.value.issues
    assert issue.field == "evaluation.pos_label" and issue.allowed == "'benign', 'malignant'"
    with pytest.raises(MetricError) as err:
        prepare(_candidates(), X, (y == "benign").astype(int), Options(pos_label="1"))
    assert "pos_label: '1' is not a label of the target (allowed: 0, 1); did you mean 1?" \
        in str(err.value)
    X3, y3 = iris_named  # multiclass: not used, and said
    plan = prepare(_candidates(), X3, y3, Options(metrics=["f1_macro"], pos_label="setosa"))
    assert plan.notes == ("pos_label 'setosa' is not used: the target has 3 classes",)


def test_scorers_use_the_positive_class(cancer_named):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, f1_score, precision_score

    X, y = cancer_named
    model = LogisticRegression(max_iter=5000).fit(X, y)
    pred = model.predict(X)
    for pos, column in (("malignant", 1), ("benign", 0)):
        scorers = scorers_for(["f1", "precision", "average_precision"], "classification", y,
                              pos_label=pos).scorers
        assert scorers["f1"](model, X, y) == pytest.approx(
            f1_score(y, pred, pos_label=pos), abs=1e-12)
        assert scorers["precision"](model, X, y) == pytest.approx(
            precision_score(y, pred, pos_label=pos), abs=1e-12)
        # average_precision ranks by the decision function, as scikit-learn's scorer does.
        score = model.decision_function(X) * (1 if column == 1 else -1)
        assert scorers["average_precision"](model, X, y) == pytest.approx(
            average_precision_score(y, score, pos_label=pos), abs=1e-12)


def test_probability_metrics_are_sklearns_on_every_target(cancer_named, iris_named):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import get_scorer

    names = ["neg_log_loss", "neg_brier_score", "roc_auc_ovr", "roc_auc_ovr_weighted"]
    for X, y in (cancer_named, iris_named):
        numeric = y.astype("category").cat.codes  # scikit-learn's scorers need numbers here
        model = LogisticRegression(max_iter=5000).fit(X, numeric)
        scorers = scorers_for(names, "classification", numeric).scorers
        for name in names:
            assert isinstance(scorers[name], LabelSetScorer)
            assert scorers[name](model, X, numeric) == pytest.approx(
                get_scorer(name)(model, X, numeric), abs=1e-12)


def test_a_class_missing_from_a_fold_keeps_probability_metrics_right(iris_named):
    """A fold whose test part lacks a class, and one whose train part lacks it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

    X, y = iris_named
    labels = class_labels("classification", y)
    scorers = scorers_for(["neg_log_loss", "neg_brier_score", "roc_auc_ovr",
                           "roc_auc_ovr_weighted"], "classification", y).scorers
    model = LogisticRegression(max_iter=1000).fit(X, y)
    test = (y != "virginica").to_numpy()  # no virginica in the test part
    Xt, yt = X[test], y[test].to_numpy()
    proba = model.predict_proba(Xt)
    assert scorers["neg_log_loss"](model, Xt, yt) == pytest.approx(
        -log_loss(yt, proba, labels=list(labels)), abs=1e-12)
    assert scorers["neg_brier_score"](model, Xt, yt) == pytest.approx(
        -brier_score_loss(yt, proba, labels=list(labels)), abs=1e-12)
    per_class = [roc_auc_score(yt == c, proba[:, i]) for i, c in enumerate(labels[:2])]
    assert scorers["roc_auc_ovr"](model, Xt, yt) == pytest.approx(np.mean(per_class), abs=1e-12)
    assert scorers["roc_auc_ovr_weighted"](model, Xt, yt) == pytest.approx(
        np.average(per_class, weights=[(yt == c).sum() for c in labels[:2]]), abs=1e-12)
    # A model that never saw virginica: its probability is 0, in its own column.
    partial = LogisticRegression(max_iter=1000).fit(X[test], y[test])
    aligned = aligned_proba(partial, X, labels)
    assert aligned.shape == (150, 3) and not aligned[:, 2].any()
    np.testing.assert_allclose(aligned[:, :2], partial.predict_proba(X))
    value = scorers["neg_log_loss"](partial, X, y.to_numpy())
    assert math.isfinite(value) and value == pytest.approx(
        -log_loss(y, aligned, labels=list(labels)), abs=1e-12)
