"""Generated code reads the table as the evaluation does: the same read options (what the
spec leaves out detected by the same function), header names trimmed, the same roles."""

from __future__ import annotations

import ast
import copy
import shutil
from pathlib import Path

import pandas as pd
import pytest

from stratum_jupyter.catalog.tables import read_data
from stratum_jupyter.codegen import script_source
from stratum_jupyter.codegen.python import data_section, parameters_source, render_imports
from stratum_jupyter.spec import load_spec
from tests.codegen.test_python import HOSTILE, ruff
from tests.conftest import VALID

DATA = Path(__file__).resolve().parents[1] / "data"


def _spec(data: dict) -> object:
    spec = copy.deepcopy(VALID)
    spec["data"] = data
    return load_spec(spec)


def _run_data_section(spec) -> tuple[pd.DataFrame, pd.Series]:
    section = data_section(spec)
    params = [line for line in parameters_source(spec, "out").splitlines()
              if line.startswith("data_path")]
    namespace: dict = {}
    exec("\n".join([render_imports(section), *params, section.body]), namespace)
    return namespace["X"], namespace["y"]


def _latin1_file(tmp_path: Path) -> None:
    frame = pd.read_csv(DATA / "penguins.csv").astype({"body_mass_g": object})
    frame["island"] = frame["island"].str.replace("o", "ø")
    frame.loc[[10, 20], "body_mass_g"] = "?"
    frame.columns = [f" {c} " for c in frame.columns]
    frame.to_csv(tmp_path / "latin.csv", sep="|", index=False, encoding="latin-1")


def _dated_file(tmp_path):
    """Year-first dates as people write them (slashes, times, a zone), a gap, a day-first
    column (ambiguous: left as text) and an impossible date (left as text)."""
    pd.DataFrame({
        "when": ["2012/01/01", "2012/01/02", None, "2012/01/04"],
        "stamp": ["2024-03-31T08:30:00Z", "2024-04-01 09:00", "2024-04-02", "2024-04-03"],
        "dayfirst": ["01/02/2012", "02/02/2012", "03/02/2012", "04/02/2012"],
        "impossible": ["2012-02-30", "2012-02-01", "2012-02-02", "2012-02-03"],
        "skipped": ["2012-01-01"] * 4, "x": [1.0, 2.0, 3.0, 4.0], "y": ["a", "b", "a", "b"],
    }).to_csv(tmp_path / "dated.csv", index=False)


def test_year_first_dates_are_read_as_dates_with_a_note(tmp_path, monkeypatch):
    _dated_file(tmp_path)
    monkeypatch.chdir(tmp_path)
    table = read_data(_spec(CASES["dates"]).data)
    kinds = {c: str(t) for c, t in table.X.dtypes.items()}
    assert kinds["when"].startswith("datetime64") and kinds["stamp"].startswith("datetime64")
    assert not kinds["dayfirst"].startswith("datetime64")
    assert not kinds["impossible"].startswith("datetime64")
    assert table.X["when"].isna().sum() == 1 and "skipped" not in table.X
    assert [n for n in table.notes if "year-first dates" in n] == [
        f"dated.csv: column {c!r} holds year-first dates: read as dates (split into parts by "
        "the automatic preprocessing; data.roles: {" + c + ": categorical} keeps it as text)"
        for c in ("when", "stamp")]
    kept = _spec({**CASES["dates"], "roles": {"when": "categorical"}}).data
    assert str(read_data(kept).X["when"].dtype) == "category"


CASES = {
    "detected": {"source": "csv:penguins-eu.csv", "target": "species", "drop": ["island", "sex"]},
    "given": {"source": "csv:latin.csv", "target": "species", "sep": "|", "decimal": ".",
              "encoding": "latin-1", "na_values": ["?"], "features": ["island", "body_mass_g"]},
    "partly given": {"source": "csv:latin.csv", "target": "species", "encoding": "latin-1",
                     "na_values": ["?"], "roles": {"year": "categorical", "body_mass_g": "numeric"},
                     "drop": ["species", "sex"]},
    "sklearn roles": {"source": "sklearn:iris", "roles": {"petal width (cm)": "categorical"}},
    "sklearn": {"source": "sklearn:iris", "features": ["petal width (cm)", "target"]},
    "dates": {"source": "csv:dated.csv", "target": "y", "drop": ["skipped"]},
    "excel": {"source": "excel:messy.xlsx", "target": "y", "na_values": ["?", -999],
              "roles": {"code": "categorical"}, "sheet": "table"},
    "json lines": {"source": "json:messy.jsonl", "target": "y", "na_values": ["?", -999]},
    "json array": {"source": "json:messy.json", "target": "y", "drop": ["code"]},
    "compressed csv": {"source": "csv:penguins-eu.csv.gz", "target": "species"},
}


def _other_files(tmp_path: Path) -> None:
    """Excel, JSON and a gzip CSV: dates as text, markers of missing cells, a padded name."""
    frame = pd.DataFrame({"when": ["2024-03-01", "2024-03-02", None, "2024-03-04"],
                          "mass": [3.5, "?", 4.25, -999], "code": [10, 20, 10, 30],
                          " name ": ["a", "b", "a", "b"], "y": [0, 1, 0, 1]})
    frame.to_excel(tmp_path / "messy.xlsx", sheet_name="table", index=False)
    frame.to_json(tmp_path / "messy.jsonl", orient="records", lines=True)
    frame.to_json(tmp_path / "messy.json", orient="records")
    eu = pd.read_csv(DATA / "penguins-eu.csv", sep=";", decimal=",", encoding="latin-1")
    eu.to_csv(tmp_path / "penguins-eu.csv.gz", sep=";", decimal=",", index=False)


@pytest.mark.parametrize("name", CASES)
def test_generated_code_reads_the_table_as_the_evaluation(tmp_path, monkeypatch, name):
    shutil.copy(DATA / "penguins-eu.csv", tmp_path)
    _latin1_file(tmp_path)
    _dated_file(tmp_path)
    _other_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    spec = _spec(CASES[name])
    X, y = _run_data_section(spec)
    table = read_data(spec.data)
    pd.testing.assert_frame_equal(X, table.X)
    pd.testing.assert_series_equal(y, table.y)
    path = tmp_path / "generated.py"
    path.write_text(script_source(spec), encoding="utf-8")
    result = ruff(path, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_what_the_generated_code_says():
    detected = data_section(_spec(CASES["detected"])).body
    assert "read_options = csv_options(data_path)" in detected
    given = data_section(_spec(CASES["given"]))
    assert '"sep": "|",' in given.body and "csv_options" not in given.body
    assert "X = pd.read_csv(data_path, **read_options).rename(columns=str.strip)" in given.body
    roles = data_section(_spec(CASES["partly given"])).body
    assert 'csv_options(data_path, encoding="latin-1", na_values=["?"])' in roles
    assert 'X = apply_roles(X, with_dates(\n    X,\n    {"year": "categorical", "body_mass_g": ' \
           '"numeric"},\n    skip=["species", "sex"],\n))' in roles
    assert "X.drop(columns=[\"sex\"])" in roles  # the target is popped, not dropped
    assert data_section(_spec({"source": "sklearn:iris"})).body == \
        "X, y = load_iris(return_X_y=True, as_frame=True)"


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_roles_and_markers_stay_strings(tmp_path, text):
    spec = _spec({"source": f"csv:{text}.csv", "target": "y", "roles": {text: "categorical"},
                  "na_values": [text, -999], "encoding": "latin-1"})
    source = script_source(spec)
    calls = {n.func.id: n for n in ast.walk(ast.parse(source))
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert ast.literal_eval(calls["with_dates"].args[1]) == {text: "categorical"}
    assert ast.literal_eval(calls["with_dates"].keywords[0].value) == ["y"]
    options = {k.arg: ast.literal_eval(k.value) for k in calls["csv_options"].keywords}
    assert options == {"encoding": "latin-1", "na_values": [text, -999]}
    path = tmp_path / "generated.py"
    path.write_text(source, encoding="utf-8")
    result = ruff(path, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_a_generated_script_keeps_string_labels_and_leaves_unlabelled_rows_out(
        tmp_path, cluster):
    import json
    import os
    import subprocess
    import sys

    shutil.copy(DATA / "penguins-unlabelled.csv", tmp_path)
    spec = load_spec({
        "version": 1, "task": "classification",
        "data": {"source": "csv:penguins-unlabelled.csv", "target": "species"},
        "evaluation": {"cv": 3, "random_state": 0},
        "candidates": [{"name": "logreg", "steps": [{"LogisticRegression": {"max_iter": 2000}}]}],
    })
    (tmp_path / "generated.py").write_text(script_source(spec, out_dir="out"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(DATA.parents[1]),
           "STRATUM_SCHEDULER": cluster.scheduler_address, "STRATUM_DISPLAY": "text"}
    done = subprocess.run([sys.executable, "generated.py"], cwd=tmp_path, env=env, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "the target 'species' is empty on 3 of 344 rows (rows 5, 150, 300)" in done.stdout
    profile = json.loads((tmp_path / "out" / "best" / "profile.json").read_text())
    assert profile["input_schema"]["classes"] == ["Adelie", "Chinstrap", "Gentoo"]
    board = pd.read_csv(tmp_path / "out" / "best" / "leaderboard.csv")
    assert board.loc[0, "accuracy"] > 0.95
