"""scikit-learn -> ONNX: the built-in converter's export and its runtime (onnxruntime).

Inputs: a model trained on a table whose columns are not all numbers, or that picks its
columns itself (a ColumnTransformer first), gets one input per column, of the column's type
(float for numbers, int64 for integers, bool, string for text and categories); other models
get one float matrix ``X``. The service feeds both the same way (:mod:`.service.onnx_input`).

Missing text: ONNX strings have no NaN, so a missing text value reaches the model as
:data:`~.service.onnx_input.MISSING_TEXT`, and the converted copy of each imputer fitted on
text takes that marker as its missing value (skl2onnx converts string imputation only when
the missing marker is a string). Unseen text: a one-hot encoder with
``handle_unknown="infrequent_if_exist"`` and no infrequent category ignores unseen values
(all zeros); its converted copy says ``"ignore"``, which skl2onnx converts to the same (it
would make the ONNX model fail on them otherwise). The verification, on the sample rows
(which hold gaps and every category) and on rows with unseen values, then checks that the
ONNX model and the original agree (:mod:`.convert`).

When skl2onnx cannot convert the model, the step to blame is found by converting its parts
on their own (:func:`..bundle.parts.locate`) and named in the refusal.
"""

from __future__ import annotations

import copy
from typing import Any

from ..bundle.parts import Blame, locate, parts
from ..bundle.profile import Profile
from ..errors import DeployError
from ..serving.onnx_input import MISSING_TEXT, onnx_feeds

NUMERIC_KINDS = "biuf"
OPSETS = {"": 17, "ai.onnx.ml": 3}
NONE_HINT = "use --convert none to ship the scikit-learn model"


def _kind(dtype: Any) -> str:
    """numpy's kind letter of a dtype or dtype name (pandas' nullable and pyarrow-backed
    numbers too: ``Float64``, ``Int64``, ``boolean``); ``O`` for text and categories."""
    import numpy as np
    import pandas as pd

    try:
        return np.dtype(dtype).kind
    except TypeError:
        pass
    try:
        kind = pd.api.types.pandas_dtype(dtype).kind
    except TypeError:
        return "O"
    return kind if kind in NUMERIC_KINDS else "O"


def _tensor(kind: str, width: int) -> Any:
    from skl2onnx.common import data_types as t

    types = {"b": t.BooleanTensorType, "i": t.Int64TensorType, "u": t.Int64TensorType,
             "f": t.FloatTensorType}
    return types.get(kind, t.StringTensorType)([None, width])


def starts_with_columns(model: Any) -> bool:
    """Whether ``model`` picks its columns by name first (a ColumnTransformer, or a Pipeline
    that starts with one)."""
    steps = getattr(model, "steps", None)
    if isinstance(steps, list) and steps:
        return starts_with_columns(steps[0][1])
    return hasattr(model, "transformers")


def per_column(model: Any, profile: Profile) -> bool:
    """Whether ``model`` gets one ONNX input per column: a table with a column that is not
    a number, or a model that picks its columns itself."""
    schema = profile["input_schema"]
    numeric = all(_kind(f["dtype"]) in NUMERIC_KINDS for f in schema["features"])
    return schema.get("kind") == "dataframe" and (not numeric or starts_with_columns(model))


def input_types(model: Any, profile: Profile) -> list[tuple[str, Any]]:
    """The ONNX inputs of ``model``: one per column, or one float matrix ``X``."""
    features = profile["input_schema"]["features"]
    if per_column(model, profile):
        return [(f["name"], _tensor(_kind(f["dtype"]), 1)) for f in features]
    bad = [f"{f['name']} ({f['dtype']})" for f in features
           if _kind(f["dtype"]) not in NUMERIC_KINDS]
    if bad:
        raise DeployError([f"conversion: ONNX export takes arrays of numbers only; not "
                           f"numeric: {', '.join(bad)} ({NONE_HINT})"])
    return [("X", _tensor("f", len(features)))]


def _data_types(part: Any, data: Any) -> list[tuple[str, Any]]:
    """The ONNX inputs of a part of a model fed ``data``, as the whole model's conversion
    gives them to it: a table's columns one by one to a part that picks them by name, else
    one tensor of their common kind (numbers as floats)."""
    if not hasattr(data, "dtypes"):
        return [("X", _tensor(data.dtype.kind, data.shape[1]))]
    kinds = {"f" if k in NUMERIC_KINDS else "O" for k in map(_kind, data.dtypes)}
    if starts_with_columns(part) or len(kinds) > 1:
        return [(str(c), _tensor(_kind(t), 1)) for c, t in data.dtypes.items()]
    return [("X", _tensor(kinds.pop(), data.shape[1]))]


def onnx_ready(model: Any) -> Any:
    """A copy of ``model`` that skl2onnx converts to what ``model`` does (the original is
    left as it is): imputers fitted on text take :data:`MISSING_TEXT` as their missing value;
    one-hot encoders that would put unseen values in an infrequent column that does not
    exist ignore them, as scikit-learn then does, where skl2onnx would make them fail."""
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder

    ready = _stand_ins(copy.deepcopy(model))
    pending = [ready]
    while pending:
        est = pending.pop()
        pending.extend(part for _, part, _ in parts(est))
        statistics = getattr(est, "statistics_", None)
        if isinstance(est, SimpleImputer) and statistics is not None \
                and statistics.dtype.kind in "OUS" and not isinstance(est.missing_values, str):
            est.missing_values = MISSING_TEXT
        if isinstance(est, OneHotEncoder) and est.handle_unknown == "infrequent_if_exist" \
                and all(c is None for c in getattr(est, "infrequent_categories_", [None])):
            est.handle_unknown = "ignore"
    return ready


def _stand_ins(model: Any) -> Any:
    """``model`` with each block that stands for another library's estimator (the
    gradient-boosting blocks: ``_stratum_onnx_model``) replaced by that estimator, which
    skl2onnx converts; a DeployError naming a block that says it cannot be converted."""
    swap = getattr(model, "_stratum_onnx_model", None)
    if swap is not None:
        try:
            return swap()
        except (ImportError, NotImplementedError) as exc:
            raise DeployError([f"conversion: {type(model).__name__} is not converted to ONNX: "
                               f"{exc} ({NONE_HINT})"]) from None
    steps = getattr(model, "steps", None)
    if isinstance(steps, list):
        model.steps = [(name, _stand_ins(step)) for name, step in steps]
    return model


def onnx_frame(frame: Any) -> Any:
    """A table as the ONNX model sees it: missing text as :data:`MISSING_TEXT`."""
    out = frame.copy()
    for name in out.columns:
        if _kind(out[name].dtype) == "O":
            column = out[name].astype(object)
            out[name] = column.where(column.notna(), MISSING_TEXT)
    return out


def _convert(model: Any, types: list[tuple[str, Any]]) -> bytes:
    from skl2onnx import to_onnx as skl_to_onnx
    from sklearn.base import is_classifier

    options = {"zipmap": False} if is_classifier(model) else None
    onx = skl_to_onnx(model, initial_types=types, options=options, target_opset=OPSETS)
    data: bytes = onx.SerializeToString()
    return data


def _conversion_problem(part: Any, data: Any) -> str | None:
    try:
        _convert(part, _data_types(part, data))
    except Exception as exc:  # skl2onnx raises many types for what it cannot convert
        return f"{type(exc).__name__}: {exc}"
    return None


def text_vectorizers(model: Any, path: tuple[str, ...] = ()) -> list[Blame]:
    """The text vectorizers inside ``model`` (scikit-learn's ``sklearn.feature_extraction
    .text``), each with where it is: ``preprocessing > text-review > tfidfvectorizer``."""
    found = []
    for name, part, _ in parts(model):
        if type(part).__module__.startswith("sklearn.feature_extraction.text"):
            found.append(Blame((*path, name), part, None))
        found += text_vectorizers(part, (*path, name))
    return found


def to_onnx(model: Any, profile: Profile, frame: Any = None) -> bytes:
    """scikit-learn model -> ONNX bytes; a DeployError naming the step that skl2onnx cannot
    convert (found on ``frame``, the sample rows, when given). Text vectorizers are refused
    before trying: skl2onnx's tokenizer splits words otherwise than scikit-learn's regular
    expression (the answers would differ) and its string normalizer needs a system locale
    that edge images often lack."""
    text = text_vectorizers(model)
    if text:
        raise DeployError([f"conversion: {text[0]} is not converted: ONNX's tokenizer splits "
                           "words otherwise than scikit-learn's text vectorizers, so its "
                           f"answers would differ ({NONE_HINT})"])
    types = input_types(model, profile)
    ready = onnx_ready(model)
    try:
        return _convert(ready, types)
    except Exception as exc:  # skl2onnx raises many types for unsupported models
        problem, where = f"{type(exc).__name__}: {exc}", "this model"
        if frame is not None:
            data = onnx_frame(frame) if per_column(model, profile) else frame.to_numpy()
            blame = locate(ready, data, _conversion_problem)
            where, problem = str(blame), blame.problem or problem
        raise DeployError([f"conversion: skl2onnx cannot convert {where}: {problem[:500]} "
                           f"({NONE_HINT})"]) from None


def onnx_outputs(onnx_bytes: bytes, profile: Profile, frame: Any) -> dict[str, Any]:
    """What the ONNX model predicts for ``frame``, as ``labels``/``probabilities``/``values``,
    fed as the service feeds it."""
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    return session_outputs(session, profile, frame)


def session_outputs(session: Any, profile: Profile, frame: Any) -> dict[str, Any]:
    """What a loaded ONNX session predicts for ``frame`` (see :func:`onnx_outputs`)."""
    import numpy as np

    rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    names = [f["name"] for f in profile["input_schema"]["features"]]
    result = session.run(None, onnx_feeds(session.get_inputs(), names, rows))
    first = np.asarray(result[0])
    if "classes" in profile["input_schema"]:
        out = {"labels": first.ravel()}
        if len(result) > 1:
            out["probabilities"] = np.asarray(result[1])
        return out
    return {"values": first.reshape(len(frame), -1).squeeze(axis=1)
            if first.ndim == 2 and first.shape[1] == 1 else first}


def onnx_runtime() -> dict[str, str]:
    import onnxruntime

    return {"onnxruntime": onnxruntime.__version__}
