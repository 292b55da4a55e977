"""SHAP values of models that take category or text columns (issue 24's leftover): a
HistGradientBoosting that takes ``category`` columns natively, one that splits on encoded
columns as categories, and a TF-IDF text column are explained on the table's own columns
(one value per column, adding up to the model's prediction), never as a raw
``could not convert string to float``; without shap a note says it is not installed."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

from stratum_jupyter.diagnostics import explain, explain_table

CUTS = {"Fair": 0.0, "Good": 300.0, "Very Good": 50.0, "Ideal": 900.0}


@pytest.fixture(scope="module")
def gems():
    """240 rows: a number, a category column (its effect not ordered by its codes) and a
    short text; the price depends on all three."""
    rng = np.random.default_rng(0)
    cut = rng.choice(list(CUTS), 240)
    note = rng.choice(["clean stone", "small chip", "clean cut stone", "chip"], 240)
    X = pd.DataFrame({"carat": rng.uniform(0.2, 2.0, 240),
                      "cut": pd.Categorical(cut, categories=list(CUTS)), "note": note})
    y = (1000 * X["carat"] + pd.Series(cut).map(CUTS).to_numpy()
         - 200 * pd.Series(note).str.contains("chip").to_numpy())
    return X, y


def _native(X, y):
    return HistGradientBoostingRegressor(max_iter=30, random_state=0).fit(X[["carat", "cut"]], y)


def _adds_up(model, X, frame):
    """SHAP values add up: prediction - sum over columns is the same (the background's mean
    prediction) for every row explained."""
    by_row = frame.pivot(index="row", columns="column", values="shap")
    rest = model.predict(X.iloc[by_row.index]) - by_row.sum(axis=1).to_numpy()
    assert np.ptp(rest) < 1e-6 * np.abs(rest).max()


def test_category_columns_are_coded_and_decoded_as_the_table_had_them(gems):
    X, _ = gems
    X = X.assign(note=X["note"].where(X.index % 7 > 0))  # missing text too
    coded = explain_table.Coded(X)
    codes = coded.encode(X)
    assert codes.dtype == float and codes.shape == X.shape
    assert np.isnan(codes[0, 2]) and not np.isnan(codes[1, 2])
    back = coded.decode(codes)
    assert (back.dtypes == X.dtypes).all()
    pd.testing.assert_frame_equal(back, X.reset_index(drop=True))


def test_why_a_model_is_explained_on_the_table(gems):
    X, y = gems
    native = _native(X, y)
    assert "takes cut as they are" in explain_table.reason(native, X[["carat", "cut"]])
    encoded = make_pipeline(
        ColumnTransformer([("cut", OrdinalEncoder(), ["cut"])], remainder="passthrough"),
        HistGradientBoostingRegressor(max_iter=10, categorical_features=[0])
    ).fit(X[["carat", "cut"]], y)
    Z = encoded[:-1].transform(X[["carat", "cut"]])
    assert explain_table.reason(encoded[-1], Z) == (
        "HistGradientBoostingRegressor splits on column 0 as categories, which shap's tree "
        "explainer would read as numeric thresholds")
    assert explain_table.reason(Ridge(), np.ones((3, 2))) == ""


def test_without_shap_a_string_column_gives_the_install_note(gems, monkeypatch):
    X, y = gems
    monkeypatch.setitem(sys.modules, "shap", None)  # as if it were not installed
    frame, notes = explain.shap_values(_native(X, y), X[["carat", "cut"]])
    assert frame.empty and notes == [explain.NOT_INSTALLED]  # not "could not convert string"


def test_native_categories_are_explained_per_column(gems):
    pytest.importorskip("shap")
    X, y = gems
    X = X[["carat", "cut"]]
    model = _native(X, y)
    frame, notes = explain.shap_values(model, X, seed=1)
    assert len(notes) == 1 and "exact explainer" in notes[0] and "takes cut" in notes[0]
    assert set(frame["column"]) == {"carat", "cut"} and set(frame["class"]) == {""}
    _adds_up(model, X, frame)
    # the cut's value follows the price it adds (Ideal most, Fair least), not its code order
    by_cut = frame[frame["column"] == "cut"].assign(
        cut=lambda f: X["cut"].to_numpy()[f["row"]]).groupby("cut", observed=True)["shap"]
    assert by_cut.mean().idxmax() == "Ideal" and by_cut.mean().idxmin() == "Fair"


def test_text_and_encoded_categories_through_a_pipeline(gems):
    pytest.importorskip("shap")
    X, y = gems
    model = make_pipeline(
        ColumnTransformer([("cut", OrdinalEncoder(), ["cut"]),
                           ("note", TfidfVectorizer(), "note")], remainder="passthrough",
                          sparse_threshold=0),
        HistGradientBoostingRegressor(max_iter=20, categorical_features=[0],
                                      random_state=0)).fit(X, y)
    frame, notes = explain.shap_values(model, X, seed=2, budget_s=60.0)
    assert "splits on column 0 as categories" in notes[0]
    assert set(frame["column"]) == {"carat", "cut", "note"}
    _adds_up(model, X, frame)
    # a budget too small for 20 rows: a note in the user's terms, no values
    frame, notes = explain.shap_values(model, X, seed=2, budget_s=1e-6)
    assert frame.empty and "evaluation.diagnostics.shap: true computes them" in notes[0]


@pytest.mark.usefixtures("in_process")
def test_an_evaluation_of_a_native_category_model_explains_it(gems, tmp_path):
    """The issue's case, small: evaluate() of a HistGradientBoostingRegressor on a table
    with a category column; its diagnostics never carry the raw ValueError."""
    from sklearn.pipeline import Pipeline

    from stratum_jupyter import evaluate

    X, y = gems
    model = Pipeline([("hgb", HistGradientBoostingRegressor(max_iter=20, random_state=0))])
    # the spec supplies the settings only (its data and candidates are the arguments')
    settings = {"version": 1, "task": "regression",
                "data": {"source": "sklearn:diabetes", "target": "target"},
                "evaluation": {"cv": 3, "diagnostics": {"shap": True, "importance": False}},
                "candidates": [{"name": "unused", "steps": [{"Ridge": {}}]}]}
    result = evaluate({"hgb": (model, {"hgb__max_leaf_nodes": [7]})}, X[["carat", "cut"]], y,
                      spec=settings, display="none")
    notes = result.diagnostics.notes
    assert not [n for n in notes if "could not convert" in n], notes
    try:
        import shap  # noqa: F401
    except ImportError:
        assert explain.NOT_INSTALLED in notes
        return
    summary = result.diagnostics.shap_summary()
    assert set(summary["column"]) == {"carat", "cut"}, notes
