"""The spec's splitter in generated code: scikit-learn's own class with the spec's
parameters (``TimeSeriesSplit(n_splits=5, gap=7)``), the rows sorted by data.order_by, the
groups of data.groups taken out and passed to evaluate; ruff-clean; and a generated
notebook run under papermill ranks exactly as the evaluation does."""

from __future__ import annotations

import pandas as pd
import pytest

from stratum_jupyter import evaluate
from stratum_jupyter.codegen import script_source, spec_notebook
from stratum_jupyter.spec import load_spec
from tests.codegen.test_generated_evaluation import _ruff
from tests.codegen.test_notebook import _run
from tests.evaluation.test_splitters import _table


def _spec(cv, **data):
    return load_spec({
        "version": 1, "name": "folds", "task": "regression",
        "data": {"source": "csv:table.csv", "target": "value", "drop": ["label"], **data},
        "evaluation": {"cv": cv, "metrics": ["r2", "mae"], "random_state": 3},
        "candidates": [{"name": "ridge", "steps": [{"Ridge": {"alpha": [0.1, 10.0]}}]},
                       {"name": "tree", "steps": [{"DecisionTreeRegressor": {
                           "max_depth": 3, "random_state": 0}}]}]})


def test_time_series_split_and_order_in_generated_code(tmp_path):
    script = script_source(_spec({"TimeSeriesSplit": {"n_splits": 5, "gap": 7}},
                                 order_by="when"), "runs/x")
    assert "    folds = TimeSeriesSplit(n_splits=5, gap=7)\n" in script
    assert 'X = X.sort_values("when", kind="stable", na_position="last")' in script
    assert "\ncv = " not in script and "groups" not in script
    _ruff(tmp_path, "script.py", script)


def test_group_splitter_gets_the_groups_and_the_seed_in_generated_code(tmp_path):
    script = script_source(_spec({"GroupKFold": {"n_splits": 3, "shuffle": True}},
                                 groups="site"), "runs/x")
    assert "GroupKFold(n_splits=3, shuffle=True, random_state=random_state)" in script
    assert '    groups = X.pop("site")\n    y = X.pop("value")' in script
    assert "        groups=groups,\n" in script
    _ruff(tmp_path, "script.py", script)


@pytest.mark.slow
@pytest.mark.parametrize(("cv", "data"), [
    ({"TimeSeriesSplit": {"n_splits": 4, "gap": 2}},
     {"order_by": "when", "drop": ["label", "when"]}),  # sorted by a column then dropped
    ({"GroupKFold": {"n_splits": 3, "shuffle": True}}, {"groups": "site"}),
])
def test_generated_notebook_ranks_as_the_evaluation(tmp_path, monkeypatch, cv, data):
    _table().sample(frac=1.0, random_state=5).to_csv(tmp_path / "table.csv", index=False)
    spec = _spec(cv, **data)
    _run(spec_notebook(spec, "out"), tmp_path)
    board = pd.read_csv(tmp_path / "out" / "best" / "leaderboard.csv")
    monkeypatch.chdir(tmp_path)
    want = evaluate(spec, display="none").leaderboard
    columns = ["candidate", "r2", "r2_std", "mae"]
    assert list(board["candidate"]) == list(want["candidate"])
    assert (board[columns[1:]] - want[columns[1:]].to_numpy()).abs().max().max() < 1e-9
