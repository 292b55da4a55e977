"""Fold tasks with no shared prefix split small data themselves (any worker may take them);
larger data is split once per fold and shared (graph.py). Both give scikit-learn's scores."""

from __future__ import annotations

import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from stratum_jupyter import evaluate
from stratum_jupyter.evaluation import graph
from stratum_jupyter.evaluation.paramnames import short_names


@pytest.fixture
def submitted(client, monkeypatch) -> list[str]:
    """The names of the functions this test submits to ``client``, in order."""
    names: list[str] = []
    submit = client.submit

    def spy(func, *args, **kwargs):
        names.append(func.__name__)
        return submit(func, *args, **kwargs)

    monkeypatch.setattr(client, "submit", spy)
    return names


@pytest.mark.parametrize("limit", [0, graph.SPLIT_IN_TASK_BYTES], ids=["shared", "in-task"])
def test_both_ways_of_splitting_give_sklearns_scores(client, submitted, monkeypatch, limit):
    monkeypatch.setattr(graph, "SPLIT_IN_TASK_BYTES", limit)
    X, y = load_iris(return_X_y=True)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    grid = {"n_neighbors": [1, 5, 9]}
    result = evaluate({"knn": (KNeighborsClassifier(), grid)}, X, y, cv=folds,
                      client=client, metrics=["accuracy"], display="none", refit=False)
    assert ("split_fold" in submitted) is (limit == 0)
    assert ("split_then" in submitted) is (limit > 0)
    sk = GridSearchCV(KNeighborsClassifier(), grid, cv=folds, scoring="accuracy").fit(X, y)
    board = result.leaderboard.set_index(result.leaderboard["params"].map(repr))
    keys = [repr(short_names(p)) for p in sk.cv_results_["params"]]
    assert board.loc[keys, "accuracy"].tolist() == \
        sk.cv_results_["mean_test_score"].tolist()  # exactly


@pytest.mark.parametrize("limit", [0, graph.PREFIT_BYTES], ids=["big", "small"])
def test_shared_prefixes_are_fitted_ahead_on_all_the_data_only_for_small_data(
        client, submitted, monkeypatch, limit):
    """Above PREFIT_BYTES no all-data prefix is held through the evaluation: the refit fits
    the whole pipeline, and the model is GridSearchCV's either way."""
    import numpy as np
    from sklearn.datasets import make_regression
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    monkeypatch.setattr(graph, "PREFIT_BYTES", limit)
    X, y = make_regression(n_samples=200, n_features=4, noise=5.0, random_state=0)
    pipe, grid = make_pipeline(StandardScaler(), Ridge()), {"ridge__alpha": [0.1, 10.0]}
    folds = KFold(3, shuffle=True, random_state=0)
    result = evaluate({"ridge": (pipe, grid)}, X, y, cv=folds, client=client,
                      metrics=["r2"], display="none")
    assert ("all_data" in submitted) is (limit > 0)
    sk = GridSearchCV(pipe, grid, cv=folds, scoring="r2").fit(X, y)
    assert np.array_equal(result.best.model.predict(X), sk.best_estimator_.predict(X))


class FitOnly(StandardScaler):
    """Scales the rows it is fitted on; refuses to transform any other rows."""

    def fit_transform(self, X, y=None, **params):
        return super().fit(X, y).transform(X)

    def transform(self, X, copy=None):
        raise ValueError("no test rows here")


@pytest.mark.parametrize("limit", [0, graph.SPLIT_IN_TASK_BYTES], ids=["big", "small"])
def test_on_big_data_the_test_part_is_transformed_when_scored(client, submitted, monkeypatch,
                                                               limit):
    """Above SPLIT_IN_TASK_BYTES a prefix node transforms the training part only; the test
    part goes through the prefix steps in the final estimators' task, once they are fitted:
    the same scores as GridSearchCV (grouped estimators and a warm-start chain), and a step
    that raises on the test rows fails naming that step, as before."""
    from sklearn.decomposition import PCA
    from sklearn.ensemble import RandomForestClassifier

    monkeypatch.setattr(graph, "SPLIT_IN_TASK_BYTES", limit)
    X, y = load_iris(return_X_y=True)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    knn = Pipeline([("scale", StandardScaler()), ("pca", PCA(2)),
                    ("knn", KNeighborsClassifier())])
    forest = Pipeline([("scale", StandardScaler()), ("pca", PCA(2)),
                       ("rf", RandomForestClassifier(random_state=0))])
    grids = {"knn": (knn, {"knn__n_neighbors": [1, 5, 9]}),
             "rf": (forest, {"rf__n_estimators": [5, 10]})}
    bad = Pipeline([("fitonly", FitOnly()), ("knn", KNeighborsClassifier())])
    result = evaluate({**grids, "bad": (bad, {})}, X, y, cv=folds, client=client,
                      metrics=["accuracy"], display="none", refit=False)
    assert result.timing["chained_fits"] == 3
    board = result.leaderboard.set_index(result.leaderboard["params"].map(repr))
    for pipe, grid in grids.values():
        sk = GridSearchCV(pipe, grid, cv=folds, scoring="accuracy").fit(X, y)
        keys = [repr(short_names(p)) for p in sk.cv_results_["params"]]
        assert board.loc[keys, "accuracy"].tolist() == \
            sk.cv_results_["mean_test_score"].tolist()  # exactly
    [failure] = result.failures
    assert failure.step == "fitonly" and "no test rows here" in failure.error


def test_a_deferred_test_part_is_the_transformed_one():
    from sklearn.decomposition import PCA

    from stratum_jupyter.evaluation import tasks

    X, y = load_iris(return_X_y=True)
    fold = next(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    split = tasks.split_fold(X, y, fold)
    scaled = tasks.fit_prefix(split, "k1", "scale", "sklearn", StandardScaler(), True)
    both = tasks.fit_prefix(scaled, "k2", "pca", "sklearn", PCA(2), True)
    assert both.X_test is split.X_test  # held as it came: raw
    now = tasks.fit_prefix(tasks.fit_prefix(split, "k1", "scale", "sklearn",
                                            StandardScaler()), "k2", "pca", "sklearn", PCA(2))
    assert (both.test_part()[0] == now.X_test).all() and not now.test_steps
