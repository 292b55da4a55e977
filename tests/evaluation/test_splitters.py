"""Time-ordered and grouped folds: a spec's splitter and groups give exactly what
scikit-learn's ``cross_validate`` gives with the same splitter and groups; the group column
is never a feature; the rows are put in order of data.order_by before the folds are made."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import (
    GroupKFold,
    StratifiedGroupKFold,
    TimeSeriesSplit,
    cross_validate,
)
from sklearn.naive_bayes import GaussianNB

from stratum_jupyter import evaluate
from stratum_jupyter.errors import DataError, EvaluationError
from stratum_jupyter.evaluation.paramnames import short_names
from stratum_jupyter.evaluation.prepare import Options, prepare


def _table(rows: int = 96, seed: int = 0) -> pd.DataFrame:
    """Numbers, a site (12 groups), a weekly date, a continuous and a class target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(rows, 3)), columns=["a", "b", "c"])
    frame["site"] = np.arange(rows) % 12
    frame["when"] = pd.date_range("2020-01-06", periods=rows, freq="W")
    frame["value"] = frame["a"] * 2 - frame["b"] + rng.normal(scale=0.3, size=rows) \
        + frame["site"] * 0.1
    frame["label"] = np.where(frame["value"] > frame["value"].median(), "high", "low")
    return frame


def _spec(path, task, target, cv, **data):
    final = {"Ridge": {"alpha": 1.0}} if task == "regression" else {"GaussianNB": {}}
    return {"version": 1, "task": task,
            "data": {"source": f"csv:{path}", "target": target, **data},
            "evaluation": {"cv": cv, "metrics": ["r2" if task == "regression"
                                                 else "accuracy"]},
            "preprocessing": "none",
            "candidates": [{"name": "m", "steps": [final]}]}


@pytest.fixture
def table_csv(tmp_path):
    path = tmp_path / "table.csv"
    _table().to_csv(path, index=False)
    return path


def _mean(result, metric):
    return result.leaderboard.set_index("candidate").loc["m", metric]


def test_time_series_split_from_the_spec_equals_scikit_learn(table_csv):
    frame = _table()
    shuffled = frame.sample(frac=1.0, random_state=1)  # out of date order in the file
    shuffled.to_csv(table_csv, index=False)
    spec = _spec(table_csv, "regression", "value",
                 {"TimeSeriesSplit": {"n_splits": 4, "gap": 3, "test_size": 15}},
                 order_by="when", drop=["site", "label", "when"])  # sorted, then dropped
    result = evaluate(spec, display="none")
    X, y = frame[["a", "b", "c"]], frame["value"]  # in time order, as order_by sorts them
    want = cross_validate(Ridge(alpha=1.0), X, y, scoring="r2",
                          cv=TimeSeriesSplit(n_splits=4, gap=3, test_size=15))
    assert abs(_mean(result, "r2") - want["test_score"].mean()) < 1e-9
    assert result.n_folds == 4 and "TimeSeriesSplit(gap=3" in result.splitter
    assert any("rows sorted by 'when' (data.order_by" in n for n in prepare(spec).notes)
    assert list(result.best.model.feature_names_in_) == ["a", "b", "c"]


@pytest.mark.parametrize(("splitter", "task", "target"), [
    (GroupKFold(n_splits=4), "regression", "value"),
    (StratifiedGroupKFold(n_splits=3), "classification", "label"),
])
def test_group_splitters_equal_scikit_learn_and_the_groups_are_no_feature(
        table_csv, tmp_path, splitter, task, target):
    frame = _table()
    other = "label" if target == "value" else "value"
    name = type(splitter).__name__
    spec = _spec(table_csv, task, target, {name: {"n_splits": splitter.n_splits}},
                 groups="site", drop=["when", other])
    result = evaluate(spec, display="none")
    metric = "r2" if task == "regression" else "accuracy"
    model = Ridge(alpha=1.0) if task == "regression" else GaussianNB()
    want = cross_validate(model, frame[["a", "b", "c"]], frame[target], scoring=metric,
                          cv=splitter, groups=frame["site"])
    assert abs(_mean(result, metric) - want["test_score"].mean()) < 1e-9
    assert list(result.best.model.feature_names_in_) == ["a", "b", "c"]
    assert any("'site' holds the groups of the folds (data.groups: 12 groups)" in n
               for n in prepare(spec).notes)
    saved = result.save(tmp_path / "best")
    import json

    schema = json.loads((saved / "profile.json").read_text())["input_schema"]
    assert [f["name"] for f in schema["features"]] == ["a", "b", "c"]


def test_the_python_api_takes_groups_as_labels_or_a_column():
    frame = _table()
    X, y = frame[["a", "b", "c", "site"]], frame["value"]
    cv = GroupKFold(n_splits=3)
    want = cross_validate(Ridge(), X[["a", "b", "c"]], y, scoring="r2", cv=cv,
                          groups=frame["site"])["test_score"].mean()
    candidates = {"m": (Ridge(), {})}
    by_column = evaluate(candidates, X, y, cv=cv, groups="site", display="none")
    by_labels = evaluate(candidates, X[["a", "b", "c"]], y, cv=cv,
                         groups=frame["site"].to_numpy(), display="none")
    as_data = evaluate(candidates, X, y, cv={"GroupKFold": {"n_splits": 3}}, groups="site",
                       display="none")
    for result in (by_column, by_labels, as_data):
        assert abs(_mean(result, "r2") - want) < 1e-9
        assert list(result.best.model.feature_names_in_) == ["a", "b", "c"]


def test_groups_missing_or_unused_and_stacking_with_groups_are_refused_before_any_work():
    frame = _table()
    X, y = frame[["a", "b", "c"]], frame["value"]
    candidates = {"m": (Ridge(), {})}
    with pytest.raises(DataError, match=r"groups: GroupKFold\(.*\) splits by groups, but no "
                                        "group labels are given"):
        evaluate(candidates, X, y, cv=GroupKFold(3), display="none")
    with pytest.raises(DataError, match=r"groups: the groups are not used by KFold"):
        evaluate(candidates, X, y, cv=3, groups=frame["site"], display="none")
    with pytest.raises(EvaluationError, match="stacking's inner folds"):
        evaluate({"m": (Ridge(), {}), "n": (Ridge(alpha=3.0), {})}, X, y, cv=GroupKFold(3),
                 groups=frame["site"], ensemble="stacking", display="none")
    with pytest.raises(DataError, match=r"groups: 'sites' is not a column of X"):
        evaluate(candidates, frame[["a", "site"]], y, cv=GroupKFold(3), groups="sites",
                 display="none")


def test_missing_labels_leave_the_same_rows_out_of_the_groups(tmp_path):
    frame = _table()
    frame.loc[[3, 40, 77], "value"] = np.nan
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    spec = _spec(path, "regression", "value", {"GroupKFold": {"n_splits": 4}},
                 groups="site", drop=["when", "label"])
    result = evaluate(spec, display="none")
    kept = frame.dropna(subset=["value"])
    want = cross_validate(Ridge(alpha=1.0), kept[["a", "b", "c"]], kept["value"],
                          scoring="r2", cv=GroupKFold(4), groups=kept["site"])
    assert abs(_mean(result, "r2") - want["test_score"].mean()) < 1e-9


def test_time_series_split_over_rows_out_of_date_order_is_said(table_csv):
    _table().sample(frac=1.0, random_state=2).to_csv(table_csv, index=False)
    spec = _spec(table_csv, "regression", "value", {"TimeSeriesSplit": {"n_splits": 3}},
                 drop=["site", "label"], roles={"when": "datetime"})
    spec["preprocessing"] = "auto"
    notes = prepare(spec).notes
    assert any("takes the rows as they come, but they are not in order of 'when': set "
               "data.order_by: when" in n for n in notes)


@pytest.mark.slow
def test_grouped_folds_on_the_cluster_with_chained_forests_and_voting(client):
    """Every way tasks are planned (Dask tasks, chains of forests, a voting ensemble of the
    members' fold responses) uses the same grouped folds as GridSearchCV with the groups."""
    from sklearn.ensemble import RandomForestRegressor, VotingRegressor
    from sklearn.model_selection import GridSearchCV

    frame = _table(rows=120)
    X, y, groups = frame[["a", "b", "c"]], frame["value"], frame["site"]
    forest = RandomForestRegressor(random_state=0)
    grid = {"n_estimators": [5, 10], "max_depth": [2, 4]}
    cv = GroupKFold(n_splits=3)
    result = evaluate({"rf": (forest, grid), "ridge": (Ridge(), {})}, X, y, cv=cv,
                      groups=groups, client=client, metrics=["r2"], ensemble="soft_voting",
                      display="none")
    assert result.timing["chained_fits"] > 0
    board = result.leaderboard.set_index(result.leaderboard["params"].map(repr))
    sk = GridSearchCV(forest, grid, cv=cv, scoring="r2").fit(X, y, groups=groups)
    for params, score in zip(sk.cv_results_["params"], sk.cv_results_["mean_test_score"],
                             strict=True):
        assert abs(board.loc[repr(short_names(params)), "r2"] - score) < 1e-9
    (voting,) = result.leaderboard.loc[result.leaderboard["candidate"].str.startswith(
        "ensemble"), "r2"]
    best_forest = RandomForestRegressor(random_state=0, **sk.best_params_)
    members = [("rf", best_forest), ("ridge", Ridge())]
    want = cross_validate(VotingRegressor(members), X, y, cv=cv, groups=groups,
                          scoring="r2")["test_score"].mean()
    assert abs(voting - want) < 1e-9


def test_random_search_draws_do_not_depend_on_the_folds():
    from sklearn.tree import DecisionTreeRegressor

    frame = _table()
    X, y = frame[["a", "b", "c"]], frame["value"]
    grid = {"max_depth": [1, 2, 3, 4, 5, 6], "min_samples_leaf": [1, 2, 4, 8]}
    candidates = {"tree": (DecisionTreeRegressor(random_state=0), grid)}

    def drawn(**folds):
        plan = prepare(candidates, X, y, Options(search="random", n_iter=5, random_state=4,
                                                 **folds))
        return [config.params for config in plan.graph.configs]

    assert drawn(cv=3) == drawn(cv=GroupKFold(4), groups=frame["site"]) \
        == drawn(cv={"TimeSeriesSplit": {"n_splits": 3}})


def test_groups_and_order_named_in_python_apply_to_the_spec_source(table_csv):
    frame = _table()
    spec = _spec(table_csv, "regression", "value", {"GroupKFold": {"n_splits": 4}},
                 drop=["when", "label"])
    spec["data"]["groups"] = "site"
    by_spec = evaluate(spec, display="none")
    del spec["data"]["groups"]
    spec["evaluation"]["cv"] = 4
    by_name = evaluate(spec, cv={"GroupKFold": {"n_splits": 4}}, groups="site",
                       display="none")
    want = cross_validate(Ridge(alpha=1.0), frame[["a", "b", "c"]], frame["value"],
                          scoring="r2", cv=GroupKFold(4), groups=frame["site"])
    for result in (by_spec, by_name):
        assert abs(_mean(result, "r2") - want["test_score"].mean()) < 1e-9
        assert list(result.best.model.feature_names_in_) == ["a", "b", "c"]


def test_stacking_under_time_ordered_folds_says_its_inner_folds_are_not():
    frame = _table()
    candidates = {"m": (Ridge(), {}), "n": (Ridge(alpha=5.0), {})}
    plan = prepare(candidates, frame[["a", "b"]], frame["value"],
                   Options(cv=TimeSeriesSplit(3), ensemble={"method": "stacking", "cv": 3}))
    assert any(n.startswith("evaluation.ensemble: stacking's inner folds (cv: 3) split each "
                            "training part without regard to time") for n in plan.notes)
    voting = prepare(candidates, frame[["a", "b"]], frame["value"],
                     Options(cv=TimeSeriesSplit(3), ensemble="soft_voting"))
    assert not any("inner folds" in n for n in voting.notes)
