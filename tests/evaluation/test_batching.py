"""Small fold tasks are grouped into fewer Dask tasks, sized from measured times
(batching.py); the scores stay scikit-learn's and a failing configuration in a group is
reported alone."""

from __future__ import annotations

import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from stratum_jupyter import evaluate
from stratum_jupyter.evaluation import batching
from stratum_jupyter.evaluation.paramnames import short_names
from stratum_jupyter.evaluation.prepare import Options, prepare


def _plan(candidates, cv=3):
    X, y = load_iris(return_X_y=True)
    return prepare(candidates, X, y, Options(cv=cv))


@pytest.fixture(autouse=True)
def _forget(monkeypatch):
    monkeypatch.setattr(batching, "_seconds", {})


def test_groups_share_fold_and_parent_and_unknown_costs_stay_alone():
    plan = _plan({"knn": (KNeighborsClassifier(), {"n_neighbors": list(range(1, 13))}),
                  "scaled": (make_pipeline(StandardScaler(), LogisticRegression()),
                             {"logisticregression__C": [0.1, 1.0]})})
    pending = [(c.index, f) for f in range(3) for c in plan.graph.configs]
    alone = batching.groups(plan, pending, slots=2)
    assert alone == [(f, [c]) for c, f in pending]  # nothing measured yet
    batching.learn(plan, [(c.index, 0.002) for c in plan.graph.configs])
    grouped = batching.groups(plan, pending, slots=2)
    assert sorted((c, f) for f, cs in grouped for c in cs) == sorted(pending)
    limit = -(-len(pending) // (2 * batching.PER_SLOT))
    for _fold, configs in grouped:
        assert len({plan.graph.leaves[c].parent for c in configs}) == 1
        assert 1 <= len(configs) <= limit
    assert len(grouped) < len(pending)


def test_expensive_tasks_stay_alone():
    plan = _plan({"knn": (KNeighborsClassifier(), {"n_neighbors": [1, 2, 3, 4]})})
    batching.learn(plan, [(c.index, batching.TASK_S) for c in plan.graph.configs])
    pending = [(c.index, f) for f in range(3) for c in plan.graph.configs]
    assert all(len(cs) == 1 for _, cs in batching.groups(plan, pending, slots=2))


def test_on_big_data_the_estimators_of_a_prefix_are_one_task_per_fold(monkeypatch):
    """Above SPLIT_IN_TASK_BYTES a transformed fold is used where it was made: every final
    estimator on the same prefix node and fold in one task, whatever its cost; estimators
    with no prefix stay alone."""
    from stratum_jupyter.evaluation import graph

    monkeypatch.setattr(graph, "SPLIT_IN_TASK_BYTES", 0)
    plan = _plan({"knn": (KNeighborsClassifier(), {"n_neighbors": [1, 5]}),
                  "scaled": (make_pipeline(StandardScaler(), LogisticRegression()),
                             {"logisticregression__C": [0.1, 1.0, 10.0]})})
    batching.learn(plan, [(c.index, 10 * batching.TASK_S) for c in plan.graph.configs])
    pending = [(c.index, f) for f in range(3) for c in plan.graph.configs]
    units = batching.groups(plan, pending, slots=2)
    assert sorted((c, f) for f, cs in units for c in cs) == sorted(pending)
    scaled = [cs for _, cs in units if plan.graph.leaves[cs[0]].parent is not None]
    assert len(scaled) == 3 and all(len(cs) == 3 for cs in scaled)
    assert sum(1 for _, cs in units if len(cs) == 1) == 6  # knn: 2 per fold, alone


@pytest.mark.slow
def test_grouped_tasks_give_sklearns_scores_and_failures_alone(client):
    X, y = load_iris(return_X_y=True)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    good = {"knn": (KNeighborsClassifier(), {"n_neighbors": list(range(1, 21))}),
            "logreg": (LogisticRegression(max_iter=500), {"C": [0.01, 0.1, 1.0, 10.0]})}
    candidates = {**good, "bad": (LogisticRegression(), {"C": [-1.0]})}
    first = evaluate(candidates, X, y, cv=folds, display="none", refit=False)
    assert first.timing["grouped_tasks"] == 0  # nothing measured before
    batching.learn(first_plan := _plan(candidates, folds),
                   [(c.index, 0.001) for c in first_plan.graph.configs])
    again = evaluate(candidates, X, y, cv=folds, display="none")
    assert again.timing["grouped_tasks"] > 0 and again.timing["in_process_tasks"] == 0
    assert [f.candidate for f in again.failures] == ["bad"]
    board = again.leaderboard.set_index(again.leaderboard["params"].map(repr))
    for est, grid in good.values():
        sk = GridSearchCV(est, grid, cv=folds).fit(X, y)
        for params, score in zip(sk.cv_results_["params"], sk.cv_results_["mean_test_score"],
                                 strict=True):
            assert board.loc[repr(short_names(params)), "accuracy"] == score
    assert again.best is not None and again.best.candidate in good


FOREST_GRID = {"n_estimators": [6, 3, 10], "max_depth": [2, None]}


def test_forests_differing_only_in_n_estimators_form_chains():
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

    plan = _plan({"rf": (RandomForestClassifier(random_state=0), FOREST_GRID),
                  "unseeded": (RandomForestClassifier(), {"n_estimators": [3, 6]}),
                  "gb": (GradientBoostingClassifier(random_state=0),
                         {"n_estimators": [3, 6]}),
                  "stops": (GradientBoostingClassifier(random_state=0, n_iter_no_change=2),
                            {"n_estimators": [3, 6]})})
    chains = batching.chains(plan)
    sizes = {tuple(plan.graph.leaves[c].estimator.n_estimators for c in chain)
             for chain in chains.values()}
    assert sizes == {(3, 6, 10), (3, 6)} and len(chains) == 6 + 2  # one per max_depth, gb
    assert {plan.graph.configs[c].candidate for c in chains} == {"rf", "gb"}
    pending = [(c.index, f) for f in range(3) for c in plan.graph.configs]
    units = batching.groups(plan, pending, slots=2)
    assert sorted((c, f) for f, cs in units for c in cs) == sorted(pending)
    assert sum(isinstance(cs, batching.Chain) for _, cs in units) == 3 * 3


def test_a_grown_forest_equals_one_fitted_from_scratch():
    import numpy as np
    from sklearn.base import clone
    from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier
    from sklearn.metrics import get_scorer

    from stratum_jupyter.evaluation.tasks import fit_score, split_fold

    X, y = load_iris(return_X_y=True)
    fold = split_fold(X, y, (np.arange(0, 150, 2), np.arange(1, 150, 2)))
    for forest, metric in ((RandomForestClassifier(random_state=3, max_features=0.5),
                            "accuracy"), (ExtraTreesRegressor(random_state=1), "r2")):
        sizes = [clone(forest).set_params(n_estimators=n) for n in (4, 9, 17)]
        scorers = {metric: get_scorer(metric)}
        leaves = [("m", "sklearn", est) for est in sizes]
        chained = batching.run_chain(fold, leaves, scorers, keep=True)
        for est, grown in zip(sizes, chained, strict=True):
            alone = fit_score(fold, "m", "sklearn", est, scorers, keep=True)
            assert grown.scores == alone.scores
            for method, value in alone.predictions.items():
                assert np.array_equal(grown.predictions[method], value)  # same trees


@pytest.mark.slow
def test_chained_forests_give_gridsearchcvs_scores(client):
    from sklearn.ensemble import RandomForestClassifier

    X, y = load_iris(return_X_y=True)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    forest = RandomForestClassifier(random_state=0)
    result = evaluate({"rf": (forest, FOREST_GRID)}, X, y, cv=folds, client=client,
                      metrics=["accuracy"], display="none")
    assert result.timing["chained_fits"] == 2 * 2 * 3  # two grown forests per chain
    board = result.leaderboard.set_index(result.leaderboard["params"].map(repr))
    sk = GridSearchCV(forest, FOREST_GRID, cv=folds, scoring="accuracy").fit(X, y)
    for params, score in zip(sk.cv_results_["params"], sk.cv_results_["mean_test_score"],
                             strict=True):
        assert board.loc[repr(short_names(params)), "accuracy"] == score  # exactly
