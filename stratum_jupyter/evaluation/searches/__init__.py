"""Adaptive searches: configurations created, resourced and stopped as results come in.

``grid`` and ``random`` know every configuration at the start: the executor runs the plan
as it always has (one task graph, batching and warm-start chains). An *adaptive* search
(``halving``, ``bayes``) is an object of the :class:`AdaptiveSearch` protocol, driven by
:class:`.driver.Driver` on the cluster in an ask-and-tell loop:

- ``ask(ctx, free)`` returns the :class:`Work` to send now (``free``: how many worker
  threads have nothing queued; a hint, a rung may be sent at once). Configurations are
  created with ``ctx.add(...)`` (a new :class:`.plan.Config` with its leaf and prefix
  nodes in the plan's graph and a result slot) before they are asked for.
- ``tell(ctx, config, fold, value)`` gives each (configuration, fold) result (a
  ``FoldScore`` or ``TaskFailure``) as it arrives, folds of one configuration in any
  order; it returns the configurations to stop (their fold tasks still queued or running
  are cancelled: pruning), with the reason shown in the leaderboard.
- ``finished(ctx)``: nothing more will be asked. The driver ends when the search is
  finished and nothing is in flight, when ``ask`` gives nothing while nothing is in flight
  (a search must not wait on nothing), or at the time budget.

Every (configuration, fold) task fits the configuration's prefix nodes (shared by
configurations with the same steps, on the same fold and rows: fitted once) and final
estimator on the fold's training part, or on a subsample of it (``Work.rows``: a key
registered with ``ctx.subsample(fold, key, positions)``: positions within the fold's
training part, computed here and sent with the tasks; the test part is always the fold's
whole test part); ``Work.grow_from`` names a configuration (run with ``keep_model``) whose
fitted model on the same fold is grown with ``warm_start`` instead of a fit from scratch
(exact chains only: :mod:`..warmstart`). The data is scattered once
(:class:`..graph.FoldGraph`), lost work is resubmitted (a fresh fit), Ctrl-C cancels
everything, the best configuration is refitted on all the data
(:func:`..results.best_result`: the highest rung first, then the score).

Strategies are registered by name in :data:`STRATEGIES` (module:class, imported only when
used); the class is built with ``(plan)`` (an :class:`..prepare.EvaluationPlan`: settings
in ``plan.search``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..plan import Config
    from ..prepare import EvaluationPlan
    from ..results import ConfigResult

# The adaptive strategies, by evaluation.search: "module:class" under this package.
STRATEGIES: dict[str, str] = {
    "halving": "halving:Halving",
    "bayes": "bayes:Bayes",
}


@dataclass(frozen=True)
class Work:
    """Evaluate configuration ``config`` on ``folds`` (None: every fold), on the rows
    registered as ``rows`` (None: each fold's whole training part). ``keep_model``: keep
    each fold's fitted model on the workers, so that a later configuration can be grown
    from it: ``grow_from`` names that earlier configuration (whole training parts only;
    only where :func:`..warmstart.growable` says the grown model equals a fresh fit)."""

    config: int
    folds: tuple[int, ...] | None = None
    rows: str | None = None
    grow_from: int | None = None
    keep_model: bool = False


@dataclass
class Stop:
    """Configurations to stop, and why (shown in the leaderboard's notes)."""

    configs: Sequence[int] = ()
    reason: str = "pruned"


class Context(Protocol):
    """What the driver offers a search (implemented by :class:`.driver.Driver`)."""

    plan: EvaluationPlan
    results: list[ConfigResult]  # by configuration index
    notes: list[str]  # shown in the log and the widget before the leaderboard
    slots: int  # worker threads of the cluster

    def add(self, candidate: str, params: dict[str, Any], pipeline: Any, *,
            rung: int = 0, resources: int | None = None,
            origin: int | None = None) -> Config:
        """Create a configuration (the next index) and add it to the plan's graph."""
        ...

    def subsample(self, fold: int, rows: str, positions: Any) -> None:
        """Register ``positions`` (ints, within fold ``fold``'s training part) as the
        training rows ``rows`` of that fold."""
        ...

    def say(self, line: str) -> None:
        """A line for the log now (and kept with the notes)."""
        ...

    def record(self, config: int, fold: int, value: Any) -> None:
        """Record a (configuration, fold) result had without a task (the same model as an
        earlier configuration's fold): in the results and the progress, as a task's."""
        ...


class AdaptiveSearch(Protocol):
    def ask(self, ctx: Context, free: int) -> list[Work]: ...

    def tell(self, ctx: Context, config: int, fold: int, value: Any) -> Stop | None: ...

    def finished(self, ctx: Context) -> bool: ...


@dataclass
class Outcome:
    """What the driver reports back to the executor."""

    sent: int = 0  # (configuration, fold) tasks submitted
    stopped: dict[int, str] = field(default_factory=dict)  # configuration: reason
    budget_hit: bool = False


def is_adaptive(strategy: str) -> bool:
    return strategy in STRATEGIES


def make(plan: EvaluationPlan) -> AdaptiveSearch:
    """The search object of ``plan.search.strategy`` (an adaptive one)."""
    import importlib

    module, cls = STRATEGIES[plan.search.strategy].split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)(plan)
