"""Write a model bundle: the model without pickle, its profile, pinned requirements."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from . import profile as prof
from .formats import ModelFormat, format_for
from .profile import Profile
from .verify import check_reload

PROFILE_FORMAT = "stratum-model/1"
SKOPS_FILES = ("skops", "keras")
"""The formats that write a skops file (whose loading needs scikit-learn and skops)."""


def _estimator_classes(model: Any) -> list[str]:
    steps = getattr(model, "steps", None)
    objs = [s for _, s in steps] if steps else [model]
    return [f"{type(o).__module__}.{type(o).__qualname__}" for o in objs]


def _held_libraries(model: Any) -> set[str]:
    """The packages of the estimators that blocks hold fitted (``model_``): the library
    under a gradient-boosting block (``xgboost``)."""
    steps = getattr(model, "steps", None)
    held = (getattr(o, "model_", None) for o in ([s for _, s in steps] if steps else [model]))
    return {type(m).__module__.split(".")[0] for m in held if m is not None}


def requirements_for(model: Any, X: Any, fmt: ModelFormat | None = None) -> list[str]:
    """Pinned distributions the model needs at prediction time (``name==version``): a skops
    file's scikit-learn stack, else only what its format names (onnxruntime, TensorFlow)."""
    fmt = fmt or format_for(model)
    needed = ["scikit-learn", "numpy", "scipy", "skops"] if fmt.name in SKOPS_FILES else []
    if hasattr(X, "columns"):
        needed.append("pandas")
        if any(type(t).__name__ == "ArrowDtype" for t in X.dtypes):
            needed.append("pyarrow")  # the service builds the pyarrow-backed columns
    roots = {name.split(".")[0] for name in _estimator_classes(model)} - {"stratum_jupyter"}
    roots |= _held_libraries(model)
    dists = metadata.packages_distributions()
    for root in sorted(roots):
        for dist in dists.get(root, []):
            if dist not in needed and dist != "stratum-jupyter":
                needed.append(dist)
    needed += [d for d in fmt.requirements() if d not in needed]
    pinned = []
    for dist in needed:
        try:
            pinned.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return pinned


def _schema(model: Any, X: Any, y: Any) -> dict[str, Any]:
    schema = prof.input_schema(X)
    if y is not None:
        schema["target"] = str(getattr(y, "name", None) or "target")
    classes = getattr(model, "classes_", None)
    if classes is not None:
        schema["classes"] = [c.item() if hasattr(c, "item") else c for c in classes]
    return schema


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _profile(model: Any, fmt: ModelFormat, model_file: Path, X: Any, y: Any,
             made: dict[str, Any]) -> Profile:
    """The profile of a saved model; ``made`` is how it was made (save_bundle's keywords;
    save_model's ``input_schema``, ``samples`` (profile keys of the sample instances) and
    ``libraries`` (more distributions whose versions to record))."""
    spec = made.get("spec")
    start = time.perf_counter()
    return {
        "format": PROFILE_FORMAT,
        "created_at": prof.now_iso(),
        "kind": fmt.kind,
        "model_file": model_file.name,
        "task": made.get("task") or (spec or {}).get("task"),
        "candidate": made.get("candidate"),
        "estimator": _estimator_classes(model),
        "params": made.get("params") or {},
        "select_by": made.get("select_by"),
        "metrics": made.get("metrics") or {},
        "fit_time_s": made.get("fit_time_s"),
        "predict_latency": prof.predict_latency(model, X),
        "model_size_bytes": _size(model_file),
        # save_model's tensor and image models bring their own schema and samples
        "input_schema": made.get("input_schema") or _schema(model, X, y),
        "sample_rows": prof.sample_rows(X) if made.get("samples") is None else [],
        "data_fingerprint": prof.data_fingerprint(X, y),
        "needs_gpu": False,
        "libraries": prof.library_versions(tuple(made.get("libraries") or ())),
        "environment": prof.environment(),
        "spec": spec,
        "profiling_s": round(time.perf_counter() - start, 4),
        **(made.get("samples") or {}),
        **(made.get("extra") or {}),
    }


def save_bundle(
    model: Any,
    directory: str | Path,
    *,
    X: Any,
    y: Any = None,
    task: str | None = None,
    spec: dict[str, Any] | None = None,
    candidate: str | None = None,
    params: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    select_by: str | None = None,
    fit_time_s: float | None = None,
    leaderboard: Any = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Save ``model`` (fitted) and what is known of how it was made into ``directory``.

    ``metrics`` is ``{"mean": {m: v}, "std": {m: v}, "folds": {m: [v, ...]}}``. The model
    is written by the registered format that claims it (:mod:`.formats`).
    """
    directory = Path(directory)
    fmt = format_for(model)  # a model no format writes is refused before any file is made
    directory.mkdir(parents=True, exist_ok=True)
    model_file = _save_model(model, fmt, directory, X)
    made = {"task": task, "spec": spec, "candidate": candidate, "params": params,
            "metrics": metrics, "select_by": select_by, "fit_time_s": fit_time_s,
            "extra": extra}
    write_profile(model, fmt, model_file, X, y, made)
    if leaderboard is not None:
        leaderboard.to_csv(directory / "leaderboard.csv", index=False)
    return directory


def write_profile(model: Any, fmt: ModelFormat, model_file: Path, X: Any, y: Any,
                  made: dict[str, Any], requirements: tuple[str, ...] = ()) -> None:
    """``profile.json`` and ``requirements.txt`` beside ``model_file`` (:func:`_profile`'s
    ``made`` keys; ``requirements``: distributions needed beyond the format's)."""
    directory = model_file.parent
    profile = _profile(model, fmt, model_file, X, y, made)
    (directory / "profile.json").write_text(profile_json(profile), encoding="utf-8")
    pinned = requirements_for(model, X, fmt)
    for dist in requirements:
        try:
            pinned.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    (directory / "requirements.txt").write_text("\n".join(pinned) + "\n", encoding="utf-8")


def _save_model(model: Any, fmt: ModelFormat, directory: Path, X: Any) -> Path:
    """Write the model into a scratch folder, load it back (:func:`.verify.check_reload`),
    then move its files into ``directory``; the path of its main file there. Nothing of it
    is left in ``directory`` when it does not load back."""
    with tempfile.TemporaryDirectory(prefix=".saving-", dir=directory) as tmp:
        scratch = Path(tmp)
        written = fmt.save(model, scratch)
        check_reload(model, fmt, scratch, prof.sample_data(X))
        move_into(scratch, directory)
    return directory / written.name


def move_into(scratch: Path, directory: Path) -> None:
    """Move every file and folder of ``scratch`` into ``directory``, replacing those there."""
    for path in scratch.iterdir():
        target = directory / path.name
        if target.is_dir():
            shutil.rmtree(target)
        path.replace(target)


def profile_json(profile: Profile) -> str:
    """``profile.json``'s text: strict JSON (RFC 8259), missing values as null; a
    ValueError, never a NaN token, if a value slipped past :func:`.profile.json_value`."""
    return json.dumps(prof.json_value(profile), indent=2, default=_json_default,
                      allow_nan=False) + "\n"


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return repr(value)
