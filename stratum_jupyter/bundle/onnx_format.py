"""ONNX models from any framework in a bundle: ``model.onnx`` kept byte for byte, run by
onnxruntime, its inputs and outputs read from the graph. :data:`ONNX` is the ``onnx`` entry
of the ``stratum_jupyter.model_formats`` group (kind ``onnx``)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from ..errors import ModelInputError
from .formats import ModelFormat
from .networks import NetworkModel, recorded_classes

# onnxruntime's element types (``tensor(float)``) as NumPy dtype names (docs/model-inputs.md).
ORT_DTYPES = {"float": "float32", "double": "float64", "float16": "float16",
              "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64",
              "uint8": "uint8", "uint16": "uint16", "uint32": "uint32", "uint64": "uint64",
              "bool": "bool", "string": "object"}
CLASS_ATTRIBUTES = ("classlabels_int64s", "classlabels_ints", "classlabels_strings")
"""The attributes of ai.onnx.ml classifier nodes that hold the class labels."""


def tensor_dtype(ort_type: str) -> str:
    """``tensor(float)`` -> ``float32``; other types (sequences, maps) as they are."""
    inner = ort_type[len("tensor("):-1] if ort_type.startswith("tensor(") else ort_type
    return ORT_DTYPES.get(inner, inner)


def _dims(shape: Any) -> list[int | None]:
    """A graph's dimensions with names and unknowns as None (the batch is always None)."""
    dims = [d if isinstance(d, int) and d > 0 else None for d in (shape or [])]
    return [None, *dims[1:]] if dims else dims


class OnnxModel(NetworkModel):
    """An ONNX graph on onnxruntime (CPU). ``source`` is the file or its bytes; ``classes``
    name the scores' columns (else the classifier nodes' labels, if any)."""

    library = "onnxruntime"

    def __init__(self, source: str | Path | bytes, classes: list[Any] | None = None) -> None:
        import onnxruntime

        self.data = source if isinstance(source, bytes) else Path(source).read_bytes()
        try:
            self.session = onnxruntime.InferenceSession(
                self.data, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelInputError(f"model: not an ONNX model onnxruntime can run: "
                                  f"{type(exc).__name__}: {exc}") from None
        # read once: onnxruntime builds these lists anew on every call
        self.inputs = self.specs("inputs")
        outs = self.session.get_outputs()
        self.answers_labels = len(outs) >= 2 and len(outs[0].shape or []) == 1
        """skl2onnx's classifiers: a label output (rows,), then the scores."""
        self.classes_ = classes if classes is not None else self._graph_classes()

    def _graph_classes(self) -> list[Any] | None:
        """The labels a classifier graph holds: its ai.onnx.ml node's ``classlabels_*``,
        else the ``classes`` constant skl2onnx gives the other classifiers (an MLP's)."""
        import onnx
        from onnx import numpy_helper

        graph = onnx.load_from_string(self.data).graph
        for node in graph.node:
            for att in node.attribute:
                if att.name in CLASS_ATTRIBUTES:
                    values = onnx.helper.get_attribute_value(att)
                    return [v.decode() if isinstance(v, bytes) else int(v) for v in values]
        if not self.answers_labels:
            return None
        for init in graph.initializer:
            if init.name == "classes":
                return [v.decode() if isinstance(v, bytes) else v
                        for v in numpy_helper.to_array(init).tolist()]
        return None

    def specs(self, which: str = "inputs") -> list[dict[str, Any]]:
        """The graph's inputs (or outputs) as ``{"name", "shape", "dtype"}``."""
        args = self.session.get_inputs() if which == "inputs" else self.session.get_outputs()
        return [{"name": a.name, "shape": _dims(a.shape), "dtype": tensor_dtype(a.type)}
                for a in args]

    def feeds(self, X: Any) -> dict[str, Any]:
        """The graph's inputs from ``X``: a dict by input name, a table with one column per
        input, or one array for the graph's one input (cast to its dtype)."""
        import numpy as np

        specs = self.inputs
        if isinstance(X, dict):
            return {s["name"]: np.asarray(X[s["name"]], dtype=s["dtype"]) for s in specs}
        if hasattr(X, "columns") and len(specs) > 1:
            return {s["name"]: X[s["name"]].to_numpy().astype(s["dtype"]).reshape(-1, 1)
                    for s in specs}
        data = X.to_numpy() if hasattr(X, "to_numpy") else X
        return {specs[0]["name"]: np.asarray(data, dtype=specs[0]["dtype"])}

    def run(self, X: Any) -> list[Any]:
        return list(self.session.run(None, self.feeds(X)))

    def labels(self, X: Any) -> Any:
        import numpy as np

        return np.asarray(self.run(X)[0]) if self.answers_labels else None

    def scores(self, X: Any) -> Any:
        import numpy as np

        outputs = self.run(X)
        out = outputs[1] if self.answers_labels else outputs[0]
        if isinstance(out, list) and out and isinstance(out[0], dict):  # a ZipMap
            keys = self.classes_ if self.classes_ is not None else list(out[0])
            return np.array([[row[k] for k in keys] for row in out], dtype=np.float32)
        return np.asarray(out)


def read_onnx(path: Path) -> OnnxModel:
    return OnnxModel(path)


def adopt_onnx(model: Any) -> OnnxModel | None:
    """An ``onnx.ModelProto`` (onnx.helper's, or an exporter's) as an :class:`OnnxModel`."""
    import sys

    onnx = sys.modules.get("onnx")
    if onnx is not None and isinstance(model, onnx.ModelProto):
        return OnnxModel(model.SerializeToString())
    return None


def _save(model: OnnxModel, directory: Path) -> Path:
    path = directory / "model.onnx"
    path.write_bytes(model.data)
    return path


def _load(directory: Path, trusted: Collection[str] = ()) -> OnnxModel:
    return OnnxModel(directory / "model.onnx", classes=recorded_classes(directory))


ONNX = ModelFormat(
    name="onnx", kind="onnx", label="ONNX", claims=lambda model: isinstance(model, OnnxModel),
    save=_save, detect=lambda directory: (directory / "model.onnx").is_file(), load=_load,
    requirements=lambda: ["onnxruntime", "numpy"])
