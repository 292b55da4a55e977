"""search: bayes — a grid read as Optuna distributions, and the study file (real Optuna)."""

import math

import numpy as np
import optuna
import pytest
from scipy import stats

from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation.searches.bayes_space import space_of
from stratum_jupyter.evaluation.searches.bayes_study import fingerprint, open_study
from stratum_jupyter.spec.search import Distribution


def test_lists_are_choices_ranges_are_distributions_single_values_fixed():
    from sklearn.preprocessing import StandardScaler

    grid = {"clf__C": Distribution.from_mapping({"low": 0.01, "high": 10, "log": True}),
            "clf__max_iter": Distribution.from_mapping({"low": 50, "high": 500, "step": 50}),
            "clf__penalty": ["l2", None], "clf__tol": [1e-4], "clf__fit_intercept": True,
            "scale": [StandardScaler(), "passthrough"], "clf__alpha": stats.loguniform(1e-3, 1)}
    space = space_of("lr", grid)
    assert space.fixed == {"clf__tol": 1e-4, "clf__fit_intercept": True}
    c, it, pen = (space.distributions[k] for k in ("clf__C", "clf__max_iter", "clf__penalty"))
    assert (c.low, c.high, c.log) == (0.01, 10.0, True)
    assert (it.low, it.high, it.step) == (50, 500, 50)
    assert list(pen.choices) == ["l2", None]
    assert space.distributions["clf__alpha"].log
    assert list(space.distributions["scale"].choices) == ["StandardScaler()", "passthrough"]
    assert math.isinf(space.size)

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(10):
        trial = study.ask()
        params = space.suggest(trial, prefixed=False)
        assert 0.01 <= params["clf__C"] <= 10 and params["clf__max_iter"] % 50 == 0
        assert isinstance(params["clf__max_iter"], int)
        assert params["scale"] == "passthrough" or isinstance(params["scale"], StandardScaler)
        assert space.params_of(trial.params, prefixed=False) == params  # read back
        study.tell(trial, 0.0)


def test_a_space_that_is_not_a_range_is_refused_naming_the_parameter():
    with pytest.raises(EvaluationError, match="clf__C is a norm distribution"):
        space_of("lr", {"clf__C": stats.norm(0, 1)})
    with pytest.raises(EvaluationError, match="one grid per candidate"):
        space_of("lr", [{"clf__C": [1, 2]}, {"clf__C": [3]}])


def test_choices_optuna_would_confuse_are_stored_by_position():
    space = space_of("a", {"x": [1, True, 1.0], "y": [(1, 1), (1, 2)]})
    assert list(space.distributions["x"].choices) == ["#0", "#1", "#2"]
    assert space.choices["x"]["#1"] is True
    assert list(space.distributions["y"].choices) == ["(1, 1)", "(1, 2)"]


def test_finite_space_size():
    assert space_of("a", {"x": [1, 2, 3], "y": ["p", "q"], "z": [0]}).size == 6
    assert space_of("a", {"k": Distribution.from_mapping({"low": 1, "high": 9})}).size == 9


def test_fingerprint_follows_the_rows_and_the_folds():
    X, y = np.arange(20).reshape(10, 2), np.arange(10) % 2
    folds = [(np.arange(5), np.arange(5, 10)), (np.arange(5, 10), np.arange(5))]
    same = fingerprint(X, y, folds, ["accuracy"])
    assert same == fingerprint(X.copy(), y.copy(), [tuple(map(list, f)) for f in folds],
                               ["accuracy"])
    assert same != fingerprint(X, y, folds[::-1], ["accuracy"])
    assert same != fingerprint(X + 1, y, folds, ["accuracy"])


def test_study_file_resumes_same_fingerprint_and_starts_anew_on_other_data(tmp_path):
    def opened(fp):
        return open_study(tmp_path, "spec-abc", fp, optuna.samplers.RandomSampler(0), None)

    first = opened("f" * 32)
    assert (tmp_path / "study.optuna.log").exists() and first.earlier == []
    for value in (0.5, 0.7):
        trial = first.study.ask()
        trial.suggest_float("x", 0, 1)
        first.study.tell(trial, value)
    first.study.ask()  # left running: an interrupted run

    again = opened("f" * 32)
    assert [t.value for t in again.earlier] == [0.5, 0.7]
    assert any("resumed study spec-abc-ffffffff" in n and "2 earlier trials" in n
               for n in again.notes)
    assert any("1 trials left running" in n for n in again.notes)
    assert again.study.trials[2].state == optuna.trial.TrialState.FAIL

    other = opened("0" * 32)
    assert other.earlier == [] and other.name == "spec-abc-00000000"
    assert any("other data or folds: spec-abc-ffffffff (3 trials)" in n for n in other.notes)
