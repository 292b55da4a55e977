"""Metrics fitted to the data, on the real LocalCluster, against scikit-learn's own
cross_validate on the same folds: a string binary target with its positive class, a rare
class missing from some folds, a metric that fails on one fold."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stratum_jupyter import evaluate

pytestmark = pytest.mark.slow


def _pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


def _folds(result, metric):
    return result.results[0].fold_values(metric)


def test_string_binary_target_equals_cross_validate_with_pos_label(client, capsys):
    from sklearn.datasets import load_breast_cancer
    from sklearn.metrics import (
        average_precision_score,
        brier_score_loss,
        f1_score,
        make_scorer,
        precision_score,
        recall_score,
    )
    from sklearn.model_selection import StratifiedKFold, cross_validate

    bunch = load_breast_cancer(as_frame=True)
    X, y = bunch.data, bunch.target.map(dict(enumerate(bunch.target_names))).astype(object)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    metrics = ["f1", "precision", "recall", "average_precision", "roc_auc", "neg_log_loss",
               "neg_brier_score", "accuracy"]
    for pos in (None, "benign"):
        result = evaluate({"lr": (_pipeline(), {})}, X, y, metrics=metrics, pos_label=pos,
                          cv=folds, display="text", refit=False)
        label = pos or "malignant"  # the default: the second of the sorted labels
        ap = make_scorer(average_precision_score, pos_label=label,
                         response_method=("decision_function", "predict_proba"))
        brier = make_scorer(brier_score_loss, pos_label=label, greater_is_better=False,
                            response_method="predict_proba")
        scoring = {"f1": make_scorer(f1_score, pos_label=label),
                   "precision": make_scorer(precision_score, pos_label=label),
                   "recall": make_scorer(recall_score, pos_label=label),
                   "average_precision": ap, "roc_auc": "roc_auc",
                   "neg_log_loss": "neg_log_loss", "neg_brier_score": brier,
                   "accuracy": "accuracy"}
        # One metric at a time: scikit-learn's multi-metric scoring caches predictions by
        # method name, so with pos_label='benign' (classes_[0]) its roc_auc and brier would
        # read the other class's scores from that cache (stratum scores each on its own).
        sk = {f"test_{m}": cross_validate(_pipeline(), X, y, cv=folds,
                                          scoring=scorer)["test_score"]
              for m, scorer in scoring.items()}
        for metric in metrics:
            np.testing.assert_allclose(_folds(result, metric), sk[f"test_{metric}"],
                                       rtol=0, atol=1e-9, err_msg=metric)
        assert result.leaderboard.loc[0, "notes"] == "" and result.failures == []
        assert f"positive class for f1, precision, recall, average_precision: {label!r}" \
            in capsys.readouterr().out
    assert _folds(result, "f1") != pytest.approx(  # the positive class matters for f1
        cross_validate(_pipeline(), X, y, cv=folds, scoring=make_scorer(
            f1_score, pos_label="malignant"))["test_score"].tolist())


def test_numeric_binary_target_keeps_sklearns_default_scorers(client):
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import StratifiedKFold, cross_validate

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    folds = StratifiedKFold(3, shuffle=True, random_state=1)
    metrics = ["f1", "precision", "recall", "average_precision", "neg_log_loss"]
    result = evaluate({"lr": (_pipeline(), {})}, X, y, metrics=metrics, cv=folds,
                      display="none", refit=False)
    sk = cross_validate(_pipeline(), X, y, cv=folds, scoring=metrics)
    for metric in metrics:
        np.testing.assert_allclose(_folds(result, metric), sk[f"test_{metric}"], rtol=0,
                                   atol=1e-9, err_msg=metric)


@pytest.fixture(scope="module")
def rare():
    """Iris with the species names and only 3 virginica: with 5 stratified folds, two test
    parts have no virginica (scikit-learn warns that the class has too few members)."""
    from sklearn.datasets import load_iris

    bunch = load_iris(as_frame=True)
    y = bunch.target.map(dict(enumerate(bunch.target_names))).astype(object)
    keep = (y != "virginica") | (np.arange(len(y)) % 50 < 3)
    return bunch.data[keep].reset_index(drop=True), y[keep].reset_index(drop=True)


def test_rare_class_missing_from_a_fold(client, rare):
    import warnings

    from sklearn.metrics import brier_score_loss, log_loss, make_scorer, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_validate

    X, y = rare
    labels = ["setosa", "versicolor", "virginica"]
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    split = list(folds.split(X, y))
    missing = [k for k, (_, test) in enumerate(split) if "virginica" not in set(y[test])]
    assert len(missing) == 2
    metrics = ["neg_log_loss", "neg_brier_score", "roc_auc_ovr", "roc_auc_ovr_weighted",
               "accuracy"]
    result = evaluate({"lr": (_pipeline(), {})}, X, y, metrics=metrics, cv=split,
                      display="none", refit=False)
    assert result.leaderboard.loc[0, "notes"] == ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = cross_validate(_pipeline(), X, y, cv=split, return_estimator=True, scoring={
            "neg_log_loss": make_scorer(log_loss, labels=labels, greater_is_better=False,
                                        response_method="predict_proba"),
            "neg_brier_score": make_scorer(brier_score_loss, labels=labels,
                                           greater_is_better=False,
                                           response_method="predict_proba"),
            "roc_auc_ovr": "roc_auc_ovr", "accuracy": "accuracy"}, error_score=np.nan)
    for metric in ("neg_log_loss", "neg_brier_score", "accuracy"):
        np.testing.assert_allclose(_folds(result, metric), sk[f"test_{metric}"], rtol=0,
                                   atol=1e-9, err_msg=metric)
    # scikit-learn's own roc_auc_ovr cannot score the folds without virginica (NaN there);
    # where it can, the values are the same; where it cannot, the mean over the classes
    # present of each class's one-vs-rest AUC.
    ours, theirs = _folds(result, "roc_auc_ovr"), sk["test_roc_auc_ovr"]
    assert all(math.isnan(theirs[k]) for k in missing)
    for k, (_, test) in enumerate(split):
        if k not in missing:
            assert ours[k] == pytest.approx(theirs[k], abs=1e-9)
            continue
        proba = sk["estimator"][k].predict_proba(X.iloc[test])
        per_class = [roc_auc_score(y[test] == c, proba[:, i]) for i, c in enumerate(labels[:2])]
        assert ours[k] == pytest.approx(np.mean(per_class), abs=1e-9)
    assert not any(math.isnan(v) for m in metrics for v in _folds(result, m))


def test_a_metric_failing_on_one_fold_discards_nothing_else(client, capsys):
    from sklearn.datasets import load_breast_cancer
    from sklearn.metrics import log_loss, make_scorer
    from sklearn.model_selection import StratifiedKFold, cross_validate
    from sklearn.svm import SVC

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    split = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    malignant = np.flatnonzero(y.to_numpy() == 0)[:40]  # a test part of one class only
    split.append((np.setdiff1d(np.arange(len(y)), malignant), malignant))
    candidates = {"lr": (_pipeline(), {}),
                  "svc": (SVC(), {})}  # no predict_proba: neg_log_loss fails on every fold
    metrics = ["accuracy", "roc_auc", "neg_log_loss"]
    result = evaluate(candidates, X, y, metrics=metrics, select_by="neg_log_loss", cv=split,
                      display="text")
    board = result.leaderboard.set_index("candidate")
    assert list(board.index) == ["lr", "svc"] and set(board["status"]) == {"ok"}
    assert result.failures == [] and result.best.candidate == "lr"
    sk = cross_validate(_pipeline(), X, y, cv=split, scoring=metrics, error_score=np.nan)
    for metric in ("accuracy", "roc_auc"):
        np.testing.assert_allclose(_folds(result, metric), sk[f"test_{metric}"], rtol=0,
                                   atol=1e-9, err_msg=metric)
    # neg_log_loss knows both labels, so the one-class fold has a value; scikit-learn's own
    # scorer gives up there ("y_true contains only one label").
    assert math.isnan(sk["test_neg_log_loss"][3])
    with_labels = make_scorer(log_loss, labels=[0, 1], greater_is_better=False,
                              response_method="predict_proba")
    np.testing.assert_allclose(_folds(result, "neg_log_loss"), cross_validate(
        _pipeline(), X, y, cv=split, scoring=with_labels)["test_score"], rtol=0, atol=1e-9)
    assert math.isnan(board.loc["lr", "roc_auc"])  # NaN on fold 3: the mean is NaN
    assert board.loc["lr", "accuracy"] == pytest.approx(sk["test_accuracy"].mean(), abs=1e-9)
    one_class = "roc_auc NaN on fold 3: undefined on this fold: its test part has one class (0)"
    assert board.loc["lr", "notes"] == one_class
    svc_notes = board.loc["svc", "notes"]
    assert svc_notes.startswith("neg_log_loss NaN on folds 0, 1, 2, 3: AttributeError: "
                                "This 'SVC' has no attribute 'predict_proba'")
    assert svc_notes.endswith(f"; {one_class}")
    assert math.isnan(board.loc["svc", "neg_log_loss"]) and board.loc["svc", "rank"] == 2
    svc = next(r for r in result.results if r.config.candidate == "svc")
    assert svc.fold_values("roc_auc")[0] == pytest.approx(
        cross_validate(SVC(), X, y, cv=split[:1], scoring="roc_auc")["test_score"][0])
    out = capsys.readouterr().out
    assert f"note: {one_class}" in out and "FAILED" not in out
    records = {r["candidate"]: r for r in result.to_dict()["leaderboard"]}
    assert records["svc"]["notes"] == svc_notes and records["svc"]["neg_log_loss"] is None
    assert "neg_log_loss NaN on folds 0, 1, 2, 3" in result._repr_html_()
