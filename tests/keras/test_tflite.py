"""Keras -> TFLite for edge targets: the preprocessing folded in, verified, served."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stratum_jupyter.errors import DeployError
from tests.marks import SLOW_TENSORFLOW
from tests.servicetools import call, serving

pytestmark = SLOW_TENSORFLOW


@pytest.fixture(scope="module")
def keras_bundle(tmp_path_factory):
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    from stratum_jupyter.bundle import save_bundle
    from stratum_jupyter.keras import KerasClassifier

    X, y = load_iris(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, random_state=0, stratify=y)
    model = make_pipeline(StandardScaler(), MinMaxScaler(), KerasClassifier(
        layers=[{"units": 16}], epochs=30, learning_rate=0.01, random_state=0))
    model.fit(X_train, y_train)
    path = tmp_path_factory.mktemp("keras") / "best"
    save_bundle(model, path, X=X_train, y=y_train, task="classification")
    return path, model, X_test


def test_conversion_is_verified_and_recorded(keras_bundle, tmp_path):
    from stratum_jupyter.bundle import read_profile
    from stratum_jupyter.keras import convert_tflite

    path, _, _ = keras_bundle
    report = convert_tflite(path, read_profile(path), tmp_path)
    assert report["format"] == "tflite" and report["verified_rows"] == 5
    assert (tmp_path / "model.tflite").stat().st_size == report["bytes"]
    assert json.loads((tmp_path / "conversion.json").read_text())["rtol"] == 1e-4


def test_non_affine_preprocessing_is_refused(tmp_path):
    from sklearn.datasets import load_iris
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline

    from stratum_jupyter.bundle import read_profile, save_bundle
    from stratum_jupyter.keras import KerasClassifier, convert_tflite

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = make_pipeline(PCA(2), KerasClassifier(layers=[{"units": 4}], epochs=2)).fit(X, y)
    save_bundle(model, tmp_path / "m", X=X, y=y, task="classification")
    with pytest.raises(DeployError, match="PCA is not"):
        convert_tflite(tmp_path / "m", read_profile(tmp_path / "m"), tmp_path / "out")


def test_edge_bundle_serves_the_tflite_model(keras_bundle, tmp_path):
    """The edge-arm64 bundle carries model.tflite; its service answers like the pipeline."""
    from stratum_jupyter.deploy.render import plan, render

    path, model, X_test = keras_bundle
    out = tmp_path / "edge"
    render(plan(path, "edge-arm64", quantize="none"), out)  # float32 (its default: float16)
    assert (out / "model" / "model.tflite").is_file()
    with serving(out) as port:
        status, answer = call(port, "POST", "/predict",
                              {"rows": X_test.to_dict(orient="records")})
    assert status == 200
    assert answer["predictions"] == model.predict(X_test).tolist()
    probabilities = [[row[str(c)] for c in answer["classes"]] for row in answer["probabilities"]]
    assert np.allclose(probabilities, model.predict_proba(X_test), atol=1e-4)
