"""The ask-and-tell loop of an adaptive search on the cluster (protocol: :mod:`.searches`).

Each (configuration, fold) is one Dask task (no grouping: a configuration can be stopped
alone); prefix nodes are shared by (fold, rows) as in a grid (:class:`..graph.FoldGraph`).
Results stream back in the order they complete; each goes to the executor's record (the
progress and ``on_result``) and then to the search, which may stop configurations (their
queued and running tasks are cancelled) and is asked for more work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import plan as planning
from .. import tasks
from ..results import ConfigResult, best_result
from . import AdaptiveSearch, Outcome, Stop, Work

if TYPE_CHECKING:
    from ..budget import Deadline
    from ..executor import Executor
    from ..graph import FoldGraph
    from ..refitter import Refitter


class Driver:
    """Runs ``search`` with ``executor``'s cluster, results and progress (the
    :class:`.Context` a search is given)."""

    def __init__(self, executor: Executor, graph: FoldGraph, search: AdaptiveSearch,
                 deadline: Deadline, refitter: Refitter | None):
        self.ex, self.graph, self.search = executor, graph, search
        self.deadline, self.refitter = deadline, refitter
        self.plan, self.results = executor.plan, executor.results
        self.notes, self.slots = executor.notes, executor.slots
        self.units: dict[Any, tuple[int, int, str | None]] = {}  # future: config, fold, rows
        self.models: dict[tuple[int, int], Any] = {}  # (config, fold): its pair's future
        self.outcome = Outcome()

    # -- the Context a search sees --------------------------------------------------------
    def add(self, candidate: str, params: dict[str, Any], pipeline: Any, *,
            rung: int = 0, resources: int | None = None,
            origin: int | None = None) -> planning.Config:
        config = planning.Config(len(self.plan.graph.configs), candidate, dict(params),
                                 pipeline, rung=rung, resources=resources, origin=origin)
        planning.add_config(self.plan.graph, config)
        self.results.append(ConfigResult(config))
        return config

    def subsample(self, fold: int, rows: str, positions: Any) -> None:
        import numpy as np

        self.graph.subsets[(fold, rows)] = np.asarray(positions, dtype=np.intp)

    def say(self, line: str) -> None:
        self.notes.append(line)
        self.ex.progress.note(line)

    def record(self, config: int, fold: int, value: Any) -> None:
        self.ex._record(config, fold, value)

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> Outcome:
        from distributed import as_completed

        self.stream = as_completed([], loop=self.ex.client.loop, with_results=True,
                                   raise_errors=False)
        self.deadline.arm(self.ex.client, self._in_flight)
        try:
            self._ask()
            while self.units and not self.deadline.passed():
                fut, value = next(self.stream)
                unit = self.units.pop(fut, None)
                if unit is None:  # stopped by the search: cancelled
                    continue
                if isinstance(value, BaseException):
                    if self.deadline.passed():
                        break
                    value = self._retry(fut, unit, value)
                    if value is None:
                        continue
                self._tell(unit[0], unit[1], value)
                self.graph.sample_memory()  # the log's cost line: the workers' peak
                self._ask()
        finally:
            self.deadline.disarm()
        if self.units:  # cut short by the budget
            self.outcome.budget_hit = True
            self.ex._cancel(self._in_flight())
        return self.outcome

    def _in_flight(self) -> list[Any]:
        """What runs for the folds: tasks of configurations and the prefix nodes."""
        return [*self.units, *self.graph.nodes.values()]

    def _ask(self) -> None:
        while True:
            work = self.search.ask(self, max(self.slots - len(self.units), 0))
            kept = set(self.models)
            for one in work:
                self._send(one)
            if any(one.grow_from is not None for one in work):
                self._release(kept)
            if self.units or not work:
                break
        if self.refitter is not None and len(self.units) < self.slots \
                and self.search.finished(self):  # an idle worker refits the leader so far
            self.refitter.speculate(best_result(self.results, self.plan.select_by,
                                                self.plan.n_folds))

    def _send(self, work: Work) -> None:
        folds = range(self.plan.n_folds) if work.folds is None else work.folds
        for fold in folds:
            if work.keep_model or work.grow_from is not None:
                previous = self.models.get((work.grow_from, fold)) \
                    if work.grow_from is not None else None
                self.ex.chained_fits += previous is not None
                pair, fut = self.graph.grown(work.config, fold, previous)
                if work.keep_model:
                    self.models[(work.config, fold)] = pair
            else:
                fut = self.graph.group([work.config], fold, 0, work.rows)
            self.units[fut] = (work.config, fold, work.rows)
            self.stream.add(fut)
            self.outcome.sent += 1
            self.ex.total += 1

    def _release(self, before: set[tuple[int, int]]) -> None:
        """Free the kept models of configurations an earlier rung did not continue (those
        grown from are dependencies of the new tasks: Dask frees them once those are done)."""
        grown = {(w, f) for w, f in before if any(
            self.results[c].config.origin == w for c, _, _ in self.units.values())}
        stale = [self.models.pop(k) for k in before - grown]
        for k in before & grown:
            self.models.pop(k)
        self.ex._cancel(stale)

    def _retry(self, fut: Any, unit: tuple[int, int, str | None], error: BaseException
               ) -> Any:
        """Resubmit a task lost with a worker (None: resubmitted), or the failure value
        once the retry policy gives up."""
        config, fold, rows = unit
        attempt = self.ex.retries.get((config, fold), 0) + 1
        self.ex.retries[(config, fold)] = attempt
        if not self.ex.retry.allows(attempt):
            return tasks.TaskFailure("cluster", f"{type(error).__name__}: {error}", "")
        self.graph.refresh(force=self.ex.retry.is_last(attempt))
        again = self.graph.group([config], fold, attempt, rows)  # a fresh fit: as exact
        self.units[again] = unit
        self.stream.add(again)
        return None

    def _tell(self, config: int, fold: int, value: Any) -> None:
        if self.results[config].stopped:
            return
        self.ex._record_one(config, fold, value)
        stop = self.search.tell(self, config, fold, value)
        if stop is not None and stop.configs:
            self._stop(stop)

    def _stop(self, stop: Stop) -> None:
        configs = set(stop.configs)
        for c in configs:
            res = self.results[c]
            if res.failure is None and len(res.folds) < self.plan.n_folds:
                res.stopped = f"{stop.reason} after {len(res.folds)} of " \
                              f"{self.plan.n_folds} folds"
                self.outcome.stopped[c] = res.stopped
        cancel = [f for f, (c, _, _) in self.units.items() if c in configs]
        for f in cancel:
            del self.units[f]
        self.ex._cancel(cancel)
