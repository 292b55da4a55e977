"""A bundle is saved only when load_model reads its model back and the loaded model predicts
what the fitted one does; else a StratumError naming the step and its type."""

from __future__ import annotations

import os

import numpy as np
import pytest

from stratum_jupyter.bundle import load_model, save_bundle
from stratum_jupyter.bundle.formats import SKOPS, ModelFormat
from stratum_jupyter.bundle.parts import locate, parts
from stratum_jupyter.bundle.verify import check_reload
from stratum_jupyter.errors import StratumError

from .penguins import auto_pipeline, penguins


def _iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True, as_frame=True)


def _abs_pipeline():
    """A pipeline holding a builtins function (not trusted: callables of builtins are not
    data, e.g. eval)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    return make_pipeline(FunctionTransformer(func=abs), LogisticRegression(max_iter=500))


def test_a_model_that_does_not_load_back_is_not_saved(tmp_path):
    X, y = _iris()
    model = _abs_pipeline().fit(X, y)
    with pytest.raises(StratumError, match=r"the model was not saved: in skops format, step "
                       r"functiontransformer \(FunctionTransformer\): load_model cannot load "
                       r"it back: model.skops holds types that are not trusted: builtins.abs"):
        save_bundle(model, tmp_path / "best", X=X, y=y)
    assert os.listdir(tmp_path / "best") == []


def test_an_earlier_bundle_in_the_folder_is_left_as_it_was(tmp_path):
    from sklearn.tree import DecisionTreeClassifier

    X, y = _iris()
    good = save_bundle(DecisionTreeClassifier(max_depth=2).fit(X, y), tmp_path / "best", X=X,
                       y=y)
    before = {p.name: p.read_bytes() for p in good.iterdir()}
    with pytest.raises(StratumError):
        save_bundle(_abs_pipeline().fit(X, y), good, X=X, y=y)
    assert {p.name: p.read_bytes() for p in good.iterdir()} == before


def test_the_step_is_found_inside_the_column_transformer(tmp_path):
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

    X, y = penguins(complete=True)
    columns = ColumnTransformer([
        ("numeric", make_pipeline(FunctionTransformer(func=abs)),
         make_column_selector(dtype_include="number")),
        ("categorical", OneHotEncoder(), make_column_selector(dtype_include="str"))])
    model = Pipeline([("preprocessing", columns),
                      ("logisticregression", LogisticRegression(max_iter=3000))]).fit(X, y)
    with pytest.raises(StratumError, match=r"step preprocessing > numeric > "
                       r"functiontransformer \(FunctionTransformer\): .*builtins.abs"):
        save_bundle(model, tmp_path / "best", X=X, y=y)


def test_predictions_that_change_on_loading_are_refused(tmp_path):
    from sklearn.dummy import DummyClassifier

    X, y = _iris()
    model = DummyClassifier(strategy="constant", constant=1).fit(X, y)
    other = DummyClassifier(strategy="constant", constant=2).fit(X, y)
    swapped = ModelFormat(name="skops", kind="sklearn", label="scikit-learn",
                          claims=SKOPS.claims, save=SKOPS.save, detect=SKOPS.detect,
                          load=lambda directory, trusted: other)
    SKOPS.save(model, tmp_path)
    with pytest.raises(StratumError, match=r"step DummyClassifier: the loaded model's outputs "
                       r"on the sample rows differ from the fitted model's: \[2, 2, 2, 2, 2\] "
                       r"!= \[1, 1, 1, 1, 1\]"):
        check_reload(model, swapped, tmp_path, X.head())


def test_penguins_bundle_loads_back_and_predicts_the_same(tmp_path):
    X, y = penguins()
    model = auto_pipeline().fit(X, y)
    bundle = save_bundle(model, tmp_path / "best", X=X, y=y, task="classification")
    loaded = load_model(bundle)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_parts_follow_pipelines_and_column_transformers():
    X, y = penguins()
    model = auto_pipeline().fit(X, y)
    names = [name for name, _, _ in parts(model)]
    assert names == ["preprocessing", "logisticregression"]
    groups = parts(model.named_steps["preprocessing"], X)
    assert [(name, list(data.columns)) for name, _, data in groups] == [
        ("numeric", ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g",
                     "year"]),
        ("categorical", ["island", "sex"])]
    final = parts(model, X)[-1][2]
    assert final.shape == (len(X), model[:-1].transform(X).shape[1])
    blame = locate(model, X, lambda est, data: "no" if "Imputer" in repr(est) else None)
    assert str(blame) == "preprocessing > numeric > simpleimputer (SimpleImputer)"
    assert str(locate(model, X, lambda est, data: None)) == "Pipeline"


def test_an_object_no_format_writes_is_refused_by_name(tmp_path):
    """skops writes estimators (fit and get_params), not whatever it is given: an ONNX
    graph without the onnx format, say, is refused naming the formats there are."""
    from sklearn.linear_model import LinearRegression

    from stratum_jupyter.bundle.formats import format_for

    class Graph:  # like onnx.ModelProto: a model, but no estimator API
        def SerializeToString(self) -> bytes:
            return b""

    with pytest.raises(StratumError, match=r"no registered model format writes a .*Graph "
                                           r"\(registered: .*scikit-learn"):
        save_bundle(Graph(), tmp_path / "graph", X=np.zeros((2, 2)))
    assert not (tmp_path / "graph").exists()
    assert format_for(LinearRegression()) is SKOPS
