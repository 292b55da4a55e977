"""A model trained on pyarrow-backed columns and saved as it is (``save_bundle`` with the
Arrow table): the prediction service reads the recorded dtype names by their Arrow type
(numbers for ``double``/``int64``, true/false for ``bool``, ISO text for timestamps, null
where a value may be missing) and answers what ``load_model().predict`` answers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from stratum_jupyter.bundle import load_model, read_profile, save_bundle
from stratum_jupyter.deploy.render import plan, render
from stratum_jupyter.serving.inputs import Feature, kind_of, numpy_dtype
from tests.evaluation.test_arrow_dtypes import ROWS, arrow, penguins
from tests.servicetools import call, serving


@pytest.mark.parametrize("dtype,kind", [
    ("double[pyarrow]", "float"), ("float[pyarrow]", "float"), ("halffloat[pyarrow]", "float"),
    ("decimal128(10, 2)[pyarrow]", "float"), ("int64[pyarrow]", "int"),
    ("uint8[pyarrow]", "int"), ("bool[pyarrow]", "bool"), ("string[pyarrow]", "str"),
    ("large_string[pyarrow]", "str"), ("timestamp[us][pyarrow]", "str"),
    ("Float64", "float"), ("Int64", "int"), ("boolean", "bool"), ("category", "str"),
])
def test_recorded_dtypes_are_read_by_their_arrow_type(dtype, kind):
    assert kind_of(dtype) == kind


def test_arrow_numbers_keep_their_width():
    feature = Feature.from_schema({"name": "x", "dtype": "float[pyarrow]"})
    assert str(numpy_dtype(feature)) == "float32"
    assert str(numpy_dtype(Feature.from_schema({"name": "x", "dtype": "int8[pyarrow]"}))) == \
        "int8"


@pytest.fixture(scope="module")
def arrow_bundle(tmp_path_factory):
    """Trained on the Arrow table itself: columns named in the rules (no dtype selector
    picks an Arrow string column), so the fitted model has seen Arrow dtypes only."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X, y = penguins()
    X = arrow(X.drop(columns=["date_egg"]))
    numbers = ["culmen_length_mm", "culmen_depth_mm", "flipper_length_mm", "body_mass_g",
               "delta_15n"]
    pre = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
         numbers),
        ("text", make_pipeline(SimpleImputer(strategy="most_frequent"),
                               OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
         ["island", "sex"]),
        ("flags", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
         ["clutch_completion", "is_male"])])
    model = Pipeline([("pre", pre), ("lr", LogisticRegression(max_iter=2000))]).fit(X, y)
    bundle = save_bundle(model, tmp_path_factory.mktemp("arrow") / "best", X=X, y=y,
                         task="classification", candidate="logreg")
    return bundle, X


def test_the_bundle_records_arrow_dtypes_and_pins_pyarrow(arrow_bundle):
    bundle, _ = arrow_bundle
    features = {f["name"]: f for f in read_profile(bundle)["input_schema"]["features"]}
    assert features["culmen_length_mm"]["dtype"] == "double[pyarrow]"
    assert features["is_male"]["missing"] is True
    assert any(line.startswith("pyarrow==")
               for line in (bundle / "requirements.txt").read_text().splitlines())
    json.dumps(read_profile(bundle), allow_nan=False)


def test_the_service_takes_numbers_booleans_and_nulls(arrow_bundle, tmp_path):
    bundle, X = arrow_bundle
    out = tmp_path / "local"
    render(plan(bundle, "local"), out)
    rows = [{k: v for k, v in row.items() if k != "date_egg"} for row in ROWS]
    with serving(out) as port:
        answers = [call(port, "POST", "/predict", {"rows": [row]}) for row in rows]
        both = call(port, "POST", "/predict", {"rows": rows})
        text = call(port, "POST", "/predict", {"rows": [{**rows[1], "body_mass_g": "3500"}]})
    expected = load_model(bundle).predict(pd.DataFrame(rows).astype(X.dtypes.to_dict()))
    for (status, body), label in zip(answers, expected, strict=True):
        assert status == 200, body
        assert body["predictions"] == [label]
    assert both[0] == 200 and both[1]["predictions"] == expected.tolist()
    assert text[0] == 422
    assert text[1]["errors"] == ['rows[0].body_mass_g: expected an integer, got "3500" '
                                 '(feature dtype int64[pyarrow])']
