"""Write a model bundle: the model without pickle, its profile, pinned requirements."""

from __future__ import annotations

import json
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from . import profile as prof

PROFILE_FORMAT = "stratum-model/1"


def _model_kind(model: Any) -> str:
    from ..keras.persist import is_keras

    return "keras" if is_keras(model) else "sklearn"


def _estimator_classes(model: Any) -> list[str]:
    steps = getattr(model, "steps", None)
    objs = [s for _, s in steps] if steps else [model]
    return [f"{type(o).__module__}.{type(o).__qualname__}" for o in objs]


def requirements_for(model: Any, X: Any) -> list[str]:
    """Pinned distributions the model needs at prediction time (``name==version``)."""
    needed = ["scikit-learn", "numpy", "scipy", "skops"]
    if hasattr(X, "columns"):
        needed.append("pandas")
    roots = {name.split(".")[0] for name in _estimator_classes(model)}
    dists = metadata.packages_distributions()
    for root in sorted(roots):
        for dist in dists.get(root, []):
            if dist not in needed and dist != "stratum-jupyter":
                needed.append(dist)
    if _model_kind(model) == "keras":
        # whichever TensorFlow distribution is installed (tensorflow, tensorflow-cpu, ...)
        needed += [d for d in dists.get("tensorflow", []) if d not in needed] + ["keras"]
    pinned = []
    for dist in needed:
        try:
            pinned.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            continue
    return pinned


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

    ``metrics`` is ``{"mean": {m: v}, "std": {m: v}, "folds": {m: [v, ...]}}``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    kind = _model_kind(model)
    if kind == "keras":
        from ..keras.persist import save_keras_model

        model_file = save_keras_model(model, directory)
    else:
        import skops.io

        model_file = directory / "model.skops"
        skops.io.dump(model, model_file)
    classes = getattr(model, "classes_", None)
    schema = prof.input_schema(X)
    if y is not None:
        schema["target"] = str(getattr(y, "name", None) or "target")
    if classes is not None:
        schema["classes"] = [c.item() if hasattr(c, "item") else c for c in classes]
    start = time.perf_counter()
    latency = prof.predict_latency(model, X)
    profile = {
        "format": PROFILE_FORMAT,
        "created_at": prof.now_iso(),
        "kind": kind,
        "model_file": model_file.name,
        "task": task or (spec or {}).get("task"),
        "candidate": candidate,
        "estimator": _estimator_classes(model),
        "params": params or {},
        "select_by": select_by,
        "metrics": metrics or {},
        "fit_time_s": fit_time_s,
        "predict_latency": latency,
        "model_size_bytes": model_file.stat().st_size if model_file.is_file() else
        sum(p.stat().st_size for p in model_file.rglob("*") if p.is_file()),
        "input_schema": schema,
        "sample_rows": prof.sample_rows(X),
        "data_fingerprint": prof.data_fingerprint(X, y),
        "needs_gpu": False,
        "libraries": prof.library_versions(),
        "environment": prof.environment(),
        "spec": spec,
        "profiling_s": round(time.perf_counter() - start, 4),
        **(extra or {}),
    }
    (directory / "profile.json").write_text(json.dumps(profile, indent=2, default=_json_default)
                                            + "\n", encoding="utf-8")
    (directory / "requirements.txt").write_text(
        "\n".join(requirements_for(model, X)) + "\n", encoding="utf-8")
    if leaderboard is not None:
        leaderboard.to_csv(directory / "leaderboard.csv", index=False)
    return directory


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return repr(value)
