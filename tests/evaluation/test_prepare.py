"""Preparing an evaluation: one immutable plan, decided before any task is submitted; the
one rule that picks the best configuration; the one retry policy."""

from __future__ import annotations

import dataclasses
import math

import pytest

from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation.executor import RetryPolicy
from stratum_jupyter.evaluation.leaderboard import leaderboard_frame
from stratum_jupyter.evaluation.plan import Config
from stratum_jupyter.evaluation.prepare import Options, prepare
from stratum_jupyter.evaluation.results import ConfigResult, best_result
from stratum_jupyter.evaluation.tasks import FoldScore

SPEC = """
version: 1
task: classification
data: {source: "sklearn:iris"}
evaluation: {cv: 3, random_state: 0, metrics: [accuracy, f1_macro]}
candidates:
  - name: logreg
    steps: [StandardScaler, {LogisticRegression: {C: [0.1, 1.0]}}]
  - name: tree
    steps: [{DecisionTreeClassifier: {max_depth: [2, 3]}}]
"""


def test_plan_is_complete_and_immutable():
    plan = prepare(SPEC)
    assert plan.task == "classification" and plan.n_folds == 3
    assert plan.metrics == ("accuracy", "f1_macro") and plan.select_by == "accuracy"
    assert [c.label for c in plan.graph.configs] == [
        "logreg C=0.1", "logreg C=1.0", "tree max_depth=2", "tree max_depth=3"]
    assert len(plan.X) == 150 and "StratifiedKFold" in plan.splitter
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.select_by = "f1_macro"  # type: ignore[misc]


def test_options_override_the_spec_and_mistakes_are_named_before_any_work():
    plan = prepare(SPEC, options=Options(metrics=["f1_macro"], cv=4))
    assert plan.metrics == ("f1_macro",) and plan.n_folds == 4
    with pytest.raises(EvaluationError, match="select_by='r2' is not one of the metrics"):
        prepare(SPEC, options=Options(select_by="r2"))
    with pytest.raises(EvaluationError, match="cannot split the data into folds"):
        from sklearn.datasets import load_iris

        X, y = load_iris(return_X_y=True)
        prepare(SPEC, X, y[:100])


def _res(index: int, scores: list[float] | None, n_folds: int = 2) -> ConfigResult:
    res = ConfigResult(Config(index, f"c{index}", {}, None))
    for f, s in enumerate((scores or [])[:n_folds]):
        res.folds[f] = FoldScore({"accuracy": s}, 0.1, 0.01, 0.1, {})
    return res


def test_best_result_is_the_leaderboards_first_among_complete_configurations():
    results = [_res(0, [0.8, 0.8]), _res(1, [0.9, 0.9]), _res(2, [0.9, 0.9]),
               _res(3, [1.0])]  # 3 is still running: not a candidate yet
    assert best_result(results, "accuracy", 2) is results[1]  # ties: the grid order
    board = leaderboard_frame(results, ["accuracy"], "accuracy", complete=2)
    assert board.iloc[0]["candidate"] == "c1"
    results[1].failure = object()  # type: ignore[assignment]
    assert best_result(results, "accuracy", 2) is results[2]
    nan = [_res(0, [math.nan, math.nan]), _res(1, [0.5, 0.5])]
    assert best_result(nan, "accuracy", 2) is nan[1]  # NaN ranks last
    assert best_result([], "accuracy", 2) is None


def test_one_retry_policy():
    policy = RetryPolicy(max_retries=3)
    assert [policy.allows(a) for a in range(1, 5)] == [True, True, True, False]
    assert [policy.is_last(a) for a in range(1, 4)] == [False, False, True]
