"""The builder's form <-> spec conversion: typed text means what it would mean in YAML."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stratum_jupyter.widgets.form import (
    empty_form,
    form_to_spec,
    format_value,
    parse_value,
    spec_to_form,
)

PRODUCT_SPEC = {
    "version": 1,
    "task": "classification",
    "evaluation": {"cv": 5, "metrics": ["accuracy", "f1_macro"], "select_by": "f1_macro",
                   "random_state": 0},
    "candidates": [
        {"name": "logreg", "steps": [{"StandardScaler": {}},
                                     {"LogisticRegression": {"C": [0.1, 1.0, 10.0],
                                                             "max_iter": 1000}}]},
        {"name": "forest", "steps": [{"RandomForestClassifier": {
            "n_estimators": [100, 300], "max_depth": [None, 8]}}]},
    ],
}


@pytest.mark.parametrize(("text", "value"), [
    ("0.1, 1", [0.1, 1]),
    ("1e-3", 0.001),
    ("10", 10),
    ("None", None),
    ("null", None),
    ("None, 8", [None, 8]),
    ("True", True),
    ("false", False),
    ("lbfgs", "lbfgs"),
    ("lbfgs, saga", ["lbfgs", "saga"]),
    ('"a, b"', "a, b"),
    ("[1, 2], [3]", [[1, 2], [3]]),
    ("{a: 1}", {"a": 1}),
    ("  7 ", 7),
    ("abc: def: g", "abc: def: g"),  # not YAML: kept as typed, the validator judges it
])
def test_parse_value_reads_text_like_a_yaml_spec(text, value):
    assert parse_value(text) == value


def test_an_empty_field_is_the_default():
    with pytest.raises(ValueError):
        parse_value("   ")
    form = empty_form()
    form["candidates"][0]["steps"] = [{"block": "SVC", "params": {"C": "", "kernel": "rbf"}}]
    assert form_to_spec(form)["candidates"][0]["steps"] == [{"SVC": {"kernel": "rbf"}}]


scalars = (st.none() | st.booleans() | st.integers(-10**9, 10**9)
           | st.floats(allow_nan=False, allow_infinity=False, width=64)
           | st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20))


@given(scalars | st.lists(scalars, min_size=1, max_size=4))
def test_format_then_parse_gives_the_value_back(value):
    assert parse_value(format_value(value)) == value


def test_infinity_is_written_as_yaml_writes_it():
    assert [format_value(v) for v in (math.inf, -math.inf)] == [".inf", "-.inf"]
    assert format_value([1, math.inf]) == "1, .inf"
    assert parse_value(format_value(math.inf)) == math.inf
    assert parse_value("10, .inf") == [10, math.inf]
    assert math.isnan(parse_value(format_value(math.nan)))


def test_spec_to_form_to_spec_keeps_the_spec():
    form = spec_to_form(PRODUCT_SPEC)
    assert form["candidates"][1]["steps"][0]["params"]["max_depth"] == "None, 8"
    assert form_to_spec(form) == PRODUCT_SPEC


def test_an_invalid_spec_still_loads_in_place():
    raw = {"version": 1, "task": "classification", "evaluation": {"cv": "many"},
           "candidates": [{"name": "x", "steps": [{"LogisticRegresion": {"C": -1}},
                                                  "not a step", 3]}, "junk"]}
    form = spec_to_form(raw)
    assert form["evaluation"]["cv"] == "many"
    assert form["candidates"][0]["steps"] == [
        {"block": "LogisticRegresion", "params": {"C": "-1"}},
        {"block": "not a step", "params": {}},
    ]
    assert form_to_spec(form)["candidates"][0]["steps"][0] == {"LogisticRegresion": {"C": -1}}


def test_parts_the_form_has_no_field_for_are_kept_unchanged():
    """Column rules, read options, pos_label, a candidate's own preprocessing and search:
    a spec edited in the builder keeps them."""
    from stratum_jupyter.widgets.form import form_to_spec, spec_to_form

    spec = {"version": 1, "name": "p", "task": "classification",
            "data": {"source": "csv:p.csv", "target": "species", "sep": ";", "decimal": ",",
                     "na_values": ["?"], "roles": {"year": "categorical"}},
            "evaluation": {"cv": 3, "pos_label": "yes", "metrics": ["f1"]},
            "preprocessing": {"columns": [{"select": "numeric", "steps": ["StandardScaler"]}],
                              "remainder": "passthrough"},
            "candidates": [{"name": "a", "preprocessing": "none", "search": "random",
                            "n_iter": 3, "steps": [{"LogisticRegression": {"C": [0.1, 1.0]}}]}]}
    form = spec_to_form(spec)
    form["candidates"][0]["steps"][0]["params"]["C"] = "0.5"  # an edit in the builder
    back = form_to_spec(form)
    assert back["candidates"][0]["steps"] == [{"LogisticRegression": {"C": 0.5}}]
    for key in ("preprocessing", "data"):
        assert back[key] == spec[key]
    assert back["evaluation"]["pos_label"] == "yes"
    assert {k: back["candidates"][0][k] for k in ("preprocessing", "search", "n_iter")} == {
        "preprocessing": "none", "search": "random", "n_iter": 3}


def test_a_datetime_role_chosen_in_the_builder_splits_the_dates_into_parts(tmp_path):
    """The column table's datetime role is recorded in data.roles, which reads the text
    dates of a CSV file as dates: the automatic preprocessing then splits them into parts."""
    from stratum_jupyter.evaluation.prepare import prepare
    from stratum_jupyter.spec.validate import validate_spec
    from stratum_jupyter.widgets.form import empty_form, form_to_spec
    from tests.catalog.dated import dated_table

    X, y = dated_table()
    X.assign(traffic=y).to_csv(tmp_path / "dated.csv", index=False)
    form = empty_form()
    form["data"].update(source=f"csv:{tmp_path / 'dated.csv'}", target="traffic",
                        roles={"day": "datetime", "when": "datetime"})
    form["candidates"][0]["steps"] = [{"block": "LogisticRegression", "params": {}}]
    spec = form_to_spec(form)
    assert spec["data"]["roles"] == {"day": "datetime", "when": "datetime"}
    (note,) = [n for n in prepare(validate_spec(spec)).notes if n.startswith("preprocessing")]
    assert "datetime [when, day] -> DatetimeFeatures (dates split into parts" in note
