"""The numbers behind the diagnostic plots equal scikit-learn's own functions on the same
folds' out-of-fold predictions (cross_val_predict with those folds), to 1e-9."""

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from stratum_jupyter import evaluate

from .conftest import folds_of, oof_order

TOL = dict(rtol=0, atol=1e-9)


def _spec(task, steps, **evaluation):
    return {"version": 1, "task": task,
            "evaluation": {"cv": 4, "random_state": 0, **evaluation},
            "candidates": [{"name": "model", "steps": steps}]}


def _curve(frame, label, *columns):
    part = frame[frame["class"] == label]
    return [part[c].to_numpy() for c in columns]


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    labels = np.where(y == 1, "benign", "malignant")  # the user's own labels
    return X.iloc[::3, :8], pd.Series(labels[::3], name="diagnosis")


def test_binary_with_probabilities(in_process, cancer):
    X, y = cancer
    spec = _spec("classification", [{"StandardScaler": {}}, {"LogisticRegression": {}}],
                 pos_label="malignant", metrics=["f1", "accuracy"])
    d = evaluate(spec, X, y, display="none").diagnostics
    oof = d.kept[d.best]
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    proba = oof_order(cross_val_predict(pipe, X, y, cv=folds_of(oof),
                                        method="predict_proba"), oof)
    truth = oof_order(y, oof)
    pos = proba[:, list(oof.classes).index("malignant")]
    assert list(oof.classes) == ["benign", "malignant"] and d.pos_label == "malignant"

    counts = metrics.confusion_matrix(truth, oof.predicted, labels=["benign", "malignant"])
    cm = d.confusion_matrix().pivot(index="actual", columns="predicted", values="count")
    np.testing.assert_array_equal(cm.to_numpy(), counts)
    np.testing.assert_array_equal(oof.predicted, np.where(pos > 0.5, "malignant", "benign"))

    roc = d.roc_curve()
    assert set(roc["class"]) == {"malignant"}  # binary: the positive class's curve
    for got, want in zip(_curve(roc, "malignant", "fpr", "tpr", "threshold"),
                         metrics.roc_curve(truth, pos, pos_label="malignant"), strict=True):
        np.testing.assert_allclose(got, want, **TOL)
    assert roc["auc"].iloc[0] == pytest.approx(
        metrics.roc_auc_score(truth == "malignant", pos), abs=1e-9)

    pr = d.precision_recall_curve()
    precision, recall, thresholds = metrics.precision_recall_curve(truth, pos,
                                                                   pos_label="malignant")
    np.testing.assert_allclose(pr["precision"], precision, **TOL)
    np.testing.assert_allclose(pr["recall"], recall, **TOL)
    np.testing.assert_allclose(pr["threshold"].iloc[:-1], thresholds, **TOL)

    cal = d.calibration_curve()
    fraction, mean = calibration_curve(truth, pos, pos_label="malignant", n_bins=10)
    np.testing.assert_allclose(cal["fraction_positive"], fraction, **TOL)
    np.testing.assert_allclose(cal["mean_predicted"], mean, **TOL)

    table = d.threshold_table().set_index("threshold")
    for cut in (0.25, 0.5, 0.75):
        row = table.loc[table.index[np.isclose(table.index, cut)][0]]
        said = np.where(pos >= cut, "malignant", "benign")
        assert row["precision"] == pytest.approx(
            metrics.precision_score(truth, said, pos_label="malignant"), abs=1e-9)
        assert row["recall"] == pytest.approx(
            metrics.recall_score(truth, said, pos_label="malignant"), abs=1e-9)
        assert row["f1"] == pytest.approx(
            metrics.f1_score(truth, said, pos_label="malignant"), abs=1e-9)
        assert row["accuracy"] == pytest.approx(metrics.accuracy_score(truth, said), abs=1e-9)


def test_binary_decision_function(in_process, cancer):
    X, y = cancer
    spec = _spec("classification", [{"StandardScaler": {}}, {"LinearSVC": {}}],
                 pos_label="benign")
    d = evaluate(spec, X, y, display="none").diagnostics
    oof = d.kept[d.best]
    assert oof.score_kind == "decision_function"
    scores = oof_order(cross_val_predict(make_pipeline(StandardScaler(), LinearSVC()), X, y,
                                         cv=folds_of(oof), method="decision_function"), oof)
    truth = oof_order(y, oof)
    # scikit-learn's decision values are positive for classes_[1] ("malignant").
    for got, want in zip(_curve(d.roc_curve(), "benign", "fpr", "tpr", "threshold"),
                         metrics.roc_curve(truth, -scores, pos_label="benign"), strict=True):
        np.testing.assert_allclose(got, want, **TOL)
    assert d.calibration_curve().empty  # no probabilities: no calibration curve


def test_multiclass_per_class(in_process):
    X, y = load_iris(return_X_y=True, as_frame=True)
    names = pd.Series(np.array(["setosa", "versicolor", "virginica"])[y], name="species")
    spec = _spec("classification",
                 [{"StandardScaler": {}}, {"LogisticRegression": {"C": [0.05, 1.0]}}])
    result = evaluate(spec, X, names, display="none")
    d = result.diagnostics
    oof = d.kept[d.best]
    C = next(v for k, v in result.best.params.items() if k.endswith("C"))
    proba = oof_order(cross_val_predict(make_pipeline(StandardScaler(),
                                                      LogisticRegression(C=C)), X, names,
                                        cv=folds_of(oof), method="predict_proba"), oof)
    truth = oof_order(names, oof)
    cm = d.confusion_matrix()
    want = metrics.confusion_matrix(truth, oof.predicted, normalize="true",
                                    labels=list(oof.classes))
    got = cm.pivot(index="actual", columns="predicted", values="fraction")
    np.testing.assert_allclose(got.loc[list(oof.classes), list(oof.classes)], want, **TOL)
    roc, pr, cal = d.roc_curve(), d.precision_recall_curve(), d.calibration_curve()
    assert sorted(set(roc["class"])) == ["setosa", "versicolor", "virginica"]
    for i, label in enumerate(oof.classes):
        truth_i = truth == label
        for got, want in zip(_curve(roc, label, "fpr", "tpr", "threshold"),
                             metrics.roc_curve(truth_i, proba[:, i]), strict=True):
            np.testing.assert_allclose(got, want, **TOL)
        precision, recall, _ = metrics.precision_recall_curve(truth_i, proba[:, i])
        np.testing.assert_allclose(_curve(pr, label, "precision")[0], precision, **TOL)
        np.testing.assert_allclose(_curve(pr, label, "recall")[0], recall, **TOL)
        assert _curve(pr, label, "auc")[0][0] == pytest.approx(
            metrics.average_precision_score(truth_i, proba[:, i]), abs=1e-9)
        fraction, mean = calibration_curve(truth_i, proba[:, i], n_bins=10)
        np.testing.assert_allclose(_curve(cal, label, "fraction_positive")[0], fraction, **TOL)
        np.testing.assert_allclose(_curve(cal, label, "mean_predicted")[0], mean, **TOL)
    assert d.threshold_table().empty  # only for a binary target
    # Every configuration's folds, in the leaderboard's order.
    spread = d.fold_spread()
    assert spread.drop_duplicates("config")["rank"].tolist() == [1, 2]
    assert spread.drop_duplicates("config")["config"].iloc[0] == d.best
    first = spread[(spread["rank"] == 1) & (spread["metric"] == result.select_by)]
    np.testing.assert_allclose(first["value"], result.best.metrics["folds"][result.select_by])


def test_regression(in_process):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    d = evaluate(_spec("regression", [{"Ridge": {"alpha": 1.0}}]), X, y,
                 display="none").diagnostics
    oof = d.kept[d.best]
    predicted = oof_order(cross_val_predict(Ridge(alpha=1.0), X, y, cv=folds_of(oof)), oof)
    frame = d.predicted_vs_actual()
    np.testing.assert_allclose(frame["predicted"], predicted, **TOL)
    np.testing.assert_allclose(frame["actual"], oof_order(y, oof), **TOL)
    np.testing.assert_allclose(frame["residual"], frame["actual"] - predicted, **TOL)
    counts, edges = np.histogram(oof_order(y, oof) - predicted, bins=30)
    hist = d.residual_distribution()
    np.testing.assert_array_equal(hist["count"], counts)
    np.testing.assert_allclose(hist["left"], edges[:-1], **TOL)


def test_clustering(in_process):
    X, _ = load_iris(return_X_y=True, as_frame=True)
    spec = _spec("clustering", [{"StandardScaler": {}},
                                {"KMeans": {"n_clusters": 3, "n_init": 2}}])
    d = evaluate(spec, X, display="none").diagnostics
    oof = d.kept[d.best]
    sizes = d.cluster_sizes()
    assert sizes["size"].sum() == len(X)
    labels, counts = np.unique(oof.predicted, return_counts=True)
    np.testing.assert_array_equal(sizes["size"], counts)
    # Labels and silhouettes as scikit-learn's, fold by fold.
    for train, test in folds_of(oof):
        scaler = StandardScaler().fit(X.iloc[train])
        km = KMeans(n_clusters=3, n_init=2, random_state=0).fit(scaler.transform(X.iloc[train]))
        rows = np.isin(oof.rows, test)
        features = scaler.transform(X.iloc[oof.rows[rows]])
        np.testing.assert_array_equal(oof.predicted[rows], km.predict(features))
        np.testing.assert_allclose(oof.silhouette[rows],
                                   metrics.silhouette_samples(features, oof.predicted[rows]),
                                   **TOL)
    by_cluster = d.silhouette_by_cluster()
    frame = pd.DataFrame({"c": oof.predicted, "s": oof.silhouette})
    np.testing.assert_allclose(by_cluster["mean"], frame.groupby("c")["s"].mean(), **TOL)


def test_pos_label_keyword_reaches_the_diagnostics(in_process, cancer):
    """``evaluate(pos_label=...)`` names the positive class of the curves and the threshold
    table, over the spec's ``evaluation.pos_label`` (as it does for the scorers)."""
    X, y = cancer
    spec = _spec("classification", [{"StandardScaler": {}}, {"LogisticRegression": {}}],
                 pos_label="malignant", metrics=["f1"])
    d = evaluate(spec, X, y, pos_label="benign", display="none").diagnostics
    oof = d.kept[d.best]
    assert d.pos_label == "benign"
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    proba = oof_order(cross_val_predict(pipe, X, y, cv=folds_of(oof),
                                        method="predict_proba"), oof)
    truth, pos = oof_order(y, oof), proba[:, list(oof.classes).index("benign")]
    roc = d.roc_curve()
    assert set(roc["class"]) == {"benign"} and set(d.precision_recall_curve()["class"]) == {
        "benign"}
    for got, want in zip(_curve(roc, "benign", "fpr", "tpr", "threshold"),
                         metrics.roc_curve(truth, pos, pos_label="benign"), strict=True):
        np.testing.assert_allclose(got, want, **TOL)
    row = d.threshold_table().iloc[9]  # the threshold 0.5
    said = np.where(pos >= row["threshold"], "benign", "malignant")
    assert row["recall"] == pytest.approx(
        metrics.recall_score(truth, said, pos_label="benign"), abs=1e-9)
    assert d._about()["pos_label"] == "benign"  # what the saved report says
