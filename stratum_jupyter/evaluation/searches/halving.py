"""``evaluation.search: halving``: successive halving over every candidate's configurations
together (scikit-learn's ``HalvingGridSearchCV`` semantics, on the cluster).

Rung 0 runs every configuration on the fewest resources; the best ``ceil(n / factor)``
(by ``select_by``'s mean over the folds at that rung; failed ones never go on; ties keep
the configurations' order) run again on ``factor`` times more, until the last rung, which
always uses the full resources: each fold's whole training part, or the iteration
parameter's own value. Resources are rows (``n_samples``: :mod:`.subsample`) or an
iteration parameter (``n_estimators``, ``max_iter``, ``epochs``): each rung's model is grown from
the previous rung's by warm start where that gives the fit from scratch
(:func:`..warmstart.growable`: forests, boosting; not GradientBoosting's n_iter_no_change), else
fitted from scratch. The best is chosen among the last rung's configurations only, and refitted on
all the data as usual.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ...errors import EvaluationError
from . import Context, Stop, Work
from .subsample import min_rows, rows_for, schedule

if TYPE_CHECKING:
    from ..plan import Config
    from ..prepare import EvaluationPlan

ITERATION_PARAMS = ("n_estimators", "max_iter", "epochs")


def _final(pipeline: Any) -> tuple[str, Any]:
    """The parameter prefix of a pipeline's final estimator and the estimator."""
    steps = getattr(pipeline, "steps", None)
    return (f"{steps[-1][0]}__", steps[-1][1]) if steps else ("", pipeline)


def _auto_param(estimator: Any) -> str | None:
    """The iteration parameter ``resource: auto`` grows: the warm-start size parameter
    (forests, gradient boosting), else ``n_estimators`` or Keras ``epochs``."""
    from ..warmstart import size_param

    params = estimator.get_params(deep=False)
    found = size_param(estimator)
    if found is None:
        found = next((p for p in ("n_estimators", "epochs") if p in params), None)
    return found if isinstance(params.get(found or ""), int) else None


def resource_of(plan: EvaluationPlan, templates: list[Config]) -> tuple[str, str]:
    """``(resource, why)``: ``n_samples`` or an iteration parameter's name, and a note."""
    wanted = plan.search.halving.resource
    searched = {k.rsplit("__", 1)[-1] for c in templates for k in c.params}
    if wanted == "n_samples":
        return wanted, "n_samples (halving.resource)"
    if wanted != "auto":
        for config in templates:
            value = _final(config.pipeline)[1].get_params(deep=False).get(wanted)
            if not isinstance(value, int) or isinstance(value, bool):
                raise EvaluationError(
                    f"halving.resource: {wanted!r} is not an integer parameter of "
                    f"{config.candidate!r}'s final estimator (allowed: n_samples, auto, or "
                    f"an iteration parameter every candidate has: {', '.join(ITERATION_PARAMS)})")
        if wanted in searched:
            raise EvaluationError(f"halving.resource: {wanted!r} is searched in the grid "
                                  "(allowed: a fixed value, the last rung's resources)")
        return wanted, f"{wanted} (halving.resource)"
    params = {_auto_param(_final(c.pipeline)[1]) for c in templates}
    if len(params) == 1 and None not in params and not params & searched:
        name = str(params.pop())
        return name, f"{name} (auto: every candidate's final estimator grows along it)"
    return "n_samples", ("n_samples (auto: not every candidate's final estimator has one "
                         "fixed iteration parameter)")


class Halving:
    """The :class:`.AdaptiveSearch` of successive halving (see the module)."""

    def __init__(self, plan: EvaluationPlan):
        self.plan, self.settings = plan, plan.search.halving
        self.templates: list[Config] = list(plan.search.templates)
        if not self.templates:
            raise EvaluationError("search: halving has no configurations to start from")
        self.resource, self.why = resource_of(plan, self.templates)
        self.trains = [len(train) for train, _ in plan.folds]
        self.growable = [self._growable(t) for t in self.templates]
        self.rungs = self._schedule()
        self.rung = -1
        self.current: list[int] = []  # configuration indices of the rung that runs
        self.first: dict[int, int] = {}  # configuration: its template's position (ties)
        self.done = False

    def _growable(self, template: Config) -> bool:
        """Whether the template's rungs can be grown from the previous rung's models (an
        exact warm-start chain along the resource: :func:`..warmstart.growable`)."""
        from ..warmstart import growable, size_param

        final = _final(template.pipeline)[1]
        return size_param(final) == self.resource and growable(final)

    # -- the schedule -----------------------------------------------------------------------
    def _high(self) -> int:
        given = self.settings.max_resources
        if self.resource == "n_samples":
            return min(self.trains) if given == "auto" else int(given)
        values = [_final(c.pipeline)[1].get_params(deep=False)[self.resource]
                  for c in self.templates]
        return max(values) if given == "auto" else int(given)

    def _low(self, high: int) -> int:
        given = self.settings.min_resources
        if given != "auto":
            return min(int(given), high)
        if self.resource != "n_samples":  # a 20th at least: 1-tree rungs rank by noise
            return max(1, math.ceil(high / 20))
        n_classes = 0
        if self.plan.task == "classification":
            import numpy as np

            n_classes = len(np.unique(np.asarray(self.plan.y)))
        return min_rows(n_classes, self.plan.n_folds, high)

    def _schedule(self) -> list[int]:
        high = self._high()
        low = self._low(high)
        if low < 1 or high < low:
            raise EvaluationError(f"halving: min_resources {low} and max_resources {high} "
                                  "(allowed: 1 <= min_resources <= max_resources)")
        return schedule(len(self.templates), self.settings.factor, low, high)

    # -- the protocol -------------------------------------------------------------------------
    def ask(self, ctx: Context, free: int) -> list[Work]:
        if self.done or any(not self._over(ctx, c) for c in self.current):
            return []
        if self.rung + 1 >= len(self.rungs):
            self.done = True
            return []
        chosen = self._survivors(ctx)
        if not chosen:
            self.done = True
            return []
        self.rung += 1
        return self._start_rung(ctx, chosen)

    def tell(self, ctx: Context, config: int, fold: int, value: Any) -> Stop | None:
        return None  # a rung is decided once all its configurations are in (ask)

    def finished(self, ctx: Context) -> bool:
        return self.done or (self.rung == len(self.rungs) - 1
                             and all(self._over(ctx, c) for c in self.current))

    def expected(self) -> int:
        """How many (configuration, rung) runs the schedule makes, if none fails."""
        n, total = len(self.templates), 0
        for _ in self.rungs:
            total, n = total + n, math.ceil(n / self.settings.factor)
        return total

    def left_out(self, ctx: Context) -> str:
        later = len(self.rungs) - 1 - self.rung
        return f"{later} later rung(s) of successive halving" if later > 0 else ""

    # -- the rungs ------------------------------------------------------------------------------
    def _over(self, ctx: Context, config: int) -> bool:
        res = ctx.results[config]
        return res.failure is not None or bool(res.stopped) \
            or len(res.folds) >= self.plan.n_folds

    def _survivors(self, ctx: Context) -> list[tuple[int, int | None]]:
        """The templates (positions) of the next rung's configurations, with the
        configuration each continues (None on rung 0)."""
        if self.rung < 0:
            return [(i, None) for i in range(len(self.templates))]
        metric = self.plan.select_by
        ok = [c for c in self.current if ctx.results[c].failure is None
              and not ctx.results[c].stopped]
        ok.sort(key=lambda c: (math.isnan(ctx.results[c].mean(metric)),
                               -_finite(ctx.results[c].mean(metric)), self.first[c]))
        keep = ok[:math.ceil(len(self.current) / self.settings.factor)]
        keep.sort(key=lambda c: self.first[c])
        return [(self.first[c], c) for c in keep]

    def _start_rung(self, ctx: Context, chosen: list[tuple[int, int | None]]
                    ) -> list[Work]:
        from sklearn.base import clone

        k, amount = self.rung, self.rungs[self.rung]
        last = k == len(self.rungs) - 1
        if not last and self.resource == "n_samples":
            self._subsample(ctx, f"r{k}", amount)
        self.current = []
        for position, origin in chosen:
            template = self.templates[position]
            pipeline, shown = template.pipeline, amount
            if self.resource != "n_samples":
                prefix, final = _final(template.pipeline)
                full = final.get_params(deep=False)[self.resource]
                shown = full if last else min(amount, full)
                pipeline = clone(template.pipeline).set_params(**{prefix + self.resource:
                                                                  shown})
            elif last:
                shown = self._high()
            config = ctx.add(template.candidate, template.params, pipeline, rung=k,
                             resources=shown, origin=origin)
            self.first[config.index] = position
            self.current.append(config.index)
        ctx.say(self._rung_line(k, len(chosen), amount, last))
        return [self._work(c, origin, last) for c, (_, origin) in zip(self.current, chosen,
                                                                         strict=True)]

    def _work(self, config: int, origin: int | None, last: bool) -> Work:
        if self.resource == "n_samples":
            return Work(config, rows=None if last else f"r{self.rung}")
        if not self.growable[self.first[config]]:
            return Work(config)
        return Work(config, grow_from=origin, keep_model=not last)

    def _subsample(self, ctx: Context, rows: str, amount: int) -> None:
        plan, seed = self.plan, self.plan.random_state
        for fold, (train, _) in enumerate(plan.folds):
            ctx.subsample(fold, rows, rows_for(
                train, amount, y=plan.y, groups=plan.search.groups,
                time_ordered=plan.search.time_ordered,
                classification=plan.task == "classification",
                seed=None if seed is None else seed + 1000 * fold + self.rung))

    def _rung_line(self, k: int, n: int, amount: int, last: bool) -> str:
        if k == 0:
            plan_text = ", ".join(str(r) for r in self.rungs)
            head = (f"successive halving (factor {self.settings.factor:g}) on {self.why}: "
                    f"{len(self.rungs)} rung(s) of {plan_text}; ")
        else:
            head = ""
        if self.resource == "n_samples":
            what = ("each fold's whole training part" if last else
                    f"{amount} rows of each fold's training part (of "
                    f"{min(self.trains)}-{max(self.trains)})")
        else:
            what = f"{self.resource}={amount}" + (" (each configuration's own)" if last
                                                  else "")
        return f"{head}halving rung {k}: {n} configuration(s) on {what}"


def _finite(value: float) -> float:
    return 0.0 if math.isnan(value) else value
