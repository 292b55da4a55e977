"""Issue 24's acceptance, end to end: bundles made with ``save_model`` from each model kind (a
scikit-learn pipeline on a table; an ONNX network on tensors; an ONNX image model sampled from
a folder of PNGs; XGBoost and LightGBM where installed; a tiny Keras network) are rendered for
the ``local`` target, and the rendered bundle's own service answers ``POST /predict`` and
``POST /v2/models/{name}/infer`` with what the original model answers in process: labels
exactly, scores within 1e-6."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stratum_jupyter import save_model
from stratum_jupyter.deploy import deploy
from tests.bundle.onnx_models import softmax_net
from tests.servicetools import call, serving
from tests.serving.bundles import b64, digits, png, prepared, softmax_regression, tiny_cnn

TOL = {"rtol": 1e-6, "atol": 1e-6}


@contextlib.contextmanager
def deployed(bundle: Path, tmp_path: Path) -> Iterator[tuple[int, str]]:
    """The bundle rendered for the local target and its service running; yields
    ``(port, the model's name in the v2 routes)``."""
    target = tmp_path / f"{bundle.name}-deploy"
    deploy(bundle, "local", target)
    name = json.loads((target / "model" / "profile.json").read_text())["name"]
    with serving(target) as port:
        status, meta = call(port, "GET", f"/v2/models/{name}")
        assert status == 200, meta
        yield port, name


def probabilities(answer: dict[str, Any], classes: list[Any]) -> np.ndarray:
    return np.array([[row[str(c)] for c in classes] for row in answer["probabilities"]])


def same_answer(answer: dict[str, Any], labels: Any, scores: Any, classes: list[Any]) -> None:
    assert answer["predictions"] == np.asarray(labels).tolist()
    np.testing.assert_allclose(probabilities(answer, classes), scores, **TOL)


def v2_outputs(port: int, name: str, inputs: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    status, answer = call(port, "POST", f"/v2/models/{name}/infer", {"inputs": inputs})
    assert status == 200, answer
    assert answer["model_name"] == name
    return {o["name"]: np.reshape(np.array(o["data"], dtype=object if o["datatype"] == "BYTES"
                                           else None), o["shape"]) for o in answer["outputs"]}


def table_v2_inputs(X: Any) -> list[dict[str, Any]]:
    """One v2 input per column: BYTES for text (None for a gap is not v2: complete rows)."""
    out = []
    for column in X.columns:
        values = X[column]
        text = values.dtype.kind not in "iufb"
        out.append({"name": str(column), "shape": [len(values)],
                    "datatype": "BYTES" if text else "FP64",
                    "data": values.astype(str if text else float).tolist()})
    return out


@pytest.fixture(scope="module")
def penguins_table():
    from tests.bundle.penguins import penguins

    X, y = penguins(complete=True)
    return X.iloc[::3].reset_index(drop=True), y.iloc[::3].reset_index(drop=True)


def check_table_model(model: Any, X: Any, tmp_path: Path, rows: int = 12) -> None:
    """A table model's bundle answers rows and v2 columns as ``model`` does in process."""
    bundle = save_model(model, tmp_path / type(model).__name__.lower(), X=X)
    head = X.head(rows)
    labels, scores = model.predict(head), model.predict_proba(head)
    classes = [c.item() if hasattr(c, "item") else c for c in model.classes_]
    with deployed(bundle, tmp_path) as (port, name):
        status, answer = call(port, "POST", "/predict", {"rows": head.to_dict("records")})
        assert status == 200, answer
        same_answer(answer, labels, scores, classes)
        outputs = v2_outputs(port, name, table_v2_inputs(head))
        assert outputs["predict"].tolist() == np.asarray(labels).tolist()
        np.testing.assert_allclose(outputs["predict_proba"].astype(float), scores, **TOL)


def test_a_scikit_learn_pipeline_on_a_table(penguins_table, tmp_path):
    from tests.bundle.penguins import auto_pipeline

    X, y = penguins_table
    check_table_model(auto_pipeline().fit(X, y), X, tmp_path)


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_a_gradient_boosting_model_on_a_table(library, tmp_path):
    pytest.importorskip(library)
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True, as_frame=True)
    if library == "xgboost":
        from xgboost import XGBClassifier

        model = XGBClassifier(n_estimators=8, max_depth=2, random_state=0)
    else:
        from lightgbm import LGBMClassifier

        model = LGBMClassifier(n_estimators=8, num_leaves=4, random_state=0, verbose=-1)
    check_table_model(model.fit(X, y), X, tmp_path)


def test_an_onnx_network_on_tensors(tmp_path):
    import onnxruntime

    rng = np.random.default_rng(0)
    weights, bias = rng.normal(size=(6, 3)), rng.normal(size=3)
    net = softmax_net(weights, bias, name="features")
    X = rng.normal(size=(40, 6)).astype(np.float32)
    classes = ["low", "mid", "high"]
    bundle = save_model(net, tmp_path / "net", X=X, classes=classes)
    scores = onnxruntime.InferenceSession(net.SerializeToString()).run(
        None, {"features": X[:7]})[0]
    labels = np.asarray(classes)[scores.argmax(axis=1)]
    with deployed(bundle, tmp_path) as (port, name):
        status, answer = call(port, "POST", "/predict", {"instances": X[:7].tolist()})
        assert status == 200, answer
        same_answer(answer, labels, scores, classes)
        outputs = v2_outputs(port, name, [{"name": "features", "shape": [7, 6],
                                           "datatype": "FP32", "data": X[:7].ravel().tolist()}])
        np.testing.assert_allclose(outputs["scores"], scores, **TOL)


@pytest.fixture(scope="module")
def digit_pngs(tmp_path_factory) -> tuple[Path, list[bytes], np.ndarray]:
    """A folder of 12 digits as grey PNGs; ``(folder, the PNGs, their labels)``."""
    X, y = digits()
    folder = tmp_path_factory.mktemp("pngs")
    encoded = [png(image) for image in X[:12]]
    for i, data in enumerate(encoded):
        (folder / f"digit-{i:02d}.png").write_bytes(data)
    return folder, encoded, y[:12]


def check_image_bundle(bundle: Path, tmp_path: Path, encoded: list[bytes], input_name: str,
                       scores_of: Any) -> None:
    """An image bundle answers a PNG body, b64 instances and v2 BYTES as ``scores_of`` (the
    original model in process) answers the images prepared independently (pixel / 255)."""
    scores = np.asarray(scores_of(np.concatenate([prepared(e) for e in encoded])))
    labels = scores.argmax(axis=1)
    classes = list(range(10))
    with deployed(bundle, tmp_path) as (port, name):
        status, answer = call(port, "POST", "/predict", {"instances": [b64(e) for e in encoded]})
        assert status == 200, answer
        same_answer(answer, labels, scores, classes)
        status, single = call(port, "POST", "/predict", raw=encoded[2],
                              headers={"Content-Type": "image/png"})
        assert status == 200, single
        same_answer(single, labels[2:3], scores[2:3], classes)
        outputs = v2_outputs(port, name, [{"name": input_name, "shape": [len(encoded)],
                                           "datatype": "BYTES",
                                           "data": [b64(e)["b64"] for e in encoded]}])
        np.testing.assert_allclose(next(iter(outputs.values())), scores, **TOL)


def test_an_onnx_image_model_sampled_from_a_folder_of_pngs(digit_pngs, tmp_path):
    import onnxruntime

    folder, encoded, _ = digit_pngs
    weights, bias = softmax_regression()
    net = softmax_net(weights, bias, input_shape=[None, 8, 8, 1], name="image")
    bundle = save_model(net, tmp_path / "digits", X=folder, classes=list(range(10)),
                        image={"scale": 1 / 255})
    profile = json.loads((bundle / "profile.json").read_text())
    assert profile["input_schema"]["kind"] == "image"
    assert profile["sample_images"] == [f"digit-{i:02d}.png" for i in range(5)]
    # kept as the service prepares the same files (one implementation of the image block)
    np.testing.assert_array_equal(np.asarray(profile["sample_instances"], dtype=np.float32),
                                  np.concatenate([prepared(e) for e in encoded[:5]]))
    session = onnxruntime.InferenceSession(net.SerializeToString())
    check_image_bundle(bundle, tmp_path, encoded[:6], "image",
                       lambda x: session.run(None, {"image": x})[0])


@pytest.fixture(scope="module")
def keras_cnn():
    """:func:`tests.serving.bundles.tiny_cnn` trained 2 epochs."""
    pytest.importorskip("keras")
    return tiny_cnn(epochs=2)


@pytest.mark.slow
def test_a_keras_cnn_sampled_from_a_folder_of_pngs(keras_cnn, digit_pngs, tmp_path):
    folder, encoded, _ = digit_pngs
    bundle = save_model(keras_cnn, tmp_path / "cnn", X=folder, classes=list(range(10)),
                        image={"scale": 1 / 255})
    assert json.loads((bundle / "profile.json").read_text())["model_format"] == "keras-network"
    check_image_bundle(bundle, tmp_path, encoded[:6], "pixels",
                       lambda x: keras_cnn.predict(x, verbose=0))


@pytest.mark.slow
def test_a_keras_network_on_tensors(keras_cnn, tmp_path):
    X, _ = digits()
    bundle = save_model(keras_cnn, tmp_path / "net", X=X[:30], classes=list(range(10)))
    scores = keras_cnn.predict(X[:5], verbose=0)
    with deployed(bundle, tmp_path) as (port, name):
        status, answer = call(port, "POST", "/predict", {"instances": X[:5].tolist()})
        assert status == 200, answer
        same_answer(answer, scores.argmax(axis=1), scores, list(range(10)))
        outputs = v2_outputs(port, name, [{"name": "pixels", "shape": [5, 8, 8, 1],
                                           "datatype": "FP32", "data": X[:5].ravel().tolist()}])
        np.testing.assert_allclose(outputs["digit"], scores, **TOL)
