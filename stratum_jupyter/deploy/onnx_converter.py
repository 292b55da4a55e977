"""scikit-learn -> ONNX: the built-in converter's export and its runtime (onnxruntime)."""

from __future__ import annotations

from typing import Any

from ..bundle.profile import Profile
from ..errors import DeployError

NUMERIC_KINDS = "biuf"


def _numeric(dtype: str) -> bool:
    import numpy as np

    try:
        return np.dtype(dtype).kind in NUMERIC_KINDS
    except TypeError:
        return False


def to_onnx(model: Any, profile: Profile, frame: Any = None) -> bytes:
    """scikit-learn model -> ONNX bytes (numeric features, one float input ``X``)."""
    from skl2onnx import to_onnx as skl_to_onnx
    from skl2onnx.common.data_types import FloatTensorType

    features = profile["input_schema"]["features"]
    bad = [f"{f['name']} ({f['dtype']})" for f in features
           if not _numeric(f["dtype"])]
    if bad:
        raise DeployError([f"conversion: ONNX export here takes numeric features only; "
                           f"not numeric: {', '.join(bad)} (use --convert none)"])
    options = None
    if "classes" in profile["input_schema"]:
        options = {"zipmap": False}
    try:
        onx = skl_to_onnx(model, initial_types=[("X", FloatTensorType([None, len(features)]))],
                          options=options, target_opset={"": 17, "ai.onnx.ml": 3})
    except Exception as exc:  # skl2onnx raises many types for unsupported models
        raise DeployError([f"conversion: skl2onnx cannot convert this model: {exc} "
                           "(use --convert none to ship the scikit-learn model)"]) from None
    data: bytes = onx.SerializeToString()
    return data


def onnx_outputs(onnx_bytes: bytes, profile: Profile, frame: Any) -> dict[str, Any]:
    """What the ONNX model predicts for ``frame``, as ``labels``/``probabilities``/``values``."""
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    result = session.run(None, {"X": frame.to_numpy(dtype=np.float32)})
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
