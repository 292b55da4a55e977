"""Constraint checks run before anything is rendered ("correct by construction"): every
violation is collected and reported at once in one :class:`DeployError`."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from ..bundle.formats import kind_label
from ..bundle.profile import Profile
from ..errors import DeployError
from ..serving import trust
from . import quantize as quant
from .convert import CONVERTERS, Converted, convert_model, converters_for, get_converter
from .kb import KnowledgeBase
from .targets import Target
from .verify_sample import read_sample

# Loaded models take more memory than their file: a stated, conservative factor.
MODEL_MEMORY_FACTOR = 2.0
LOCAL_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def requirement_name(line: str) -> str:
    """The distribution a requirement line names (PEP 508): ``numpy==1.26`` -> ``numpy``."""
    try:
        return Requirement(line.strip()).name
    except InvalidRequirement as exc:
        raise DeployError([f"requirements: {line.strip()!r} is not a requirement: {exc}"]
                          ) from None


def _minor(version: str | None) -> str | None:
    if not version:
        return None
    parts = str(version).split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


SERVED_KINDS = ("sklearn", "keras", "onnx")
"""The model kinds (``profile["kind"]``) the prediction service runs."""


def target_arch(target: Target) -> str:
    if target.runtime == "process":
        return LOCAL_ARCH.get(platform.machine().lower(), platform.machine().lower())
    return target.arch


def runtime_component(profile: Profile, conversion: str) -> str:
    return conversion if conversion != "none" else str(profile.get("kind") or "sklearn")


def memory_need_mb(profile: Profile, conversion: str, kb: KnowledgeBase) -> float:
    """Resident memory the service needs (MiB): the service and runtime with nothing loaded,
    plus the model's file size times MODEL_MEMORY_FACTOR."""
    model_mb = float(profile.get("model_size_bytes") or 0) / 2**20
    return (kb.runtime_memory("service")
            + kb.runtime_memory(runtime_component(profile, conversion))
            + MODEL_MEMORY_FACTOR * model_mb)


def violations(profile: Profile, target: Target, kb: KnowledgeBase, *,
               requirements: list[str], conversion: str, python: str | None,
               quantize: str = "none") -> list[str]:
    """Every way this model, with these requirements, does not fit ``target``."""
    out: list[str] = []
    kind = str(profile.get("kind") or "sklearn")
    arch = target_arch(target)

    for line in requirements:
        name = requirement_name(line)
        row = kb.wheel(name, arch)
        if row is not None and not row["available"]:
            note = f" ({row['note']})" if row.get("note") else ""
            out.append(f"requirements: {name} has no wheel for {arch} on target "
                       f"{target.name!r}{note}")

    if profile.get("needs_gpu") and not target.gpu:
        out.append(f"gpu: the model needs a GPU but target {target.name!r} has none "
                   f"(accelerator: {target.accelerator}); choose gpu-cuda or jetson")

    component = runtime_component(profile, conversion)
    model_mb = float(profile.get("model_size_bytes") or 0) / 2**20
    need = memory_need_mb(profile, conversion, kb)
    if need > target.memory_mb:
        out.append(f"memory: model plus runtime need about {need:.0f} MiB "
                   f"({component} runtime {kb.runtime_memory(component)} MiB, service "
                   f"{kb.runtime_memory('service')} MiB, model {model_mb:.0f} MiB x "
                   f"{MODEL_MEMORY_FACTOR:g}) but target {target.name!r} has "
                   f"{target.memory_mb} MiB")

    trained = _minor((profile.get("environment") or {}).get("python"))
    runs = _minor(python) if python else _minor(platform.python_version())
    if trained and runs and trained != runs and conversion == "none":
        out.append(f"python: the model was saved with Python {trained} but target "
                   f"{target.name!r} runs Python {runs}; its pinned requirements may not "
                   "install or load there " + (
                       "(bundle it again with that Python: its model file does not depend "
                       "on Python, its pins may)" if kind == "onnx" else
                       "(re-train with that Python, or convert with --convert onnx)"))

    out += conversion_problems(kind, conversion, quantize)
    if kind not in SERVED_KINDS:
        out.append(f"kind: the prediction service serves scikit-learn, Keras and ONNX "
                   f"models, not {kind!r}")
    # A Keras network bundled alone (save_model) is served by TensorFlow itself; a
    # KerasClassifier pipeline only once converted.
    network = profile.get("model_format") == "keras-network"
    if kind == "keras" and target.constrained and conversion != "tflite":
        out.append(f"tensorflow: a Keras model on the small edge target {target.name!r} "
                   "needs conversion: use --convert tflite")
    elif kind == "keras" and conversion == "none" and not network:
        out.append("service: Keras models are served as TFLite: use --convert tflite")
    return out


def conversion_problems(kind: str, conversion: str, quantize: str = "none") -> list[str]:
    """Why ``--convert conversion`` (``--quantize quantize``) does not take models of
    ``kind`` (nothing if it does)."""
    if conversion == "none":
        return [] if quantize == "none" else [
            f"quantize: --quantize {quantize} quantizes a conversion, and there is none here "
            "(use --convert tflite or --convert onnx)"]
    problems = quant.check_quantize(quantize, conversion)
    if problems:
        return problems
    allowed = ", ".join([*converters_for(kind), "none"])
    if conversion not in CONVERTERS:
        return [f"conversion: no converter {conversion!r} is installed (allowed: {allowed})"]
    try:
        converter = get_converter(conversion)
    except DeployError as exc:
        return exc.violations
    if kind in converter.kinds or (quantize != "none" and kind in converter.requantizes):
        return []
    takes = " or ".join(kind_label(k) for k in converter.kinds)
    return [f"conversion: --convert {conversion} is for {takes} models, this is {kind} "
            f"(allowed: {allowed})"]


def check(profile: Profile, target: Target, kb: KnowledgeBase, *, requirements: list[str],
          conversion: str, python: str | None, quantize: str = "none") -> None:
    """Raise one DeployError carrying every violation, if there are any."""
    found = violations(profile, target, kb, requirements=requirements, conversion=conversion,
                       python=python, quantize=quantize)
    found += quantized_runtime_problems(kb, target, conversion, quantize, python)
    if found:
        raise DeployError(found)


def quantized_runtime_problems(kb: KnowledgeBase, target: Target, conversion: str,
                               quantize: str, python: str | None) -> list[str]:
    """Why the knowledge base's runtime for ``conversion`` models quantized as ``quantize``
    (its ``quantized`` rows) cannot run on ``target``: none there for its architecture, or
    no wheel for the Python its image runs (``python``; None, a process target: not
    checked, the service runs in the deploying Python's environment)."""
    if quantize == "none" or conversion == "none":
        return []
    arch = target_arch(target)
    row = kb.quantized(conversion, quantize, arch)
    if row is None:
        return []  # not known: assumed to run, as unknown wheels are
    runtime = f"{row['package']} {row['version']}"
    if not row["available"]:
        return [f"quantize: {conversion} {quantize} has no runtime for {arch} on target "
                f"{target.name!r} ({row.get('note') or runtime})"]
    pythons = [p.strip() for p in str(row.get("python") or "").split(",") if p.strip()]
    runs = _minor(python)  # None: a process target, in the Python the service runs in here
    if pythons and runs and runs not in pythons:
        return [f"quantize: {runtime}, which runs {conversion} {quantize} models, has wheels "
                f"for {arch} for Python {', '.join(pythons)} only, and target "
                f"{target.name!r} runs Python {runs} (--base-image with one of those Pythons)"]
    return []


def loading_problems(model_dir: Path, profile: Profile, conversion: str) -> tuple[Any, list[str]]:
    """The bundle's model, read by ``load_model``; or why it cannot be, and why the
    prediction service would refuse the skops file it serves (its trust rule has no
    stratum_jupyter types: the service runs without the package)."""
    from ..bundle import load_model

    try:
        model = load_model(model_dir)
    except Exception as exc:  # a format's loader raises whatever its library raises
        return None, [f"model: {model_dir} cannot be loaded: {exc}"]
    model_file = model_dir / str(profile.get("model_file") or "model.skops")
    if conversion == "none" and model_file.suffix == ".skops" and model_file.is_file():
        refused = trust.audit(model_file)[1]
        if refused:
            return model, [f"model: the prediction service does not trust types in "
                           f"{model_file.name}: {', '.join(refused)}"]
    return model, []


def model_problems(model_dir: Path, profile: Profile, conversion: str, *,
                   quantize: str = "none", tolerance: str | dict[str, float] | None = None,
                   sample: str | Path | None = None) -> tuple[Converted | None, list[str]]:
    """Load the bundle's model and, for a conversion that takes it, convert and verify it
    (quantized as ``quantize`` says, held to ``tolerance``, on the ``sample`` file or the
    bundle's own sample; nothing is written): the converted model, or every reason it
    cannot be deployed."""
    model, problems = loading_problems(model_dir, profile, conversion)
    kind = str(profile.get("kind") or "sklearn")
    if model is None or conversion == "none" or conversion_problems(kind, conversion,
                                                                    quantize):
        return None, problems
    try:
        given = read_sample(sample, profile) if sample is not None else None
        return convert_model(conversion, model, profile, quantize=quantize,
                             tolerance=tolerance, sample=given), problems
    except DeployError as exc:
        return None, [*problems, *exc.violations]


def auto_conversion(target: Target, kind: str, quantize: str = "none") -> str:
    """``--convert auto``: the target's conversion where it takes this kind of model, else
    another converter that does; ``none`` for targets that need none. With ``--quantize``,
    the converter that offers that quantization and takes this kind (even on a target that
    needs no conversion)."""
    if quantize != "none":
        offered = [name for name, q in quant.FORMAT_QUANTIZATIONS.items() if quantize in q
                   and name in CONVERTERS and (kind in get_converter(name).kinds
                                               or kind in get_converter(name).requantizes)]
        if offered:
            return offered[0]
    if target.conversion == "none":
        return "none"
    names = converters_for(kind)
    if target.conversion in names:
        return target.conversion
    return names[0] if names else "none"


def target_quantize(target: Target, kind: str, convert: str,
                    quantize: str | None) -> tuple[str, str]:
    """``(quantization, what the log says)``: ``quantize`` when given (an explicit
    ``--quantize`` wins, said nothing); else the target's default (``quantize`` in its
    catalog entry) where the conversion this model gets (``convert``, ``auto``:
    :func:`auto_conversion`) offers it, else ``none``, said either way."""
    if quantize is not None:
        return quantize, ""
    default = target.quantize
    if default == "none" or convert == "none":
        return "none", ""
    fmt = auto_conversion(target, kind, default) if convert == "auto" else convert
    takes = fmt in CONVERTERS and (kind in get_converter(fmt).kinds
                                   or kind in get_converter(fmt).requantizes)
    if takes and default in quant.FORMAT_QUANTIZATIONS.get(fmt, ()):
        return default, (f"quantize {default}: the target's default; --quantize none to keep "
                         "float32")
    why = f"this {kind} model's {fmt} conversion" if fmt != "none" else \
        f"a {kind} model, which {target.name} runs unconverted"
    return "none", (f"quantize none: the target's default {default} does not apply to {why}, "
                    "which stays float32")


def converted_model(model_dir: Path, profile: Profile, conversion: str, target: Target,
                    quantize: str, quantize_note: str, tolerance: str | dict[str, float] | None,
                    sample: str | Path | None) -> tuple[Converted | None, list[str]]:
    """:func:`model_problems`; a refused conversion quantized by the target's default
    (``quantize_note`` from :func:`target_quantize`) says how to keep it float32."""
    converted, problems = model_problems(
        model_dir, profile, conversion, quantize=quantize, tolerance=tolerance, sample=sample)
    if problems and quantize_note and quantize != "none":
        problems.append(f"quantize: {quantize} was {target.name}'s default; --quantize none "
                        "keeps the conversion float32")
    return converted, problems
