"""The model behind one interface, whatever its runtime: ``Runtime.predict(frame) -> Answer``.

One class per runtime: :class:`SklearnRuntime` (the bundle's ``model.skops``, loaded trusting
only scikit-learn, NumPy, SciPy and the standard library), :class:`OnnxRuntime`
(``model.onnx`` on onnxruntime) and :class:`TFLiteRuntime` (``model.tflite`` on LiteRT).
Nothing here knows about HTTP; :func:`load_runtime` picks the class for a model folder.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

try:  # in the stratum_jupyter package
    from ..bundle import trust
except ImportError:  # in a deploy bundle, where render() copies the bundle's trust.py (which
    # types a skops file may hold: load_model's rule) beside the service
    from . import trust  # type: ignore[no-redef, attr-defined]
from .inputs import ARROW, Feature, Frame, numpy_dtype, read_features
from .onnx_input import onnx_feeds


@dataclass
class Answer:
    """What a runtime predicts for a frame: one label or value per row, and for classifiers
    the probability of each class (rows x classes) where the model gives them."""

    predictions: list[Any]
    probabilities: Any = None

    def to_dict(self, classes: list[Any] | None) -> dict[str, Any]:
        """``{"predictions": [...], "probabilities": [{class: p, ...}], "classes": [...]}``:
        original class labels; probabilities keyed by class (as JSON keys are strings)."""
        out: dict[str, Any] = {"predictions": self.predictions}
        if self.probabilities is not None and classes:
            keys = [str(c) for c in classes]
            out["probabilities"] = [dict(zip(keys, row, strict=True))
                                    for row in self.probabilities.tolist()]
            out["classes"] = classes
        return out

    def same_as(self, other: Answer) -> bool:
        import numpy as np

        if self.predictions != other.predictions:
            return False
        if self.probabilities is None or other.probabilities is None:
            return self.probabilities is other.probabilities
        return bool(np.allclose(self.probabilities, other.probabilities, rtol=1e-9, atol=1e-12))

    def is_finite(self) -> bool:
        import numpy as np

        parts = [self.predictions] + ([self.probabilities] if self.probabilities is not None
                                      else [])
        for part in parts:
            arr = np.asarray(part)
            if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
                return False
        return True


class Runtime:
    """A loaded model. ``predict`` may raise ValueError/TypeError/KeyError for input the
    model refuses (an unseen category, say); the caller answers those 422."""

    name: ClassVar[str]
    file: ClassVar[str]

    def __init__(self, model_dir: Path, profile: dict[str, Any]):
        schema = profile.get("input_schema") or {}
        self.features: list[Feature] = read_features(schema)
        self.names = [f.name for f in self.features]
        self.classes: list[Any] | None = schema.get("classes")
        self.as_frame = schema.get("kind") == "dataframe"

    @classmethod
    def claims(cls, model_dir: Path) -> bool:
        return (model_dir / cls.file).is_file()

    def predict(self, frame: Frame) -> Answer:
        raise NotImplementedError


def _own_blocks_importable() -> None:
    """stratum_jupyter's own transformers (trust.OWN_TYPES), importable by the module name a
    skops file gives them: in a deploy bundle, the copy of ``catalog/dates.py`` beside the
    service stands for ``stratum_jupyter.catalog.dates`` (stratum_jupyter is not installed
    there; skops imports a type's module by name)."""
    import importlib
    import sys

    for name in {t.rpartition(".")[0] for t in trust.OWN_TYPES}:
        try:
            importlib.import_module(name)
        except ImportError:
            sys.modules[name] = importlib.import_module(
                f"{__package__}.{name.rpartition('.')[2]}")


class SklearnRuntime(Runtime):
    name, file = "sklearn", "model.skops"

    def __init__(self, model_dir: Path, profile: dict[str, Any]):
        import skops.io

        super().__init__(model_dir, profile)
        _own_blocks_importable()
        path = model_dir / self.file
        untrusted, refused = trust.audit(path)  # load_model's rule
        if refused:
            raise RuntimeError(f"{path} holds untrusted types: {', '.join(refused)}")
        self.use(skops.io.load(path, trusted=untrusted))
        self.matrix_dtype = None if self.as_frame else (
            numpy_dtype(self.features[0]) if self.features else "float64")
        if self.as_frame:
            self._try_matrix(profile.get("sample_rows") or [])
        if self.classes is None and hasattr(self.final, "classes_"):
            self.classes = self.final.classes_.tolist()

    def use(self, model: Any) -> None:
        # A Pipeline's transformers run once, not once for predict and again for
        # predict_proba; its final estimator then answers both.
        self.model = model
        steps = getattr(model, "steps", None)
        self.prefix = model[:-1] if steps and len(steps) > 1 else None
        self.final = steps[-1][1] if steps else model

    def predict(self, frame: Frame) -> Answer:
        import numpy as np
        import sklearn

        data = self.table(frame) if self.matrix_dtype is None else frame.matrix(
            self.matrix_dtype)
        # the values were checked already; NaN reaches models that were seen to take it
        with sklearn.config_context(assume_finite=not frame.any_missing(),
                                    skip_parameter_validation=True):
            if self.prefix is not None:
                data = self.prefix.transform(data)
            labels = np.asarray(self.final.predict(data)).tolist()
            if self.classes is None or not hasattr(self.final, "predict_proba"):
                return Answer(labels)
            return Answer(labels, np.asarray(self.final.predict_proba(data)))

    def _try_matrix(self, samples: list[Any]) -> None:
        """Predict from one NumPy matrix instead of a DataFrame (4-5x less time in
        scikit-learn's input checks) where every feature is numeric and, on the profile's
        sample rows, the model answers exactly as it does from the DataFrame with no
        warning. The names were checked once, here, so the copy forgets them."""
        import copy
        import warnings

        import numpy as np

        dtypes = [numpy_dtype(f) for f in self.features]
        rows = [r for r in samples if isinstance(r, dict) and set(r) == set(self.names)]
        if not rows or any(d.kind not in "iufb" for d in dtypes):
            return
        frame, dtype = Frame.from_rows(rows, self.features), np.result_type(*dtypes)
        original, named = self.model, self.predict(frame)
        self.use(_forget_names(copy.deepcopy(original)))
        self.matrix_dtype = dtype
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                unnamed = self.predict(frame)
            same = not caught and named.same_as(unnamed)
        except Exception:  # noqa: BLE001 - any failure: keep the DataFrame
            same = False
        if not same:
            self.use(original)
            self.matrix_dtype = None

    def table(self, frame: Frame) -> Any:
        """A DataFrame with the recorded dtypes: pandas' own for strings, categories and
        pyarrow-backed columns (as the model saw them in training: ``bool[pyarrow]`` with
        a null is not the float NaN a NumPy column would give), NumPy's for the rest."""
        import pandas as pd

        columns = {}
        for feature in self.features:
            column: Any = None
            if (feature.kind == "str" and feature.dtype != "object") \
                    or feature.dtype.endswith(ARROW):
                try:
                    column = pd.array(frame.columns[feature.name], dtype=feature.dtype)
                except (TypeError, ValueError, ImportError):  # e.g. no pyarrow here
                    column = None
            columns[feature.name] = frame.array(feature) if column is None else column
        return pd.DataFrame(columns, columns=[f.name for f in self.features])


def _forget_names(est: Any) -> Any:
    """``est`` without the feature names of the estimators that see the input first."""
    if "feature_names_in_" in getattr(est, "__dict__", {}):
        del est.feature_names_in_
    steps = getattr(est, "steps", None)
    if steps:
        _forget_names(steps[0][1])
    for _, part in getattr(est, "transformer_list", None) or []:
        _forget_names(part)
    return est


class OnnxRuntime(Runtime):
    """One float matrix for models converted from arrays; one input per column (by feature
    name, typed as the graph declares) for models converted from DataFrames."""

    name, file = "onnx", "model.onnx"

    def __init__(self, model_dir: Path, profile: dict[str, Any]):
        import onnxruntime

        super().__init__(model_dir, profile)
        self.session = onnxruntime.InferenceSession(str(model_dir / self.file),
                                                    providers=["CPUExecutionProvider"])

    def feed(self, frame: Frame) -> dict[str, Any]:
        """The graph's inputs, made as the conversion's verification made them
        (:func:`.onnx_input.onnx_feeds`: missing text as its reserved marker)."""
        names = frame.names
        rows = [{n: frame.columns[n][i] for n in names} for i in range(frame.n_rows)]
        return onnx_feeds(self.session.get_inputs(), names, rows)

    def predict(self, frame: Frame) -> Answer:
        import numpy as np

        result = self.session.run(None, self.feed(frame))
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

    def predict(self, frame: Frame) -> Answer:
        import numpy as np

        with self.lock:
            output = tflite_invoke(self.interpreter, frame.matrix(np.float32))
        if self.classes is None:
            single = output.ndim == 2 and output.shape[1] == 1
            return Answer(output.reshape(frame.n_rows).tolist() if single else output.tolist())
        probs = output if output.shape[1] > 1 else np.hstack([1 - output, output])
        return Answer([self.classes[i] for i in probs.argmax(axis=1)], probs)


RUNTIMES: tuple[type[Runtime], ...] = (TFLiteRuntime, OnnxRuntime, SklearnRuntime)


def load_runtime(model_dir: str | Path, profile: dict[str, Any]) -> Runtime:
    """The runtime of the first model file found: model.tflite, model.onnx, model.skops."""
    model_dir = Path(model_dir)
    for runtime in RUNTIMES:
        if runtime.claims(model_dir):
            return runtime(model_dir, profile)
    raise RuntimeError(f"{model_dir} holds no model the service can run "
                       f"({', '.join(r.file for r in RUNTIMES)})")


def tflite_invoke(interp: Any, data: Any) -> Any:
    """Run a LiteRT interpreter on a float32 batch of any size; the first output."""
    import numpy as np

    index = interp.get_input_details()[0]["index"]
    interp.resize_tensor_input(index, data.shape)
    interp.allocate_tensors()
    interp.set_tensor(index, data)
    interp.invoke()
    return np.array(interp.get_tensor(interp.get_output_details()[0]["index"]))


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
