"""Model transfer for edge targets: convert, then verify the converted model against the
original on the profile's sample rows; refuse if they disagree.

Tolerances (stated, and recorded in ``conversion.json``): class labels must be identical;
probabilities and regression outputs must agree within ``atol + rtol * |original|`` with
``rtol = 1e-4`` and ``atol = 1e-4`` (ONNX runs in float32, the original in float64).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import DeployError

RTOL = 1e-4
ATOL = 1e-4
NUMERIC_KINDS = "biuf"


def _frame(profile: dict[str, Any], rows: list[dict[str, Any]] | None = None) -> Any:
    import pandas as pd

    names = [f["name"] for f in profile["input_schema"]["features"]]
    return pd.DataFrame(rows if rows is not None else profile["sample_rows"], columns=names)


def _model_input(profile: dict[str, Any], frame: Any) -> Any:
    return frame if profile["input_schema"].get("kind") == "dataframe" else frame.to_numpy()


def compare(original: dict[str, Any], converted: dict[str, Any], *, rtol: float = RTOL,
            atol: float = ATOL) -> list[str]:
    """Differences between two prediction sets (``labels``/``values``/``probabilities``)."""
    import numpy as np

    problems = []
    for key, expected in original.items():
        got = converted.get(key)
        if got is None:
            problems.append(f"the converted model gives no {key}")
            continue
        a, b = np.asarray(expected), np.asarray(got)
        if a.shape != b.shape:
            problems.append(f"{key}: shape {b.shape} != original {a.shape}")
        elif key == "labels":
            bad = np.flatnonzero(a.astype(str) != b.astype(str))
            if bad.size:
                problems.append(f"labels differ on sample rows {bad.tolist()}: "
                                f"{b[bad].tolist()} != original {a[bad].tolist()}")
        elif not np.allclose(b.astype(float), a.astype(float), rtol=rtol, atol=atol):
            worst = float(np.max(np.abs(b.astype(float) - a.astype(float))))
            problems.append(f"{key} differ by up to {worst:.3g} "
                            f"(allowed: atol {atol:g} + rtol {rtol:g} x |original|)")
    return problems


def original_outputs(model: Any, profile: dict[str, Any], frame: Any) -> dict[str, Any]:
    data = _model_input(profile, frame)
    pred = model.predict(data)
    if "classes" in profile["input_schema"]:
        out = {"labels": pred}
        if hasattr(model, "predict_proba"):
            out["probabilities"] = model.predict_proba(data)
        return out
    return {"values": pred}


def to_onnx(model: Any, profile: dict[str, Any]) -> bytes:
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
    return onx.SerializeToString()


def _numeric(dtype: str) -> bool:
    import numpy as np

    try:
        return np.dtype(dtype).kind in NUMERIC_KINDS
    except TypeError:
        return False


def onnx_outputs(onnx_bytes: bytes, profile: dict[str, Any], frame: Any) -> dict[str, Any]:
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    result = session.run(None, {"X": frame.to_numpy(dtype=np.float32)})
    if "classes" in profile["input_schema"]:
        out = {"labels": np.asarray(result[0]).ravel()}
        if len(result) > 1:
            out["probabilities"] = np.asarray(result[1])
        return out
    return {"values": np.asarray(result[0]).reshape(len(frame), -1).squeeze(axis=1)
            if np.asarray(result[0]).ndim == 2 and np.asarray(result[0]).shape[1] == 1
            else np.asarray(result[0])}


def convert_onnx(model_dir: Path, profile: dict[str, Any], out_dir: Path, *,
                 rtol: float = RTOL, atol: float = ATOL) -> dict[str, Any]:
    """Write ``out_dir/model.onnx`` after verifying it; a DeployError if it disagrees."""
    from ..bundle import load_model

    if profile.get("kind") != "sklearn":
        raise DeployError([f"conversion: ONNX conversion is for scikit-learn models; this is a "
                           f"{profile.get('kind')} model (use --convert tflite)"])
    if not profile.get("sample_rows"):
        raise DeployError(["conversion: the profile has no sample_rows to verify against"])
    model = load_model(model_dir)
    onnx_bytes = to_onnx(model, profile)
    frame = _frame(profile)
    import onnxruntime

    return write_verified(
        "onnx", onnx_bytes, original_outputs(model, profile, frame),
        onnx_outputs(onnx_bytes, profile, frame), out_dir, rows=len(frame), rtol=rtol,
        atol=atol, runtime={"onnxruntime": onnxruntime.__version__})


def write_verified(fmt: str, data: bytes, original: dict[str, Any], converted: dict[str, Any],
                   out_dir: Path, *, rows: int, rtol: float, atol: float,
                   runtime: dict[str, str]) -> dict[str, Any]:
    """Refuse a converted model that disagrees with the original; else write
    ``model.<fmt>`` and ``conversion.json`` (what was checked, how closely) to ``out_dir``."""
    problems = compare(original, converted, rtol=rtol, atol=atol)
    if problems:
        raise DeployError([f"conversion: the {fmt} model disagrees with the original on the "
                           f"profile's sample rows: {p}" for p in problems])
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"model.{fmt}").write_bytes(data)
    report = {"format": fmt, "verified_rows": rows, "rtol": rtol, "atol": atol, **runtime,
              "bytes": len(data)}
    (out_dir / "conversion.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return report


def convert_tflite(model_dir: Path, profile: dict[str, Any], out_dir: Path, **kw: Any
                   ) -> dict[str, Any]:
    """Keras -> TFLite; provided by the Keras support (``stratum_jupyter.keras``)."""
    try:
        from ..keras import convert_tflite as keras_convert  # type: ignore[import-not-found]
    except ImportError:
        raise DeployError(["conversion: TFLite conversion needs stratum_jupyter's Keras "
                           "support, which is not installed here"]) from None
    return keras_convert(model_dir, profile, out_dir, **kw)


CONVERTERS = {"onnx": convert_onnx, "tflite": convert_tflite}
