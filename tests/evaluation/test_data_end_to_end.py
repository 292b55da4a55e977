"""Field cases 03 and 07 end to end: one message on every path (stratum evaluate with the
spec's data or --data/--target, %stratum_evaluate, evaluate()), exit code 2; rows without a
label left out with a note; string class labels stay labels up to the saved bundle."""

from __future__ import annotations

import json
import shutil

import pytest
from IPython.core.error import UsageError

from stratum_jupyter import evaluate, load_model
from stratum_jupyter.cli import main
from stratum_jupyter.errors import DataError
from tests.evaluation.test_data_target import CARS, DATA, PENGUINS

EU = PENGUINS.replace("penguins-unlabelled.csv", "penguins-eu.csv")


@pytest.fixture
def here(tmp_path, monkeypatch):
    for name in ("cars.csv", "penguins-unlabelled.csv", "penguins-eu.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cars.yaml").write_text(CARS)
    (tmp_path / "penguins.yaml").write_text(PENGUINS)
    (tmp_path / "eu.yaml").write_text(EU)
    return tmp_path


@pytest.mark.parametrize("change,expected", [
    ("target: Species", "'Species' is not a column of {file} (data.target; did you mean "
                        "'species'?); its 8 columns: species, island, bill_length_mm, "
                        "bill_depth_mm, flipper_length_mm, body_mass_g, sex, year"),
    ("sep: ',', target: species", "'species' (data.target), 'island' (data.drop[0]) and "
                                  "'sex' (data.drop[1]) are not columns of {file}; its 1 "
                                  "column: species;island;bill_length_mm;bill_depth_mm;"
                                  "flipper_length_mm;body_mass_g;sex;year; the file has a "
                                  "single column whose name contains ';': the separator looks "
                                  "wrong (set data.sep: ';', or leave data.sep out to detect "
                                  "it)"),
])
def test_field_case_07_one_message_on_every_path(here, capsys, ip, change, expected):
    spec = here / "wrong.yaml"
    spec.write_text(EU.replace("target: species", change))
    assert main(["evaluate", str(spec)]) == 2
    from_spec = capsys.readouterr().err
    assert from_spec == "stratum evaluate: " + expected.format(file="penguins-eu.csv") + "\n"
    column = change.rsplit(" ", 1)[-1]
    args = ["evaluate", str(spec), "--data", "penguins-eu.csv", "--target", column]
    assert main(args) == 2
    assert capsys.readouterr().err == from_spec
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("stratum_evaluate", str(spec))
    assert str(info.value) == expected.format(file="penguins-eu.csv")
    with pytest.raises(DataError) as api:
        evaluate(str(spec), display="none")
    assert str(api.value) == expected.format(file="penguins-eu.csv")


def test_field_case_07_evaluates_from_the_spec_and_from_data(here, cluster, capsys):
    for extra in ([], ["--data", "penguins-eu.csv", "--target", "species"]):
        code = main(["evaluate", "eu.yaml", "--scheduler", cluster.scheduler_address,
                     "--display", "text", "--out", "out", *extra])
        out = capsys.readouterr()
        assert code == 0, out.err
        assert "read penguins-eu.csv with separator ';', decimal mark ',' (detected" in out.out
        board = json.loads((here / "out" / "best" / "profile.json").read_text())
        assert board["metrics"]["mean"]["accuracy"] > 0.9


def test_field_case_03_regression_on_every_path(here, cluster, capsys):
    for extra in ([], ["--data", "cars.csv", "--target", "Miles_per_Gallon"]):
        code = main(["evaluate", "cars.yaml", "--scheduler", cluster.scheduler_address,
                     "--display", "text", "--out", "out", *extra])
        out = capsys.readouterr()
        assert code == 0, out.err
        assert "data.target 'Miles_per_Gallon' is empty on 8 of 406 rows (rows 10, 11, 12, " \
               "13, 14 and 3 more): those rows are left out" in out.out
        assert "FAILED" not in out.out


def test_field_case_03_string_labels_stay_labels(here, client):
    result = evaluate("penguins.yaml", display="none", out=here / "run")
    assert result.leaderboard.loc[0, "accuracy"] > 0.9
    X = result.best.model.feature_names_in_  # the columns the model was fitted on
    assert list(X) == ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g",
                       "year"]
    import pandas as pd

    rows = pd.read_csv("penguins-unlabelled.csv").drop(columns=["species", "island", "sex"])
    labels = {"Adelie", "Chinstrap", "Gentoo"}
    assert set(result.best.model.predict(rows)) <= labels
    assert set(load_model(here / "run" / "best").predict(rows)) <= labels
    profile = json.loads((here / "run" / "best" / "profile.json").read_text())
    assert profile["input_schema"]["classes"] == sorted(labels)
    assert profile["input_schema"]["target"] == "species"
