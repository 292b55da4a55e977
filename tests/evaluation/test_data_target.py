"""The target is checked before any work goes to the cluster: rows without a label are left
out with a note, a target with too few labels is refused as bad input (field case 03)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stratum_jupyter.errors import DataError
from stratum_jupyter.evaluation.prepare import Options, prepare

DATA = Path(__file__).resolve().parents[1] / "data"
CARS = """
version: 1
task: regression
data: {source: "csv:cars.csv", target: Miles_per_Gallon, drop: [Origin]}
evaluation: {cv: 3, metrics: [r2, mae], random_state: 0}
candidates:
  - name: impute-ridge
    steps: [{SimpleImputer: {strategy: median}}, StandardScaler, {Ridge: {alpha: [0.1, 1.0]}}]
"""
PENGUINS = """
version: 1
task: classification
data: {source: "csv:penguins-unlabelled.csv", target: species, drop: [island, sex]}
evaluation: {cv: 3, metrics: [accuracy], random_state: 0}
candidates:
  - name: impute-logreg
    steps: [{SimpleImputer: {strategy: median}}, StandardScaler,
            {LogisticRegression: {max_iter: 2000}}]
"""
LEFT_OUT = ": those rows are left out (a row without a label can neither be learned from nor " \
           "scored)"


@pytest.fixture
def here(tmp_path, monkeypatch):
    """The field cases' files in the working directory, as their run.sh has them."""
    for name in ("cars.csv", "penguins-unlabelled.csv", "penguins-eu.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_field_case_03_regression_rows_without_label_are_left_out(here):
    plan = prepare(CARS)
    assert len(plan.X) == len(plan.y) == 398 and not plan.y.isna().any()
    assert plan.notes[0] == ("data.target 'Miles_per_Gallon' is empty on 8 of 406 rows (rows "
                             "10, 11, 12, 13, 14 and 3 more)" + LEFT_OUT)
    assert sum(len(test) for _, test in plan.folds) == 398


def test_field_case_03_classification_keeps_string_labels(here):
    plan = prepare(PENGUINS)
    assert plan.notes[0] == ("data.target 'species' is empty on 3 of 344 rows (rows 5, 150, 300)"
                             + LEFT_OUT)
    assert sorted(plan.y.unique()) == ["Adelie", "Chinstrap", "Gentoo"]
    assert 5 not in plan.X.index and len(plan.X) == 341


def test_given_data_is_checked_the_same_way(here):
    frame = pd.read_csv("cars.csv")
    y = frame.pop("Miles_per_Gallon")
    plan = prepare(CARS, frame.drop(columns=["Origin"]), y)
    assert plan.notes[0].startswith("the target 'Miles_per_Gallon' is empty on 8 of 406 rows")
    plan = prepare(CARS, frame.drop(columns=["Origin"]).to_numpy(), y.to_numpy())
    assert plan.notes[0].startswith("the target y is empty on 8 of 406 rows (rows 10, 11,")
    assert plan.X.shape == (398, 6) and not np.isnan(plan.y).any()


@pytest.mark.parametrize("labels,cv,message", [
    ([None] * 6, 3, "data.target 'y' is empty on every row (6 of 6): there are no labels to "
                    "learn from; is it the right column?"),
    (["a", None, None, None, None, "b"], 3, "data.target 'y' is empty on 4 of 6 rows (rows 1, "
                                            "2, 3, 4): the 2 rows with a label are fewer than "
                                            "the 3 folds"),
    (["a", "b"], 3, "the data has 2 rows, fewer than the 3 folds"),
    (["yes"] * 5 + [None], 3, "data.target 'y' has only the class 'yes' on every labelled "
                              "row: a classifier needs at least two classes to tell apart"),
    # Found by the table fuzz: one fold's training part would hold no 'no' at all.
    (["yes"] * 39 + ["no"], 3, "data.target 'y': the class 'no' is on one row only: the fold "
                               "that tests such a row has no example of its class to learn "
                               "from; add rows of that class, merge it into another or leave "
                               "its rows out of the data"),
    (["a"] * 8 + ["b", "c"], 2, "data.target 'y': the classes 'b', 'c' are on one row only: "
                                "the fold that tests such a row has no example of its class "
                                "to learn from; add rows of that class, merge it into another "
                                "or leave its rows out of the data"),
])
def test_too_few_labels_are_refused_before_any_work(tmp_path, labels, cv, message):
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": range(len(labels)), "y": labels}).to_csv(path, index=False)
    spec = PENGUINS.replace("csv:penguins-unlabelled.csv", f"csv:{path}").replace(
        "target: species, drop: [island, sex]", "target: y").replace("cv: 3", f"cv: {cv}")
    with pytest.raises(DataError) as info:
        prepare(spec)
    assert str(info.value) == f"data.target: {message}"


def test_a_class_with_fewer_rows_than_folds_is_noted(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": range(40), "y": ["yes"] * 38 + ["no"] * 2}).to_csv(path, index=False)
    spec = PENGUINS.replace("csv:penguins-unlabelled.csv", f"csv:{path}").replace(
        "target: species, drop: [island, sex]", "target: y")
    plan = prepare(spec)
    assert "data.target 'y': 'no' (2 rows) has fewer rows than the 3 folds: some test folds " \
           "have no row of that class" in plan.notes


def test_a_regression_target_with_markers_is_named(tmp_path):
    frame = pd.read_csv(DATA / "cars.csv").astype({"Miles_per_Gallon": object})
    frame.loc[[0, 1], "Miles_per_Gallon"] = "?"
    frame.to_csv(tmp_path / "cars.csv", index=False)
    spec = CARS.replace("csv:cars.csv", f"csv:{tmp_path / 'cars.csv'}")
    with pytest.raises(DataError, match=r"data.target 'Miles_per_Gallon' is the target of a "
                                        r"regression, but 2 of its values are not numbers: "
                                        r"'\?' \(row 0\), '\?' \(row 1\); add the markers of "
                                        r"missing labels to data.na_values"):
        prepare(spec)
    marked = spec.replace("drop: [Origin]", "drop: [Origin], na_values: ['?']")
    assert prepare(marked).notes[0].startswith(
        "data.target 'Miles_per_Gallon' is empty on 10 of 406 rows (rows 0, 1, 10,")


def test_integral_float_labels_become_integers_again():
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0, 1, np.nan, 1, 0, 1, 0, 1, 0, 1])
    from sklearn.linear_model import LogisticRegression

    plan = prepare({"lr": (LogisticRegression(), {})}, X, y, Options(task="classification",
                                                                     cv=2))
    assert plan.y.dtype == np.int64 and plan.y.tolist() == [0, 1, 1, 0, 1, 0, 1, 0, 1]
    assert plan.X.shape == (9, 2)
