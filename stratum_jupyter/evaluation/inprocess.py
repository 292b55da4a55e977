"""Fold work in this process, while the per-process LocalCluster is not up yet (or when
sending work out cannot pay off).

Starting worker processes takes seconds (each imports distributed and scikit-learn); an
iris-sized evaluation takes less. So with no cluster of the caller's choosing, the fold
tasks begin here, in the order the cluster would take them, with the very task functions
the workers run (:mod:`.tasks`): the scores are the same. The local cluster is started in
the background as soon as the work left looks longer than its start (:data:`START_S`),
and takes over what is left once it is up (the data is then sent once, as usual). When
all the work was done here, the cluster is started afterwards in a kernel with a live
frontend (not under papermill), so the next evaluation finds it warm.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from . import batching, tasks
from . import cluster as clusters
from .diagnose import keeps_predictions
from .prepare import EvaluationPlan

START_S = 2.0  # about what the local cluster takes to start here: above it, start it
TINY_S = 0.1  # estimated work below this runs here even when the cluster is up
# Larger data goes straight to the cluster: one fold task on it takes longer than the
# cluster's start (a HistGradientBoosting fold of 327,346 flights, 22 MB: ~25 s), and, begun
# here, it would hold the kernel's core and its fold copies while the workers already run.
MAX_BYTES = 16 * 2**20

Record = Callable[[int, int, Any], None]


class InProcess:
    """Runs (configuration, fold) tasks of ``plan`` here until the local cluster is up;
    ``estimate`` is the expected seconds per task, by configuration (None: unknown)."""

    def __init__(self, plan: EvaluationPlan, estimate: Callable[[int], float | None]):
        self.plan, self.estimate = plan, estimate
        self.fold_cache: dict[tuple[str | None, int], Any] = {}
        self.chains = batching.chains(plan)
        self.chained: dict[tuple[int, int], Any] = {}  # chain members' results, ahead
        self.chained_fits = 0  # models grown from a smaller one (batching.run_chain)
        self.ran = 0  # tasks done here
        self.until: Any = None  # a budget.Deadline: at it, no more tasks are begun
        self.skipped = 0  # tasks never begun because of it

    def run(self, pending: list[tuple[int, int]], record: Record) -> list[tuple[int, int]]:
        """Do tasks of ``pending`` here, giving each result to ``record(config, fold,
        value)``; returns those left for the cluster (in order)."""
        state = clusters.local_state()
        guess = [self.estimate(c) for c, _ in pending]
        known = None if None in guess else sum(g or 0.0 for g in guess)
        if state == "running" and (known is None or known > TINY_S):
            return pending
        if data_nbytes(self.plan.X) + data_nbytes(self.plan.y) > MAX_BYTES:
            clusters.start_local()
            return pending
        if known is not None and known > START_S:
            clusters.start_local()
        from threadpoolctl import threadpool_limits

        # One BLAS/OpenMP thread, as Dask gives its workers: for fits this small, more
        # threads only wait on each other (and on whatever else runs on these cores).
        with threadpool_limits(limits=1):
            return self._run(pending, record)

    def _run(self, pending: list[tuple[int, int]], record: Record) -> list[tuple[int, int]]:
        spent = 0.0
        for i, (config, fold) in enumerate(pending):
            if self.until is not None and self.until.passed():
                self.skipped = len(pending) - i
                break
            left = spent / i * (len(pending) - i) if i else 0.0  # expected, from the done
            if left > TINY_S and clusters.local_state() == "running":
                self.chained.clear()
                return pending[i:]  # the cluster is up: it takes what is left
            if left > START_S:
                clusters.start_local()
            start = time.perf_counter()
            record(config, fold, self.task(config, fold))
            spent += time.perf_counter() - start
            self.ran += 1
        self.fold_cache.clear()
        self.chained.clear()
        return []

    def task(self, config: int, fold: int) -> Any:
        """What :func:`tasks.fit_score` returns for ``config`` on ``fold``, computed here;
        a shared prefix is fitted once per fold, a chain of models grown once."""
        leaf = self.plan.graph.leaves[config]
        scorers, keep = dict(self.plan.scorers), keeps_predictions(self.plan)
        chain = self.chains.get(config)
        if chain is None:
            return tasks.fit_score(self._node(leaf.parent, fold), leaf.step, leaf.library,
                                   leaf.estimator, scorers, keep)
        found = self.chained.pop((config, fold), None)
        if found is not None:
            return found
        members = [self.plan.graph.leaves[c] for c in chain]
        values = batching.run_chain(self._node(leaf.parent, fold),
                                    [(m.step, m.library, m.estimator) for m in members],
                                    scorers, keep)
        self.chained_fits += len(chain) - 1
        self.chained.update({(c, fold): v for c, v in zip(chain, values, strict=True)})
        return self.chained.pop((config, fold))

    def _node(self, key: str | None, fold: int) -> Any:
        found = self.fold_cache.get((key, fold))
        if found is not None:
            return found
        if fold and any(f < fold for _, f in self.fold_cache):  # earlier folds are done
            self.fold_cache = {k: v for k, v in self.fold_cache.items() if k[1] >= fold}
        value: Any
        if key is None:
            value = tasks.split_fold(self.plan.X, self.plan.y, self.plan.folds[fold])
        else:
            node = self.plan.graph.nodes[key]
            value = tasks.fit_prefix(self._node(node.parent, fold), key, node.step,
                                     node.library, node.estimator)
        self.fold_cache[(key, fold)] = value
        return value

    def finished(self) -> None:
        """All the work was done here: start the cluster for the next evaluation where a
        person works (see :func:`cluster.start_local_for_kernel`)."""
        clusters.start_local_for_kernel()


def data_nbytes(data: Any) -> int:
    """The bytes of ``data`` in memory (pandas: deep), roughly; 0 for None."""
    if data is None:
        return 0
    memory = getattr(data, "memory_usage", None)
    if callable(memory):  # pandas
        try:
            total = memory(deep=True)
            return int(total.sum() if hasattr(total, "sum") else total)
        except Exception:
            pass
    return int(getattr(data, "nbytes", 0) or sys.getsizeof(data))
