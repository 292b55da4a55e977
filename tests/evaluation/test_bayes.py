"""search: bayes on the shared LocalCluster: Optuna's TPE through ask-and-tell, trials as
Dask tasks in parallel, pruning that cancels folds, the study file resumed, folds that keep
groups apart and never look ahead, a budget that stops asking."""

from __future__ import annotations

import logging
import time

import numpy as np
import optuna
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import GroupKFold, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from stratum_jupyter import evaluate
from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation.paramnames import short_names
from stratum_jupyter.evaluation.searches.bayes_study import STUDY_FILE
from stratum_jupyter.spec.search import Distribution

LOG_C = Distribution.from_mapping({"low": 1e-5, "high": 10.0, "log": True})


def _lr() -> Pipeline:
    return Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])


@pytest.fixture(scope="module")
def table():
    return make_classification(400, 10, n_informative=4, random_state=0)


class SlowLR(LogisticRegression):
    """A logistic regression whose fit takes 0.2 s more: folds long enough to overlap, and
    to be cancelled."""

    def fit(self, X, y, sample_weight=None):
        time.sleep(0.2)
        return super().fit(X, y, sample_weight)


class Rows(ClassifierMixin, BaseEstimator):
    """Remembers the row numbers (column 0) it was fitted on; predicts the first class."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def fit(self, X, y):
        self.rows_, self.classes_ = np.asarray(X)[:, 0].astype(int), np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def groups_apart(model, X, y):
    """1.0 when no group (row // 10) of the test rows was among the training rows."""
    test = set((np.asarray(X)[:, 0].astype(int) // 10).tolist())
    return float(not test & set((model.rows_ // 10).tolist()))


def no_look_ahead(model, X, y):
    """1.0 when every training row comes before every test row."""
    return float(model.rows_.max() < np.asarray(X)[:, 0].min())


def _warm() -> None:
    import sklearn.linear_model  # noqa: F401
    import sklearn.pipeline  # noqa: F401

    import stratum_jupyter.evaluation.tasks  # noqa: F401


def _fold_tasks(stream) -> list[dict]:
    return [t for t in stream.data if str(t["key"]).startswith("stratum-score-")]


@pytest.mark.slow  # two searches of breast_cancer: the grid and the trials
def test_bayes_finds_what_the_grid_finds_over_two_candidates(client, tmp_path):
    X, y = load_breast_cancer(return_X_y=True)
    grid = evaluate({"lr": (_lr(), {"clf__C": list(np.logspace(-4, 2, 7))})}, X, y,
                    cv=3, random_state=0, display="none", refit=False, client=client)
    bayes = evaluate({"lr": (_lr(), {"clf__C": Distribution.from_mapping(
                          {"low": 1e-4, "high": 100.0, "log": True})}),
                      "ridge": (Pipeline([("scale", StandardScaler()),
                                          ("clf", RidgeClassifier())]),
                                {"clf__alpha": [0.1, 1.0, 10.0]})},
                     X, y, cv=3, search="bayes", n_trials=12, bayes={"n_startup_trials": 5},
                     random_state=0, display="none", client=client, out=tmp_path)
    board = bayes.leaderboard
    assert board["accuracy"].max() >= grid.leaderboard["accuracy"].max() - 0.01
    study = optuna.load_study(study_name=None, storage=_storage(tmp_path))
    assert len(study.trials) == 12  # one study shares the trials of both candidates
    assert set(study.trials[0].params) <= {"candidate", "lr:clf__C", "ridge:clf__alpha"}
    # A suggestion of a configuration tried already is told its score, not run again.
    assert set(board["trial"]) <= set(range(12)) and board["trial"].is_unique
    assert len(board) + sum(1 for t in study.trials if "stratum_folds" not in t.user_attrs) \
        == 12
    assert set(board["candidate"]) == {"lr", "ridge"}
    assert set(board["state"]) <= {"complete", "pruned"}
    best = board.iloc[0]
    assert best["state"] == "complete" and short_names(bayes.best.params) == best["params"]
    assert bayes.best.model.predict(X[:5]).shape == (5,)


def test_trials_run_in_parallel_as_dask_tasks(client, table):
    from distributed import get_task_stream

    X, y = table
    with get_task_stream(client) as stream:
        result = evaluate({"lr": (SlowLR(), {"C": LOG_C})}, X, y, cv=3,
                          search="bayes", n_trials=4, bayes={"pruning": False},
                          random_state=0, display="none", refit=False, client=client)
    assert len(result.leaderboard) == 4
    tasks = _fold_tasks(stream)
    assert len(tasks) == 4 * 3
    spans = [(int(str(t["key"]).split("-")[3]), t["worker"],
              *(s["start"] for s in t["startstops"] if s["action"] == "compute"),
              *(s["stop"] for s in t["startstops"] if s["action"] == "compute"))
             for t in tasks]
    # Two trials' folds ran at the same time on the two workers.
    assert any(a[0] != b[0] and a[1] != b[1] and a[2] < b[3] and b[2] < a[3]
               for a in spans for b in spans)


def test_same_seed_same_trials_with_one_worker_thread(table):
    from distributed import Client, LocalCluster

    X, y = table
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as one:
        runs = [evaluate({"lr": (_lr(), {"clf__C": LOG_C})}, X, y, cv=3, search="bayes",
                         n_trials=8, bayes={"n_startup_trials": 3}, random_state=7,
                         display="none", refit=False, client=one) for _ in range(2)]
    first, second = (r.leaderboard.sort_values("trial") for r in runs)
    assert list(first["params"]) == list(second["params"])
    assert list(first["state"]) == list(second["state"])


def test_pruning_cancels_the_folds_of_bad_trials(client, table):
    from distributed import get_task_stream

    X, y = table
    with get_task_stream(client) as stream:
        result = evaluate({"lr": (SlowLR(), {"C": LOG_C})}, X, y, cv=4, search="bayes",
                          n_trials=10, bayes={"n_startup_trials": 3}, random_state=0,
                          display="none", client=client)
    board = result.leaderboard
    pruned = board[board["state"] == "pruned"]
    assert len(pruned) >= 2 and pruned["rank"].isna().all()
    assert (pruned["status"] == "stopped").all()
    assert pruned["notes"].str.contains("pruned: mean accuracy so far below the median").all()
    assert board.iloc[0]["state"] == "complete"
    assert short_names(result.best.params) == board.iloc[0]["params"]
    ran = [t for t in _fold_tasks(stream) if t["status"] == "OK"]
    assert len(ran) < 10 * 4  # the pruned trials' later folds were cancelled


def _reported_in_fold_order(result, folder) -> None:
    """Each trial's intermediate values in the study file: the mean of its folds so far,
    for folds 0, 1, ... (a fold that completed early waited for the earlier ones)."""
    study = optuna.load_study(study_name=None, storage=_storage(folder))
    by_trial = {res.search["trial"]: res for res in result.results}
    for trial in study.trials:
        steps = sorted(trial.intermediate_values)
        assert steps == list(range(len(steps)))
        res = by_trial[trial.number]
        assert res.search["state"] == {"COMPLETE": "complete", "PRUNED": "pruned"}[
            trial.state.name]
        scores = [res.folds[f].scores["accuracy"] for f in steps]
        np.testing.assert_allclose([trial.intermediate_values[s] for s in steps],
                                   np.cumsum(scores) / np.arange(1, len(steps) + 1))


def _storage(folder):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    return JournalStorage(JournalFileBackend(str(folder / STUDY_FILE)))


def test_a_second_run_resumes_the_study_in_the_run_folder(client, table, tmp_path, capsys):
    X, y = table
    kwargs = dict(cv=3, search="bayes", bayes={"n_startup_trials": 2}, random_state=0,
                  display="text", client=client, out=tmp_path)
    first = evaluate({"lr": (_lr(), {"clf__C": LOG_C})}, X, y, n_trials=4, **kwargs)
    assert "new study" in capsys.readouterr().out
    _reported_in_fold_order(first, tmp_path)
    second = evaluate({"lr": (_lr(), {"clf__C": LOG_C})}, X, y, n_trials=7, **kwargs)
    out = capsys.readouterr().out
    assert "resumed study" in out and "4 earlier trials" in out and "3 more to ask" in out
    board = second.leaderboard
    assert sorted(board["trial"]) == list(range(7))  # numbering continues
    earlier = first.leaderboard.set_index("trial")
    again = board.set_index("trial").loc[earlier.index]
    assert list(again["params"]) == list(earlier["params"])
    np.testing.assert_array_equal(again["accuracy"], earlier["accuracy"])
    assert (tmp_path / "best").is_dir()

    # Other rows: the earlier scores do not hold; a new study in the same file, said so.
    third = evaluate({"lr": (_lr(), {"clf__C": LOG_C})}, X[:300], y[:300], n_trials=3,
                     **kwargs)
    out = capsys.readouterr().out
    assert "made on other data or folds" in out and "new study" in out
    assert sorted(third.leaderboard["trial"]) == [0, 1, 2]
    assert len(optuna.get_all_study_summaries(_storage(tmp_path))) == 2


@pytest.mark.parametrize("cv, metric", [(GroupKFold(3), groups_apart),
                                        (TimeSeriesSplit(3), no_look_ahead)])
def test_trials_use_the_ordinary_folds(client, cv, metric):
    rows = np.arange(120)
    X = np.column_stack([rows, np.sin(rows)])
    y = rows % 2
    groups = rows // 10 if isinstance(cv, GroupKFold) else None
    result = evaluate({"rows": (Rows(), {"alpha": LOG_C})}, X, y, cv=cv, groups=groups,
                      metrics={"check": metric}, search="bayes", n_trials=5,
                      random_state=0, display="none", refit=False, client=client)
    folds = result.fold_scores
    assert len(folds) == 5 * 3 and (folds["check"] == 1.0).all()


def test_a_budget_stops_asking_and_ranks_the_finished_trials(client, table):
    X, y = table
    client.run(_warm)  # the budget is for trials, not for a fresh worker's imports
    start = time.perf_counter()
    result = evaluate({"lr": (_lr(), {"clf__C": LOG_C})}, X, y, cv=3, search="bayes",
                      budget=8, bayes={"pruning": False}, random_state=0, display="none",
                      client=client)  # no n_trials: trials until the budget is spent
    assert time.perf_counter() - start < 8 + 10  # the refit and the cluster's round trips
    budget = result.timing["budget"]
    assert budget["reached"] and "cut short" in budget["text"]
    board = result.leaderboard
    complete = board["state"] == "complete"
    assert complete.sum() >= 1 and (board["rank"].notna() == complete).all()
    assert (board.loc[~complete, "state"] == "failed").all()  # cut short: told failed
    assert board.loc[~complete, "notes"].str.contains("cut short by the budget").all()
    assert short_names(result.best.params) == board.iloc[0]["params"]


def test_a_parameter_that_is_not_the_pipelines_is_refused_before_any_work(client, table):
    X, y = table
    with pytest.raises(EvaluationError, match="clf__gamma is not a parameter"):
        evaluate({"lr": (_lr(), {"clf__gamma": LOG_C})}, X, y, search="bayes",
                 display="none", client=client)


def test_grid_candidates_run_beside_the_trials(client, table):
    X, y = table
    result = evaluate({"lr": (_lr(), {"clf__C": LOG_C}),
                       "ridge": (RidgeClassifier(), {"alpha": [0.1, 1.0]})}, X, y, cv=3,
                      search={"lr": "bayes", "ridge": "grid"}, n_trials=3, random_state=0,
                      display="none", refit=False, client=client)
    board = result.leaderboard
    ridge = board[board["candidate"] == "ridge"]
    assert sorted(p["alpha"] for p in ridge["params"]) == [0.1, 1.0]
    assert ridge["trial"].isna().all() and ridge["rank"].notna().all()
    assert sorted(board.loc[board["candidate"] == "lr", "trial"]) == [0, 1, 2]


@pytest.mark.slow  # two runs of the CLI, each saving a bundle
def test_the_cli_keeps_the_study_in_out_and_resumes_it(cluster, tmp_path, capsys):
    from stratum_jupyter.cli import main

    spec = tmp_path / "knn.yaml"
    spec.write_text("version: 1\nname: knn\ntask: classification\n"
                    "data: {source: 'sklearn:iris'}\n"
                    "evaluation: {cv: 3, search: bayes, n_trials: 3, random_state: 0}\n"
                    "candidates:\n  - name: knn\n    steps: [{KNeighborsClassifier: "
                    "{n_neighbors: [1, 3, 5, 7, 9, 11]}}]\n")
    argv = ["evaluate", str(spec), "--scheduler", cluster.scheduler_address, "--display",
            "text", "--out", str(tmp_path / "run")]
    assert main(argv) == 0
    assert "new study knn-" in capsys.readouterr().out
    assert (tmp_path / "run" / STUDY_FILE).is_file() and (tmp_path / "run" / "best").is_dir()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "resumed study knn-" in out and "3 earlier trials" in out
    header = next(line for line in out.splitlines() if line.lstrip().startswith("rank"))
    assert header.split()[:4] == ["rank", "candidate", "trial", "state"]  # the text view
