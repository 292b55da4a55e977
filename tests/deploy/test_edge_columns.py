"""Edge deploys (ONNX) of models with column-aware preprocessing: a table with text columns and
gaps converts with one input per column and is verified on rows with gaps, every category and
unseen values; what skl2onnx cannot convert is refused naming the step, before anything is
written."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from stratum_jupyter.bundle import read_profile, save_bundle
from stratum_jupyter.deploy.convert import UNSEEN, convert_onnx, verification_rows
from stratum_jupyter.deploy.render import plan, render
from stratum_jupyter.errors import DeployError
from stratum_jupyter.serving.onnx_input import MISSING_TEXT, onnx_feeds
from tests.bundle.penguins import FIRST_ROW, auto_pipeline, penguins
from tests.servicetools import call, serving


@pytest.fixture(scope="module")
def penguin_model():
    X, y = penguins()
    return auto_pipeline().fit(X, y), X, y


@pytest.fixture(scope="module")
def penguin_bundle(tmp_path_factory, penguin_model):
    model, X, y = penguin_model
    return save_bundle(model, tmp_path_factory.mktemp("penguins") / "best", X=X, y=y,
                       task="classification", candidate="auto-logreg")


def _rows(frame):
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def test_converted_with_one_input_per_column_and_verified(penguin_bundle, penguin_model,
                                                          tmp_path):
    import onnxruntime as ort

    profile = read_profile(penguin_bundle)
    model, X, _ = penguin_model
    rows = verification_rows(model, profile)
    assert any(v is None for row in rows for v in row.values())  # gaps
    assert {r["island"] for r in rows} == {"Biscoe", "Dream", "Torgersen", UNSEEN}
    report = convert_onnx(penguin_bundle, profile, tmp_path)
    assert report["verified_rows"] == len(rows) == len(profile["sample_rows"]) + 2
    session = ort.InferenceSession(str(tmp_path / "model.onnx"))
    assert [(i.name, i.type) for i in session.get_inputs()] == [
        ("island", "tensor(string)"), ("bill_length_mm", "tensor(float)"),
        ("bill_depth_mm", "tensor(float)"), ("flipper_length_mm", "tensor(float)"),
        ("body_mass_g", "tensor(float)"), ("sex", "tensor(string)"), ("year", "tensor(int64)")]
    # and beyond the checked rows: every row of the table, gaps included
    labels, probs = session.run(None, onnx_feeds(session.get_inputs(), list(X.columns),
                                                 _rows(X)))
    assert (labels == model.predict(X)).all()
    np.testing.assert_allclose(probs, model.predict_proba(X), atol=1e-4)


def test_missing_text_is_fed_as_the_marker_and_the_marker_is_reserved():
    class Input:
        def __init__(self, name, type_):
            self.name, self.type = name, type_

    inputs = [Input("a", "tensor(string)"), Input("b", "tensor(float)")]
    feeds = onnx_feeds(inputs, ["a", "b"], [{"a": None, "b": None}, {"a": "x", "b": 2}])
    assert feeds["a"].tolist() == [[MISSING_TEXT], ["x"]]
    assert np.isnan(feeds["b"][0, 0]) and feeds["b"].dtype == np.float32
    with pytest.raises(ValueError, match="reserved for missing values"):
        onnx_feeds(inputs, ["a", "b"], [{"a": MISSING_TEXT, "b": 1}])


def test_the_edge_bundle_service_feeds_each_column(penguin_bundle, penguin_model, tmp_path):
    import pandas as pd

    model, X, y = penguin_model
    out = tmp_path / "edge"
    manifest = render(plan(penguin_bundle, "edge-arm64"), out)
    assert manifest["runtime"] == "onnx" and not (out / "model" / "model.skops").exists()
    others = X[(y != "Adelie").to_numpy()].dropna().iloc[::20]
    rows = [FIRST_ROW, {**FIRST_ROW, "island": "Atlantis", "sex": ""}, *_rows(others)]
    with serving(out) as port:
        status, body = call(port, "POST", "/predict", {"rows": rows})
    assert status == 200, body
    with warnings.catch_warnings():  # unseen values: scikit-learn warns, and ignores them
        warnings.simplefilter("ignore")
        frame = pd.DataFrame(rows)
        expected, probabilities = model.predict(frame), model.predict_proba(frame)
    assert body["predictions"][0] == "Adelie" and {"Chinstrap", "Gentoo"} <= set(expected)
    assert body["predictions"] == expected.tolist()
    keyed = [[row[c] for c in body["classes"]] for row in body["probabilities"]]  # by class
    np.testing.assert_allclose(keyed, probabilities, atol=1e-4)


def test_a_step_skl2onnx_cannot_convert_is_named_and_nothing_is_written(tmp_path):
    """Infrequent categories (a text column with more than 20 values) have no ONNX form."""
    X, y = penguins()
    X["tag"] = [f"t{i % 30}" for i in range(len(X))]
    model = auto_pipeline().fit(X, y)
    bundle = save_bundle(model, tmp_path / "best", X=X, y=y, task="classification")
    with pytest.raises(DeployError) as caught:
        plan(bundle, "edge-arm64")
    (problem,) = caught.value.violations
    assert problem.startswith("conversion: skl2onnx cannot convert preprocessing > "
                              "categorical > onehotencoder (OneHotEncoder): ")
    assert "Infrequent categories are not implemented" in problem
    assert "use --convert none" in problem
    assert plan(bundle, "local").conversion == "none"  # the scikit-learn service takes it


def test_a_pipeline_over_mixed_columns_is_refused_naming_its_step(tmp_path):
    """Field case 01's one-hot spec: an imputer over text and number columns at once. Its
    steps cannot be fed the sample rows one by one in the converted copy: the first step
    that fails on its own is still named, never a traceback."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    X, y = penguins()
    model = make_pipeline(SimpleImputer(strategy="most_frequent"),
                          OneHotEncoder(handle_unknown="ignore"),
                          LogisticRegression(max_iter=500)).fit(X, y)
    bundle = save_bundle(model, tmp_path / "best", X=X, y=y, task="classification")
    with pytest.raises(DeployError, match=r"skl2onnx cannot convert simpleimputer "
                                          r"\(SimpleImputer\): "):
        plan(bundle, "edge-arm64")


def test_boosting_on_categories_is_refused_naming_the_estimator(tmp_path):
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = penguins(complete=True, categories=True)
    model = HistGradientBoostingClassifier(max_iter=5).fit(X, y)
    bundle = save_bundle(model, tmp_path / "best", X=X, y=y, task="classification")
    with pytest.raises(DeployError, match=r"skl2onnx cannot convert "
                       r"HistGradientBoostingClassifier: .*at most 1 input"):
        plan(bundle, "edge-arm64")


def test_conversion_json_records_the_rows_it_checked(penguin_bundle, tmp_path):
    out = tmp_path / "edge"
    render(plan(penguin_bundle, "edge-arm64"), out)
    report = json.loads((out / "model" / "conversion.json").read_text())
    assert report["verified_rows"] == len(read_profile(penguin_bundle)["sample_rows"]) + 2


def test_the_scikit_learn_service_takes_pandas_text_columns_as_strings(penguin_bundle,
                                                                      tmp_path):
    """pandas 3 reads text as the ``str`` dtype: the service's schema reading maps it to
    strings (and keeps reading name and dtype of the richer feature records)."""
    out = tmp_path / "local"
    render(plan(penguin_bundle, "local"), out)
    with serving(out) as port:
        ok = call(port, "POST", "/predict", {"rows": [FIRST_ROW]})
        bad = call(port, "POST", "/predict", {"rows": [{**FIRST_ROW, "island": 3}]})
    assert ok == (200, {"predictions": ["Adelie"], "probabilities": ok[1]["probabilities"],
                        "classes": ["Adelie", "Chinstrap", "Gentoo"]})
    assert bad[0] == 422
    assert bad[1]["errors"] == ["rows[0].island: expected a string, got 3 (feature dtype str)"]
