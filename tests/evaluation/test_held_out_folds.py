"""The held-out test part is split like the folds: by group with a group splitter (no
group on both sides), the last rows with a time-ordered one (never looking ahead)."""

import numpy as np
import pandas as pd
import pytest

from stratum_jupyter.evaluation.prepare import Options, prepare


def _table(n: int = 120) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n),
                      "day": pd.date_range("2024-01-01", periods=n, freq="D"),
                      "site": np.repeat(np.arange(12), n // 12)})
    return X, pd.Series(2 * X["a"] + rng.normal(size=n), name="y")


def _spec(cv: object) -> dict:
    return {"version": 1, "task": "regression",
            "evaluation": {"cv": cv, "test": 0.25, "random_state": 0},
            "candidates": [{"name": "ridge", "steps": [{"Ridge": {}}]}]}


def test_a_grouped_held_out_part_keeps_each_group_on_one_side():
    X, y = _table()
    plan = prepare(_spec({"GroupKFold": {"n_splits": 3}}), X, y, Options(groups="site"))
    held, rest = set(X.loc[plan.test.X.index, "site"]), set(X.loc[plan.X.index, "site"])
    assert held and rest and not held & rest
    assert "site" not in plan.X.columns and "site" not in plan.test.X.columns
    assert len(held) == 3  # ceil(0.25 * 12 groups)
    for train, test in plan.folds:  # the folds of the rest do not mix groups either
        sites = X.loc[plan.X.index, "site"].to_numpy()
        assert not set(sites[train]) & set(sites[test])


def test_a_time_ordered_held_out_part_is_the_last_rows():
    X, y = _table()
    shuffled = X.sample(frac=1, random_state=1)
    plan = prepare(_spec({"TimeSeriesSplit": {"n_splits": 3}}), shuffled, y[shuffled.index],
                   Options(order_by="day"))
    assert plan.test.X["day"].min() > plan.X["day"].max()
    assert len(plan.test.X) == 30
    for train, test in plan.folds:
        assert plan.X["day"].iloc[train].max() < plan.X["day"].iloc[test].min()


@pytest.mark.parametrize("cv", [5, {"KFold": {"n_splits": 4, "shuffle": True}}])
def test_other_splitters_hold_out_a_shuffled_part(cv):
    X, y = _table()
    plan = prepare(_spec(cv), X.drop(columns=["site"]), y)
    assert len(plan.test.X) == 30
    assert plan.test.X["day"].min() < plan.X["day"].max()  # not the last rows
