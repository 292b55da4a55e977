"""evaluate() on a real LocalCluster: scores equal scikit-learn's, failures are isolated,
worker deaths and interrupts change nothing, schedulers are reached by address."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

from stratum_jupyter import EvaluationResult, evaluate, load_model, load_spec
from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation.paramnames import short_names

pytestmark = pytest.mark.slow

SPEC = """
version: 1
task: classification
evaluation: {cv: 5, metrics: [accuracy, f1_macro], select_by: f1_macro, random_state: 0}
candidates:
  - name: logreg
    steps:
      - StandardScaler: {}
      - LogisticRegression: {C: [0.01, 0.1, 1.0], max_iter: 1000}
  - name: pca-logreg
    steps:
      - StandardScaler: {}
      - PCA: {n_components: [2, 3]}
      - LogisticRegression: {C: 1.0, max_iter: 1000}
"""


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True, as_frame=True)


@pytest.fixture(scope="module")
def cancer():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True, as_frame=True)


def _grid_search(pipeline, grid, X, y, cv, scoring, refit):
    from sklearn.model_selection import GridSearchCV

    return GridSearchCV(pipeline, grid, cv=cv, scoring=scoring, refit=refit).fit(X, y)


def test_scores_equal_gridsearchcv(client, iris):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from stratum_jupyter.evaluation.scoring import make_scorers

    X, y = iris
    result = evaluate(SPEC, X, y, display="none")
    assert isinstance(result, EvaluationResult)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    scoring = make_scorers(["accuracy", "f1_macro"])
    board = result.leaderboard
    searches = {
        "logreg": _grid_search(
            Pipeline([("standardscaler", StandardScaler()),
                      ("logisticregression", LogisticRegression(max_iter=1000))]),
            {"logisticregression__C": [0.01, 0.1, 1.0]}, X, y, folds, scoring, "f1_macro"),
        "pca-logreg": _grid_search(
            Pipeline([("standardscaler", StandardScaler()), ("pca", PCA()),
                      ("logisticregression", LogisticRegression(max_iter=1000))]),
            {"pca__n_components": [2, 3]}, X, y, folds, scoring, "f1_macro"),
    }
    for name, search in searches.items():
        mine = board[board["candidate"] == name]
        by_params = {tuple(sorted(p.items())): row for p, row in
                     zip(mine["params"], mine.to_dict(orient="records"), strict=True)}
        res = search.cv_results_
        for i, params in enumerate(res["params"]):
            row = by_params[tuple(sorted(short_names(params).items()))]
            for metric in ("accuracy", "f1_macro"):
                assert row[metric] == pytest.approx(res[f"mean_test_{metric}"][i], abs=1e-12)
                assert row[f"{metric}_std"] == pytest.approx(res[f"std_test_{metric}"][i],
                                                             abs=1e-12)
        best = mine.iloc[0]
        assert best["params"] == short_names(search.best_params_)
    # Per-fold scores too, for the overall best.
    best = result.best
    search = searches[best.candidate]
    i = search.cv_results_["params"].index(best.params)
    folds_sk = [search.cv_results_[f"split{k}_test_f1_macro"][i] for k in range(5)]
    assert best.metrics["folds"]["f1_macro"] == pytest.approx(folds_sk, abs=1e-12)
    # The refit (its prefix fitted on all the data ahead of time) is GridSearchCV's refit.
    np.testing.assert_allclose(best.model.predict_proba(X),
                               search.best_estimator_.predict_proba(X), rtol=1e-12)
    assert [type(s) for _, s in best.model.steps] == \
        [type(s) for _, s in search.best_estimator_.steps]
    assert result.failures == []
    # Shared prefix: the scaler is fitted once per fold for all 5 configurations; the
    # scaler+PCA prefixes once per fold and n_components.
    assert result.timing["saved_fits"] == 5 * ((5 - 1) + 0)


def test_shared_prefix_runs_once_per_fold(client, iris):
    from distributed import get_task_stream

    X, y = iris
    with get_task_stream(client) as stream:
        result = evaluate(SPEC, X, y, display="none", refit=False)
    keys = [t["key"] for t in stream.data]
    scaler_fits = [k for k in keys if str(k).startswith("stratum-fit-standardscaler")]
    pca_fits = [k for k in keys if str(k).startswith("stratum-fit-pca")]
    scores = [k for k in keys if str(k).startswith("stratum-score-")]
    # Fold tasks grouped into one Dask task (batching.py) are keyed "scores-FIRSTxCOUNT".
    grouped = [int(str(k).split("-")[2].split("x")[1]) for k in keys
               if str(k).startswith("stratum-scores-")]
    assert len(scaler_fits) == 5  # one per fold, shared by all 5 configurations
    assert len(pca_fits) == 10  # one per fold and n_components
    assert len(scores) + sum(grouped) == 25
    assert len(result.leaderboard) == 5


def test_no_random_state_uses_sklearn_default_folds(client):
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    from stratum_jupyter.evaluation.scoring import make_scorers

    X, y = load_diabetes(return_X_y=True)
    spec = load_spec({"version": 1, "task": "regression",
                      "evaluation": {"cv": 4, "metrics": ["rmse", "r2"]},
                      "candidates": [{"name": "ridge",
                                      "steps": [{"Ridge": {"alpha": [0.1, 1.0, 10.0]}}]}]})
    result = evaluate(spec, X, y, display="none")
    search = _grid_search(Ridge(), {"alpha": [0.1, 1.0, 10.0]}, X, y, 4,
                          make_scorers(["rmse", "r2"]), "rmse")
    board = result.leaderboard
    for i, params in enumerate(search.cv_results_["params"]):
        row = board[board["params"].map(lambda p, a=params["alpha"]: p["alpha"] == a)]
        assert float(row["rmse"].iloc[0]) == pytest.approx(
            search.cv_results_["mean_test_rmse"][i], abs=1e-9)
    assert board.loc[0, "params"]["alpha"] == search.best_params_["alpha"]
    assert result.leaderboard["rmse"].max() < 0  # errors are negated: higher is better


def test_random_search_samples_like_randomizedsearchcv(client, iris):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import RandomizedSearchCV
    from sklearn.pipeline import Pipeline

    X, y = iris
    spec = load_spec({"version": 1, "task": "classification",
                      "evaluation": {"cv": 3, "random_state": 3, "search": "random",
                                     "n_iter": 3},
                      "candidates": [{"name": "lr", "steps": [{"LogisticRegression": {
                          "C": [0.01, 0.1, 1.0, 10.0, 100.0], "max_iter": 500}}]}]})
    result = evaluate(spec, X, y, display="none", refit=False)
    pipe = Pipeline([("logisticregression", LogisticRegression(max_iter=500))])
    sk = RandomizedSearchCV(pipe, {"logisticregression__C": [0.01, 0.1, 1.0, 10.0, 100.0]},
                            n_iter=3, cv=3, random_state=3).fit(X, y)
    assert sorted(p["C"] for p in result.leaderboard["params"]) == \
        sorted(p["logisticregression__C"] for p in sk.cv_results_["params"])


def test_failing_candidate_is_recorded_and_others_finish(client, cancer, capsys):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = cancer
    candidates = {
        "good": (make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
                 {"logisticregression__C": [0.1, 1.0]}),
        # C must be positive: scikit-learn raises InvalidParameterError when fitting.
        "bad": (make_pipeline(StandardScaler(), LogisticRegression()),
                {"logisticregression__C": [-1.0]}),
    }
    result = evaluate(candidates, X, y, cv=3, display="text")
    board = result.leaderboard
    assert list(board["status"]) == ["ok", "ok", "failed"]
    assert board.loc[2, "candidate"] == "bad" and pd_isna(board.loc[2, "rank"])
    (failure,) = result.failures
    assert failure.candidate == "bad"
    assert "InvalidParameterError" in failure.error and "C" in failure.error
    assert "Traceback" in failure.traceback and "fit" in failure.traceback
    assert result.best.candidate == "good"
    out = capsys.readouterr().out
    assert "FAILED" in out and "bad" in out
    assert "1 failure(s)" in result._repr_html_()


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def _slow_candidates():
    from sklearn.ensemble import RandomForestClassifier

    return {"forest": (RandomForestClassifier(random_state=0),
                       {"n_estimators": [30, 60], "max_depth": [3, 6, None]})}


def test_worker_killed_mid_run_gives_same_leaderboard(client, cancer):
    X, y = cancer
    clean = evaluate(_slow_candidates(), X, y, cv=5, display="none", refit=False)
    pids = client.run(os.getpid)
    killed = []

    def kill_one(_res):
        if not killed:  # after the first result: the others are queued or running
            pid = next(iter(pids.values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    again = evaluate(_slow_candidates(), X, y, cv=5, display="none", refit=False,
                     on_result=kill_one)
    assert killed
    assert again.failures == []
    cols = ["candidate", "accuracy", "accuracy_std"]
    a = clean.leaderboard[cols].assign(params=clean.leaderboard["params"].map(repr))
    b = again.leaderboard[cols].assign(params=again.leaderboard["params"].map(repr))
    assert a.equals(b)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the worker
    assert os.getpid() not in killed


def _stratum_keys(client):
    return client.run_on_scheduler(
        lambda dask_scheduler: [k for k in dask_scheduler.tasks
                                if str(k).startswith(("stratum-", "DataFrame-", "Series-",
                                                      "tuple-"))])


def test_interrupt_cancels_and_cluster_stays_usable(client, cancer, ctrl_c):
    X, y = cancer

    def interrupt(_res):
        signal.raise_signal(signal.SIGINT)  # what Ctrl-C / the kernel's interrupt does

    with pytest.raises(KeyboardInterrupt):
        evaluate(_slow_candidates(), X, y, cv=5, display="none", on_result=interrupt)
    deadline = time.monotonic() + 20
    while _stratum_keys(client) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _stratum_keys(client) == []  # nothing left running or held on the cluster
    result = evaluate(_slow_candidates(), X, y, cv=3, display="none", refit=False)
    assert len(result.leaderboard) == 6 and result.failures == []


def test_scheduler_by_address_and_env(cluster, iris, monkeypatch):
    from stratum_jupyter.evaluation import cluster as clusters

    X, y = iris
    result = evaluate(SPEC, X, y, scheduler=cluster.scheduler_address, display="none",
                      refit=False)
    assert result.cluster["scheduler"] == cluster.scheduler_address
    assert result.cluster["workers"] == 2
    monkeypatch.setenv("STRATUM_SCHEDULER", cluster.scheduler_address)
    client = clusters.get_client()
    assert client.scheduler.address == cluster.scheduler_address
    clusters.close_remote()


def test_save_bundle_and_load_model_predict_the_same(client, iris, tmp_path):
    import json

    X, y = iris
    result = evaluate(SPEC, X, y, display="none", out=tmp_path)
    best = tmp_path / "best"
    assert {p.name for p in best.iterdir()} >= {"model.skops", "profile.json",
                                                "requirements.txt", "leaderboard.csv"}
    model = load_model(best)
    np.testing.assert_array_equal(model.predict(X), result.best.model.predict(X))
    np.testing.assert_allclose(model.predict_proba(X), result.best.model.predict_proba(X))
    profile = json.loads((best / "profile.json").read_text())
    assert profile["candidate"] == result.best.candidate
    assert profile["params"] == result.best.params
    assert len(profile["metrics"]["folds"]["f1_macro"]) == 5
    assert profile["metrics"]["mean"]["f1_macro"] == pytest.approx(
        result.leaderboard.loc[0, "f1_macro"])
    assert profile["spec"]["task"] == "classification"
    assert profile["cv"]["n_folds"] == 5
    assert [f["name"] for f in profile["input_schema"]["features"]] == list(X.columns)
    assert "scikit-learn==" in (best / "requirements.txt").read_text()


def test_bad_inputs_are_named(client, iris):
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    with pytest.raises(EvaluationError, match="select_by='r2'.*allowed: accuracy"):
        evaluate({"lr": (LogisticRegression(), {})}, X, y, select_by="r2", display="none")
    with pytest.raises(EvaluationError, match=r"candidates\['lr'\].*not an estimator"):
        evaluate({"lr": ("LogisticRegression", {})}, X, y, display="none")
    with pytest.raises(EvaluationError, match="no data"):
        evaluate(SPEC, display="none")
    with pytest.raises(EvaluationError, match="cannot split the data into folds"):
        evaluate(SPEC, X[:10], y, display="none")
    with pytest.raises(EvaluationError, match="grid of candidate 'lr'"):
        evaluate({"lr": (LogisticRegression(), {"nope": [1]})}, X, y, display="none")
