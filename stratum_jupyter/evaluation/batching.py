"""Many small fold tasks grouped into fewer Dask tasks, sized from measured fit times.

A Dask task costs a few milliseconds of scheduling and transfer; a k-nearest-neighbours fit
on iris costs about as much. Tasks of one fold with the same parent (the fold's split or a
shared prefix) are grouped until a group holds about :data:`TASK_S` seconds of expected
work, keeping at least :data:`PER_SLOT` groups per worker thread so the load stays even.
Expected times come from this evaluation's tasks already done here and from earlier
evaluations in this process (by estimator class and data shape); a task of unknown
cost stays alone, as before.

On data above :data:`.graph.SPLIT_IN_TASK_BYTES` the final estimators that share a prefix
node on a fold are one task whatever their cost: the node's output (a transformed fold, for
327,346 flights one-hot encoded 280 MB) is then used where it was made, instead of being
copied to the other worker for the estimator that the scheduler sends there, and it is
freed as soon as that one task is done.

Forests and gradient boosting that differ only in their size (``n_estimators``,
``max_iter``) form a *chain* per fold (:class:`Chain`, :func:`run_chain`; which ones:
:mod:`.warmstart`): the smallest is fitted and scored, then grown with ``warm_start`` to the
next size and scored again. The grown model equals the one a fit from scratch gives (same
trees, same scores) while the smaller models' trees are fitted once. A chained
configuration's ``fit_time`` is the time of its added trees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # workers import this module for run_group: keep it light
    from .prepare import EvaluationPlan

TASK_S = 0.05  # expected work per grouped task: its overhead (~2-5 ms) stays small
PER_SLOT = 4  # groups per worker thread, at least: the last ones balance the load

_seconds: dict[tuple[str, str], float] = {}  # measured seconds per task, by kind

class Chain(list[int]):
    """Configurations of one fold fitted as a warm-started chain (:func:`run_chain`),
    smallest first."""


def _kind(plan: EvaluationPlan, config: int) -> tuple[str, str]:
    leaf = plan.graph.leaves[config]
    est = type(leaf.estimator)
    return f"{est.__module__}.{est.__qualname__}", repr(getattr(plan.X, "shape", None))


def estimate(plan: EvaluationPlan, config: int) -> float | None:
    """The expected seconds of ``config``'s fold task (fit and score its final estimator),
    or None when nothing like it was measured in this process."""
    return _seconds.get(_kind(plan, config))


def learn(plan: EvaluationPlan, times: Iterable[tuple[int, float]]) -> None:
    """Remember measured ``(config, seconds)`` of fold tasks for :func:`estimate`."""
    by_kind: dict[tuple[str, str], list[float]] = {}
    for config, seconds in times:
        by_kind.setdefault(_kind(plan, config), []).append(seconds)
    for kind, values in by_kind.items():
        _seconds[kind] = sum(values) / len(values)


def chains(plan: EvaluationPlan) -> dict[int, list[int]]:
    """Each chained configuration's chain (:func:`.warmstart.chains`)."""
    from .warmstart import chains as warm_chains

    return warm_chains(plan)


def groups(plan: EvaluationPlan, pending: list[tuple[int, int]], slots: int
           ) -> list[tuple[int, list[int]]]:
    """``pending`` (configuration, fold) tasks as ``(fold, [configurations])`` groups that
    share their parent, in ``pending``'s order of first appearance; a :class:`Chain` for
    the configurations of a chain (:func:`chains`) on a fold."""
    limit = max(1, math.ceil(len(pending) / (max(slots, 1) * PER_SLOT)))
    big = _big(plan)
    open_groups: dict[tuple[int, str | None], tuple[list[int], list[float]]] = {}
    out: list[tuple[int, list[int]]] = []
    chained, waiting = chains(plan), set(pending)
    for config, fold in pending:
        if config in chained:
            chain = Chain(c for c in chained[config] if (c, fold) in waiting)
            waiting.difference_update((c, fold) for c in chain)
            if chain:
                out.append((fold, chain))
            continue
        key = (fold, plan.graph.leaves[config].parent)
        if big and key[1] is not None:  # one task per node and fold (module docstring)
            if key not in open_groups:
                open_groups[key] = ([], [0.0])
                out.append((fold, open_groups[key][0]))
            open_groups[key][0].append(config)
            continue
        seconds = estimate(plan, config)
        if seconds is None or seconds >= TASK_S or limit == 1:
            out.append((fold, [config]))
            continue
        group = open_groups.get(key)
        if group is None:
            group = open_groups[key] = ([], [0.0])
            out.append((fold, group[0]))
        group[0].append(config)
        group[1][0] += seconds
        if len(group[0]) >= limit or group[1][0] >= TASK_S:
            del open_groups[key]
    return out


def _big(plan: EvaluationPlan) -> bool:
    """Whether the plan's data is above :data:`.graph.SPLIT_IN_TASK_BYTES`."""
    from .graph import SPLIT_IN_TASK_BYTES
    from .inprocess import data_nbytes

    return data_nbytes(plan.X) + data_nbytes(plan.y) > SPLIT_IN_TASK_BYTES


def shared_test(parent: Any) -> Any:
    """The test part of ``parent`` transformed once for several models (None: nothing
    deferred), as :func:`.tasks.score_model`'s ``test``; or the prefix's failure."""
    from .tasks import PrefixError, _failure

    if not parent.test_steps:
        return None
    try:
        X_test, seconds = parent.test_part()
    except PrefixError as exc:
        return _failure(exc.args[0], exc.__cause__ or exc)
    return X_test, seconds, True


def run_group(parent: Any, leaves: list[tuple[str, str, Any]], scorers: dict[str, Any],
              keep: bool = False) -> list[Any]:
    """Worker side: :func:`tasks.fit_score` of each ``(step, library, estimator)`` on the
    same parent (``keep``: with their test-part responses, for ensembles). All are fitted
    first, then the test part is transformed once (where its prefix steps were deferred:
    never held through a fit) and each is scored."""
    from .tasks import FoldData, TaskFailure, fit_model, score_model

    fits = [fit_model(parent, step, library, est) for step, library, est in leaves]
    if not isinstance(parent, FoldData):
        return [fitted for fitted, _ in fits]
    test = shared_test(parent) if any(not isinstance(f, TaskFailure) for f, _ in fits) \
        else None
    out = []
    for (step, library, est), (fitted, fit_time) in zip(leaves, fits, strict=True):
        if isinstance(fitted, TaskFailure) or isinstance(test, TaskFailure):
            out.append(fitted if isinstance(fitted, TaskFailure) else test)
            continue
        out.append(score_model(parent, step, library, est, fitted, fit_time, scorers,
                               keep, test))
        test = None if test is None else (test[0], test[1], False)  # its work once
    return out


def run_chain(parent: Any, leaves: list[tuple[str, str, Any]], scorers: dict[str, Any],
              keep: bool = False) -> list[Any]:
    """Worker side: the models ``leaves`` (one chain, by growing size) fitted and scored
    on ``parent`` as :func:`tasks.fit_score` would, by growing one model with
    ``warm_start`` (:func:`.warmstart.grow`); each one's ``fit_time`` is that of its added
    trees. After a failure (or a model that stopped early), the next one is fitted from
    scratch. A deferred test part is transformed once, after the first fit."""
    from .tasks import FoldData, TaskFailure, fit_model, score_model
    from .warmstart import grow

    out: list[Any] = []
    fitted: Any = None
    test: Any = None
    for step, library, est in leaves:
        start = None if fitted is None else grow(fitted, est)
        fitted, fit_time = fit_model(parent, step, library, est, grow=start)
        if isinstance(fitted, TaskFailure) or not isinstance(parent, FoldData):
            out.append(fitted)
            fitted = None
            continue
        if test is None and parent.test_steps:
            test = shared_test(parent)
        if isinstance(test, TaskFailure):
            out.append(test)
            continue
        out.append(score_model(parent, step, library, est, fitted, fit_time, scorers, keep,
                               test))
        test = None if test is None else (test[0], test[1], False)
    return out
