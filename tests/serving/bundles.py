"""Tensor and image model bundles for the serving tests, written as docs/model-inputs.md says
(a model file and ``profile.json`` with its ``input_schema``), until ``save_model`` makes
them: then :func:`write_bundle` is the one place to switch.

The models know scikit-learn's bundled 8x8 ``digits`` images (pixel values 0..16): an ONNX
linear softmax classifier built with ``onnx.helper`` (no framework needed) and a tiny Keras CNN.
Images are PNGs of those digits in grey (``L``), 0..255; the bundles prepare them as
``pixel / 255``, and the models were fitted on ``value / 16``, close to it."""

from __future__ import annotations

import base64
import functools
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

CLASSES = list(range(10))
IMAGE = {"height": 8, "width": 8, "mode": "L", "layout": "NHWC", "resample": "bilinear",
         "scale": 1 / 255, "offset": 0.0, "mean": None, "std": None}


def digits() -> tuple[np.ndarray, np.ndarray]:
    """``(images (n, 8, 8, 1) float32 in 0..1, labels)``."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return (data.images / 16.0).astype(np.float32)[..., None], data.target


def schema(kind: str, input_name: str, output_name: str,
           classes: list[Any] | None = CLASSES) -> dict[str, Any]:
    """A ``tensor`` or ``image`` input schema of one [None, 8, 8, 1] float32 input."""
    out: dict[str, Any] = {
        "kind": kind,
        "inputs": [{"name": input_name, "shape": [None, 8, 8, 1], "dtype": "float32"}],
        "outputs": [{"name": output_name, "shape": [None, 10], "dtype": "float32"}]}
    if classes is not None:
        out["classes"] = classes
    if kind == "image":
        out["image"] = IMAGE
    return out


def write_bundle(directory: Path, input_schema: dict[str, Any], name: str) -> Path:
    """``profile.json`` beside a model file already written into ``directory``."""
    sample = digits()[0][:2].tolist()  # as save_model keeps them: the model's own input
    profile = {"name": name, "candidate": name, "kind": "classification",
               "input_schema": input_schema, "sample_rows": [], "sample_instances": sample}
    (directory / "profile.json").write_text(json.dumps(profile, indent=1), "utf-8")
    return directory


@functools.cache
def softmax_regression() -> tuple[np.ndarray, np.ndarray]:
    """``(weights (64, 10), bias (10,))`` of a nearest-centroid classifier on the digits'
    pixels, a linear model without a fit: logits ``x . mean_c - |mean_c|^2 / 2``."""
    X, y = digits()
    means = np.stack([X[y == c].reshape(-1, 64).mean(axis=0) for c in CLASSES])
    return (means.T * 4).astype(np.float32), (-(means**2).sum(axis=1) * 2).astype(np.float32)


def onnx_digits(directory: Path, kind: str = "image") -> Path:
    """A linear softmax classifier of the 64 pixels (:func:`softmax_regression`), written as
    an ONNX graph (Flatten, MatMul, Add, Softmax) with ``onnx.helper``: ``model.onnx``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    coef, intercept = softmax_regression()
    weights, bias = numpy_helper.from_array(coef, "W"), numpy_helper.from_array(intercept, "b")
    nodes = [helper.make_node("Flatten", ["image"], ["flat"], axis=1),
             helper.make_node("MatMul", ["flat", "W"], ["logits0"]),
             helper.make_node("Add", ["logits0", "b"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1)]
    graph = helper.make_graph(
        nodes, "digits", [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                                        ["N", 8, 8, 1])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 10])],
        initializer=[weights, bias])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    directory.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(directory / "model.onnx"))
    return write_bundle(directory, schema(kind, "image", "probabilities"), "digits-onnx")


def tiny_cnn(epochs: int) -> Any:
    """A tiny CNN (Conv2D 4x3x3, Flatten, Dense 10; input ``pixels``, output ``digit``)
    trained ``epochs`` epochs on the 8x8 digits, seeded."""
    import keras

    X, y = digits()
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1), name="pixels")
    hidden = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    outputs = keras.layers.Dense(10, activation="softmax", name="digit")(
        keras.layers.Flatten()(hidden))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=epochs, batch_size=64, verbose=0)
    return model


def keras_digits(directory: Path) -> tuple[Path, Any]:
    """:func:`tiny_cnn` trained 3 epochs as ``model.keras``, an image bundle; returns
    ``(bundle, the network)``."""
    model = tiny_cnn(epochs=3)
    directory.mkdir(parents=True, exist_ok=True)
    model.save(directory / "model.keras")
    return write_bundle(directory, schema("image", "pixels", "digit"), "digits-cnn"), model


def png(image: np.ndarray) -> bytes:
    """One digit (8x8 or 8x8x1, values 0..1) as a grey PNG of 0..255 pixels."""
    from PIL import Image

    pixels = np.rint(np.asarray(image).reshape(8, 8) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, "PNG")
    return buffer.getvalue()


def prepared(encoded: bytes) -> np.ndarray:
    """What the bundle's ``image`` block makes of a PNG, computed here independently:
    ``(1, 8, 8, 1)`` float32 of pixel / 255."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(encoded)).convert("L"), dtype=np.float32)
    return (pixels * np.float32(1 / 255))[None, :, :, None]


def b64(encoded: bytes) -> dict[str, str]:
    return {"b64": base64.b64encode(encoded).decode()}
