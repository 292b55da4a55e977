"""Keras pipelines and networks -> TFLite (LiteRT) for edge targets, verified like every
conversion; in float32, or quantized (float16; int8, full integer, calibrated on the
verification sample as TensorFlow's post-training quantization guide does: a representative
dataset of up to :data:`CALIBRATION_INSTANCES` instances, int8 weights, activations, input
and output; the service quantizes its input and dequantizes its output with the model's
scale and zero point).

A Keras network bundled alone (``save_model``) converts as it is.

The converted model must stand alone on the board, so the pipeline's preprocessing is folded
into the network: affine scalers (StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler)
become one per-feature ``x * scale + offset`` layer. Other preprocessing cannot be expressed
in TFLite here, and the conversion is refused with the reason.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import numpy as np

from ..bundle.profile import Profile
from ..deploy.convert import ATOL, RTOL, Converter, Outputs, Report, convert
from ..deploy.verify_sample import is_tensor_model
from ..errors import DeployError
from ..serving.graph_runtimes import tflite_interpreter, tflite_run

CALIBRATION_INSTANCES = 200
"""At most this many sample instances calibrate an int8 conversion (one at a time)."""


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


def to_tflite(network: Any, quantize: str = "none", calibration: list[list[Any]] | None = None
              ) -> bytes:
    """TFLite bytes of a Keras network: float32, ``float16`` weights, or ``int8`` (full
    integer, calibrated on ``calibration``: a list of instances, each a list of the
    network's inputs as float32 arrays of batch 1)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(network)
    if quantize == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "int8":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: iter(calibration or [])
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    with contextlib.redirect_stdout(io.StringIO()):  # Keras' export prints its signature
        data: bytes = converter.convert()
    return data


def _network(model: Any, profile: Profile, data: Any) -> Any:
    if is_tensor_model(profile):
        return model.model_
    return standalone_network(model, data.shape[1])


def _arrays(profile: Profile, data: Any) -> list[Any]:
    """The network's inputs, in its order, as float32 arrays."""
    if hasattr(data, "to_numpy"):
        return [data.to_numpy(dtype=np.float32)]
    if isinstance(data, dict):
        return [np.asarray(data[s["name"]], np.float32) for s in profile["input_schema"]["inputs"]]
    return [np.asarray(data, np.float32)]


def export_tflite(model: Any, profile: Profile, frame: Any) -> bytes:
    """The pipeline, its preprocessing folded in (or the network), as TFLite bytes."""
    return to_tflite(_network(model, profile, frame))


def export_tflite_quantized(model: Any, profile: Profile, data: Any, quantize: str) -> bytes:
    """The network quantized as ``quantize`` says; an int8 one calibrated on ``data``."""
    arrays = _arrays(profile, data)
    calibration = [[a[i:i + 1] for a in arrays]
                   for i in range(min(len(arrays[0]), CALIBRATION_INSTANCES))]
    return to_tflite(_network(model, profile, data), quantize, calibration)


def tflite_session(data: bytes, profile: Profile) -> Any:
    """``predict(frame or tensors) -> outputs`` of the TFLite model, loaded once. The
    shipped service's own code runs it (input quantization and output dequantization
    included), so the check is what the board will do."""
    interpreter = tflite_interpreter()(model_content=data)
    classes = profile["input_schema"].get("classes")

    def predict(batch: Any) -> Outputs:
        arrays = _arrays(profile, batch)
        out = np.asarray(next(iter(tflite_run(interpreter, arrays).values())), dtype=float)
        out = out.reshape(len(arrays[0]), -1)
        if classes is None:
            return {"values": out.squeeze(axis=1) if out.shape[1] == 1 else out}
        probs = out if out.shape[1] > 1 else np.hstack([1 - out, out])
        return {"labels": np.asarray(classes)[probs.argmax(axis=1)], "probabilities": probs}

    return predict


def tflite_outputs(data: bytes, profile: Profile, frame: Any) -> Outputs:
    """What the TFLite model predicts for ``frame`` (see :func:`tflite_session`)."""
    result: Outputs = tflite_session(data, profile)(frame)
    return result


def tensorflow_runtime() -> dict[str, str]:
    import tensorflow as tf

    return {"tensorflow": tf.__version__}


TFLITE = Converter(name="tflite", label="TFLite", kinds=("keras",), export=export_tflite,
                   run=tflite_outputs, runtime=tensorflow_runtime,
                   export_quantized=export_tflite_quantized, session=tflite_session)
"""This plug-in's entry of the ``stratum_jupyter.converters`` group."""


def convert_tflite(model_dir: Path, profile: Profile, out_dir: Path, *, rtol: float = RTOL,
                   atol: float = ATOL) -> Report:
    """Write ``out_dir/model.tflite`` after checking it against the original pipeline on the
    profile's sample rows (labels identical; values within ``atol + rtol * |original|``)."""
    return convert(TFLITE, model_dir, profile, out_dir, rtol=rtol, atol=atol)
