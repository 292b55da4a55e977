"""A ``search: bayes`` trial that needs no fits: its configuration differs from a finished
one only in ``max_iter``, and that one's ``HistGradientBoosting*`` models (seeded with an
int) met their early-stopping rule on every fold at no more iterations than the trial's
``max_iter``. A fit of the trial would stop at the very same iteration on each fold (the
rule reads only the scores so far: :func:`..warmstart.stopped_at`, the grid's
:class:`..warmstart.Stopped` rule), so its fold models, and so its scores and responses,
are that configuration's: they are told to Optuna as the trial's, and its leaderboard
notes say so. A trial asked while such a configuration is still running waits for it
(:func:`waits_on`): then it is told its scores, or sent as usual where the other did not
stop early on every fold (or was pruned, or failed).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from ..warmstart import chain_key, size_param


def same_models(plan: Any, results: list[Any], config: int) -> Any | None:
    """The finished :class:`..results.ConfigResult` whose fold models are those of
    configuration ``config`` (see the module), or None."""
    key, why = chain_key(plan, config)
    if key is None or why is not None:
        return None
    estimator = plan.graph.leaves[config].estimator
    size = getattr(estimator, size_param(estimator) or "")
    for res in results:
        if res.config.index == config or res.failure is not None or res.stopped \
                or res.config.resources is not None or len(res.folds) < plan.n_folds:
            continue
        stops = [fold.stopped_at for fold in res.folds.values()]
        if any(s is None for s in stops) or size < max(stops) \
                or math.isnan(res.mean(plan.select_by)):
            continue
        if chain_key(plan, res.config.index) == (key, None):
            return res
    return None


def waits_on(plan: Any, running: list[int], config: int) -> int | None:
    """The configuration of ``running`` (in flight, not waiting themselves) whose models
    may turn out to be ``config``'s: a ``HistGradientBoosting*`` of the same chain (every
    parameter but ``max_iter`` the same, seeded) that may stop early on these folds
    (``early_stopping=True``, or ``"auto"`` with more than 10,000 training rows); None
    for any other."""
    key, why = chain_key(plan, config)
    estimator = plan.graph.leaves[config].estimator
    if key is None or why is not None or size_param(estimator) != "max_iter":
        return None
    stopping = getattr(estimator, "early_stopping", None)
    if not (stopping is True or stopping == "auto"
            and min(len(train) for train, _ in plan.folds) > 10_000):
        return None
    return next((c for c in running if c != config
                 and chain_key(plan, c) == (key, None)), None)


def copied(donor: Any) -> dict[int, Any]:
    """``donor``'s fold scores as another configuration's: nothing was fitted or scored
    for it (times 0)."""
    return {fold: dataclasses.replace(score, fit_time=0.0, score_time=0.0, own_time=0.0,
                                      prefix_times={})
            for fold, score in sorted(donor.folds.items())}


def remark(plan: Any, donor: Any, config: int) -> str:
    """The leaderboard note of a configuration scored with ``donor``'s models."""
    estimator = plan.graph.leaves[config].estimator
    name = size_param(estimator) or "max_iter"
    stops = sorted({fold.stopped_at for fold in donor.folds.values()})
    at = f"{stops[0]}" if len(stops) == 1 else f"{stops[0]}-{stops[-1]}"
    trial = donor.search.get("trial")
    whose = f"trial {trial}" if trial is not None else donor.config.label
    return (f"not fitted: its models are those of {whose} ({name}="
            f"{getattr(plan.graph.leaves[donor.config.index].estimator, name)}), which "
            f"stopped early on every fold (after {at} iterations), as a fit with {name}="
            f"{getattr(estimator, name)} does: the same scores")
