"""profile.json: strict JSON (field case 01: NaN tokens in sample_rows), the input schema's
categories and gaps, sample rows that meet the gaps and the categories."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from stratum_jupyter.bundle import profile as prof
from stratum_jupyter.bundle import read_profile, save_bundle
from stratum_jupyter.bundle.save import profile_json

from .penguins import auto_pipeline, penguins


def strict_loads(text: str):
    """RFC 8259 JSON: NaN, Infinity and -Infinity are not values."""
    def refuse(token):
        raise ValueError(f"non-standard JSON constant {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def penguin_bundle(tmp_path_factory):
    X, y = penguins()
    model = auto_pipeline().fit(X, y)
    return save_bundle(model, tmp_path_factory.mktemp("penguins") / "best", X=X, y=y,
                       task="classification", metrics={"mean": {"accuracy": math.nan}})


def test_profile_json_is_strict_json_with_missing_values_as_null(penguin_bundle):
    """Case 01: the all-NA CSV row is sample_rows[3], written with nulls."""
    profile = strict_loads((penguin_bundle / "profile.json").read_text())
    assert profile["sample_rows"][3] == {
        "island": "Torgersen", "bill_length_mm": None, "bill_depth_mm": None,
        "flipper_length_mm": None, "body_mass_g": None, "sex": None, "year": 2007}
    assert profile["metrics"]["mean"]["accuracy"] is None


def test_input_schema_records_categories_and_gaps(penguin_bundle):
    features = {f["name"]: f for f in read_profile(penguin_bundle)["input_schema"]["features"]}
    assert features["island"] == {"name": "island", "dtype": "str", "missing": False,
                                  "categories": ["Biscoe", "Dream", "Torgersen"]}
    assert features["sex"] == {"name": "sex", "dtype": "str", "missing": True,
                               "categories": ["female", "male"]}
    assert features["bill_length_mm"] == {"name": "bill_length_mm", "dtype": "float64",
                                          "missing": True}
    assert features["year"] == {"name": "year", "dtype": "int64", "missing": False}


def test_sample_rows_meet_every_gap_and_category(penguin_bundle):
    rows = read_profile(penguin_bundle)["sample_rows"]
    assert len(rows) <= prof.SAMPLE_ROWS + prof.TELLING_ROWS
    assert {r["island"] for r in rows} == {"Biscoe", "Dream", "Torgersen"}
    assert {r["sex"] for r in rows} == {"female", "male", None}
    X, _ = penguins()
    assert rows == json.loads(X.iloc[prof.sample_positions(X)].to_json(orient="records"))


def test_category_dtype_keeps_its_own_categories_in_order():
    X = pd.DataFrame({"size": pd.Categorical(["s", "l", "s"], categories=["s", "m", "l"]),
                      "flag": [True, False, True]})
    features = prof.input_schema(X)["features"]
    assert features[0] == {"name": "size", "dtype": "category", "missing": False,
                           "categories": ["s", "m", "l"]}
    assert features[1] == {"name": "flag", "dtype": "bool", "missing": False}


def test_many_distinct_values_get_no_category_list():
    X = pd.DataFrame({"id": [f"id{i}" for i in range(prof.MAX_CATEGORIES + 1)]})
    assert prof.input_schema(X)["features"] == [{"name": "id", "dtype": "str",
                                                 "missing": False}]


def test_arrays_say_where_they_have_gaps():
    X = np.array([[1.0, np.nan], [2.0, np.inf]])
    assert prof.input_schema(X)["features"] == [
        {"name": "x0", "dtype": "float64", "missing": False},
        {"name": "x1", "dtype": "float64", "missing": True}]
    assert prof.sample_rows(X) == [{"x0": 1.0, "x1": None}, {"x0": 2.0, "x1": None}]


def test_profile_json_turns_every_non_finite_number_into_null():
    profile = {"a": np.float32("nan"), "b": [math.inf, -math.inf], "c": pd.NA, "d": pd.NaT,
               "e": np.array([1.5, np.nan]), "f": (np.int64(3), None)}
    assert strict_loads(profile_json(profile)) == {
        "a": None, "b": [None, None], "c": None, "d": None, "e": [1.5, None], "f": [3, None]}


def test_a_nan_that_slips_past_is_an_error_not_a_token(monkeypatch):
    monkeypatch.setattr(prof, "json_value", lambda value: value)
    with pytest.raises(ValueError, match="Out of range float values"):
        profile_json({"x": math.nan})
