"""Running a prepared :class:`EvaluationPlan` on a Dask cluster.

One :class:`Executor` owns every future it submits: it streams fold results as they
complete, resubmits work lost with a worker under one :class:`RetryPolicy` (fold tasks and
the refit alike), refits the best configuration on all the data, and cancels whatever is
left at the end or on an interrupt, so the cluster stays usable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import batching, diagnose, tasks, warmstart
from . import plan as planning
from .budget import Deadline, report
from .display import Progress
from .graph import FoldGraph
from .inprocess import InProcess
from .leaderboard import leaderboard_frame
from .prepare import EvaluationPlan
from .progress_lines import refit_estimate
from .refitter import Refitter
from .results import (
    Best,
    ConfigResult,
    EvaluationResult,
    Failure,
    best_result,
    passed_over,
    unsaved_reason,
)

OnResult = Callable[[ConfigResult], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often work lost with a worker is submitted again. A user's error never is: it
    comes back as a :class:`tasks.TaskFailure` value, not as a failed future. The last
    attempt rebuilds the data on the cluster even when it looks alive."""

    max_retries: int = 3

    def allows(self, attempt: int) -> bool:
        return attempt <= self.max_retries

    def is_last(self, attempt: int) -> bool:
        return attempt == self.max_retries


class Executor:
    """Evaluate ``plan`` on ``client``; :meth:`run` returns the complete result.

    ``progress`` is told about every finished task and configuration; ``on_result`` is
    called with each configuration once all its folds are in (or it failed)."""

    def __init__(self, client: Any, plan: EvaluationPlan, progress: Progress, *,
                 cluster: dict[str, Any], notes: list[str] | None = None,
                 retry: RetryPolicy = RetryPolicy(), on_result: OnResult | None = None,
                 here: InProcess | None = None):
        self.client, self.plan, self.progress = client, plan, progress
        self.cluster, self.notes, self.retry = cluster, notes or [], retry
        self.on_result, self.here = on_result, here
        self.slots = max(cluster.get("threads") or cluster.get("workers") or 1, 1)
        self.futures: list[Any] = []  # everything submitted: cancelled at the end
        self.results = [ConfigResult(c) for c in plan.graph.configs]
        self.failures: list[Failure] = []
        self.retries: dict[tuple[int, int], int] = {}
        self.node_times: dict[tuple[str, int], float] = {}
        self.leaf_time = 0.0
        self.ensemble_s: float | None = None
        self.grouped = 0  # Dask tasks that ran several fold tasks
        self.chained_fits = 0  # models grown from a smaller one (batching.run_chain)
        self.done = self.total = 0  # (configuration, fold) tasks
        self.deadline = Deadline(plan.search.budget_s)  # evaluation.budget
        self.not_run = ""  # what an adaptive search did not get to (at the budget)
        self.adaptive: Any = None  # the adaptive search (searches/), if the plan has one
        self.diagnose = diagnose.Diagnose(plan)  # predictions kept, importance (diagnose.py)

    def run(self) -> EvaluationResult:
        started = time.perf_counter()
        refitter = None
        graph: FoldGraph | None = None
        try:
            pending = [] if self._adaptive() else self._start()
            if self.here is not None and pending:  # no cluster of the caller's: begin here
                self.here.until = self.deadline
                pending = self.here.run(pending, self._record_one)
                if pending and self.client is None:
                    self._use_local_cluster()
                    self.progress.moved(self.cluster, len(pending))
            if self.adaptive is not None:
                graph, refitter = self._run_adaptive()
            elif pending and self.deadline.passed() and self.here is not None:
                self.here.skipped += len(pending)  # the budget ran out here
            elif pending:
                graph = FoldGraph(self.client, self.plan.graph, self.plan.X, self.plan.y,
                                  list(self.plan.folds), dict(self.plan.scorers), self.futures,
                                  keep_predictions=diagnose.keeps_predictions(self.plan))
                refitter = Refitter(self, graph) if self.plan.refit else None
                self._collect(graph, refitter, pending)
            cv_wall = time.perf_counter() - started
            if self.plan.ensemble is not None:
                self._ensemble(graph)
            diagnosing = diagnose.settings(self.plan).enabled
            if diagnosing:  # the importance tasks run beside the refit
                self.diagnose.start(self.results, self.client, graph)
            best = self._refit(refitter) if self.plan.refit else None
            diagnostics = self.diagnose.finish(self.results, best) if diagnosing else None
        except KeyboardInterrupt:
            pending_futures = [f for f in self.futures if not f.done()]
            self._cancel(self.futures)
            self.progress.interrupted(len(pending_futures))
            raise
        finally:
            self.deadline.disarm()
            self._cancel(self.futures)
            if graph is not None:  # its data off the cluster now, even after an interrupt
                graph.close()
        batching.learn(self.plan, ((r.config.index, s.own_time) for r in self.results
                                   if not r.config.members for s in r.folds.values()))
        if self.here is not None and self.client is None:  # nothing ran on a cluster
            self.here.finished()
        timing = {**self._timing(time.perf_counter() - started, cv_wall),
                  **self._costs(graph)}
        p = self.plan
        return EvaluationResult(
            results=self.results, metrics=list(p.metrics), select_by=p.select_by,
            task=p.task, n_folds=p.n_folds, splitter=p.splitter, spec=p.spec, best=best,
            failures=self.failures, X=p.X, y=p.y, timing=timing, cluster=self.cluster,
            test=self._test(best),
            unsaved=unsaved_reason(self.results, p.n_folds) if p.refit else "",
            diagnostics=diagnostics)

    def _adaptive(self) -> bool:
        """Whether the plan's search is adaptive (:mod:`.searches`): it then runs on the
        cluster (the local one is started for it when none is up)."""
        from .searches import is_adaptive, make

        self.adaptive = make(self.plan) if is_adaptive(self.plan.search.strategy) else None
        if self.adaptive is None:
            return False
        if self.client is None:
            self._use_local_cluster()
        expected = getattr(self.adaptive, "expected", None)
        configs = expected() if callable(expected) else len(self.plan.search.templates)
        self.progress.start(configs=configs, folds=self.plan.n_folds,
                            tasks=configs * self.plan.n_folds, saved=0, cluster=self.cluster,
                            notes=[*self.plan.notes, *self.notes])
        return True

    def _run_adaptive(self) -> tuple[FoldGraph, Refitter | None]:
        from .searches.driver import Driver

        assert self.adaptive is not None
        graph = FoldGraph(self.client, self.plan.graph, self.plan.X, self.plan.y,
                          list(self.plan.folds), dict(self.plan.scorers), self.futures,
                          keep_predictions=diagnose.keeps_predictions(self.plan))
        refitter = Refitter(self, graph) if self.plan.refit else None
        if refitter is not None:
            refitter.prefit()
        Driver(self, graph, self.adaptive, self.deadline, refitter).run()
        left = getattr(self.adaptive, "left_out", None)
        self.not_run = left(self) if callable(left) and self.deadline.reached else ""
        return graph, refitter

    def _start(self) -> list[tuple[int, int]]:
        """Every (configuration, fold) task, earlier folds first; the progress is told."""
        graph_plan, n_folds = self.plan.graph, self.plan.n_folds
        pending = [(leaf.config, f) for f in range(n_folds) for leaf in graph_plan.leaves]
        self.total = len(pending)
        ensembles = 0 if self.plan.ensemble is None else 1  # ranked beside the singles
        chained = batching.chains(self.plan)
        if chained:
            self.notes.append(warmstart.chain_note(self.plan, chained))
        self.notes.extend(warmstart.notes(self.plan))
        self.progress.start(configs=len(graph_plan.configs) + ensembles, folds=n_folds,
                            tasks=len(pending),
                            saved=graph_plan.saved_fits * n_folds, cluster=self.cluster,
                            notes=[*self.plan.notes, *self.notes])
        return pending

    def _use_local_cluster(self) -> None:
        from . import cluster as clusters

        self.client = clusters.local_client()
        clusters.check_workers(self.client)
        self.cluster = clusters.describe(self.client)
        self.slots = max(self.cluster.get("threads") or self.cluster.get("workers") or 1, 1)

    def _cancel(self, futures: list[Any]) -> None:
        if futures:
            try:
                self.client.cancel(futures)
            except Exception:  # a closed client has nothing left to release
                pass

    # -- the folds ---------------------------------------------------------------------------
    def _collect(self, graph: FoldGraph, refitter: Refitter | None,
                 pending: list[tuple[int, int]]) -> None:
        from distributed import as_completed

        units = {graph.group(configs, fold): (fold, configs)
                 for fold, configs in batching.groups(self.plan, pending, self.slots)}
        self.grouped += sum(1 for _, configs in units.values() if len(configs) > 1)
        self.chained_fits += sum(len(configs) - 1 for _, configs in units.values()
                                 if isinstance(configs, batching.Chain))
        graph.release_nodes()  # the fold nodes live as long as their tasks need them
        if refitter is not None:
            refitter.prefit()
        stream = as_completed(list(units), loop=self.client.loop, with_results=True,
                              raise_errors=False)
        self.deadline.arm(self.client, lambda: [*units, *graph.nodes.values()])
        for fut, value in stream:
            fold, configs = units.pop(fut)
            if isinstance(value, BaseException) and self.deadline.passed():
                continue  # cancelled at the budget: never resubmitted
            if isinstance(value, BaseException):
                again = self._resubmit(graph, configs, fold)
                if again is not None:
                    units[again] = (fold, configs)
                    stream.add(again)
                    continue
                value = tasks.TaskFailure("cluster", f"{type(value).__name__}: {value}", "")
            values = value if len(configs) > 1 and isinstance(value, list) \
                else [value] * len(configs)
            for config, one in zip(configs, values, strict=True):
                self._record_one(config, fold, one)
            graph.sample_memory()
            if refitter is not None and len(units) < self.slots:  # a worker would sit idle
                # The leader so far, folds still running included: the last results often
                # complete the configuration that ends up best.
                refitter.speculate(best_result(self.results, self.plan.select_by, 1))
        self.deadline.disarm()  # the folds are over: the refit is not counted

    def _resubmit(self, graph: FoldGraph, configs: list[int], fold: int) -> Any:
        """A new future for (configurations, fold) lost with a worker, or None when the
        retry policy gives up. The cluster's lost data is rebuilt first."""
        attempt = 1 + max(self.retries.get((c, fold), 0) for c in configs)
        self.retries.update({(c, fold): attempt for c in configs})
        if not self.retry.allows(attempt):
            return None
        graph.refresh(force=self.retry.is_last(attempt))
        return graph.group(configs, fold, attempt)

    def _record_one(self, config: int, fold: int, value: Any) -> None:
        self.done += 1
        self.progress.task_done(self.done, self.total)
        self._record(config, fold, value)

    def _record(self, config: int, fold: int, value: Any) -> None:
        res = self.results[config]
        if isinstance(value, tasks.TaskFailure):
            if res.failure is None:
                res.failure = Failure(res.config.candidate, res.config.params, fold,
                                      value.step, value.error, value.traceback)
                self.failures.append(res.failure)
                self._config_done(res)
            return
        res.folds[fold] = value
        self.progress.fold_done(res, self.plan.n_folds)
        self.leaf_time += value.own_time
        self.node_times.update({(k, fold): t for k, t in value.prefix_times.items()})
        if res.failure is None and len(res.folds) == self.plan.n_folds:
            self._config_done(res)

    def _config_done(self, res: ConfigResult) -> None:
        p = self.plan
        # The ranking of all results so far costs ~10 ms: only for a display that shows it.
        board = leaderboard_frame(self.results, list(p.metrics), p.select_by,
                                  complete=p.n_folds) if self.progress.wants_board else None
        self.progress.config_done(res, board, list(p.metrics), p.select_by)
        self.diagnose.done(res)
        if self.on_result is not None:
            self.on_result(res)

    # -- the ensemble (evaluation/ensemble.py) ----------------------------------------------
    def _ensemble(self, graph: FoldGraph | None) -> None:
        """The ensemble as one more configuration; with no graph (every fold task ran in
        this process), its own tasks run here too."""
        from .ensemble import evaluate_ensemble

        start = time.perf_counter()
        client = self.client if graph is not None else None
        res = evaluate_ensemble(client, self.plan, graph, self.results, self.futures)
        self.ensemble_s = time.perf_counter() - start
        self.diagnose.release(self.results)  # only the diagnostics' own keep theirs
        self.results.append(res)
        if res.failure is not None:
            self.failures.append(res.failure)
        self._config_done(res)

    # -- the refit ---------------------------------------------------------------------------
    def _refit(self, refitter: Refitter | None) -> Best | None:
        res = best_result(self.results, self.plan.select_by, self.plan.n_folds)
        if res is None:
            return None
        X = self.plan.X
        rows = X.shape[0] if hasattr(X, "shape") else len(X)  # a sparse matrix has no len
        self.progress.refit_start(res, rows, refit_estimate(
            res, rows, [len(train) for train, _ in self.plan.folds]))
        if refitter is None or self.deadline.reached:  # everything ran here, or the
            # workers may still be inside fits cancelled at the budget: refitted here
            return self._best(res, tasks.refit(X, self.plan.y, planning.library_of(
                res.config.pipeline), res.config.pipeline))
        future, attempt = refitter.future_for(res.config), 0
        while True:
            try:
                value = future.result()
                break
            except Exception:  # lost with a worker (user errors come back as values)
                attempt += 1
                if not self.retry.allows(attempt):
                    raise
                refitter.graph.refresh()
                future = refitter.submit(res.config, use_ahead=False)
        return self._best(res, value)

    def _best(self, res: ConfigResult, value: Any) -> Best | None:
        if isinstance(value, tasks.TaskFailure):
            self.failures.append(Failure(res.config.candidate, res.config.params, None,
                                         value.step, value.error, value.traceback))
            return None
        model, fit_time = value
        p = self.plan
        if p.arrow:  # predict takes the pyarrow-backed rows it was trained on too
            from ..catalog.arrowtypes import with_front_step

            model = with_front_step(model)
        return Best.of(res, list(p.metrics), model, fit_time,
                       passed_over(self.results, res, p.select_by, p.n_folds))

    def _test(self, best: Best | None) -> dict[str, Any]:
        """The held-out part (``evaluation.test``): its rows, how it was split and, once a
        model was selected, that model (refitted on the rest) scored once on it with every
        metric, here (a few rows: one prediction per metric); ``{}`` without one."""
        test = self.plan.test
        if test is None:
            return {}
        out: dict[str, Any] = {"rows": test.rows, "split": test.how, "scores": {},
                               "notes": {}}
        if best is not None:
            runner = tasks.runner_for(planning.library_of(best.model))
            out["scores"], out["notes"] = runner.score_each(
                best.model, dict(self.plan.scorers), test.X, test.y)
        return out

    def _costs(self, graph: FoldGraph | None) -> dict[str, Any]:
        """What the budget left out (said in the log when it was reached) and what the
        cluster's part cost (data sent, memory)."""
        out: dict[str, Any] = {} if graph is None else graph.costs()
        if self.deadline.seconds is not None:
            out["budget"] = report(self.deadline, self.results, self.plan.n_folds,
                                   self.here.skipped if self.here is not None else 0,
                                   self.not_run)
            if self.deadline.reached:
                self.progress.note(out["budget"]["text"])
        return out

    def _timing(self, wall: float, cv_wall: float) -> dict[str, Any]:
        graph_plan, n_folds = self.plan.graph, self.plan.n_folds
        unique_work = self.leaf_time + sum(self.node_times.values())
        return {"wall_s": round(wall, 4), "cv_wall_s": round(cv_wall, 4),
                "unique_work_s": round(unique_work, 4),
                "parallel_efficiency": round(unique_work / (self.slots * cv_wall), 4)
                if cv_wall > 0 else None,
                "tasks": len(graph_plan.leaves) * n_folds + (len(graph_plan.nodes) + 1) * n_folds,
                "saved_fits": graph_plan.saved_fits * n_folds, "workers": self.slots,
                "resubmitted": sum(self.retries.values()),
                "in_process_tasks": self.here.ran if self.here is not None else 0,
                "grouped_tasks": self.grouped,
                "chained_fits": self.chained_fits
                + (self.here.chained_fits if self.here is not None else 0),
                **({} if self.ensemble_s is None else {"ensemble_s": round(self.ensemble_s, 4)})}
