"""save_model on scikit-learn models: the bundle of an evaluated model (profile, pinned
requirements), answers equal to the model's, and the mistakes it refuses before writing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from stratum_jupyter import load_model, save_model
from stratum_jupyter.errors import ModelInputError, StratumError


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True, as_frame=True)


def test_a_pipeline_saved_with_save_model_is_an_evaluated_models_bundle(iris, tmp_path):
    X, y = iris
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    out = save_model(model, tmp_path / "m", X=X)
    loaded = load_model(out)
    assert loaded.predict(X).tolist() == model.predict(X).tolist()
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    profile = json.loads((out / "profile.json").read_text())
    assert profile["kind"] == "sklearn" and profile["model_file"] == "model.skops"
    assert profile["task"] == "classification" and profile["source"] == "save_model"
    assert profile["input_schema"]["kind"] == "dataframe"
    assert [f["name"] for f in profile["input_schema"]["features"]] == list(X.columns)
    assert profile["input_schema"]["classes"] == [0, 1, 2]
    assert profile["predict_latency"]["single_row_ms"] > 0
    assert profile["predict_latency"]["batch_rows"] == len(X)
    assert profile["model_size_bytes"] == (out / "model.skops").stat().st_size
    assert len(profile["sample_rows"]) >= 5 and profile["created_at"]
    assert {"scikit-learn", "numpy"} <= set(profile["libraries"])
    assert profile["environment"]["python"]
    reqs = (out / "requirements.txt").read_text().split()
    assert all("==" in r for r in reqs) and any(r.startswith("scikit-learn==") for r in reqs)


def test_a_regressor_on_an_array_and_a_model_file(iris, tmp_path):
    import skops.io

    X = iris[0].to_numpy()
    model = LinearRegression().fit(X[:, :3], X[:, 3])
    skops.io.dump(model, tmp_path / "lin.skops")
    out = save_model(tmp_path / "lin.skops", tmp_path / "m", X=X[:, :3])
    assert json.loads((out / "profile.json").read_text())["task"] == "regression"
    assert np.array_equal(load_model(out).predict(X[:, :3]), model.predict(X[:, :3]))


def test_an_unfitted_model_is_refused(iris, tmp_path):
    with pytest.raises(ModelInputError, match="model: this LogisticRegression is not fitted"):
        save_model(LogisticRegression(), tmp_path / "m", X=iris[0])
    assert not (tmp_path / "m").exists()


def test_what_is_no_model_is_refused(iris, tmp_path):
    with pytest.raises(ModelInputError, match="model: a dict is not a model stratum bundles"):
        save_model({"weights": [1, 2]}, tmp_path / "m", X=iris[0])


def test_an_unknown_model_file_is_refused_naming_the_suffixes_read(iris, tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(b"\x80\x04N.")
    with pytest.raises(ModelInputError) as info:
        save_model(path, tmp_path / "m", X=iris[0])
    assert "model.pkl' is not a model file stratum reads" in str(info.value)
    assert ".skops" in str(info.value) and ".onnx" in str(info.value)
    with pytest.raises(ModelInputError, match="does not exist"):
        save_model(tmp_path / "nowhere.onnx", tmp_path / "m", X=iris[0])


def test_a_sample_that_contradicts_the_model_is_refused_naming_both(iris, tmp_path):
    X, y = iris
    model = LogisticRegression(max_iter=500).fit(X, y)
    with pytest.raises(ModelInputError) as info:
        save_model(model, tmp_path / "m", X=X.drop(columns=["petal width (cm)"]))
    assert "lacks the columns ['petal width (cm)']" in str(info.value)
    assert "feature_names_in_" in str(info.value)
    plain = LogisticRegression(max_iter=500).fit(X.to_numpy(), y)
    with pytest.raises(ModelInputError, match=r"3 columns .* takes 4 \(its n_features_in_\)"):
        save_model(plain, tmp_path / "m", X=X.to_numpy()[:, :3])
    with pytest.raises(ModelInputError, match=r"classes: \['a', 'b', 'c'\] contradicts"):
        save_model(model, tmp_path / "m", X=X, classes=["a", "b", "c"])
    with pytest.raises(ModelInputError, match="X: a sample of the model's inputs is needed"):
        save_model(model, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_a_sample_file_of_an_unknown_type_is_refused(iris, tmp_path):
    X, y = iris
    model = LogisticRegression(max_iter=500).fit(X, y)
    (tmp_path / "x.xml").write_text("<x/>")
    with pytest.raises(ModelInputError, match=r"x.xml' is not a sample stratum reads"):
        save_model(model, tmp_path / "m", X=tmp_path / "x.xml")
    X.to_csv(tmp_path / "x.csv", index=False)
    out = save_model(model, tmp_path / "m", X=tmp_path / "x.csv")
    assert load_model(out).predict(X).tolist() == model.predict(X).tolist()
    X.to_parquet(tmp_path / "x.parquet")
    out = save_model(model, tmp_path / "p", X=tmp_path / "x.parquet")
    assert json.loads((out / "profile.json").read_text())["input_schema"]["kind"] == "dataframe"
    assert issubclass(ModelInputError, StratumError)
