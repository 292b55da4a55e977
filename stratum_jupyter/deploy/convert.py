"""Model transfer for edge targets: convert, then verify the converted model against the
original on the profile's sample rows (gaps and every category among them) and on rows with
unseen text values; refuse if they disagree.

Converters are a registry: the built-in ``onnx`` (scikit-learn models) first, then the entry
points of the ``stratum_jupyter.converters`` group (the Keras plug-in adds ``tflite``). A
:class:`Converter` says which model kinds it takes, how to export a model and how to run the
export; :func:`convert` does the rest the same way for all of them.

Tolerances (stated, and recorded in ``conversion.json``): class labels must be identical;
probabilities and regression outputs must agree within ``atol + rtol * |original|`` with
``rtol = 1e-4`` and ``atol = 1e-4`` (ONNX runs in float32, the original in float64).
Quantized conversions (``quantize``), tensor and image models (verified on their
``sample_instances``) and conversions verified on a sample file are measured instead and
held to the quantization's tolerance (:mod:`.quantize`, :mod:`.verify_sample`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..bundle.formats import kind_label
from ..bundle.networks import NetworkModel, class_scores
from ..bundle.profile import Profile
from ..errors import DeployError, StratumError
from ..plugins import Registry
from . import onnx_converter, onnx_quantize
from . import quantize as quant
from .verify_sample import Sample, bundle_sample, is_tensor_model

ENTRY_POINT_GROUP = "stratum_jupyter.converters"
RTOL = 1e-4
ATOL = 1e-4
UNSEEN = "stratum-unseen-value"
"""A text value no model was trained on, for the rows that check unseen values."""

Outputs = dict[str, Any]
"""Predictions on the sample rows: ``labels`` and ``probabilities``, or ``values``."""
Report = dict[str, Any]
"""What ``conversion.json`` records: format, verified_rows, rtol, atol, bytes, versions."""


@dataclass(frozen=True)
class Converter:
    """One conversion of a bundle's model for the prediction service (``--convert NAME``)."""

    name: str
    """The ``--convert`` name, the file ``model.<name>`` and the knowledge-base component."""
    label: str
    """The format for people, in messages: ``ONNX``, ``TFLite``."""
    kinds: tuple[str, ...]
    """The model kinds (``profile["kind"]``) it converts."""
    export: Callable[[Any, Profile, Any], bytes]
    """``(model, profile, sample frame) -> bytes`` of the converted model."""
    run: Callable[[bytes, Profile, Any], Outputs]
    """``(bytes, profile, sample frame) -> outputs`` of the converted model."""
    runtime: Callable[[], dict[str, str]]
    """The versions of what ran the check, recorded in ``conversion.json``."""
    keep_from_bundle: tuple[str, ...] = ()
    """Requirements pinned as the model bundle pins them, not as the knowledge base does."""
    export_quantized: Callable[[Any, Profile, Any, str], bytes] | None = None
    """``(model, profile, sample, quantization) -> bytes`` of the quantized model (the
    sample calibrates an int8 conversion)."""
    session: Callable[[bytes, Profile], Callable[[Any], Outputs]] | None = None
    """``(bytes, profile) -> predict``: the converted model loaded once, so its latency is
    timed without its loading; ``run`` is timed where there is none."""
    requantizes: tuple[str, ...] = ()
    """Model kinds already in this format, which it takes only to quantize them."""

    def predictor(self, data: bytes, profile: Profile) -> Callable[[Any], Outputs]:
        """The converted model's ``predict(sample) -> outputs``."""
        if self.session is not None:
            return self.session(data, profile)
        return lambda frame: self.run(data, profile, frame)


ONNX = Converter(name="onnx", label="ONNX", kinds=("sklearn",), export=onnx_converter.to_onnx,
                 run=onnx_converter.onnx_outputs, runtime=onnx_converter.onnx_runtime,
                 keep_from_bundle=("numpy",), export_quantized=onnx_quantize.to_onnx_dynamic,
                 session=onnx_quantize.onnx_session, requantizes=("onnx",))

CONVERTERS: Registry[Converter] = Registry(ENTRY_POINT_GROUP, Converter, "converter",
                                           {ONNX.name: ONNX})


def get_converter(name: str) -> Converter:
    """The converter registered as ``name``; a DeployError if there is none."""
    try:
        return CONVERTERS.get(name)
    except StratumError as exc:
        raise DeployError([f"conversion: {exc}"]) from None


def converters_for(kind: str) -> list[str]:
    """The names of the converters that take models of ``kind``."""
    return [c.name for c in CONVERTERS.values() if kind in c.kinds]


def sample_frame(profile: Profile, rows: list[dict[str, Any]] | None = None) -> Any:
    """The profile's sample rows (or ``rows``) as a DataFrame of its input features, each
    column of the dtype the model was trained on where it can hold the values; text and
    categorical columns as text, as the prediction service gets them."""
    import pandas as pd

    features = profile["input_schema"]["features"]
    frame = pd.DataFrame(rows if rows is not None else profile["sample_rows"],
                         columns=[f["name"] for f in features])
    for feature in features:
        if feature.get("categories") is not None:
            continue  # text, as the prediction service gets it (categories: unseen values too)
        try:
            frame[feature["name"]] = frame[feature["name"]].astype(feature["dtype"])
        except (TypeError, ValueError):  # e.g. gaps in an int column: keep what pandas read
            continue
    return frame


def verification_rows(model: Any, profile: Profile) -> list[dict[str, Any]]:
    """The rows a conversion is checked on: the profile's sample rows and, when the original
    model takes them, one more per text or categorical feature, with a value it never saw
    (:data:`UNSEEN`): a converted model must treat unseen values as the original does."""
    rows = list(profile["sample_rows"])
    unseen = [{**rows[0], f["name"]: UNSEEN} for f in profile["input_schema"]["features"]
              if f.get("categories") is not None and UNSEEN not in f["categories"]]
    if not unseen:
        return rows
    try:
        original_outputs(model, profile, sample_frame(profile, unseen))
    except Exception:  # the original refuses unseen values (handle_unknown="error")
        return rows
    return rows + unseen


def model_input(profile: Profile, frame: Any) -> Any:
    """What the original model was trained on: the frame itself, or its array (tensors as
    they are)."""
    if not hasattr(frame, "to_numpy"):
        return frame
    return frame if profile["input_schema"].get("kind") == "dataframe" else frame.to_numpy()


def compare(original: Outputs, converted: Outputs, *, rtol: float = RTOL,
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


def original_outputs(model: Any, profile: Profile, frame: Any) -> Outputs:
    """What the original model predicts for ``frame``."""
    data = model_input(profile, frame)
    if isinstance(model, NetworkModel) and model.classes_ is not None \
            and not getattr(model, "answers_labels", False):
        # a network answering scores: run it once, as the converted model is run
        import numpy as np

        probs = class_scores(model.scores(data))
        return {"labels": np.asarray(model.classes_)[probs.argmax(axis=1)],
                "probabilities": probs}
    pred = model.predict(data)
    if "classes" in profile["input_schema"]:
        out = {"labels": pred}
        if hasattr(model, "predict_proba"):
            out["probabilities"] = model.predict_proba(data)
        return out
    return {"values": pred}


@dataclass(frozen=True)
class Converted:
    """A converted model that agrees with the original on the sample rows, not yet written."""

    name: str
    data: bytes
    report: Report

    def write(self, out_dir: Path) -> Report:
        """Write ``model.<name>`` and ``conversion.json`` (what was checked, how closely);
        a ``profile.json`` there (a deploy bundle's copy) records it as ``conversion``."""
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"model.{self.name}").write_bytes(self.data)
        (out_dir / "conversion.json").write_text(json.dumps(self.report, indent=2) + "\n",
                                                 "utf-8")
        profile = out_dir / "profile.json"
        if profile.is_file():
            data = json.loads(profile.read_text("utf-8"))
            data["conversion"] = self.report
            profile.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
        return self.report


def verified(fmt: str, data: bytes, original: Outputs, converted: Outputs, *, rows: int,
             rtol: float, atol: float, runtime: dict[str, str]) -> Converted:
    """Refuse a converted model that disagrees with the original (a DeployError)."""
    problems = compare(original, converted, rtol=rtol, atol=atol)
    if problems:
        raise DeployError([f"conversion: the {fmt} model disagrees with the original on the "
                           f"profile's sample rows: {p}" for p in problems])
    return Converted(fmt, data, {"format": fmt, "verified_rows": rows, "rtol": rtol,
                                 "atol": atol, **runtime, "bytes": len(data)})


def _check_convertible(converter: Converter, profile: Profile, quantize: str = "none",
                       sample: Sample | None = None) -> None:
    kind = str(profile.get("kind"))
    problems = quant.check_quantize(quantize, converter.name)
    if problems:
        raise DeployError(problems)
    if kind not in converter.kinds and not (quantize != "none"
                                            and kind in converter.requantizes):
        takes = " or ".join(kind_label(k) for k in converter.kinds)
        instead = ", ".join(converters_for(kind)) or "none"
        also = f"; it takes {', '.join(converter.requantizes)} models to quantize them " \
            f"(--quantize {quant.FORMAT_QUANTIZATIONS[converter.name][-1]})" \
            if converter.requantizes else ""
        raise DeployError([f"conversion: {converter.label} conversion is for {takes} "
                           f"models; this is a {kind} model (use --convert {instead}){also}"])
    if is_tensor_model(profile):
        if sample is None:
            bundle_sample(profile)  # a DeployError if there is none
    elif sample is None and not profile.get("sample_rows"):
        raise DeployError(["conversion: the profile has no sample_rows to verify against "
                           "(deploy with --sample FILE)"])


def convert_model(converter: Converter | str, model: Any, profile: Profile, *,
                  rtol: float = RTOL, atol: float = ATOL, quantize: str = "none",
                  tolerance: str | dict[str, float] | None = None,
                  sample: Sample | None = None) -> Converted:
    """Convert the bundle's loaded ``model`` and check it against the original on the
    profile's sample rows (labels identical; values within ``atol + rtol * |original|``);
    a quantized conversion, a tensor or image model, or a given ``sample`` is measured and
    held to ``tolerance`` instead (:mod:`.quantize`). A DeployError if it cannot be
    converted or is past its tolerance. Nothing is written."""
    conv = get_converter(converter) if isinstance(converter, str) else converter
    _check_convertible(conv, profile, quantize, sample)
    if quantize == "none" and sample is None and not is_tensor_model(profile):
        frame = sample_frame(profile, verification_rows(model, profile))
        data = conv.export(model, profile, frame)
        outputs = _run(conv, data, profile, frame)
        done = verified(conv.name, data, original_outputs(model, profile, frame), outputs,
                        rows=len(frame), rtol=rtol, atol=atol, runtime=conv.runtime())
        done.report.update(_timings(conv, model, profile, frame, data))
        return done
    return _measured(conv, model, profile, quantize, quant.tolerance_for(quantize, tolerance),
                     sample)


def _run(conv: Converter, data: bytes, profile: Profile, frame: Any) -> Outputs:
    try:
        return conv.predictor(data, profile)(frame)
    except (ValueError, TypeError, RuntimeError) as exc:  # the runtime refuses the rows
        raise DeployError([f"conversion: the {conv.label} model fails on the sample: "
                           f"{type(exc).__name__}: {str(exc)[:500]}"]) from None


def _timings(conv: Converter, model: Any, profile: Profile, data: Any,
             blob: bytes) -> Report:
    """Size and latency (ms per instance) of the original and the converted model."""
    n = len(data) if hasattr(data, "columns") else len(Sample(data, None, ""))
    return {"bytes_original": profile.get("model_size_bytes"),
            "latency_ms": quant.latency_ms(conv.predictor(blob, profile), data, n),
            "latency_ms_original": quant.latency_ms(
                lambda d: original_outputs(model, profile, d), data, n)}


def _measured(conv: Converter, model: Any, profile: Profile, quantize: str,
              tolerance: dict[str, float], sample: Sample | None) -> Converted:
    tensors = is_tensor_model(profile)
    if sample is None:
        sample = bundle_sample(profile) if tensors else Sample(
            verification_rows(model, profile), None, "the profile's sample_rows")
    data = sample.data if tensors else sample_frame(profile, sample.data)
    if quantize == "none":
        blob = conv.export(model, profile, data)
    else:
        assert conv.export_quantized is not None  # check_quantize said it has one
        blob = conv.export_quantized(model, profile, data, quantize)
    measured = quant.measure(original_outputs(model, profile, data),
                             _run(conv, blob, profile, data), sample.labels)
    what = f"{quantize} {conv.label} model" if quantize != "none" else f"{conv.label} model"
    quant.check(measured, tolerance, what=what, n=len(sample))
    report = {"format": conv.name, "quantize": quantize, "verified_rows": len(sample),
              "sample": sample.source, "tolerance": tolerance, **measured,
              **conv.runtime(), "bytes": len(blob)}
    report.update(_timings(conv, model, profile, data, blob))
    return Converted(conv.name, blob, report)


def convert(converter: Converter | str, model_dir: Path, profile: Profile, out_dir: Path, *,
            rtol: float = RTOL, atol: float = ATOL, model: Any = None,
            quantize: str = "none", tolerance: str | dict[str, float] | None = None,
            sample: Sample | None = None) -> Report:
    """Write ``out_dir/model.<name>`` after checking it against the original model (read
    from ``model_dir`` unless given) on the profile's sample (or ``sample``); a DeployError
    if they disagree past the tolerance (see :func:`convert_model`)."""
    from ..bundle import load_model

    conv = get_converter(converter) if isinstance(converter, str) else converter
    _check_convertible(conv, profile, quantize, sample)
    model = load_model(model_dir) if model is None else model
    return convert_model(conv, model, profile, rtol=rtol, atol=atol, quantize=quantize,
                         tolerance=tolerance, sample=sample).write(out_dir)


def convert_onnx(model_dir: Path, profile: Profile, out_dir: Path, *, rtol: float = RTOL,
                 atol: float = ATOL) -> Report:
    """Write ``out_dir/model.onnx`` after verifying it; a DeployError if it disagrees."""
    return convert(ONNX, model_dir, profile, out_dir, rtol=rtol, atol=atol)
