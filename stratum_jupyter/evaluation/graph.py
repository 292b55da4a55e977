"""The Dask side of a plan: the data on the workers and the futures of every prefix node
and final estimator, per fold, rebuilt on demand when the cluster loses them.

The data is scattered once, a copy to every worker. A fold's split and its shared prefix
nodes are held only by the tasks that need them once all of them are submitted
(:meth:`FoldGraph.release_nodes`): Dask frees each as soon as its last task is done, so a
large table's transformed folds do not pile up on the workers (they are rebuilt when a lost
worker's task is submitted again). On a large table a prefix node transforms only the
training part; the final estimators' task transforms the test part once they are fitted
(:attr:`.tasks.FoldData.test_steps`: for 327,346 flights one-hot encoded, 63 MB per fold
no longer held through every fit). Dask may still drop extra copies (its
active memory manager keeps one), so a worker that dies can take the only copy with it:
then the data is scattered again and only the lost part of the graph is resubmitted.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from . import plan as planning
from . import tasks
from .batching import Chain, run_chain, run_group
from .inprocess import data_nbytes

LIVE = ("pending", "finished")
# Below this, a fold task with no shared prefix splits the data itself (a copy costs less
# than the scheduling constraint of a split made elsewhere); above it, one split per fold
# is made once and shared, as before.
SPLIT_IN_TASK_BYTES = 16 * 2**20
# Above this, shared prefixes are not fitted on all the data ahead of the refit (prefit):
# their all-data output (a transformed table, several times the data: 280 MB of 327,346
# flights one-hot encoded for Ridge) would be held beside the folds' through the whole
# evaluation, for a refit that may well choose another candidate. The refit then fits the
# whole pipeline, started (speculated) while the last folds run.
PREFIT_BYTES = 16 * 2**20


class FoldGraph:
    def __init__(self, client: Any, plan: planning.Plan, X: Any, y: Any, folds: list[Any],
                 scorers: dict[str, Any], futures: list[Any], *,
                 keep_predictions: bool = False):
        self.client, self.plan, self.scorers = client, plan, scorers
        self.keep_predictions = keep_predictions  # the test parts' responses, for ensembles
        self._X, self._y, self._folds = X, y, folds
        self.futures = futures  # everything submitted, to cancel or release at the end
        self.run = uuid.uuid4().hex[:8]
        self.generation = 0
        self.nodes: dict[tuple[str | None, int, str | None], Any] = {}
        # Adaptive searches' subsamples: positions within a fold's train part, by
        # (fold, rows key); small, sent with the tasks that use them.
        self.subsets: dict[tuple[int, str], Any] = {}
        self.nbytes = data_nbytes(X) + data_nbytes(y)
        self.split_in_task = self.nbytes <= SPLIT_IN_TASK_BYTES
        self.sent_copies = 0  # copies of the data sent to workers (one each per scatter)
        self.peak_memory = 0  # the workers' process memory together, the most seen
        self._sampled = 0.0
        self._scatter()

    def _scatter(self) -> None:
        # One round trip for all of it.
        self.X, self.y, *self.folds = self.client.scatter([self._X, self._y, *self._folds],
                                                          broadcast=True, hash=False)
        # Held here, not in self.futures: the executor's cancel at the end would reach,
        # through the data's dependents, fold nodes already released, which the scheduler
        # refuses (an AssertionError in stimulus_cancel). Released by close().
        self.nodes.clear()
        self.sent_copies += max(len(self._workers()), 1)

    def _workers(self) -> dict[str, Any]:
        try:
            return dict(self.client.scheduler_info().get("workers", {}))
        except Exception:  # a closing client: nothing to report
            return {}

    def sample_memory(self, every_s: float = 1.0) -> None:
        """Note the workers' memory together (as they last reported it to the scheduler),
        at most every ``every_s`` seconds, for :meth:`costs`."""
        now = time.monotonic()
        if now - self._sampled < every_s:
            return
        self._sampled = now
        total = sum(int(w.get("metrics", {}).get("memory") or 0)
                    for w in self._workers().values())
        self.peak_memory = max(self.peak_memory, total)

    def costs(self) -> dict[str, int]:
        """What the run cost the cluster: ``sent_bytes`` (the data, once), ``sent_copies``
        (to how many workers, all scatters together) and ``workers_peak_bytes`` (their
        memory together, the most seen)."""
        return {"sent_bytes": self.nbytes, "sent_copies": self.sent_copies,
                "workers_peak_bytes": self.peak_memory}

    def close(self) -> None:
        """Release the data and the fold nodes on the cluster (the figures of
        :meth:`costs` stay)."""
        self.sample_memory(every_s=0.0)
        self.X = self.y = None
        self.folds = []
        self.nodes.clear()

    def refresh(self, *, force: bool = False) -> None:
        """Scatter the data again if the cluster lost it (prefix nodes follow lazily)."""
        if force or not all(f.status in LIVE for f in (self.X, self.y, *self.folds)):
            self.generation += 1
            self._scatter()

    def _key(self, name: str) -> str:
        suffix = f"-g{self.generation}" if self.generation else ""
        return f"stratum-{name}-{self.run}{suffix}"

    def node(self, key: str | None, fold: int, rows: str | None = None) -> Any:
        """The future of a prefix node (``None``: the fold's split) on ``fold`` (on its
        training rows ``rows``: a registered subset, None: all)."""
        fut = self.nodes.get((key, fold, rows))
        if fut is not None and fut.status in LIVE:
            return fut
        prio = len(self._folds) - fold  # earlier folds first: results stream, memory flat
        tag = uuid.uuid4().hex[:4] if fut is not None else ""
        at = f"{fold}-{rows}" if rows is not None else f"{fold}"
        if key is None:
            subset = () if rows is None else (self.subsets[(fold, rows)],)
            fut = self.client.submit(tasks.split_fold, self.X, self.y, self.folds[fold],
                                     *subset, pure=False, priority=prio,
                                     key=self._key(f"fold-{at}{tag}"))
        else:
            node = self.plan.nodes[key]
            fut = self.client.submit(  # big data: the test part transformed when scored
                tasks.fit_prefix, self.node(node.parent, fold, rows), key, node.step,
                node.library, node.estimator, not self.split_in_task, pure=False,
                priority=prio, key=self._key(f"fit-{node.step}-{key[:10]}-{at}{tag}"))
        self.nodes[(key, fold, rows)] = fut  # not in self.futures: see release_nodes
        return fut

    def release_nodes(self) -> None:
        """Drop this side's references to the fold nodes (splits and shared prefixes) once
        every task that needs them is submitted: each is then freed on the workers when its
        last dependent is done, instead of at the end of the evaluation."""
        self.nodes.clear()

    def leaf(self, config: int, fold: int, attempt: int = 0) -> Any:
        """Submit configuration ``config``'s final estimator on ``fold``."""
        return self.group([config], fold, attempt)

    def group(self, configs: list[int], fold: int, attempt: int = 0,
              rows: str | None = None) -> Any:
        """Submit the final estimators of ``configs`` (which share their parent) on
        ``fold`` (its training rows ``rows``, see :meth:`node`): one task
        (:func:`batching.run_group`, a list of results) for several; a
        :class:`batching.Chain` as :func:`batching.run_chain`."""
        leaf = self.plan.leaves[configs[0]]
        retry = f"-retry{attempt}" if attempt else ""
        if attempt >= 2:  # the cluster may have forgotten what still looks done here
            key = leaf.parent
            while True:
                self.nodes.pop((key, fold, rows), None)
                if key is None:
                    break
                key = self.plan.nodes[key].parent
        prio = len(self._folds) - fold
        keep = self.keep_predictions
        if len(configs) == 1:
            func: Any = tasks.fit_score
            args: tuple[Any, ...] = (leaf.step, leaf.library, leaf.estimator, self.scorers,
                                     keep)
            name = f"score-{leaf.step}-{configs[0]}-{fold}{retry}"
            if rows is not None:
                name += f"-{rows}"
        else:
            func = run_chain if isinstance(configs, Chain) else run_group
            args = ([(lf.step, lf.library, lf.estimator)
                     for lf in (self.plan.leaves[c] for c in configs)], self.scorers, keep)
            kind = "chain" if func is run_chain else "scores"
            name = f"{kind}-{configs[0]}x{len(configs)}-{fold}{retry}"
        if leaf.parent is None and self.split_in_task:  # any worker may take the task
            split, sub = ((tasks.split_then, ()) if rows is None else
                          (tasks.split_sub_then, (self.subsets[(fold, rows)],)))
            fut = self.client.submit(split, self.X, self.y, self.folds[fold], *sub,
                                     func, *args, pure=False, priority=prio,
                                     key=self._key(name))
        else:
            fut = self.client.submit(func, self.node(leaf.parent, fold, rows), *args,
                                     pure=False, priority=prio, key=self._key(name))
        self.futures.append(fut)
        return fut

    def grown(self, config: int, fold: int, previous: Any, attempt: int = 0
              ) -> tuple[Any, Any]:
        """Submit ``config``'s final estimator on ``fold`` (whole training part) as
        :func:`tasks.fit_score_grow` from ``previous`` (a future of an earlier pair, or
        None): the future of its pair, kept on the worker for the next rung, and of its
        score (:func:`tasks.first`)."""
        leaf = self.plan.leaves[config]
        prio, retry = len(self._folds) - fold, f"-retry{attempt}" if attempt else ""
        name = f"{leaf.step}-{config}-{fold}{retry}"
        pair = self.client.submit(tasks.fit_score_grow, self.node(leaf.parent, fold),
                                  leaf.step, leaf.library, leaf.estimator, self.scorers,
                                  previous, pure=False, priority=prio,
                                  key=self._key(f"grow-{name}"))
        score = self.client.submit(tasks.first, pair, pure=False, priority=prio,
                                   key=self._key(f"grown-{name}"))
        self.futures += [pair, score]
        return pair, score

    def prefit(self) -> dict[str | None, Any]:
        """Every shared prefix node fitted on all the data too, at the lowest priority:
        workers take these only when no fold task is ready, and the best configuration's
        refit then only fits its final estimator. None for data above
        :data:`PREFIT_BYTES` (see there)."""
        if not self.plan.nodes or self.nbytes > PREFIT_BYTES:
            return {}
        ahead: dict[str | None, Any] = {
            None: self.client.submit(tasks.all_data, self.X, self.y, pure=False,
                                     priority=-1, key=self._key("all"))}
        for key, node in self.plan.nodes.items():
            ahead[key] = self.client.submit(
                tasks.fit_prefix, ahead[node.parent], key, node.step, node.library,
                node.estimator, pure=False, priority=-1,
                key=self._key(f"prefit-{node.step}-{key[:10]}"))
        self.futures += list(ahead.values())
        return ahead
