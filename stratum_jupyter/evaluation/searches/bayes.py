"""``search: bayes``: Optuna's TPE sampler through ask-and-tell, each trial one
configuration whose folds are the executor's ordinary fold tasks on the cluster.

One study covers every candidate searched this way: with several, the candidate is the
study's first (categorical) parameter and each candidate's parameters are conditional on it
(``candidate:param``). TPE then shares the trials out by the results (a candidate that
scores badly gets fewer), which one study per candidate would need a rule of its own for,
and pruning compares a trial with the others at the same fold. As many trials run at once
as the cluster has worker threads; a new one is asked as each is told. With one thread the
same spec and seed give the same trials; with several, the order in which trials complete
changes what TPE suggests later (Optuna's ``constant_liar`` keeps parallel suggestions
apart).

Pruning (``evaluation.bayes.pruning``): the mean score over a trial's folds so far is
reported after each fold, in fold order (a later fold waits for the earlier ones), and
Optuna's ``MedianPruner`` stops a trial whose mean is below the median of the complete
trials at the same fold, from the second fold on; its fold tasks still queued or running
are cancelled, and it is told PRUNED and never chosen as best.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...errors import EvaluationError
from . import Stop, Work
from .bayes_reuse import copied, remark, same_models, waits_on
from .bayes_space import Space, space_of
from .bayes_study import FOLDS_ATTR, fold_attr, folds_of, open_study

DEFAULT_TRIALS = 20  # without n_trials or a budget
PRUNER_STARTUP = 5  # complete trials before any is pruned (fewer with n_startup_trials)
MAX_REPEATS = 20  # suggestions in a row of configurations tried already: the space is spent


@dataclass
class _Run:
    """A trial in flight: its configuration and the folds in so far."""

    trial: Any
    config: int
    folds: dict[int, Any] = field(default_factory=dict)
    reported: int = 0  # folds reported to Optuna (0..reported-1), in fold order
    total: float = 0.0  # their scores' sum


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Optuna says every trial it is told at INFO: the evaluation's log says what counts."""
    import optuna

    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


class Bayes:
    """The adaptive search of ``plan.search.strategy == "bayes"`` (see the module)."""

    def __init__(self, plan: Any):
        settings = plan.search
        self.plan, self.settings = plan, settings
        self.sources = [s for s in settings.sources if s.search == "bayes"]
        self.spaces = {s.name: space_of(s.name, s.grid) for s in self.sources}
        for source in self.sources:
            _check_params(source, self.spaces[source.name])
        self.prefixed = len(self.sources) > 1
        self.runs: dict[int, _Run] = {}  # by configuration index
        self.held: dict[int, int] = {}  # a trial not sent yet: the configuration it waits on
        self.seen: dict[Any, Any] = {}  # a configuration's key: its finished FrozenTrial
        self.started: float | None = None
        self.results: list[Any] = []  # the driver's ConfigResults (ctx.results)
        self.stopped = ""  # why no more trials are asked
        with _quiet():
            self.opened = open_study(settings.out, *_names(plan, self.sources),
                                     *_sampler_pruner(plan))
        self.study = self.opened.study
        self.n_trials = self._target()
        self.pending_notes = [*self.opened.notes, self._trials_note()]

    # -- the protocol -------------------------------------------------------------------------
    def ask(self, ctx: Any, free: int) -> list[Work]:
        """New trials while fewer than ``ctx.slots`` are in flight (``free`` is not
        needed: a trial is all its folds)."""
        work = []
        if self.started is None:
            self.started, self.results = time.monotonic(), ctx.results
            for line in self.pending_notes:
                ctx.say(line)
            # Candidates searched by grid or random beside the trials: expanded already.
            work = [Work(ctx.add(t.candidate, t.params, t.pipeline).index)
                    for t in self.settings.templates]
            self._show_earlier(ctx)
        work += self._resolve(ctx)
        # A trial waiting on another (no work sent) leaves its slot to a new one.
        while len(self.runs) - len(self.held) < max(1, ctx.slots) and self._may_ask(ctx):
            run = self._start(ctx)
            if run is None:
                break
            if run.config not in self.held:
                work.append(Work(run.config))
        return work

    def tell(self, ctx: Any, config: int, fold: int, value: Any) -> Stop | None:
        """Record one fold; report the folds now in order; prune, or tell the trial once
        all its folds are in."""
        from optuna.trial import TrialState

        from ..tasks import TaskFailure

        run = self.runs.get(config)
        if run is None:  # a fold of a trial told already (pruned), finishing anyway
            return None
        if isinstance(value, TaskFailure):
            self._finish(run, TrialState.FAIL)
            return None
        run.folds[fold] = value
        while run.reported in run.folds:
            step = run.reported
            score = run.folds[step].scores.get(self.plan.select_by, math.nan)
            if math.isnan(score):
                self._finish(run, TrialState.FAIL)
                return Stop([config], f"stopped: {self.plan.select_by} is NaN on fold "
                                      f"{step}")
            run.total += score
            with _quiet():  # the mean so far: one fold's noise prunes good trials
                run.trial.report(run.total / (step + 1), step=step)
            run.reported += 1
            if self._prune(run):
                self._finish(run, TrialState.PRUNED)
                return Stop([config], f"pruned: mean {self.plan.select_by} so far below "
                                      "the median of the complete trials")
        if len(run.folds) == self.plan.n_folds:
            mean = sum(run.folds[f].scores[self.plan.select_by]
                       for f in range(self.plan.n_folds)) / self.plan.n_folds
            self._finish(run, TrialState.COMPLETE, mean)
        return None

    def finished(self, ctx: Any) -> bool:
        """No more trials will be asked (those in flight still run)."""
        return not self._may_ask(ctx)

    def expected(self) -> int:
        """Configurations to show in the progress: the trials (earlier ones included) and
        the grid candidates' configurations beside them."""
        return (self.n_trials or len(self.opened.earlier)) + len(self.settings.templates)

    def left_out(self, executor: Any) -> str:
        """At the budget: the trials still in flight (their tasks were cancelled) are told
        failed, so the study file holds no trial left running."""
        from optuna.trial import TrialState

        cut = len(self.runs)
        for run in list(self.runs.values()):
            self._finish(run, TrialState.FAIL)
            result = self.results[run.config]
            if not result.stopped and result.failure is None:  # a mean of some folds
                result.stopped = (f"cut short by the budget after {len(run.folds)} of "
                                  f"{self.plan.n_folds} folds")
        done = len(self.study.get_trials(deepcopy=False))
        return (f"{cut} bayes trial(s) cut short (told failed in the study); "
                f"{done} trials in the study" + (f" of n_trials={self.n_trials}"
                                                  if self.n_trials else ""))

    # -- asking -------------------------------------------------------------------------------
    def _may_ask(self, ctx: Any) -> bool:
        if self.stopped:
            return False
        budget = self.settings.budget_s
        if budget is not None and self.started is not None \
                and time.monotonic() - self.started >= budget:
            self._stop(ctx, f"the budget of {budget:g} s is spent: no more trials asked")
        elif self.n_trials is not None \
                and len(self.study.get_trials(deepcopy=False)) >= self.n_trials:
            self._stop(ctx, "")
        return not self.stopped

    def _stop(self, ctx: Any, line: str) -> None:
        self.stopped = line or "n_trials reached"
        if line:
            ctx.say(f"bayes: {line} ({len(self.study.get_trials(deepcopy=False))} trials)")

    def _start(self, ctx: Any) -> _Run | None:
        """Ask Optuna for a trial and add its configuration; a suggestion of a
        configuration finished already is told that trial's result at once (no work), as
        is one whose models a finished one's are (:mod:`.bayes_reuse`)."""
        repeats = 0
        while repeats < MAX_REPEATS:
            with _quiet():
                trial = self.study.ask()
                source, space = self._candidate(trial)
                params = space.suggest(trial, self.prefixed)
            key = (source.name, tuple(sorted(trial.params.items())))
            earlier = self.seen.get(key)
            if earlier is None:
                config = ctx.add(source.name, params, _pipeline(source, params,
                                                                self.plan.random_state))
                run = _Run(trial, config.index)
                self.runs[config.index] = run
                self.seen[key] = None  # in flight: a repeat now runs once more
                ctx.results[config.index].search = {"trial": trial.number, "state": "running"}
                donor = same_models(self.plan, ctx.results, config.index)
                if donor is None:
                    sibling = waits_on(self.plan, [c for c in self.runs
                                                   if c not in self.held], config.index)
                    if sibling is not None:
                        self.held[config.index] = sibling
                    return run
                self._reuse(ctx, run, donor)
            else:
                repeats += 1
                with _quiet():
                    self.study.tell(trial, earlier.value if earlier.state.name == "COMPLETE"
                                    else None, earlier.state)
            if not self._may_ask(ctx):
                return None
        self._stop(ctx, f"the last {MAX_REPEATS} suggestions were configurations tried "
                        "already: the space looks spent")
        return None

    def _resolve(self, ctx: Any) -> list[Work]:
        """The trials waiting on a configuration that is now finished: told its scores
        where its models are theirs, else sent."""
        work = []
        for config, sibling in list(self.held.items()):
            if sibling in self.runs:
                continue
            del self.held[config]
            donor = same_models(self.plan, ctx.results, config)
            if donor is None:
                work.append(Work(config))
            else:
                self._reuse(ctx, self.runs[config], donor)
        return work

    def _reuse(self, ctx: Any, run: _Run, donor: Any) -> None:
        """Tell ``run`` complete with ``donor``'s fold scores (reported fold by fold, as
        a fitted trial's), and record them as its folds: no work is sent."""
        from optuna.trial import TrialState

        ctx.results[run.config].remark = remark(self.plan, donor, run.config)
        for fold, score in copied(donor).items():
            run.folds[fold] = score
            run.total += score.scores[self.plan.select_by]
            with _quiet():
                run.trial.report(run.total / (fold + 1), step=fold)
        folds = dict(run.folds)
        self._finish(run, TrialState.COMPLETE, run.total / self.plan.n_folds)
        for fold, score in folds.items():
            ctx.record(run.config, fold, score)

    def _candidate(self, trial: Any) -> tuple[Any, Space]:
        if not self.prefixed:
            return self.sources[0], self.spaces[self.sources[0].name]
        name = trial.suggest_categorical("candidate", [s.name for s in self.sources])
        return next(s for s in self.sources if s.name == name), self.spaces[name]

    def _prune(self, run: _Run) -> bool:
        """Whether to stop ``run`` now; never once all its folds are in (nothing left to
        save: it is told complete)."""
        if not self.settings.bayes.pruning or len(run.folds) >= self.plan.n_folds:
            return False
        with _quiet():
            return bool(run.trial.should_prune())

    def _finish(self, run: _Run, state: Any, value: float | None = None) -> None:
        with _quiet():
            run.trial.set_user_attr(FOLDS_ATTR, fold_attr(run.folds))
            frozen = self.study.tell(run.trial, value, state)
        del self.runs[run.config]
        self.results[run.config].search["state"] = _state(state)
        source, _ = self._candidate_of(frozen)
        self.seen[(source, tuple(sorted(frozen.params.items())))] = frozen

    def _candidate_of(self, frozen: Any) -> tuple[str, Space]:
        name = frozen.params.get("candidate", self.sources[0].name) if self.prefixed \
            else self.sources[0].name
        return name, self.spaces[name]

    # -- earlier trials (a resumed study) ---------------------------------------------------
    def _show_earlier(self, ctx: Any) -> None:
        """The earlier trials of a resumed study as configurations of this run, with their
        fold scores (they were made on the same data and folds)."""
        from ..results import Failure

        left = 0
        for frozen in self.opened.earlier:
            name, space = self._candidate_of(frozen)
            params = space.params_of(frozen.params, self.prefixed) if name in self.spaces \
                else None
            if params is None:
                left += 1
                continue
            source = next(s for s in self.sources if s.name == name)
            config = ctx.add(name, params, _pipeline(source, params, self.plan.random_state))
            result = ctx.results[config.index]
            result.folds.update(folds_of(frozen))
            state = _state(frozen.state)
            result.search = {"trial": frozen.number, "state": state}
            self.seen[(name, tuple(sorted(frozen.params.items())))] = frozen
            if state == "failed":
                result.failure = Failure(name, params, None, "earlier run",
                                         f"trial {frozen.number} failed in an earlier run", "")
            elif state == "pruned":
                result.stopped = (f"trial {frozen.number} pruned in an earlier run after "
                                  f"{len(result.folds)} of {self.plan.n_folds} folds")
        if left:
            ctx.say(f"bayes: {left} earlier trials hold values outside this spec's space: "
                    "not shown")

    # -- settings -------------------------------------------------------------------------------
    def _target(self) -> int | None:
        """The study's number of trials: n_trials, else none with a budget, else
        DEFAULT_TRIALS; never more than a finite space holds."""
        n = self.settings.n_trials
        if n is None and self.settings.budget_s is None:
            n = DEFAULT_TRIALS
        size = sum(space.size for space in self.spaces.values())
        if n is not None and size < n:
            return int(size)
        return n

    def _trials_note(self) -> str:
        """What the search will do, said once in the log (inferred settings named)."""
        earlier = len(self.opened.earlier)
        n, given = self.n_trials, self.settings.n_trials
        wanted = given if given is not None else DEFAULT_TRIALS
        if n is None:
            what = "trials until the budget is spent"
        elif n < wanted:
            what = f"{n} trials (the space holds {n} configurations, n_trials={wanted})"
        else:
            what = f"{n} trials" + (" (the default n_trials)" if given is None else "")
        more = f"; {max(0, (n or 0) - earlier)} more to ask" if earlier and n else ""
        pruning = ("on (below the median of the complete trials at a fold)"
                   if self.settings.bayes.pruning else "off")
        return (f"bayes: Optuna TPE over {', '.join(self.spaces)}, {what}{more}, "
                f"seed {self.plan.random_state}, pruning {pruning}")


def _state(state: Any) -> str:
    """complete, pruned, failed (running) from Optuna's ``TrialState``."""
    return "failed" if state.name == "FAIL" else state.name.lower()


def _names(plan: Any, sources: list[Any]) -> tuple[str, str]:
    """The study's base name and the fingerprint of the data and folds."""
    from .bayes_study import fingerprint, spec_digest

    spec_name = getattr(plan.spec, "name", None) or "stratum"
    base = f"{spec_name}-{spec_digest(sources, plan.select_by, plan.random_state)}"
    if plan.search.out is None:  # in memory: no earlier study to compare with
        return base, "inmemory"
    return base, fingerprint(plan.X, plan.y, plan.folds, plan.metrics)


def _sampler_pruner(plan: Any) -> tuple[Any, Any]:
    import optuna

    settings = plan.search.bayes
    sampler = optuna.samplers.TPESampler(seed=plan.random_state,
                                         n_startup_trials=settings.n_startup_trials)
    pruner = optuna.pruners.MedianPruner(  # never on the first fold alone
        n_startup_trials=min(PRUNER_STARTUP, settings.n_startup_trials), n_warmup_steps=1)
    return sampler, pruner


def _pipeline(source: Any, params: dict[str, Any], random_state: int | None) -> Any:
    """``source``'s pipeline with ``params``, seeded as :func:`..plan.expand` seeds."""
    from sklearn.base import clone

    from ..seeding import seeded

    return seeded(clone(source.pipeline), random_state).set_params(**params)


def _check_params(source: Any, space: Space) -> None:
    """Every searched or fixed parameter names one of the pipeline's, or one of a step
    the grid replaces (checked before any work)."""
    known = source.pipeline.get_params(deep=True)
    for name in [*space.fixed, *space.distributions]:
        if name not in known and name.rsplit("__", 1)[0] not in space.choices:
            raise EvaluationError(
                f"grid of candidate {source.name!r}: {name} is not a parameter of its "
                f"pipeline (allowed: {', '.join(sorted(k for k in known if '__' in k)[:12])}"
                " ...)")
