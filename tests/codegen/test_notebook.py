"""Generated cells and notebooks: tags, metadata, and real papermill executions."""

from __future__ import annotations

import copy
import json

import nbformat
import pandas as pd
import pytest

from stratum_jupyter.codegen import TAG, find_spec_cell, spec_cells, spec_notebook
from stratum_jupyter.notebooks import run_notebook
from stratum_jupyter.spec import load_spec
from tests.conftest import VALID


def test_cells_are_tagged_and_carry_the_spec():
    spec = load_spec(VALID)
    cells = spec_cells(spec, "runs/x")
    assert all(TAG in c.metadata["tags"] for c in cells)
    assert all(c.metadata["stratum"]["spec"] == VALID for c in cells)
    roles = [c.metadata["stratum"]["role"] for c in cells]
    assert roles == ["spec", "imports", "data", "candidates", "evaluation", "save",
                     "diagnostics"]
    assert all(c.cell_type == "code" for c in cells)


def test_notebook_has_a_papermill_parameters_cell():
    nb = spec_notebook(load_spec(VALID), "runs/x")
    nbformat.validate(nb)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "cv = 3" in params[0].source
    assert find_spec_cell(nb) is nb.cells[1]
    assert nb.metadata["stratum"]["spec"] == VALID


def _run(nb, tmp_path, **params):
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    run_notebook(src, out, params, cwd=tmp_path, kernel_name="python3")
    return nbformat.read(out, as_version=4)


@pytest.mark.slow
def test_generated_classification_notebook_runs_under_papermill(tmp_path):
    executed = _run(spec_notebook(load_spec(VALID), "results"), tmp_path, cv=2)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "cv = 2" in injected[0].source
    board = pd.read_csv(tmp_path / "results" / "best" / "leaderboard.csv")
    assert len(board) == 6 and set(board["candidate"]) == {"logreg", "forest"}
    assert board["f1_macro"].is_monotonic_decreasing
    assert (tmp_path / "results" / "best" / "model.skops").is_file()


@pytest.mark.slow
def test_generated_regression_notebook_on_a_csv_file(tmp_path):
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True).frame
    frame.to_csv(tmp_path / "diabetes data.csv", index=False)
    spec = load_spec({
        "version": 1, "name": "diabetes", "task": "regression",
        "data": {"source": "csv:diabetes data.csv", "target": "target", "drop": ["sex"]},
        "evaluation": {"cv": 3, "metrics": ["rmse", "r2"], "random_state": 1,
                       "search": "random", "n_iter": 2},
        "candidates": [{"name": "ridge", "steps": ["StandardScaler", {"Ridge": {
            "alpha": [0.1, 1.0, 10.0]}}]}],
    })
    _run(spec_notebook(spec, "out"), tmp_path)
    board = pd.read_csv(tmp_path / "out" / "best" / "leaderboard.csv")
    assert len(board) == 2 and (board["rmse"] < 0).all()


@pytest.mark.slow
def test_generated_clustering_notebook(tmp_path):
    spec = copy.deepcopy(VALID)
    spec.update(task="clustering",
                evaluation={"cv": 2, "metrics": ["silhouette"], "random_state": 0},
                data={"source": "sklearn:iris", "drop": ["petal width (cm)"]},
                candidates=[{"name": "km", "steps": ["StandardScaler", {"KMeans": {
                    "n_clusters": [2, 3], "n_init": 2, "random_state": 0}}]}])
    _run(spec_notebook(load_spec(spec), "out"), tmp_path)
    board = pd.read_csv(tmp_path / "out" / "best" / "leaderboard.csv")
    assert len(board) == 2 and board["silhouette"].between(-1, 1).all()


def test_notebook_json_holds_no_python_objects():
    json.dumps(spec_notebook(load_spec(VALID)))


@pytest.mark.slow
def test_generated_notebook_with_column_rules_and_auto_preprocessing_on_a_raw_table(
        tmp_path):
    """A raw table (text columns, gaps, string labels): the generated code is plain
    scikit-learn (ColumnTransformer, make_column_selector), passes ruff and runs."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from stratum_jupyter.codegen import script_source

    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "penguins.csv",
                tmp_path / "penguins.csv")
    spec = load_spec({
        "version": 1, "name": "penguins", "task": "classification",
        "data": {"source": "csv:penguins.csv", "target": "species"},
        "evaluation": {"cv": 3, "random_state": 0},
        "preprocessing": {"columns": [
            {"select": "numeric", "steps": [{"SimpleImputer": {"strategy": ["median", "mean"]}},
                                            "StandardScaler"]},
            {"name": "text", "select": ["island", "sex"], "steps": [
                {"SimpleImputer": {"strategy": "most_frequent"}},
                {"OneHotEncoder": {"handle_unknown": "ignore"}}]}]},
        "candidates": [
            {"name": "logreg", "steps": [{"LogisticRegression": {"max_iter": 2000}}]},
            {"name": "auto-logreg", "preprocessing": "auto",
             "steps": [{"LogisticRegression": {"max_iter": 2000}}]}],
    })
    script = tmp_path / "generated.py"
    script.write_text(script_source(spec), encoding="utf-8")
    ruff = Path(sys.executable).parent / "ruff"
    lint = subprocess.run([str(ruff), "check", "--isolated", "--select", "E,F,W,I,B,UP",
                           "--line-length", "88", str(script)], capture_output=True, text=True,
                          cwd=tmp_path)  # a neutral folder: stratum_jupyter is third party
    assert lint.returncode == 0, lint.stdout
    source = script.read_text()
    assert "make_column_selector(dtype_include=[\"number\"])" in source
    assert "preprocessing__numeric__simpleimputer__strategy" in source
    _run(spec_notebook(spec, "out"), tmp_path)
    board = pd.read_csv(tmp_path / "out" / "best" / "leaderboard.csv")
    assert len(board) == 3 and board["accuracy"].min() > 0.95
    assert set(board["candidate"]) == {"logreg", "auto-logreg"}


@pytest.mark.slow
def test_generated_notebook_with_date_columns_imports_the_transformer_and_runs(tmp_path):
    """A Parquet table with a datetime column and a text column of dates (data.roles): a
    column rule for ``select: datetime`` and the automatic preprocessing both split the
    dates with DatetimeFeatures, imported from stratum_jupyter; ruff-clean; runs."""
    import subprocess
    import sys
    from pathlib import Path

    from stratum_jupyter.codegen import script_source
    from tests.catalog.dated import write_parquet

    write_parquet(tmp_path)
    spec = load_spec({
        "version": 1, "name": "dated", "task": "classification",
        "data": {"source": "parquet:dated.parquet", "target": "traffic",
                 "roles": {"day": "datetime"}},
        "evaluation": {"cv": 3, "random_state": 0},
        "preprocessing": {"columns": [
            {"select": "numeric", "steps": ["StandardScaler"]},
            {"select": "datetime", "steps": [
                {"DatetimeFeatures": {"resolution": ["day", "hour"]}},
                {"SimpleImputer": {"strategy": "median"}}]}]},
        "candidates": [
            {"name": "logreg", "steps": [{"LogisticRegression": {"max_iter": 2000}}]},
            {"name": "auto-logreg", "preprocessing": "auto",
             "steps": [{"LogisticRegression": {"max_iter": 2000}}]}],
    })
    source = script_source(spec)
    assert "from stratum_jupyter.catalog.dates import DatetimeFeatures" in source
    assert source.count("DatetimeFeatures(") == 2  # the rule's and the automatic one
    script = tmp_path / "generated.py"
    script.write_text(source, encoding="utf-8")
    ruff = Path(sys.executable).parent / "ruff"
    lint = subprocess.run([str(ruff), "check", "--isolated", "--select", "E,F,W,I,B,UP",
                           "--line-length", "88", str(script)], capture_output=True, text=True,
                          cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout
    _run(spec_notebook(spec, "out"), tmp_path)
    board = pd.read_csv(tmp_path / "out" / "best" / "leaderboard.csv")
    assert len(board) == 3 and set(board["candidate"]) == {"logreg", "auto-logreg"}
    assert (board["status"] == "ok").all()
    assert board.set_index("candidate").loc["auto-logreg", "accuracy"] > 0.7


def test_only_a_bundled_data_set_without_date_roles_gets_no_date_step():
    from stratum_jupyter.codegen import script_source

    def spec(source: str) -> object:
        return load_spec({"version": 1, "task": "classification",
                          "data": {"source": source, "target": "y"},
                          "candidates": [{"name": "a", "steps": ["LogisticRegression"]}]})

    assert "DatetimeFeatures" not in script_source(spec("sklearn:iris"))
    # A CSV file's text columns of year-first dates are read as dates (with_dates).
    assert "DatetimeFeatures" in script_source(spec("csv:t.csv"))
