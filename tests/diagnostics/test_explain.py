"""SHAP values on the original columns (issue 23, item 2, optional): where the ``shap``
package is installed, the best model's SHAP values per table column equal shap's own
values of the one-hot columns made from it, summed; without shap, a note says so; a
preprocessing step that mixes columns is said to, not guessed through."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from stratum_jupyter import evaluate
from stratum_jupyter.diagnostics import explain

from .test_importance import PENGUINS, penguins_spec

NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


@pytest.fixture(scope="module")
def penguins():
    frame = pd.read_csv(PENGUINS).dropna()
    return frame[[*NUMERIC, "island", "sex"]], frame["species"]


def _model(X, y, *middle):
    pre = ColumnTransformer([("numeric", StandardScaler(), NUMERIC),
                             ("categorical", OneHotEncoder(sparse_output=False),
                              ["island", "sex"])])
    return make_pipeline(pre, *middle, LogisticRegression(max_iter=2000)).fit(X, y)


def test_input_columns_are_traced_back_to_the_table(penguins):
    X, y = penguins
    pre, _ = explain.split(_model(X, y))
    owners, why = explain.original_columns(pre, list(X.columns), 9)
    assert why == ""
    assert owners == [*NUMERIC, "island", "island", "island", "sex", "sex"]
    assert explain.owner("categorical__island_Biscoe", ["island", "island_x"]) == "island"
    assert explain.owner("num__island_x", ["island", "island_x"]) == "island_x"
    mixed, _ = explain.split(_model(X, y, PCA(3)))
    owners, why = explain.original_columns(mixed, list(X.columns), 3)
    assert owners == [] and "pca0" in why and "cannot be traced back" in why


def test_without_shap_a_note_says_so(penguins, monkeypatch):
    X, y = penguins
    monkeypatch.setitem(sys.modules, "shap", None)  # as if it were not installed
    frame, notes = explain.shap_values(_model(X, y), X)
    assert frame.empty and notes == [explain.NOT_INSTALLED]
    frame, notes = explain.shap_values(_model(X, y), X, setting=False)
    assert frame.empty and notes == []  # not asked for: not said either


def test_shap_values_sum_the_one_hot_columns(penguins):
    shap = pytest.importorskip("shap")
    X, y = penguins
    model = _model(X, y)
    frame, notes = explain.shap_values(model, X, seed=3)
    assert notes == [] and set(frame["column"]) == set(X.columns)
    assert set(frame["class"]) == set(model[-1].classes_)
    rows = np.sort(np.random.default_rng(3).choice(len(X), size=200, replace=False))
    Z = model[:-1].transform(X.iloc[rows])
    own = shap.Explainer(model[-1], Z[:100])(Z).values  # (rows, inputs, classes)
    for k, label in enumerate(model[-1].classes_):
        part = frame[frame["class"] == label].pivot(index="row", columns="column",
                                                    values="shap")
        np.testing.assert_allclose(part.loc[rows, "island"], own[:, 4:7, k].sum(axis=1),
                                   rtol=0, atol=1e-9)
        np.testing.assert_allclose(part.loc[rows, "bill_length_mm"], own[:, 0, k],
                                   rtol=0, atol=1e-9)
    summary = explain.summary(frame)
    assert list(summary.columns) == ["column", "mean_abs"]
    assert summary["mean_abs"].is_monotonic_decreasing


@pytest.mark.slow
@pytest.mark.usefixtures("in_process")
def test_an_evaluation_reports_shap_on_its_own_columns(tmp_path):
    pytest.importorskip("shap")
    spec = penguins_spec(diagnostics={"importance": False})
    result = evaluate(spec, display="none", out=tmp_path / "run")
    d = result.diagnostics
    assert set(d.shap_values()["column"]) <= set(result.X.columns)
    summary = d.shap_summary()
    assert {"island", "sex"} <= set(summary["column"])
    assert not [c for c in summary["column"] if "__" in c or "onehot" in c]
    html = (tmp_path / "run" / "best" / "report.html").read_text()
    assert "SHAP values of the best model" in html
