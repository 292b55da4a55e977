"""``evaluate()``: cross-validate candidates on a Dask cluster and rank them.

The data goes to the workers once (scattered to every worker, so losing one loses no
input); each fold is sliced once; every shared prefix node is fitted once per fold; final
estimators are fitted and scored as soon as their prefix is ready, and their results stream
back as they complete. The best configuration is then refitted on all the data.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import EvaluationError
from . import cluster as clusters
from . import folds as folding
from . import plan as planning
from . import tasks
from .display import make_progress
from .graph import FoldGraph
from .results import Best, ConfigResult, EvaluationResult, Failure, leaderboard_frame

MAX_RETRIES = 3  # per (configuration, fold), for tasks lost with a worker


def evaluate(
    spec_or_candidates: Any,
    X: Any = None,
    y: Any = None,
    *,
    client: Any = None,
    scheduler: str | None = None,
    spec: Any = None,
    task: str | None = None,
    metrics: list[str] | Mapping[str, Any] | None = None,
    select_by: str | None = None,
    cv: Any = None,
    random_state: int | None = None,
    search: str | Mapping[str, str] | None = None,
    n_iter: int | Mapping[str, int] | None = None,
    refit: bool = True,
    adapt: tuple[int, int] | None = None,
    out: Any = None,
    display: str | None = "auto",
    on_result: Callable[[ConfigResult], None] | None = None,
) -> EvaluationResult:
    """Evaluate a spec, or ``{name: (pipeline, grid)}``, on a Dask cluster.

    ``spec_or_candidates`` is a :class:`PipelineSpec` (or YAML/JSON text, a path, a mapping
    of spec data) or the ``candidates`` dict of a generated notebook. With a dict, ``spec``
    may supply the task, metrics, folds and search settings; the explicit keywords override
    both. ``X``/``y`` default to the spec's data source. The cluster is ``client``, else
    ``scheduler`` (an address), else the current client, else ``STRATUM_SCHEDULER``, else a
    LocalCluster started once per process. ``out``: also save the best model to
    ``out/best``. ``display``: auto | widget | text | none.
    """
    spec, sources = _resolve(spec_or_candidates, spec, search, n_iter)
    ev = spec.evaluation if spec is not None else None
    if X is None:
        X, y = _load_spec_data(spec)
    task = task or (spec.task if spec is not None else _infer_task(sources))
    metric_names, scorers = _scorers(metrics, spec, task)
    select_by = select_by or (spec.select_by if spec is not None and metrics is None
                              else metric_names[0])
    if select_by not in metric_names:
        raise EvaluationError(f"select_by={select_by!r} is not one of the metrics "
                              f"(allowed: {', '.join(metric_names)})")
    if random_state is None and ev is not None:
        random_state = ev.random_state
    holdout = ev.holdout if ev is not None and cv is None else None
    if cv is None and ev is not None:
        cv = ev.cv
    splitter = folding.make_splitter(task, cv, random_state=random_state, holdout=holdout,
                                     y=y)
    try:
        folds = folding.split_indices(splitter, X, y)
    except ValueError as exc:  # e.g. X and y of different lengths, too few rows per class
        raise EvaluationError(f"cannot split the data into folds with {splitter!r}: {exc}"
                              ) from None
    configs = planning.expand(sources, random_state)
    plan = planning.build_plan(configs)

    dask_client = clusters.get_client(client, scheduler)
    progress = make_progress(display)
    notes = []
    if adapt is not None:
        notes.append(clusters.adapt(dask_client, *adapt))
    clusters.check_workers(dask_client)
    info = clusters.describe(dask_client)
    result = _run(dask_client, plan, folds, X, y, scorers, metric_names, select_by,
                  progress, info, notes, refit, on_result)
    result.task, result.spec, result.splitter = task, spec, folding.describe(splitter)
    result._X, result._y = X, y
    progress.finish(result)
    if out is not None:
        from pathlib import Path

        result.save(Path(out) / "best")
    return result


def _resolve(obj: Any, spec: Any, search: Any, n_iter: Any
             ) -> tuple[Any, list[planning.CandidateSource]]:
    from ..spec import PipelineSpec, load_spec

    if spec is not None and not isinstance(spec, PipelineSpec):
        spec = load_spec(spec)
    if isinstance(obj, Mapping) and "candidates" not in obj:
        if spec is not None:  # the spec's search settings, by candidate name
            by_name = {c.name: spec.search_for(c) for c in spec.candidates}
            if search is None:
                search = {n: s for n, (s, _) in by_name.items()}
            if n_iter is None or not isinstance(n_iter, Mapping):
                n_iter = {n: n_iter or k for n, (_, k) in by_name.items()}
        return spec, planning.candidates_from_mapping(obj, search=search or "grid",
                                                      n_iter=n_iter)
    spec = load_spec(obj)
    sources = planning.candidates_from_spec(spec)
    if n_iter is not None:  # an override, e.g. a papermill parameter
        sources = [planning.CandidateSource(s.name, s.pipeline, s.grid, s.search,
                                            n_iter if not isinstance(n_iter, Mapping)
                                            else n_iter.get(s.name, s.n_iter))
                   for s in sources]
    return spec, sources


def _load_spec_data(spec: Any) -> tuple[Any, Any]:
    if spec is None or spec.data is None:
        raise EvaluationError("no data: pass X and y (or --data X y), or give the spec a "
                              "data source (data: {source: ...})")
    from ..catalog import load_data

    d = spec.data
    try:
        return load_data(d.source, d.target, d.features, d.drop)
    except (ValueError, OSError, KeyError) as exc:
        raise EvaluationError(f"data.source {d.source!r}: {exc}") from None


def _infer_task(sources: list[planning.CandidateSource]) -> str:
    from sklearn.base import is_classifier, is_regressor

    final = sources[0].pipeline
    if is_classifier(final):
        return "classification"
    if is_regressor(final):
        return "regression"
    return "clustering"


def _scorers(metrics: Any, spec: Any, task: str) -> tuple[list[str], dict[str, Any]]:
    from ..spec.metrics import DEFAULT_METRIC
    from .scoring import make_scorers

    if isinstance(metrics, Mapping):  # custom scorers, by name
        return list(metrics), dict(metrics)
    names = list(metrics) if metrics else (spec.metrics if spec is not None
                                           else [DEFAULT_METRIC[task]])
    try:
        return names, make_scorers(names)
    except ValueError as exc:
        raise EvaluationError(f"metrics: {exc}") from None


def _run(client: Any, plan: planning.Plan, folds: list[Any], X: Any, y: Any,
         scorers: dict[str, Any], metrics: list[str], select_by: str, progress: Any,
         info: dict[str, Any], notes: list[str], refit: bool,
         on_result: Callable[[ConfigResult], None] | None) -> EvaluationResult:
    from distributed import as_completed

    n_folds = len(folds)
    results = [ConfigResult(c) for c in plan.configs]
    failures: list[Failure] = []
    futures: list[Any] = []
    retries: dict[tuple[int, int], int] = {}
    started = time.perf_counter()
    try:
        graph = FoldGraph(client, plan, X, y, folds, scorers, futures)
        leaves: dict[Any, tuple[int, int]] = {}
        for f in range(n_folds):
            for leaf in plan.leaves:
                leaves[graph.leaf(leaf.config, f)] = (leaf.config, f)
        ahead = graph.prefit() if refit else {}
        progress.start(configs=len(plan.configs), folds=n_folds, tasks=len(leaves),
                       saved=plan.saved_fits * n_folds, cluster=info, notes=notes)
        refitter = _Refitter(client, graph, ahead) if refit else None
        slots = max(info.get("threads") or info.get("workers") or 1, 1)
        node_times: dict[tuple[str, int], float] = {}
        leaf_time = 0.0
        done = 0
        stream = as_completed(list(leaves), loop=client.loop, with_results=True,
                              raise_errors=False)
        for fut, value in stream:
            config, fold = leaves.pop(fut)
            res = results[config]
            if isinstance(value, BaseException):
                # User errors come back as TaskFailure: this is the cluster (a worker died
                # with the result or the data, KilledWorker...). Rebuild what was lost.
                tries = retries[(config, fold)] = retries.get((config, fold), 0) + 1
                if tries <= MAX_RETRIES:
                    graph.refresh(force=tries == MAX_RETRIES)
                    again = graph.leaf(config, fold, tries)
                    leaves[again] = (config, fold)
                    stream.add(again)
                    continue
                value = tasks.TaskFailure("cluster", f"{type(value).__name__}: {value}", "")
            done += 1
            progress.task_done(done, done + len(leaves))
            if isinstance(value, tasks.TaskFailure):
                if res.failure is None:
                    res.failure = Failure(res.config.candidate, res.config.params, fold,
                                          value.step, value.error, value.traceback)
                    failures.append(res.failure)
                    _config_done(res, results, metrics, select_by, n_folds, progress,
                                 on_result)
                continue
            res.folds[fold] = value
            leaf_time += value.own_time
            node_times.update({(k, fold): t for k, t in value.prefix_times.items()})
            if res.failure is None and len(res.folds) == n_folds:
                _config_done(res, results, metrics, select_by, n_folds, progress, on_result)
            if refitter is not None and len(leaves) < slots:  # a worker would sit idle
                refitter.speculate(_leader(results, select_by, n_folds))
        cv_wall = time.perf_counter() - started
        best = _refit(refitter, results, metrics, select_by, failures) if refitter else None
    except KeyboardInterrupt:
        pending = [f for f in futures if not f.done()]
        client.cancel(futures)
        progress.interrupted(len(pending))
        raise
    finally:
        if futures:
            try:
                client.cancel(futures)
            except Exception:  # a closed client has nothing left to release
                pass
    wall = time.perf_counter() - started
    unique_work = leaf_time + sum(node_times.values())
    workers = max(info.get("threads") or info.get("workers") or 1, 1)
    timing = {"wall_s": round(wall, 4), "cv_wall_s": round(cv_wall, 4),
              "unique_work_s": round(unique_work, 4),
              "parallel_efficiency": round(unique_work / (workers * cv_wall), 4)
              if cv_wall > 0 else None,
              "tasks": len(plan.leaves) * n_folds + (len(plan.nodes) + 1) * n_folds,
              "saved_fits": plan.saved_fits * n_folds, "workers": workers,
              "resubmitted": sum(retries.values())}
    return EvaluationResult(results=results, metrics=metrics, select_by=select_by, task="",
                            n_folds=n_folds, splitter="", best=best, failures=failures,
                            timing=timing, cluster=info)


def _config_done(res: ConfigResult, results: list[ConfigResult], metrics: list[str],
                 select_by: str, n_folds: int, progress: Any,
                 on_result: Callable[[ConfigResult], None] | None) -> None:
    board = leaderboard_frame(results, metrics, select_by, complete=n_folds)
    progress.config_done(res, board, metrics, select_by)
    if on_result is not None:
        on_result(res)


def _leader(results: list[ConfigResult], select_by: str, n_folds: int
            ) -> ConfigResult | None:
    """The best configuration among those with every fold in (ties: the earliest)."""
    import math

    best, best_score = None, -math.inf
    for res in results:
        if res.failure is None and len(res.folds) == n_folds:
            score = res.mean(select_by)
            if not math.isnan(score) and score > best_score:
                best, best_score = res, score
    return best


class _Refitter:
    """Refits a configuration on all the data.

    Shared prefixes were fitted on all the data ahead of time (``ahead``), so a refit that
    finds its chain there only fits the final estimator. Once fewer fold tasks remain than
    workers, the current leader is refitted on the idle worker; a new leader replaces it.
    """

    def __init__(self, client: Any, graph: FoldGraph, ahead: dict[str | None, Any]):
        self.client, self.graph, self.plan, self.ahead = client, graph, graph.plan, ahead
        self.current: tuple[int, Any] | None = None

    def _submit(self, config: planning.Config, *, use_ahead: bool = True) -> Any:
        pipeline = config.pipeline
        library = planning.library_of(pipeline)
        parent = self.plan.leaves[config.index].parent
        key = f"stratum-refit-{config.index}-{uuid.uuid4().hex[:8]}"
        if use_ahead and parent is not None and parent in self.ahead:
            future = self.client.submit(tasks.refit_final, self.ahead[parent], library,
                                        pipeline, pure=False, priority=-2, key=key)
        else:
            future = self.client.submit(tasks.refit, self.graph.X, self.graph.y, library,
                                        pipeline, pure=False, priority=-2, key=key)
        self.graph.futures.append(future)
        return future

    def speculate(self, leader: ConfigResult | None) -> None:
        if leader is None or (self.current and self.current[0] == leader.config.index):
            return
        if self.current is not None:
            self.client.cancel([self.current[1]])
        self.current = (leader.config.index, self._submit(leader.config))

    def result(self, config: planning.Config) -> Any:
        """The refit of ``config`` (the best): the speculative one if it guessed right."""
        chain: set[str | None] = {None}
        node = self.plan.leaves[config.index].parent
        while node is not None:
            chain.add(node)
            node = self.plan.nodes[node].parent
        self.client.cancel([f for k, f in self.ahead.items() if k not in chain])
        if self.current is not None and self.current[0] == config.index:
            future = self.current[1]
        else:
            if self.current is not None:
                self.client.cancel([self.current[1]])
            future = self._submit(config)
        for attempt in range(MAX_RETRIES + 1):
            try:
                return future.result()
            except Exception:  # lost with a worker (user errors come back as values)
                if attempt == MAX_RETRIES:
                    raise
                self.graph.refresh()
                future = self._submit(config, use_ahead=False)
        raise AssertionError("unreachable")


def _refit(refitter: _Refitter, results: list[ConfigResult], metrics: list[str],
           select_by: str, failures: list[Failure]) -> Best | None:
    board = leaderboard_frame(results, metrics, select_by)
    ok = board[board["status"] == "ok"]
    if ok.empty:
        return None
    top = ok.iloc[0]
    res = next(r for r in results if r.config.candidate == top["candidate"]
               and r.config.params == top["params"])
    value = refitter.result(res.config)
    if isinstance(value, tasks.TaskFailure):
        failures.append(Failure(res.config.candidate, res.config.params, None, value.step,
                                value.error, value.traceback))
        return None
    model, fit_time = value
    metrics_out = {"mean": {m: res.mean(m) for m in metrics},
                   "std": {m: res.std(m) for m in metrics},
                   "folds": {m: res.fold_values(m) for m in metrics},
                   "fit_time_s": [res.folds[f].fit_time for f in sorted(res.folds)],
                   "score_time_s": [res.folds[f].score_time for f in sorted(res.folds)]}
    return Best(res.config.candidate, res.config.params, metrics_out, model, fit_time)
