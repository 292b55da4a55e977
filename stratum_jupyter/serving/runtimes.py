"""Model runtimes, one per model file format: ``Runtime.predict(batch) -> Answer``, where
``batch`` is what the request reader of the schema's kind made (:mod:`.readers`: a
:class:`~.inputs.Frame` of table rows, or :class:`~.readers.Tensors`, named arrays).

:class:`SklearnRuntime` (``model.skops``, loaded trusting only scikit-learn, NumPy, SciPy
and the standard library) is here; :mod:`.graph_runtimes` has ONNX (``model.onnx``), TFLite
(``model.tflite``) and Keras (``model.keras``, where TensorFlow is installed). Nothing here
knows about HTTP; :func:`load_runtime` picks the runtime for a model folder and gives it the
reader of its input kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from . import trust  # which types a skops file may hold: load_model's rule too
from .answers import Answer
from .inputs import ARROW, Feature, Frame, numpy_dtype, read_features
from .readers import Reader, Tensors, make_reader
from .tensors import TensorSpec, read_specs

__all__ = ["Answer", "Runtime", "SklearnRuntime", "load_runtime"]
TENSOR_KINDS = ("tensor", "image")


class Runtime:
    """A loaded model and the reader of its input kind (``reader``, set by
    :func:`load_runtime`). ``predict`` may raise ValueError/TypeError/KeyError for input the
    model refuses (an unseen category, say); the caller answers those 422."""

    name: ClassVar[str]
    file: ClassVar[str]
    reader: Reader

    def __init__(self, model_dir: Path, profile: dict[str, Any]):
        schema = profile.get("input_schema") or {}
        self.kind = str(schema.get("kind") or "dataframe")
        self.features: list[Feature] = read_features(schema)
        self.names = [f.name for f in self.features]
        self.classes: list[Any] | None = schema.get("classes")
        self.as_frame = self.kind == "dataframe"
        self.inputs: list[TensorSpec] = read_specs(schema.get("inputs"))
        self.outputs: list[TensorSpec] = read_specs(schema.get("outputs"))

    @classmethod
    def claims(cls, model_dir: Path, kind: str) -> bool:
        return (model_dir / cls.file).is_file()

    def predict(self, batch: Frame | Tensors) -> Answer:
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

    def predict(self, frame: Frame | Tensors) -> Answer:
        import numpy as np
        import sklearn

        if isinstance(frame, Tensors):  # one array, each instance flattened
            data = next(iter(frame.arrays.values())).reshape(frame.n_rows, -1)
            finite = True
        else:
            data = self.table(frame) if self.matrix_dtype is None else frame.matrix(
                self.matrix_dtype)
            finite = not frame.any_missing()
        # the values were checked already; NaN reaches models that were seen to take it
        with sklearn.config_context(assume_finite=finite,
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


def load_runtime(model_dir: str | Path, profile: dict[str, Any],
                 max_rows: int = 10000) -> Runtime:
    """The runtime of the first model file found (model.tflite, model.onnx, model.keras for
    tensor and image models, model.skops), with the reader of the schema's kind
    (``runtime.reader``, taking at most ``max_rows`` rows or instances a request)."""
    from .graph_runtimes import KerasRuntime, OnnxRuntime, TFLiteRuntime

    model_dir = Path(model_dir)
    kind = str((profile.get("input_schema") or {}).get("kind") or "dataframe")
    runtimes: tuple[type[Runtime], ...] = (TFLiteRuntime, OnnxRuntime, KerasRuntime,
                                           SklearnRuntime)
    for runtime_type in runtimes:
        if runtime_type.claims(model_dir, kind):
            runtime = runtime_type(model_dir, profile)
            runtime.reader = make_reader(profile.get("input_schema") or {}, max_rows)
            return runtime
    raise RuntimeError(f"{model_dir} holds no model the service can run "
                       f"({', '.join(r.file for r in runtimes)})")
