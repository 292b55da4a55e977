"""ONNX dynamic quantization (onnxruntime's ``quantize_dynamic``): weights stored as int8,
activations quantized at run time. It applies to the graph's MatMul/Gemm/Conv-like nodes
(networks, linear models, MLPs); tree ensembles' ``ai.onnx.ml`` nodes are left as they are,
so a forest converted from scikit-learn gains little. For scikit-learn models converted to
ONNX (``--convert onnx --quantize dynamic``) and ONNX bundles (kept as they are otherwise).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..bundle.profile import Profile
from .onnx_converter import session_outputs, to_onnx
from .verify_sample import is_tensor_model


def quantize_dynamic(data: bytes) -> bytes:
    """The ONNX bytes with int8 weights (onnxruntime.quantization.quantize_dynamic)."""
    from onnxruntime.quantization import QuantType
    from onnxruntime.quantization import quantize_dynamic as ort_quantize

    with tempfile.TemporaryDirectory(prefix="stratum-quantize-") as tmp:
        source, target = Path(tmp) / "model.onnx", Path(tmp) / "model.int8.onnx"
        source.write_bytes(data)
        ort_quantize(source, target, weight_type=QuantType.QInt8)
        return target.read_bytes()


def to_onnx_dynamic(model: Any, profile: Profile, data: Any, quantize: str) -> bytes:
    """A scikit-learn model converted to ONNX, or an ONNX bundle's graph, quantized
    (``quantize`` is ``dynamic``, the one ONNX quantization)."""
    graph = getattr(model, "data", None)
    if str(profile.get("kind")) != "onnx" or not isinstance(graph, bytes):
        graph = to_onnx(model, profile, None if is_tensor_model(profile) else data)
    return quantize_dynamic(graph)


def onnx_session(data: bytes, profile: Profile) -> Any:
    """``predict(frame or tensors) -> outputs`` of the ONNX model, loaded once: table rows
    fed as the service feeds them, tensors as the bundle's ONNX model takes them."""
    import numpy as np

    from ..bundle.onnx_format import OnnxModel

    schema = profile["input_schema"]
    if not is_tensor_model(profile):
        import onnxruntime as ort

        session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
        return lambda frame: session_outputs(session, profile, frame)
    model = OnnxModel(data, classes=schema.get("classes"))

    def predict(batch: Any) -> dict[str, Any]:
        if model.classes_ is None:
            return {"values": np.asarray(model.predict(batch))}
        return {"labels": np.asarray(model.predict(batch)),
                "probabilities": np.asarray(model.predict_proba(batch))}

    return predict
