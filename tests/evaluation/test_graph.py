"""Fold tasks with no shared prefix split small data themselves (any worker may take them);
larger data is split once per fold and shared (graph.py). Both give scikit-learn's scores."""

from __future__ import annotations

import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier

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
