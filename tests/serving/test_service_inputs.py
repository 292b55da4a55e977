"""Input as real tables send it (issue 16): nulls where the model imputes, strings for
categorical features, and every bad value of any JSON type answered 4xx naming the row and
the feature, never 500. Penguins (tests/data/penguins.csv: gaps, strings, an int64 year)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stratum_jupyter.bundle import load_model, save_bundle
from tests.servicetools import call

DATA = Path(__file__).resolve().parents[1] / "data" / "penguins.csv"
NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
CATEGORICAL = ["island", "sex"]


@pytest.fixture(scope="module")
def penguins():
    import pandas as pd

    frame = pd.read_csv(DATA)
    return frame.drop(columns="species"), frame["species"]


def _serve(model_dir):
    from stratum_jupyter.serving.server import serve_in_thread

    server, thread = serve_in_thread(model_dir)
    return server, server.server_address[1]


@pytest.fixture(scope="module")
def imputed(penguins, tmp_path_factory):
    """A SimpleImputer pipeline over the numeric columns, served."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = penguins
    model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=1000))
    path = save_bundle(model.fit(X[NUMERIC], y), tmp_path_factory.mktemp("p") / "imputed",
                       X=X[NUMERIC], y=y, task="classification")
    server, port = _serve(path)
    yield path, port
    server.shutdown()
    server.server_close()


def mixed_model(X, y, unknown: str):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), NUMERIC),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown=unknown)), CATEGORICAL)])
    return make_pipeline(prep, LogisticRegression(max_iter=1000)).fit(X, y)


@pytest.fixture(scope="module", params=["ignore", "error"])
def mixed(request, penguins, tmp_path_factory):
    """Numeric and categorical features; the encoder ignores or refuses unseen categories."""
    X, y = penguins
    path = save_bundle(mixed_model(X, y, request.param),
                       tmp_path_factory.mktemp("p") / f"mixed-{request.param}", X=X, y=y,
                       task="classification")
    server, port = _serve(path)
    yield request.param, path, port
    server.shutdown()
    server.server_close()


def records(frame):
    """Rows as a client sends them: NaN as null, numbers as numbers."""
    return [{k: (None if v != v else v) for k, v in row.items()}
            for row in json.loads(frame.to_json(orient="records"))]


def assert_same_answer(body, model, frame):
    assert body["predictions"] == model.predict(frame).tolist()
    got = [[row[c] for c in body["classes"]] for row in body["probabilities"]]
    np.testing.assert_allclose(got, model.predict_proba(frame), rtol=1e-9)


@pytest.mark.parametrize("missing", [["bill_length_mm"], ["body_mass_g", "bill_depth_mm"],
                                     ["bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                                      "body_mass_g"]])
def test_null_for_an_imputed_feature_answers_what_load_model_predicts(imputed, penguins,
                                                                      missing):
    path, port = imputed
    X, _ = penguins
    rows = X[NUMERIC].iloc[[0, 50, 200]].copy()
    rows.loc[:, missing] = np.nan
    status, body = call(port, "POST", "/predict", {"rows": records(rows)})
    assert status == 200, body
    assert_same_answer(body, load_model(path), rows)


def test_the_tables_own_gaps_are_served_as_nulls(imputed, penguins):
    path, port = imputed
    X, _ = penguins
    gaps = X[NUMERIC][X[NUMERIC].isna().any(axis=1)]
    assert len(gaps) >= 2
    status, body = call(port, "POST", "/predict", {"rows": records(gaps)})
    assert status == 200, body
    assert_same_answer(body, load_model(path), gaps)


def test_health_says_which_features_may_be_null(imputed, mixed):
    assert call(imputed[1], "GET", "/health")[1]["nullable"] == sorted(NUMERIC[:4])
    assert call(mixed[2], "GET", "/health")[1]["nullable"] == sorted(NUMERIC[:4]
                                                                     + CATEGORICAL)


def test_strings_and_nulls_for_categorical_features(mixed, penguins):
    unknown, path, port = mixed
    X, _ = penguins
    rows = X.iloc[[0, 1, 150, 300]].copy()
    rows.loc[rows.index[0], "sex"] = np.nan
    rows.loc[rows.index[1], "island"] = np.nan
    status, body = call(port, "POST", "/predict", {"rows": records(rows)})
    assert status == 200, body
    assert_same_answer(body, load_model(path), rows)
    assert set(body["probabilities"][0]) == {"Adelie", "Chinstrap", "Gentoo"}


def test_unseen_categories_as_the_encoder_allows(mixed, penguins):
    unknown, path, port = mixed
    X, _ = penguins
    rows = X.iloc[[10, 20]].copy()
    rows.loc[rows.index[1], "island"] = "Atlantis \N{PENGUIN}"
    status, body = call(port, "POST", "/predict", {"rows": records(rows)})
    if unknown == "ignore":
        assert status == 200, body
        assert_same_answer(body, load_model(path), rows)
    else:
        assert status == 422
        assert body["errors"][0].startswith(
            'rows[1].island: the model does not take "Atlantis \\ud83d\\udc27"')
        assert "unknown categories" in body["errors"][0] and len(body["errors"]) == 1


BAD_VALUES = [
    ("year", 2**63, "rows[0].year: 9223372036854775808 does not fit int64"),
    ("year", -(2**63) - 1, "does not fit int64"),
    ("year", 10**400, "rows[0].year: 1000000000000000000000000000000000000... does not fit"),
    ("year", 1e300, "does not fit int64"),
    ("year", 2007.5, "rows[0].year: expected an integer, got 2007.5"),
    ("year", "2007", 'expected an integer, got "2007"'),
    ("year", True, "expected an integer, got true"),
    ("year", None, "rows[0].year: null is not allowed (the feature takes no missing value)"),
    ("bill_length_mm", 10**400, "rows[0].bill_length_mm: number too large"),
    ("bill_length_mm", "39.1", 'expected a number, got "39.1"'),
    ("bill_length_mm", [39.1], "expected a number, got [39.1]"),
    ("bill_length_mm", {"mm": 39.1}, 'expected a number, got {"mm": 39.1}'),
    ("island", 3, "rows[0].island: expected a string, got 3"),
    ("island", ["Dream"], 'expected a string, got ["Dream"]'),
    ("island", {"\N{PENGUIN}": [[{}]]}, "expected a string"),
    ("sex", False, "rows[0].sex: expected a string, got false"),
]


@pytest.mark.parametrize("name,value,needle", BAD_VALUES)
def test_bad_values_get_422_naming_row_and_feature(mixed, penguins, name, value, needle):
    _, _, port = mixed
    X, _ = penguins
    row = records(X.iloc[[0]])[0]
    status, body = call(port, "POST", "/predict", {"rows": [{**row, name: value}]})
    assert status == 422
    assert any(needle in error for error in body["errors"]), body


def test_integral_floats_are_integers(mixed, penguins):
    _, path, port = mixed
    X, _ = penguins
    row = records(X.iloc[[0]])[0]
    status, body = call(port, "POST", "/predict", {"rows": [{**row, "year": 2007.0}]})
    assert status == 200
    assert body["predictions"] == load_model(path).predict(X.iloc[[0]]).tolist()


def test_errors_name_each_row_up_to_twenty(mixed, penguins):
    _, _, port = mixed
    X, _ = penguins
    row = records(X.iloc[[0]])[0]
    rows = [row, {**row, "year": "x"}, {k: v for k, v in row.items() if k != "sex"},
            {**row, "colour": "blue"}] + [{**row, "island": 1}] * 30
    status, body = call(port, "POST", "/predict", {"rows": rows})
    assert status == 422 and len(body["errors"]) == 20
    assert body["errors"][:3] == [
        'rows[1].year: expected an integer, got "x" (feature dtype int64)',
        "rows[2]: missing feature(s) 'sex'",
        "rows[3]: unknown feature(s) 'colour' (allowed: 'island', 'bill_length_mm', "
        "'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex', 'year')"]
    assert body["errors"][3].startswith("rows[4].island: expected a string")


def test_a_nan_literal_is_answered_with_what_to_send_instead(imputed, penguins):
    """Python's json.dumps and pandas' to_json write NaN, which JSON has not: the 422 says
    to send null where the model takes a missing value, and a number where it does not."""
    _, port = imputed
    X, _ = penguins
    row = X[NUMERIC].iloc[0].to_dict()
    raw = json.dumps({"rows": [{**row, "bill_length_mm": float("nan")}]}).encode()
    assert b"NaN" in raw
    status, body = call(port, "POST", "/predict", raw=raw)
    assert status == 422
    assert body["errors"] == ["rows[0].bill_length_mm: NaN is not allowed: send null for a "
                              "missing value (feature dtype float64)"]
    nullable = set(call(port, "GET", "/health")[1]["nullable"])
    fixed = [c for c in NUMERIC if c not in nullable]
    if fixed:  # a feature the model never saw missing
        raw = json.dumps({"rows": [{**row, fixed[0]: float("nan")}]}).encode()
        status, body = call(port, "POST", "/predict", raw=raw)
        assert status == 422 and "takes no missing value, send a number" in body["errors"][0]
