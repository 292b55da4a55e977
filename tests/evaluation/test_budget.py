"""evaluation.budget (evaluation/budget.py): at the deadline no more work is sent, queued and
running tasks are cancelled, what finished is ranked, what was left out is said, the best
is refitted, and the cluster stays usable."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from stratum_jupyter import evaluate
from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation.budget import Deadline


def _sleepy():
    """A classifier whose fit sleeps ``delay`` seconds when row 0 (the last column holds
    the row numbers) is not among its training rows, or on every fit with ``always``
    (defined in a function, so it is pickled by value to the workers)."""

    class Sleepy(ClassifierMixin, BaseEstimator):
        def __init__(self, delay=0.0, always=False):
            self.delay, self.always = delay, always

        def fit(self, X, y):
            if self.always or 0 not in X[:, -1]:
                time.sleep(self.delay)
            self.classes_ = np.unique(y)
            self.majority_ = self.classes_[np.argmax(np.bincount(np.searchsorted(
                self.classes_, y)))]
            return self

        def predict(self, X):
            return np.full(len(X), self.majority_)

    return Sleepy


def _data():
    """Iris with its row numbers as the last column, and folds whose last one holds row 0
    in its test part: the slow configurations are quick on the first two folds (fold tasks
    run earlier folds first), then take 14 s on the last one."""
    X, y = load_iris(return_X_y=True)
    X = np.column_stack([X, np.arange(len(y))])
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    folds.sort(key=lambda fold: 0 in fold[1])
    return X, y, folds


def _candidates():
    Sleepy = _sleepy()
    # Two quick configurations first, then slow ones that cannot finish in the budget.
    return {"quick": (LogisticRegression(max_iter=500), {"C": [0.1, 1.0]}),
            "slow": (Sleepy(), {"delay": [14.0, 14.1, 14.2, 14.3]})}


@pytest.mark.parametrize("search", ["grid", "halving"])
def test_a_run_stopped_by_its_budget_ranks_what_finished(client, search, capsys):
    X, y, folds = _data()
    # Workers warmed up first (imports): on a loaded machine that alone can take seconds of
    # the budget. (Not with the slow class: batching would learn it is quick and group it
    # with the quick ones.)
    evaluate({"warm": LogisticRegression(max_iter=500)}, X, y, cv=folds, client=client,
             display="none", refit=False)
    start = time.perf_counter()
    result = evaluate(_candidates(), X, y, cv=folds, client=client, metrics=["accuracy"],
                      search=search, budget=6, display="text")
    # The slow fits (14 s) were not waited for, nor was the refit (done here: the workers
    # are still inside the cancelled fits, which Dask cannot interrupt).
    assert time.perf_counter() - start < 13  # waiting for one slow fit takes >= 14 s
    board = result.leaderboard
    # Which quick fold tasks got a worker before the deadline depends on the scheduler
    # (and on the load): the slow ones never finish, and only finished ones are ranked.
    ranked, stopped = board[board["status"] == "ok"], board[board["status"] == "stopped"]
    assert set(ranked["candidate"]) <= {"quick"} and len(ranked) + len(stopped) == 6
    assert {"slow"} <= set(stopped["candidate"])
    assert stopped["notes"].str.contains("left out at the budget with [0-3] of 3 folds").all()
    assert stopped["accuracy"].isna().all()  # not comparable: never ranked
    budget = result.timing["budget"]
    assert budget["reached"] and budget["configs_left_out"] == len(stopped)
    assert budget["tasks_cancelled"] >= 4
    assert (result.best is not None) is (len(ranked) > 0)  # the best is still refitted
    out = capsys.readouterr().out
    assert "the budget of 6 s was reached" in out
    assert f"{len(stopped)} configuration(s) left out" in out
    # The cluster stays usable: once the cancelled fits end, the workers take new work.
    again = evaluate({"lr": LogisticRegression(max_iter=500)}, X, y, cv=folds,
                     client=client, display="none", refit=False)
    assert again.leaderboard["status"].tolist() == ["ok"]


def test_the_budget_stops_work_begun_in_this_process(in_process):
    """In the kernel the fold tasks run one at a time, earlier folds first: the quick
    configurations complete, the first slow fit on the last fold runs past the deadline
    (a task running here cannot be cancelled) and completes its configuration, and nothing
    more is begun."""
    X, y, folds = _data()
    Sleepy = _sleepy()
    candidates = {"quick": (LogisticRegression(max_iter=500), {"C": [0.1, 1.0]}),
                  "slow": (Sleepy(), {"delay": [3.0, 3.1, 3.2, 3.3]})}
    start = time.perf_counter()
    result = evaluate(candidates, X, y, cv=folds, budget="2s", display="none")
    assert time.perf_counter() - start < 9  # not the 4 slow fits of 3 s
    board = result.leaderboard
    ok = board[board["status"] == "ok"]
    assert sorted(zip(ok["candidate"], ok["params"].map(repr), strict=True)) == [
        ("quick", "{'C': 0.1}"), ("quick", "{'C': 1.0}"), ("slow", "{'delay': 3.0}")]
    stopped = board[board["status"] == "stopped"]
    assert stopped["candidate"].tolist() == ["slow"] * 3
    assert stopped["notes"].str.contains("left out at the budget with 2 of 3 folds").all()
    budget = result.timing["budget"]
    assert budget["reached"] and budget["tasks_not_sent"] == 3
    assert budget["configs_left_out"] == 3 and budget["configs_partial"] == 3
    assert result.best is not None and result.best.candidate == "quick"


def test_without_reaching_it_the_budget_changes_nothing(in_process):
    X, y = load_iris(return_X_y=True)
    result = evaluate({"lr": (LogisticRegression(max_iter=500), {"C": [0.1, 1.0]})}, X, y,
                      cv=3, budget="10m", display="none")
    assert result.timing["budget"] == {"budget_s": 600.0, "reached": False}
    assert (result.leaderboard["status"] == "ok").all()


def test_a_bad_budget_is_named():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(EvaluationError, match="budget: budget is a time such as 90s"):
        evaluate({"lr": LogisticRegression()}, X, y, budget="soon", display="none")
    assert Deadline(None).left() is None and not Deadline(None).passed()
