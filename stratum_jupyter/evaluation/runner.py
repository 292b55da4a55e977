"""``evaluate()``: cross-validate candidates on a Dask cluster and rank them.

The data goes to the workers once (scattered to every worker, so losing one loses no
input); each fold is sliced once; every shared prefix node is fitted once per fold; final
estimators are fitted and scored as soon as their prefix is ready, and their results stream
back as they complete. The best configuration is then refitted on all the data (on the
rest when ``evaluation.test`` holds a part out, which it is then scored on once).

The work is split in three: :func:`prepare.prepare` decides everything (an immutable plan),
:func:`cluster.get_client` picks the cluster, :class:`executor.Executor` runs the plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import batching
from . import cluster as clusters
from .display import make_progress
from .executor import Executor, OnResult
from .inprocess import InProcess
from .prepare import EvaluationPlan, Options, prepare
from .results import EvaluationResult

# Where an evaluation with no cluster up yet begins (see inprocess.py).
IN_PROCESS = {"scheduler": None, "dashboard": None, "workers": 0, "threads": 1,
              "in_process": True}


def evaluate(
    spec_or_candidates: Any,
    X: Any = None,
    y: Any = None,
    *,
    client: Any = None, scheduler: str | None = None,
    spec: Any = None, task: str | None = None,
    metrics: list[str] | Mapping[str, Any] | None = None, select_by: str | None = None,
    pos_label: Any = None,
    cv: Any = None, groups: Any = None, order_by: str | None = None,
    random_state: int | None = None,
    search: str | Mapping[str, str] | None = None,
    n_iter: int | Mapping[str, int] | None = None,
    n_trials: int | None = None, budget: str | float | None = None,
    halving: Mapping[str, Any] | None = None, bayes: Mapping[str, Any] | None = None,
    refit: bool = True, ensemble: Any = None, test: Any = None,
    mlflow: str | bool | None = None, adapt: tuple[int, int] | None = None,
    out: str | Path | None = None, run_dir: str | Path | None = None,
    display: str | None = "auto", on_result: OnResult | None = None,
) -> EvaluationResult:
    """Evaluate a spec, or ``{name: (pipeline, grid)}``, on a Dask cluster.

    ``spec_or_candidates`` is a :class:`PipelineSpec` (or YAML/JSON text, a path, a mapping
    of spec data) or the ``candidates`` dict of a generated notebook. With a dict, ``spec``
    may supply the task, metrics, folds and search settings; the explicit keywords override
    both (``pos_label``: the positive class of a binary target, as ``evaluation.pos_label``).
    ``X``/``y`` default to the spec's data source. ``cv``, ``groups``, ``order_by``: the
    folds (see :class:`Options`). The cluster is ``client``, else ``scheduler`` (an address),
    else the current client, else ``STRATUM_SCHEDULER``, else a LocalCluster started once
    per process (until it is up, and for work too small to send out, folds run here).
    ``search`` (grid | random | halving | bayes), ``halving``, ``bayes``, ``n_trials``,
    ``budget`` (``"10m"``, seconds): ``evaluation``'s fields (docs/spec.md). ``out``: the run
    folder: the best model is also saved to ``out/best`` (bayes keeps its study there);
    ``run_dir``: a run folder whose best model the caller saves (the magic's and the CLI's
    ``--out``): only the search's state is kept there. ``display``: auto | widget | text |
    none. ``on_result`` is called with each configuration's result as soon as all its folds
    are in. ``ensemble``: ``evaluation.ensemble`` (a mapping, a method name, False: none).
    ``mlflow``: also log to MLflow (a URI, True: ``./mlruns``; runs in ``result.tracking``).
    ``test``: ``evaluation.test`` (a fraction, :func:`.testsplit.split_test`'s pair, False).

    Raises ``SpecError`` for an invalid spec or metrics that do not fit the data
    (``MetricError``) and :class:`EvaluationError` for input that cannot be evaluated
    (:func:`prepare.prepare`), before any task is submitted; a failing configuration is not
    an error (``EvaluationResult.failures``), nor is a metric that fails on a fold (NaN,
    and the leaderboard's ``notes`` say why)."""
    options = Options(spec=spec, task=task, metrics=metrics, select_by=select_by, cv=cv,
                      random_state=random_state, search=search, n_iter=n_iter, refit=refit,
                      pos_label=pos_label, ensemble=ensemble, groups=groups, order_by=order_by,
                      test=test, halving=halving, bayes=bayes, n_trials=n_trials,
                      budget=budget, out=out if out is not None else run_dir)
    plan = prepare(spec_or_candidates, X, y, options)
    progress = make_progress(display)
    result = _execute(plan, progress, client, scheduler, adapt, on_result)
    progress.finish(result)
    result = result if mlflow is None or mlflow is False else _track(result, mlflow)
    if out is not None:
        result.save(Path(out) / "best")
    return result


def _execute(plan: EvaluationPlan, progress: Any, client: Any, scheduler: str | None,
             adapt: tuple[int, int] | None, on_result: OnResult | None) -> EvaluationResult:
    """Run ``plan`` where :func:`_where` says, reporting to ``progress``."""
    dask_client, here = _where(plan, client, scheduler, adapt is not None)
    notes = [clusters.adapt(dask_client, *adapt)] if adapt is not None else []
    if dask_client is not None:
        clusters.check_workers(dask_client)
    where = clusters.describe(dask_client) if dask_client is not None else IN_PROCESS
    return Executor(dask_client, plan, progress, cluster=where, notes=notes,
                    on_result=on_result, here=here).run()


def _track(result: EvaluationResult, uri: str | bool) -> EvaluationResult:
    from .tracking import log_evaluation

    tracking = log_evaluation(result, uri)
    model = (f"; best model {tracking['model_uri']} ({tracking['registered']})"
             if tracking["model_uri"] else "")
    print(f"stratum: MLflow run {tracking['run_id']} of experiment "
          f"{tracking['experiment']!r} in {tracking['tracking_uri']}{model}")
    return dataclasses.replace(result, tracking=tracking)


def _where(plan: EvaluationPlan, client: Any, scheduler: str | None, adapting: bool
           ) -> tuple[Any, InProcess | None]:
    """The caller's cluster; else the local one, up (or started: ``adapt`` scales it) and
    an :class:`InProcess` to begin here while it is not up or the work is tiny."""
    chosen = clusters.given_client(client, scheduler)
    if chosen is not None:
        return chosen, None
    if adapting:
        return clusters.local_client(), None
    here = InProcess(plan, lambda config: batching.estimate(plan, config))
    return (clusters.local_client() if clusters.local_state() == "running" else None), here
