"""Keras pipelines -> TFLite (LiteRT) for edge targets, verified like every conversion.

The converted model must stand alone on the board, so the pipeline's preprocessing is folded
into the network: affine scalers (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler)
become one per-feature ``x * scale + offset`` layer. Other preprocessing cannot be expressed
in TFLite here, and the conversion is refused with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..bundle.profile import Profile
from ..deploy.convert import ATOL, RTOL, Converter, Outputs, Report, convert
from ..errors import DeployError
from ..serving.graph_runtimes import tflite_interpreter, tflite_invoke


def affine_of(step: Any, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """``(scale, offset)`` with ``step.transform(x) == x * scale + offset``."""
    name = type(step).__name__
    ones, zeros = np.ones(n_features), np.zeros(n_features)
    if name == "StandardScaler":
        scale = 1 / step.scale_ if step.scale_ is not None else ones
        mean = step.mean_ if step.mean_ is not None else zeros
        return scale, -mean * scale
    if name == "MinMaxScaler":
        return step.scale_, step.min_
    if name == "MaxAbsScaler":
        return 1 / step.scale_, zeros
    if name == "RobustScaler":
        scale = 1 / step.scale_ if step.scale_ is not None else ones
        center = step.center_ if step.center_ is not None else zeros
        return scale, -center * scale
    raise DeployError([f"conversion: TFLite takes pipelines whose preprocessing is an affine "
                       f"scaler (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler); "
                       f"{name} is not (use --convert none to ship the Keras model)"])


def standalone_network(model: Any, n_features: int) -> Any:
    """One Keras model: the folded preprocessing, then the trained network."""
    import keras

    steps = [s for _, s in model.steps] if hasattr(model, "steps") else [model]
    *preprocessing, final = steps
    scale, offset = np.ones(n_features), np.zeros(n_features)
    for step in preprocessing:
        s, o = affine_of(step, n_features)
        scale, offset = scale * s, offset * s + o
    inputs = keras.Input(shape=(n_features,), dtype="float32")
    scaled = keras.layers.Rescaling(scale.astype("float32"), offset.astype("float32"))(inputs)
    return keras.Model(inputs, final.model_(scaled))


def to_tflite(network: Any) -> bytes:
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(network)
    data: bytes = converter.convert()
    return data


def export_tflite(model: Any, profile: Profile, frame: Any) -> bytes:
    """The pipeline, its preprocessing folded in, as TFLite bytes."""
    return to_tflite(standalone_network(model, frame.shape[1]))


def tflite_outputs(data: bytes, profile: Profile, frame: Any) -> Outputs:
    """What the TFLite model predicts for ``frame``. The shipped service's own code runs it,
    so the check is what the board will do."""
    x = frame.to_numpy(dtype=np.float32)
    out = tflite_invoke(tflite_interpreter()(model_content=data), x)
    classes = profile["input_schema"].get("classes")
    if classes is None:
        return {"values": out.reshape(len(x), -1).squeeze(axis=1)}
    return {"labels": np.asarray(classes)[out.argmax(axis=1)], "probabilities": out}


def tensorflow_runtime() -> dict[str, str]:
    import tensorflow as tf

    return {"tensorflow": tf.__version__}


TFLITE = Converter(name="tflite", label="TFLite", kinds=("keras",), export=export_tflite,
                   run=tflite_outputs, runtime=tensorflow_runtime)
"""This plug-in's entry of the ``stratum_jupyter.converters`` group."""


def convert_tflite(model_dir: Path, profile: Profile, out_dir: Path, *, rtol: float = RTOL,
                   atol: float = ATOL) -> Report:
    """Write ``out_dir/model.tflite`` after checking it against the original pipeline on the
    profile's sample rows (labels identical; values within ``atol + rtol * |original|``)."""
    return convert(TFLITE, model_dir, profile, out_dir, rtol=rtol, atol=atol)
