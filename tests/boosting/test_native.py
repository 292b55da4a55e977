"""XGBoost and LightGBM models made elsewhere (sklearn-API estimators, native boosters and
their .json/.ubj/.txt files) bundled with save_model and read back answering the same."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris

from stratum_jupyter import load_model, save_model
from stratum_jupyter.errors import ModelInputError

xgboost = pytest.importorskip("xgboost")
lightgbm = pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.mark.parametrize("suffix", [".json", ".ubj"])
def test_a_native_xgboost_classifier_file_answers_as_its_booster(iris, tmp_path, suffix):
    X, y = iris
    booster = xgboost.train({"objective": "multi:softprob", "num_class": 3, "max_depth": 2,
                             "nthread": 1}, xgboost.DMatrix(X, y), 4)
    booster.save_model(tmp_path / f"model{suffix}")
    out = save_model(tmp_path / f"model{suffix}", tmp_path / "b", X=X)
    loaded = load_model(out)
    scores = booster.predict(xgboost.DMatrix(X))
    assert np.allclose(loaded.predict_proba(X), scores, rtol=0, atol=1e-6)
    assert loaded.predict(X).tolist() == scores.argmax(axis=1).tolist()
    profile = json.loads((out / "profile.json").read_text())
    assert profile["kind"] == "sklearn" and profile["task"] == "classification"
    assert profile["input_schema"]["classes"] == [0, 1, 2]
    reqs = [r.split("==")[0] for r in (out / "requirements.txt").read_text().split()]
    assert "xgboost-cpu" in reqs or "xgboost" in reqs


def test_an_xgboost_booster_in_memory_and_a_regressor(tmp_path):
    X, y = load_diabetes(return_X_y=True)
    booster = xgboost.train({"objective": "reg:squarederror", "max_depth": 2, "nthread": 1},
                            xgboost.DMatrix(X, y), 4)
    loaded = load_model(save_model(booster, tmp_path / "b", X=X))
    assert np.allclose(loaded.predict(X), booster.predict(xgboost.DMatrix(X)), atol=1e-4)
    sk = xgboost.XGBRegressor(n_estimators=4, max_depth=2, n_jobs=1).fit(X, y)
    out = save_model(sk, tmp_path / "c", X=X)
    assert np.array_equal(load_model(out).predict(X), sk.predict(X))
    assert json.loads((out / "profile.json").read_text())["task"] == "regression"


def test_a_native_lightgbm_file_answers_as_its_booster(iris, tmp_path):
    X, y = iris
    booster = lightgbm.train({"objective": "multiclass", "num_class": 3, "num_leaves": 4,
                              "verbose": -1, "num_threads": 1}, lightgbm.Dataset(X, y), 4)
    booster.save_model(tmp_path / "model.txt")
    loaded = load_model(save_model(tmp_path / "model.txt", tmp_path / "b", X=X,
                                   classes=[0, 1, 2]))
    scores = booster.predict(X)
    assert np.allclose(loaded.predict_proba(X), scores, rtol=0, atol=1e-6)
    assert loaded.predict(X).tolist() == scores.argmax(axis=1).tolist()
    binary = lightgbm.train({"objective": "binary", "num_leaves": 4, "verbose": -1,
                             "num_threads": 1}, lightgbm.Dataset(X, (y == 2).astype(int)), 4)
    loaded = load_model(save_model(binary, tmp_path / "c", X=X))
    assert np.allclose(loaded.predict_proba(X)[:, 1], binary.predict(X), atol=1e-6)


def test_a_text_file_that_is_no_lightgbm_model_is_refused(iris, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ModelInputError, match="notes.txt is not a LightGBM model"):
        save_model(tmp_path / "notes.txt", tmp_path / "b", X=iris[0])
    (tmp_path / "data.json").write_text('{"a": 1}')
    with pytest.raises(ModelInputError, match="data.json is not an XGBoost model"):
        save_model(tmp_path / "data.json", tmp_path / "b", X=iris[0])
