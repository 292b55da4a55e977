"""Successive halving (evaluation/searches/halving.py): subsamples that respect the folds,
checked on the rows the fitted models actually saw; the grid's best found; the leaderboard
shows each configuration's last rung and resources."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import (
    GroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from stratum_jupyter import evaluate
from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation.paramnames import short_names
from stratum_jupyter.evaluation.searches.subsample import min_rows, rows_for, schedule

KNN_GRID = {"n_neighbors": [1, 3, 5, 7, 9, 11, 15, 21, 31]}


def _rows_table(n: int = 1200, seed: int = 0):
    """A classification table whose first column is the row number (what a fitted
    KNeighborsClassifier keeps in ``_fit_X``: the training rows it saw)."""
    X, y = make_classification(n_samples=n, n_features=5, n_informative=3, n_classes=3,
                               weights=[0.8, 0.15, 0.05], random_state=seed)
    return np.column_stack([np.arange(n), X]), y


def _seen(check):
    """A scorer giving 1.0 when ``check(train_rows, test_rows)`` holds for the rows the
    fitted model was trained on (``_fit_X[:, 0]``) and scored on; defined here, so it is
    pickled by value to the workers."""
    def scorer(est, X, y):
        return float(check(np.asarray(est._fit_X[:, 0], dtype=int),
                           np.asarray(X[:, 0], dtype=int)))
    return scorer


def _train_sizes(result):
    """The number of training rows of every (configuration, fold), by rung."""
    out: dict[int, set[int]] = {}
    for res in result.results:
        out.setdefault(res.config.rung, set()).update(
            int(s.scores["n_train"]) for s in res.folds.values())
    return out


def _counter():
    """A scorer giving the number of training rows (pickled by value, as ``_seen``'s)."""
    def n_train(est, X, y):
        return float(len(est._fit_X))
    return n_train


def test_group_folds_get_whole_groups_never_a_test_group(client):
    X, y = _rows_table()
    groups = np.arange(len(y)) // 15  # 80 groups of 15 rows
    sizes = np.bincount(groups)

    def whole_and_apart(train, test):
        g_train, g_test = groups[train], groups[test]
        whole = all(np.count_nonzero(g_train == g) == sizes[g] for g in np.unique(g_train))
        return whole and not set(g_train) & set(g_test)

    result = evaluate({"knn": (KNeighborsClassifier(), KNN_GRID)}, X, y, cv=GroupKFold(4),
                      groups=groups, client=client, search="halving",
                      metrics={"accuracy": get_scorer("accuracy"),
                               "groups_ok": _seen(whole_and_apart), "n_train": _counter()},
                      select_by="accuracy", display="none", refit=False)
    scores = result.fold_scores
    assert (scores["groups_ok"] == 1.0).all()
    sizes_by_rung = _train_sizes(result)
    assert len(sizes_by_rung) >= 2 and max(sizes_by_rung[0]) < 900  # really subsampled
    assert all(s % 15 == 0 for s in sizes_by_rung[0])  # whole groups of 15 rows


def test_time_ordered_folds_train_on_the_latest_rows_before_the_test_part(client):
    X, y = _rows_table()

    def before(train, test):
        # Every training row precedes every test row, and the subsample is the latest
        # rows of the training part: it ends right before the test part.
        return train.max() < test.min() and train.max() == test.min() - 1

    result = evaluate({"knn": (KNeighborsClassifier(), KNN_GRID)}, X, y,
                      cv=TimeSeriesSplit(3), client=client, search="halving",
                      metrics={"accuracy": get_scorer("accuracy"),
                               "before": _seen(before), "n_train": _counter()},
                      select_by="accuracy", display="none", refit=False)
    assert (result.fold_scores["before"] == 1.0).all()
    assert min(_train_sizes(result)[0]) < 300


def test_stratified_rungs_hold_every_class(client):
    X, y = _rows_table()  # class 2 is 5% of the rows

    def every_class(train, test):
        return len(np.unique(y[train])) == 3

    halving = {"min_resources": 60, "factor": 3}
    result = evaluate({"knn": (KNeighborsClassifier(), KNN_GRID)}, X, y,
                      cv=StratifiedKFold(3, shuffle=True, random_state=0), client=client,
                      search="halving", halving=halving,
                      metrics={"accuracy": get_scorer("accuracy"),
                               "classes": _seen(every_class), "n_train": _counter()},
                      select_by="accuracy", display="none", refit=False)
    assert (result.fold_scores["classes"] == 1.0).all()
    assert min(_train_sizes(result)[0]) <= 100


def test_halving_finds_the_grids_best_and_shows_rungs(client):
    X, y = load_breast_cancer(return_X_y=True)
    candidates = {
        "lr": (make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
               {"logisticregression__C": [0.001, 0.01, 0.1, 1.0, 10.0]}),
        "knn": (make_pipeline(StandardScaler(), KNeighborsClassifier()),
                {"kneighborsclassifier__n_neighbors": [1, 3, 5, 9, 15, 25]}),
    }
    common = dict(cv=StratifiedKFold(3, shuffle=True, random_state=0), client=client,
                  metrics=["accuracy"], display="none", random_state=0)
    grid = evaluate(candidates, X, y, **common)
    halving = evaluate(candidates, X, y, search="halving",
                       halving={"min_resources": 40}, **common)
    board = halving.leaderboard
    assert {"rung", "resources"} <= set(board.columns)
    assert len(board) == 11  # every configuration once: at its last rung
    assert board["rung"].is_monotonic_decreasing  # the last rung ranked first
    assert board["resources"].iloc[0] == min(len(t) for t, _ in
                                             StratifiedKFold(3).split(X, y))
    assert board["resources"].iloc[-1] < board["resources"].iloc[0]
    best = halving.best
    grid_board = grid.leaderboard.set_index(grid.leaderboard["params"].map(repr))
    # The last rung is the fold's whole training part: the very scores of the grid.
    shown = repr(short_names(best.params))
    assert best.metrics["mean"]["accuracy"] == grid_board.loc[shown, "accuracy"]
    assert best.metrics["mean"]["accuracy"] >= grid.leaderboard["accuracy"].iloc[0] - 0.01
    assert halving.best.model.score(X, y) > 0.9  # refitted on all the data


@pytest.mark.slow
def test_the_iteration_resource_grows_models_that_score_as_fits_from_scratch(client):
    X, y = make_classification(n_samples=400, n_features=8, random_state=1)
    forest = RandomForestClassifier(n_estimators=27, random_state=0)
    grid = {"max_depth": [2, 3, 4, 5, 6, 8, 10, 12, None]}
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    result = evaluate({"rf": (forest, grid)}, X, y, cv=folds, client=client,
                      search="halving", halving={"min_resources": 3},
                      metrics=["accuracy"], display="none", refit=False)
    assert sorted({r.config.resources for r in result.results}) == [3, 9, 27]
    # Rung 1's 3 and rung 2's configuration grown from their previous rung, on 3 folds.
    assert result.timing["chained_fits"] == (3 + 1) * 3
    for res in result.results:
        est = res.config.pipeline
        assert est.n_estimators == res.config.resources
        scratch = cross_validate(est, X, y, cv=folds, scoring="accuracy")["test_score"]
        assert res.fold_values("accuracy") == scratch.tolist()  # bit-equal


def test_schedule_and_floors():
    assert schedule(72, 3, 100, 16000) == [593, 1778, 5333, 16000]
    assert schedule(72, 3, 5000, 16000) == [5333, 16000]  # min_resources allows 2 rungs
    assert schedule(2, 3, 10, 1000) == [1000]  # fewer candidates than the factor: a grid
    assert min_rows(3, 5, 10_000) == 100
    assert min_rows(20, 5, 10_000) == 200  # 2 x classes x folds
    assert min_rows(2, 5, 60) == 60  # never more than the training part


def test_subsamples_are_positions_of_the_training_part():
    train = np.arange(100, 400)
    y = np.r_[np.zeros(290), np.ones(10)].astype(int)
    y_all = np.zeros(400, dtype=int)
    y_all[train] = y
    pos = rows_for(train, 30, y=y_all, classification=True, seed=0)
    assert len(pos) == 30 and set(y_all[train[pos]]) == {0, 1}
    assert (rows_for(train, 30, time_ordered=True) == np.arange(270, 300)).all()
    assert (rows_for(train, 500) == np.arange(300)).all()  # more than there is: all


def test_bad_halving_settings_are_named_before_work_starts(in_process):
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(EvaluationError, match=r"halving.factor"):
        evaluate({"lr": LogisticRegression()}, X, y, search="halving",
                 halving={"factor": 1}, display="none")
    with pytest.raises(EvaluationError, match="halving.resource: 'n_estimators' is not"):
        evaluate({"lr": LogisticRegression()}, X, y, search="halving",
                 halving={"resource": "n_estimators"}, display="none")
    with pytest.raises(EvaluationError, match="bayes and halving in one evaluation"):
        evaluate({"a": LogisticRegression(), "b": LogisticRegression()}, X, y,
                 search={"a": "halving", "b": "bayes"}, display="none")


SPEC = """version: 1
task: classification
evaluation:
  cv: 3
  metrics: [accuracy]
  random_state: 0
  search: halving
  halving: {min_resources: 30}
candidates:
  - name: knn
    steps:
      - StandardScaler: {}
      - KNeighborsClassifier: {n_neighbors: [1, 3, 5, 9, 15, 25]}
"""


def test_the_spec_and_the_cli_run_halving_with_a_budget(cluster, tmp_path, capsys):
    import json

    from sklearn.datasets import load_iris

    from stratum_jupyter.cli import main

    data, spec = tmp_path / "iris.csv", tmp_path / "spec.yaml"
    load_iris(as_frame=True).frame.to_csv(data, index=False)
    spec.write_text(SPEC)
    args = ["evaluate", str(spec), "--data", str(data), "--target", "target",
            "--scheduler", cluster.scheduler_address, "--json", "-"]
    assert main([*args, "--budget", "10m"]) == 0
    printed = capsys.readouterr().out
    assert "halving rung 1: 2 configuration(s) on each fold's whole training part" in printed
    summary = json.loads(printed[printed.index("\n{\n") + 1:])
    board = summary["leaderboard"]
    assert [row["rung"] for row in board] == [1, 1, 0, 0, 0, 0]
    assert [row["resources"] for row in board][1:3] == [100, 33]
    assert summary["timing"]["budget"] == {"budget_s": 600.0, "reached": False}
    assert main([*args, "--budget", "soon"]) == 2
    assert "--budget: budget is a time such as 90s" in capsys.readouterr().err


def test_an_ensemble_is_refused_with_halving(in_process):
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.raises(EvaluationError, match="ensemble: not with search: halving"):
        evaluate({"a": LogisticRegression(), "b": KNeighborsClassifier()}, X, y,
                 search="halving", ensemble="soft_voting", display="none")


def _forests():
    return {"forest": (RandomForestClassifier(n_estimators=27, random_state=0),
                       {"max_depth": [2, 3, 4, 6, 8, None]})}


@pytest.mark.slow
def test_a_worker_killed_mid_halving_changes_nothing(client):
    import os
    import signal

    X, y = load_breast_cancer(return_X_y=True)
    common = dict(cv=3, search="halving", halving={"min_resources": 3}, display="none",
                  refit=False, client=client)
    clean = evaluate(_forests(), X, y, **common)
    pids, killed = client.run(os.getpid), []

    def kill_one(res):
        if res.config.rung == 1 and not killed:  # the kept models of rung 0 go with it
            killed.append(next(iter(pids.values())))
            os.kill(killed[0], signal.SIGKILL)

    again = evaluate(_forests(), X, y, on_result=kill_one, **common)
    assert killed and again.failures == []
    cols = ["candidate", "rung", "resources", "accuracy"]
    assert clean.leaderboard[cols].equals(again.leaderboard[cols])
    client.wait_for_workers(2, timeout=120)  # the nanny restarts the worker (slow at load)


@pytest.mark.slow
def test_ctrl_c_during_halving_cancels_and_the_cluster_stays_usable(client, ctrl_c):
    import signal
    import time

    X, y = load_breast_cancer(return_X_y=True)

    def interrupt(_res):
        signal.raise_signal(signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        evaluate(_forests(), X, y, cv=3, search="halving", client=client, display="none",
                 on_result=interrupt)
    deadline = time.monotonic() + 20
    keys = client.run_on_scheduler(lambda dask_scheduler: [
        k for k in dask_scheduler.tasks if str(k).startswith("stratum-")])
    while keys and time.monotonic() < deadline:
        time.sleep(0.2)
        keys = client.run_on_scheduler(lambda dask_scheduler: [
            k for k in dask_scheduler.tasks if str(k).startswith("stratum-")])
    assert keys == []  # nothing left running or held on the cluster
    result = evaluate(_forests(), X, y, cv=3, search="halving", client=client,
                      display="none", refit=False)
    assert len(result.leaderboard) == 6 and result.failures == []


def test_the_search_keyword_overrides_the_specs(in_process):
    from stratum_jupyter.evaluation.prepare import Options, prepare

    # (a spec's halving settings without a halving candidate are refused: spec/search_checks)
    spec = SPEC.replace("search: halving", "search: grid").replace(
        "  halving: {min_resources: 30}\n", "")
    plan = prepare(spec, *load_breast_cancer(return_X_y=True),
                   Options(search="halving", halving={"min_resources": 30}))
    assert plan.search.strategy == "halving" and plan.search.halving.min_resources == 30
    with pytest.raises(EvaluationError, match="search for 'knn': 'tpe'"):
        prepare(spec, *load_breast_cancer(return_X_y=True), Options(search="tpe"))
