"""Runtimes of models saved as computation graphs: ONNX (``model.onnx`` on onnxruntime),
TFLite (``model.tflite`` on LiteRT) and Keras (``model.keras``, where TensorFlow is
installed). Each predicts from table rows (:class:`~.inputs.Frame`, for models converted
from scikit-learn or Keras pipelines) and from named tensors (:class:`~.readers.Tensors`)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from .answers import Answer
from .inputs import Frame
from .onnx_input import onnx_feeds
from .readers import Tensors
from .runtimes import TENSOR_KINDS, Runtime


class OnnxRuntime(Runtime):
    """Table rows: one float matrix for models converted from arrays; one input per column
    (by feature name, typed as the graph declares) for models converted from DataFrames.
    Tensors: the graph's inputs by name (a graph with one input takes the one tensor)."""

    name, file = "onnx", "model.onnx"

    def __init__(self, model_dir: Path, profile: dict[str, Any]):
        import onnxruntime

        super().__init__(model_dir, profile)
        self.session = onnxruntime.InferenceSession(str(model_dir / self.file),
                                                    providers=["CPUExecutionProvider"])
        self.graph_inputs = [i.name for i in self.session.get_inputs()]
        self.graph_outputs = [o.name for o in self.session.get_outputs()]

    def feed(self, frame: Frame) -> dict[str, Any]:
        """The graph's inputs, made as the conversion's verification made them
        (:func:`.onnx_input.onnx_feeds`: missing text as its reserved marker)."""
        names = frame.names
        rows = [{n: frame.columns[n][i] for n in names} for i in range(frame.n_rows)]
        return onnx_feeds(self.session.get_inputs(), names, rows)

    def predict(self, batch: Frame | Tensors) -> Answer:
        import numpy as np

        if isinstance(batch, Tensors):
            feeds = batch.arrays if len(self.graph_inputs) > 1 else {
                self.graph_inputs[0]: next(iter(batch.arrays.values()))}
            result = self.session.run(None, feeds)
            return Answer.from_outputs(dict(zip(self.graph_outputs, result, strict=True)),
                                       self.classes)
        result = self.session.run(None, self.feed(batch))
        labels = np.asarray(result[0]).ravel().tolist()
        if self.classes is None or len(result) < 2:
            return Answer(labels)
        proba = result[1]
        if isinstance(proba, list) and proba and isinstance(proba[0], dict):  # a ZipMap
            proba = [[row[c] for c in self.classes] for row in proba]
        return Answer(labels, np.asarray(proba, dtype=float))


class TFLiteRuntime(Runtime):
    """Keras models converted for edge targets (the conversion is the Keras plug-in's)."""

    name, file = "tflite", "model.tflite"

    def __init__(self, model_dir: Path, profile: dict[str, Any]):
        super().__init__(model_dir, profile)
        self.interpreter = tflite_interpreter()(model_path=str(model_dir / self.file))
        self.lock = threading.Lock()  # an Interpreter is not thread-safe

    def predict(self, batch: Frame | Tensors) -> Answer:
        import numpy as np

        if isinstance(batch, Tensors):
            with self.lock:
                outputs = tflite_run(self.interpreter, list(batch.arrays.values()))
            return Answer.from_outputs(outputs, self.classes)
        with self.lock:
            output = tflite_invoke(self.interpreter, batch.matrix(np.float32))
        if self.classes is None:
            single = output.ndim == 2 and output.shape[1] == 1
            return Answer(output.reshape(batch.n_rows).tolist() if single else output.tolist())
        probs = output if output.shape[1] > 1 else np.hstack([1 - output, output])
        return Answer([self.classes[i] for i in probs.argmax(axis=1)], probs)


class KerasRuntime(Runtime):
    """A Keras network saved whole (``model.keras``) for tensor and image models; evaluated
    Keras pipelines (``model.keras`` beside ``model.skops``) are served as TFLite."""

    name, file = "keras", "model.keras"

    @classmethod
    def claims(cls, model_dir: Path, kind: str) -> bool:
        return kind in TENSOR_KINDS and (model_dir / cls.file).exists()

    def __init__(self, model_dir: Path, profile: dict[str, Any]):
        import keras

        super().__init__(model_dir, profile)
        self.model = keras.saving.load_model(model_dir / self.file, compile=False)
        self.output_names = [getattr(o, "name", f"output_{i}").split("/")[0]
                             for i, o in enumerate(self.model.outputs)]
        if self.outputs and len(self.outputs) == len(self.output_names):
            self.output_names = [o.name for o in self.outputs]
        self.lock = threading.Lock()  # the first call builds the predict function

    def predict(self, batch: Frame | Tensors) -> Answer:
        import numpy as np

        if isinstance(batch, Frame):
            data: Any = batch.matrix(np.float32)
        else:
            arrays = list(batch.arrays.values())
            data = arrays[0] if len(arrays) == 1 else arrays
        with self.lock:
            result = self.model.predict_on_batch(data)
        results = result if isinstance(result, (list, tuple)) else [result]
        return Answer.from_outputs({name: np.asarray(r) for name, r in zip(
            self.output_names, results, strict=False)}, self.classes)


def tflite_invoke(interp: Any, data: Any) -> Any:
    """Run a LiteRT interpreter on a float32 batch of any size; the first output."""
    return next(iter(tflite_run(interp, [data]).values()))


def tflite_run(interp: Any, inputs: list[Any]) -> dict[str, Any]:
    """Run a LiteRT interpreter on its inputs (in its order, each batch of any size, cast to
    the input's type); every output by name. A quantized (int8/uint8) input gets
    ``round(x / scale + zero_point)``, clipped to its type, and a quantized output is given
    back as ``(q - zero_point) * scale``: a full-integer model answers floats as the
    original does."""
    import numpy as np

    details = interp.get_input_details()
    for detail, data in zip(details, inputs, strict=True):
        interp.resize_tensor_input(detail["index"], np.shape(data))
    interp.allocate_tensors()
    for detail, data in zip(details, inputs, strict=True):
        interp.set_tensor(detail["index"], _quantized(np.asarray(data), detail))
    interp.invoke()
    return {d["name"]: _dequantized(np.array(interp.get_tensor(d["index"])), d)
            for d in interp.get_output_details()}


def _scale(detail: dict[str, Any]) -> tuple[float, int] | None:
    """The tensor's (scale, zero point) if it is quantized, else None."""
    import numpy as np

    scale, zero = detail.get("quantization") or (0.0, 0)
    if np.dtype(detail["dtype"]).kind in "iu" and scale:
        return float(scale), int(zero)
    return None


def _quantized(data: Any, detail: dict[str, Any]) -> Any:
    import numpy as np

    dtype = np.dtype(detail["dtype"])
    params = _scale(detail)
    if params is None or data.dtype.kind not in "f":
        return np.ascontiguousarray(data, dtype=dtype)
    info = np.iinfo(dtype)
    q = np.round(data / params[0] + params[1])
    return np.ascontiguousarray(np.clip(q, info.min, info.max), dtype=dtype)


def _dequantized(data: Any, detail: dict[str, Any]) -> Any:
    import numpy as np

    params = _scale(detail)
    if params is None:
        return data
    return (data.astype(np.float32) - params[1]) * np.float32(params[0])


def tflite_interpreter() -> Any:
    """LiteRT's Interpreter, from whichever runtime is installed (smallest first)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tflite_runtime.interpreter import Interpreter
        except ImportError:
            import tensorflow as tf

            Interpreter = tf.lite.Interpreter
    return Interpreter
