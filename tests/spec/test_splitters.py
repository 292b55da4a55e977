"""evaluation.cv as a scikit-learn splitter: names and parameters checked against
scikit-learn's own classes, groups named where a group splitter needs them, before any work."""

from __future__ import annotations

import copy

import pytest

from stratum_jupyter.errors import SpecError
from stratum_jupyter.spec import validate_spec
from stratum_jupyter.spec.splitters import SPLITTERS, build_splitter, parameters

BASE = {"version": 1, "task": "regression",
        "data": {"source": "csv:x.csv", "target": "y"},
        "candidates": [{"name": "ridge", "steps": [{"Ridge": {}}]}]}


def _spec(cv, task="regression", **data):
    spec = copy.deepcopy(BASE)
    spec["task"] = task
    spec["evaluation"] = {"cv": cv}
    spec["data"].update(data)
    return spec


def _problems(spec) -> list[str]:
    with pytest.raises(SpecError) as info:
        validate_spec(spec)
    return [str(issue) for issue in info.value.issues]


def test_a_splitter_with_its_parameters_round_trips():
    spec = validate_spec(_spec({"TimeSeriesSplit": {"n_splits": 5, "gap": 7}}))
    assert spec.evaluation.cv == {"TimeSeriesSplit": {"n_splits": 5, "gap": 7}}
    assert spec.to_dict()["evaluation"] == {"cv": {"TimeSeriesSplit": {"n_splits": 5,
                                                                       "gap": 7}}}
    assert validate_spec(_spec({"KFold": None})).evaluation.cv == {"KFold": {}}
    assert validate_spec(_spec(4)).evaluation.cv == 4


def test_every_splitter_is_scikit_learns_own_class():
    from sklearn import model_selection

    for name in SPLITTERS:
        assert type(build_splitter(name, {})) is getattr(model_selection, name)
    assert set(parameters("TimeSeriesSplit")) == {"n_splits", "gap", "max_train_size",
                                                  "test_size"}


def test_an_unknown_splitter_is_named_with_close_matches_and_the_list():
    (problem,) = _problems(_spec({"TimeSerieSplit": {"n_splits": 5}}))
    assert problem.startswith("evaluation.cv.TimeSerieSplit: unknown splitter")
    assert "did you mean 'TimeSeriesSplit'" in problem and "GroupKFold" in problem


def test_bad_parameters_name_their_field():
    problems = _problems(_spec({"TimeSeriesSplit": {"gap": -1, "n_split": 5}}))
    assert any(p.startswith("evaluation.cv.TimeSeriesSplit.gap: must be an int in the "
                            "range [0, inf); got -1") for p in problems)
    assert any(p.startswith("evaluation.cv.TimeSeriesSplit.n_split: unknown parameter")
               and "did you mean 'n_splits'" in p for p in problems)
    (problem,) = _problems(_spec({"ShuffleSplit": {"test_size": 1.5}}))
    assert problem.startswith("evaluation.cv.ShuffleSplit.test_size: must be a float")
    (problem,) = _problems(_spec({"KFold": {"n_splits": True}}))
    assert "evaluation.cv.KFold.n_splits" in problem
    (problem,) = _problems(_spec({"KFold": {"random_state": 3}}))  # the class's own check
    assert problem.startswith("evaluation.cv.KFold: KFold: Setting a random_state")


def test_a_count_or_a_mapping_of_one_splitter():
    for bad in (1, "5", {"KFold": {}, "GroupKFold": {}}, {"KFold": 3}):
        (problem,) = _problems(_spec(bad))
        assert problem.startswith("evaluation.cv: cv is a number of folds (2 to 100) or one "
                                  "scikit-learn splitter")


def test_stratified_splitters_need_classes():
    (problem,) = _problems(_spec({"StratifiedKFold": {}}))
    assert "StratifiedKFold splits by class, but the task is regression" in problem
    spec = _spec({"StratifiedKFold": {}}, task="classification")
    spec["candidates"] = [{"name": "nb", "steps": [{"GaussianNB": {}}]}]
    validate_spec(spec)


def test_groups_are_named_exactly_where_a_group_splitter_uses_them():
    (problem,) = _problems(_spec({"GroupKFold": {"n_splits": 3}}))
    assert problem.startswith("data.groups: evaluation.cv GroupKFold splits by groups")
    validate_spec(_spec({"GroupKFold": {"n_splits": 3}}, groups="site"))
    (problem,) = _problems(_spec(5, groups="site"))
    assert problem.startswith("data.groups: the groups are not used by 5 folds")
    (problem,) = _problems(_spec({"TimeSeriesSplit": {}}, groups="site"))
    assert "not used by TimeSeriesSplit" in problem
    stacking = _spec({"GroupKFold": {}}, groups="site")
    stacking["evaluation"]["ensemble"] = {"method": "stacking"}
    (problem,) = _problems(stacking)
    assert problem.startswith("evaluation.ensemble.method: stacking's inner folds")


def test_random_state_fills_in_where_the_splitter_shuffles():
    assert build_splitter("KFold", {"shuffle": True}, 7).random_state == 7
    assert build_splitter("KFold", {}, 7).random_state is None  # no shuffle: none to set
    assert build_splitter("ShuffleSplit", {"n_splits": 3}, 7).random_state == 7
    assert build_splitter("RepeatedKFold", {"random_state": 1}, 7).random_state == 1
    assert build_splitter("TimeSeriesSplit", {"gap": 2}, 7).gap == 2
