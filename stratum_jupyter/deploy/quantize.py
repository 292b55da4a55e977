"""Quantized conversions, measured and held to a stated tolerance.

A conversion (``--convert``) may also be quantized (``--quantize``): ``float16`` and
``int8`` (full integer, calibrated on the verification sample, as TensorFlow's post-training
quantization guide does) for TFLite, ``dynamic`` (onnxruntime's ``quantize_dynamic``: int8
weights, activations quantized at run time) for ONNX. A quantized model answers a little
otherwise than the original, so it is not held to the float32 check (labels identical) but
measured on the verification sample (:func:`measure`) and refused past a tolerance
(:func:`check`), before anything is written or run:

- classifiers: ``agreement``, the share of sample instances with the original's label
  (at least ``agreement``); where the sample has labels, the accuracy drop, original
  accuracy minus the converted model's (at most ``accuracy_drop``); and
  ``max_probability_diff``, the largest difference of a class probability (at most
  ``max_error``);
- regressors and other tensors: the largest absolute difference over the outputs
  (``max_abs_error``) and that difference relative to the largest absolute original output
  (``max_error``, at most ``max_error``).

Defaults per quantization (:data:`TOLERANCES`); ``--tolerance agreement=0.95,...`` changes
them. Each conversion also records the size (bytes) of both models and their latency (ms per
instance: the median of :data:`REPEATS` runs on the whole sample, in this process, timed the
same way for both).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..errors import DeployError

QUANTIZATIONS = ("none", "float16", "int8", "dynamic")
"""What ``--quantize`` takes; ``none`` keeps the converted model in float32."""
FORMAT_QUANTIZATIONS = {"tflite": ("none", "float16", "int8"), "onnx": ("none", "dynamic")}
"""The quantizations each conversion format offers."""
TOLERANCES: dict[str, dict[str, float]] = {
    "none": {"agreement": 1.0, "accuracy_drop": 0.0, "max_error": 1e-3},
    "float16": {"agreement": 0.99, "accuracy_drop": 0.01, "max_error": 0.01},
    "int8": {"agreement": 0.99, "accuracy_drop": 0.01, "max_error": 0.1},
    "dynamic": {"agreement": 0.99, "accuracy_drop": 0.01, "max_error": 0.1},
}
"""The default tolerance of each quantization (``none``: a float32 conversion of a tensor
model, whose outputs differ from the original's only by rounding)."""
REPEATS = 5
"""Timed runs per model; the latency is their median."""
Outputs = dict[str, Any]


def parse_tolerance(text: str | dict[str, float] | None) -> dict[str, float]:
    """``"agreement=0.95,accuracy_drop=0.02"`` (or a dict) -> the values given; a
    DeployError naming a key or value that is not a tolerance."""
    if text is None or text == "":
        return {}
    items = text.items() if isinstance(text, dict) else [
        part.partition("=")[::2] for part in str(text).split(",") if part.strip()]
    out: dict[str, float] = {}
    allowed = ", ".join(TOLERANCES["int8"])
    for key, value in items:
        key = str(key).strip()
        if key not in TOLERANCES["int8"]:
            raise DeployError([f"tolerance: {key!r} is not a tolerance (allowed: {allowed}; "
                               "e.g. --tolerance agreement=0.95,accuracy_drop=0.02)"])
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1.0
        if not 0 <= number <= (1 if key == "agreement" else float("inf")):
            raise DeployError([f"tolerance: {key}={value!r} is not a number "
                               f"{'from 0 to 1' if key == 'agreement' else 'of at least 0'}"])
        out[key] = number
    return out


def tolerance_for(quantize: str, given: str | dict[str, float] | None = None
                  ) -> dict[str, float]:
    """The quantization's default tolerance, with the values ``given`` in its place."""
    return {**TOLERANCES[quantize], **parse_tolerance(given)}


def check_quantize(quantize: str, fmt: str) -> list[str]:
    """Why ``--quantize quantize`` does not go with ``--convert fmt`` (nothing if it does)."""
    if quantize not in QUANTIZATIONS:
        return [f"quantize: {quantize!r} is not a quantization (allowed: "
                f"{', '.join(QUANTIZATIONS)})"]
    offered = FORMAT_QUANTIZATIONS.get(fmt, ("none",))
    if quantize not in offered:
        by = "; ".join(f"--convert {f}: {', '.join(q)}" for f, q in FORMAT_QUANTIZATIONS.items())
        return [f"quantize: --quantize {quantize} does not go with --convert {fmt} "
                f"(allowed: {by})"]
    return []


def latency_ms(predict: Callable[[Any], Any], data: Any, n: int) -> float:
    """Median wall time of :data:`REPEATS` calls ``predict(data)`` (after one warm-up
    call), in ms per instance."""
    predict(data)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        predict(data)
        times.append(time.perf_counter() - start)
    times.sort()
    return 1000 * times[len(times) // 2] / max(n, 1)


def _accuracy(labels: Any, truth: Any) -> float:
    import numpy as np

    return float(np.mean(np.asarray(labels).astype(str) == np.asarray(truth).astype(str)))


def _labels_meet(answers: Any, truth: Any) -> None:
    """Refuse sample labels none of which the model answers (``3.0`` for a model of ``3``,
    names for a model of codes): both accuracies would be 0 and their drop 0, a check that
    passes while measuring nothing."""
    import numpy as np

    given = set(np.asarray(truth).astype(str).tolist())
    answered = set(np.asarray(answers).astype(str).tolist())
    if given and not given & answered:
        raise DeployError([f"sample: its labels ({', '.join(sorted(given)[:5])}) are none of "
                           f"the labels the model answers ({', '.join(sorted(answered)[:5])})"
                           ": label the sample as the model was trained"])


def measure(original: Outputs, converted: Outputs, truth: Any = None) -> dict[str, Any]:
    """How closely ``converted`` answers what ``original`` does (see the module's text);
    ``truth`` the sample's labels, if it has any."""
    import numpy as np

    out: dict[str, Any] = {}
    if "labels" in original:
        a, b = np.asarray(original["labels"]), np.asarray(converted["labels"])
        out["agreement"] = _accuracy(b, a) if a.shape == b.shape else 0.0
        if "probabilities" in original and "probabilities" in converted:
            p, q = (np.asarray(original["probabilities"], float),
                    np.asarray(converted["probabilities"], float))
            out["max_probability_diff"] = float(np.max(np.abs(p - q))) \
                if p.shape == q.shape else float("inf")
        if truth is not None:
            _labels_meet(a, truth)
            out["accuracy_original"] = _accuracy(a, truth)
            out["accuracy"] = _accuracy(b, truth)
            out["accuracy_drop"] = out["accuracy_original"] - out["accuracy"]
        return out
    a, b = (np.asarray(original["values"], float), np.asarray(converted["values"], float))
    if a.shape != b.shape:
        return {"max_abs_error": float("inf"), "max_error": float("inf")}
    diff = float(np.max(np.abs(a - b))) if a.size else 0.0
    scale = float(np.max(np.abs(a))) if a.size else 0.0
    out["max_abs_error"] = diff
    out["max_error"] = diff / scale if scale > 0 else diff
    return out


def check(measured: dict[str, Any], tolerance: dict[str, float], *, what: str,
          n: int) -> None:
    """Refuse (a DeployError) a conversion whose measures are past ``tolerance``, naming the
    measured value, the tolerance and the option that changes it."""
    problems = []
    hint = "change it with --tolerance {key}=VALUE, or tolerance= in Python"
    if measured.get("agreement", 1.0) < tolerance["agreement"]:
        problems.append(f"the {what} gives the original's label on {measured['agreement']:.4g}"
                        f" of the {n} sample instances; the tolerance is agreement >= "
                        f"{tolerance['agreement']:g} ({hint.format(key='agreement')})")
    if measured.get("accuracy_drop", 0.0) > tolerance["accuracy_drop"]:
        problems.append(f"the {what} loses {measured['accuracy_drop']:.4g} accuracy on the "
                        f"{n} labelled sample instances ({measured['accuracy_original']:.4g}"
                        f" -> {measured['accuracy']:.4g}); the tolerance is accuracy_drop <= "
                        f"{tolerance['accuracy_drop']:g} ({hint.format(key='accuracy_drop')})")
    error = measured.get("max_probability_diff", measured.get("max_error", 0.0))
    if error > tolerance["max_error"]:
        what_error = "a class probability" if "max_probability_diff" in measured else \
            "its outputs, relative to the largest original output,"
        problems.append(f"the {what} differs from the original in {what_error} by up to "
                        f"{error:.4g} on the {n} sample instances; the tolerance is "
                        f"max_error <= {tolerance['max_error']:g} "
                        f"({hint.format(key='max_error')})")
    if problems:
        raise DeployError([f"conversion: {p}" for p in problems])
