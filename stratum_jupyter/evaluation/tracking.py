"""Experiment tracking in MLflow, opt-in (``mlflow=`` / ``--mlflow [URI]``).

One parent run per evaluation (the spec as an artifact, the evaluation's settings as
parameters, the best configuration's mean scores as metrics, and its held-out scores as
``test_<metric>`` with ``evaluation.test``), one nested run per
configuration (its parameters, or an ensemble's members; every metric's mean and standard
deviation under the leaderboard's names, and its value on each fold as ``<metric>_fold``
with the fold as the step), and the best model logged with its signature and an input
example, registered under the experiment's name when the store has a model registry.

Reading a file store back with MLflow 3 (``mlflow ui --backend-store-uri ./mlruns``,
``MlflowClient``) needs ``MLFLOW_ALLOW_FILE_STORE=true`` in the environment, as MLflow says.
MLflow is an optional extra (``pip install stratum-jupyter[mlflow]``), imported only here,
only when tracking is asked for.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EvaluationError

if TYPE_CHECKING:
    from .results import ConfigResult, EvaluationResult

DEFAULT_STORE = "mlruns"  # under the working directory, as MLflow's own default
EXAMPLE_ROWS = 5
# MLflow 3 keeps its file store in maintenance and refuses it unless this is "true": a file
# store asked for (or the default) is used with it set, for the time of the logging only.
ALLOW_FILE_STORE = "MLFLOW_ALLOW_FILE_STORE"


def tracking_uri(value: str | bool) -> str:
    """The store to log to: ``value`` when it is a URI, else (True, "") a local file store
    ``./mlruns`` (a ``file://`` URI)."""
    if isinstance(value, str) and value:
        return value
    return (Path.cwd() / DEFAULT_STORE).resolve().as_uri()


def _mlflow() -> Any:
    try:
        import mlflow
    except ImportError:
        raise EvaluationError("mlflow: MLflow is not installed (allowed: pip install "
                              "'stratum-jupyter[mlflow]', or leave --mlflow out)") from None
    return mlflow


def log_evaluation(result: EvaluationResult, uri: str | bool) -> dict[str, Any]:
    """Log ``result`` to the MLflow store at ``uri`` (see :func:`tracking_uri`); returns
    ``{"tracking_uri", "experiment", "run_id", "model_uri", "registered"}`` (``model_uri``
    None without a best model; ``registered``: the registered model's name and version,
    or why it was not registered). The process's own tracking URI is left as it was."""
    mlflow = _mlflow()
    store = tracking_uri(uri)
    experiment = _experiment_name(result)
    from mlflow.tracking import is_tracking_uri_set

    previous = mlflow.get_tracking_uri() if is_tracking_uri_set() else None
    mlflow.set_tracking_uri(store)
    allowed = os.environ.get(ALLOW_FILE_STORE)
    if _is_file_store(store) and allowed is None:
        os.environ[ALLOW_FILE_STORE] = "true"
    try:
        mlflow.set_experiment(experiment)
        with mlflow.start_run(run_name=f"stratum evaluate {experiment}") as parent:
            _log_parent(mlflow, result)
            for res in result.results:
                with mlflow.start_run(run_name=res.config.label, nested=True):
                    _log_config(mlflow, res, result.metrics)
            model_uri, registered = _log_best(mlflow, result, experiment)
        return {"tracking_uri": store, "experiment": experiment,
                "run_id": parent.info.run_id, "model_uri": model_uri,
                "registered": registered}
    finally:
        mlflow.set_tracking_uri(previous)
        if allowed is None:
            os.environ.pop(ALLOW_FILE_STORE, None)


def _is_file_store(uri: str) -> bool:
    return uri.startswith("file:") or "://" not in uri and ":" not in uri[2:]


def _experiment_name(result: EvaluationResult) -> str:
    name = getattr(result.spec, "name", None)
    return f"stratum {name}" if name else f"stratum {result.task}"


def _log_parent(mlflow: Any, result: EvaluationResult) -> None:
    spec = result.spec.to_dict() if hasattr(result.spec, "to_dict") else result.spec
    if spec is not None:
        mlflow.log_dict(spec, "spec.json")
    mlflow.log_params({"task": result.task, "metrics": ",".join(result.metrics),
                       "select_by": result.select_by, "splitter": result.splitter,
                       "n_folds": result.n_folds, "configurations": len(result.results)})
    mlflow.log_dict(result.to_dict(), "evaluation.json")
    if result.best is not None:
        mlflow.set_tag("best", result.best.candidate)
        mlflow.log_metrics(_finite(result.best.metrics["mean"]))
    if result.test:  # the held-out part (evaluation.test): the selected model, scored once
        mlflow.log_params({"test_rows": result.test["rows"], "test_split": result.test["split"]})
        mlflow.log_metrics(_finite({f"test_{m}": v for m, v in result.test["scores"].items()}))


def _key(name: str) -> str:
    """A parameter name MLflow accepts (letters, digits, ``_-. /``)."""
    return re.sub(r"[^0-9A-Za-z_\-. /]", "_", name)


def _log_config(mlflow: Any, res: ConfigResult, metrics: list[str]) -> None:
    params: dict[str, Any] = {"candidate": res.config.candidate}
    params.update({_key(k): repr(v) for k, v in res.config.params.items()})
    if res.config.members:
        params["members"] = "; ".join(res.config.members)
    mlflow.log_params(params)
    mlflow.set_tag("kind", "ensemble" if res.config.members else "single")
    if res.failure is not None:
        mlflow.set_tags({"status": "failed", "error": res.failure.error[:5000]})
        return
    mlflow.set_tag("status", "ok")
    values = {m: res.mean(m) for m in metrics} | {f"{m}_std": res.std(m) for m in metrics}
    mlflow.log_metrics(_finite(values))
    for metric in metrics:
        for fold, value in enumerate(res.fold_values(metric)):
            if math.isfinite(value):
                mlflow.log_metric(f"{metric}_fold", value, step=fold)


def _finite(values: dict[str, float]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items() if math.isfinite(v)}


def _serialization(model: Any) -> dict[str, Any]:
    """skops (MLflow's default) trusting what the bundle's trust rule trusts
    (:mod:`..serving.trust`: scikit-learn, NumPy, SciPy...); cloudpickle for a model that
    rule would refuse."""
    import skops.io

    from ..serving.trust import audit

    try:
        untrusted, refused = audit(skops.io.dumps(model))
    except Exception:  # skops cannot write it
        return {"serialization_format": "cloudpickle"}
    if refused:
        return {"serialization_format": "cloudpickle"}
    return {"serialization_format": "skops", "skops_trusted_types": untrusted}


def _log_best(mlflow: Any, result: EvaluationResult, experiment: str
              ) -> tuple[str | None, str | None]:
    """Log the best model (scikit-learn flavour) with its signature and input example;
    register it when the store has a registry."""
    if result.best is None or result.X is None:
        return None, None
    import mlflow.sklearn
    from mlflow.models import infer_signature

    example = result.X[:EXAMPLE_ROWS] if not hasattr(result.X, "iloc") \
        else result.X.iloc[:EXAMPLE_ROWS]
    model = result.best.model
    signature = infer_signature(example, model.predict(example))
    info = mlflow.sklearn.log_model(model, name="model", signature=signature,
                                    input_example=example, **_serialization(model))
    try:
        version = mlflow.register_model(info.model_uri, _key(experiment))
        registered = f"{version.name} version {version.version}"
    except Exception as exc:  # a store without a model registry
        registered = f"not registered: {type(exc).__name__}: {exc}"
    return info.model_uri, registered
