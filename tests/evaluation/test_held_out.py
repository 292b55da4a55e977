"""evaluation.test: the held-out part scores the selected model exactly as a hand-written
scikit-learn run does (train_test_split, GridSearchCV on the rest, refit, scorer), and the
score is in the leaderboard, the displays, profile.json and the MLflow run."""

from __future__ import annotations

import json
import math

import pytest
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from stratum_jupyter import evaluate
from stratum_jupyter.errors import DataError, EvaluationError

METRICS = ["accuracy", "f1_macro", "neg_log_loss"]
SPEC = """version: 1
name: wine
task: classification
data: {source: "sklearn:wine"}
preprocessing: none
evaluation: {cv: 3, test: 0.25, metrics: [accuracy, f1_macro, neg_log_loss],
             random_state: 0}
candidates:
  - name: logreg
    steps:
      - StandardScaler: {}
      - LogisticRegression: {C: [0.01, 1.0], max_iter: 1000}
  - name: forest
    steps:
      - RandomForestClassifier: {n_estimators: [5, 20]}
"""


def by_hand():
    """The same evaluation in plain scikit-learn: the selected search and the test part."""
    X, y = load_wine(return_X_y=True, as_frame=True)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                      random_state=0)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    searches = [
        GridSearchCV(Pipeline([("s", StandardScaler()),
                               ("m", LogisticRegression(max_iter=1000, random_state=0))]),
                     {"m__C": [0.01, 1.0]}, cv=folds, scoring=METRICS, refit="accuracy"),
        GridSearchCV(RandomForestClassifier(random_state=0), {"n_estimators": [5, 20]},
                     cv=folds, scoring=METRICS, refit="accuracy"),
    ]
    for search in searches:
        search.fit(X_rest, y_rest)
    best = max(searches, key=lambda s: s.best_score_)  # first of equals, as the leaderboard
    return best, X_test, y_test, X_rest


def test_held_out_score_equals_scikit_learns(in_process, tmp_path):
    result = evaluate(SPEC, display="none")
    search, X_test, y_test, X_rest = by_hand()
    assert result.X.index.tolist() == X_rest.index.tolist()  # the folds never saw the test
    assert math.isclose(result.best.metrics["mean"]["accuracy"], search.best_score_,
                        abs_tol=1e-9)
    for metric in METRICS:
        expected = get_scorer(metric)(search.best_estimator_, X_test, y_test)
        assert abs(result.test["scores"][metric] - expected) <= 1e-9, metric
        assert result.leaderboard.loc[0, f"test_{metric}"] == result.test["scores"][metric]
        assert result.leaderboard[f"test_{metric}"].iloc[1:].isna().all()
    assert result.test["rows"] == len(X_test) == 45
    text = repr(result)
    assert "test_accuracy" in text and "held-out test score of the best" in text
    assert "(held-out test " in result._repr_html_()
    profile = json.loads((result.save(tmp_path / "best") / "profile.json").read_text())
    assert profile["test"]["scores"] == result.test["scores"]
    assert profile["test"]["rows"] == 45 and "StratifiedShuffleSplit" in profile["test"]["split"]
    assert len(result.to_dict()["leaderboard"]) == 4 and result.to_dict()["test"]["rows"] == 45


@pytest.mark.slow
def test_held_out_score_is_in_the_mlflow_run(in_process, tmp_path, monkeypatch, capsys):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    store = (tmp_path / "store").as_uri()
    result = evaluate(SPEC, display="none", mlflow=store)
    capsys.readouterr()
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 reading a file store
    run = MlflowClient(tracking_uri=store).get_run(result.tracking["run_id"])
    for metric in METRICS:
        assert run.data.metrics[f"test_{metric}"] == pytest.approx(
            result.test["scores"][metric], abs=1e-12)
    assert run.data.params["test_rows"] == "45"


def test_without_a_test_part_nothing_changes(in_process):
    result = evaluate(SPEC.replace("test: 0.25, ", ""), display="none")
    assert result.test == {} and not any(c.startswith("test_") for c in result.leaderboard)
    assert len(result.X) == 178


def test_bad_test_parts_are_refused_before_any_work(in_process):
    X, y = load_wine(return_X_y=True, as_frame=True)
    with pytest.raises(DataError, match="evaluation.test: cannot hold out 0.99 of the 178 rows"):
        evaluate(SPEC.replace("test: 0.25", "test: 0.99"), display="none")
    with pytest.raises(EvaluationError, match=r"test: \(train_rows, test_rows\) must be "
                                              "disjoint"):
        evaluate(SPEC, X, y, test=([0, 1, 2], [2, 3]), display="none")


def test_a_notebooks_split_of_a_table_with_unlabelled_rows_is_the_evaluations(in_process):
    """Generated code splits the table as read (rows without a label included); evaluate
    leaves those rows out first: the pair and the fraction hold out the same rows."""
    import numpy as np
    from sklearn.neighbors import KNeighborsClassifier

    from stratum_jupyter.evaluation.testsplit import split_test

    X, y = load_wine(return_X_y=True, as_frame=True)
    y = y.astype(float).where(np.arange(len(y)) % 17 != 5)  # 11 rows without a label
    candidates = {"knn": (KNeighborsClassifier(), {"n_neighbors": [3, 9]})}
    by_fraction = evaluate(candidates, X, y, cv=3, random_state=0, test=0.25, display="none")
    pair = split_test(len(X), 0.25, task="classification", y=y, random_state=0)
    assert not set(np.flatnonzero(y.isna())) & set(np.concatenate(pair))
    by_pair = evaluate(candidates, X, y, cv=3, random_state=0, test=pair, display="none")
    assert by_pair.test["scores"] == by_fraction.test["scores"] and by_pair.test["rows"] == 42
    assert by_pair.X.index.tolist() == by_fraction.X.index.tolist()
    columns = ["accuracy", "test_accuracy"]
    assert by_pair.leaderboard[columns].equals(by_fraction.leaderboard[columns])
