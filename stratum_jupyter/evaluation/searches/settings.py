"""The search settings of an evaluation, resolved from the caller's keywords and the spec
(``evaluation.search``, ``halving``, ``bayes``, ``n_trials``, ``budget``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import EvaluationError


@dataclass(frozen=True)
class SearchSettings:
    """``strategy``: grid or random (every configuration known at the start; candidates may
    mix them) or an adaptive one (halving, bayes: :mod:`.searches`) over all candidates;
    ``budget_s``: the time budget in seconds (None: none); ``out``: the run folder (bayes
    keeps its study there); ``sources``: the candidates before expansion (bayes draws
    from their distributions); ``groups``: the rows' group labels under a group splitter
    and ``time_ordered``: the folds are ordered in time (halving's subsamples keep both);
    ``templates``: see below."""

    strategy: str = "grid"
    halving: Any = None  # spec.search.HalvingSpec
    bayes: Any = None  # spec.search.BayesSpec
    n_trials: int | None = None
    budget_s: float | None = None
    out: Path | None = None
    sources: tuple[Any, ...] = ()
    groups: Any = None
    time_ordered: bool = False
    # An adaptive search's configurations as expand() made them (halving's rung 0; none
    # for bayes candidates): the plan's graph starts empty, the search adds what it runs.
    templates: tuple[Any, ...] = ()


def _model(cls: Any, given: Any, field: str) -> Any:
    from pydantic import ValidationError

    if given is None or isinstance(given, cls):
        return given
    try:
        return cls.model_validate(dict(given))
    except (ValidationError, TypeError, ValueError) as exc:
        errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else []
        if errors:
            where = ".".join(str(p) for p in (field, *errors[0]["loc"]))
            raise EvaluationError(f"{where}: {errors[0]['msg']}; got "
                                  f"{errors[0].get('input')!r}") from None
        raise EvaluationError(f"{field}: a mapping of settings, got {given!r}") from None


def strategy_of(sources: list[Any]) -> str:
    """The adaptive strategy the candidates ask for (halving or bayes), else "grid".
    EvaluationError when candidates ask for two different ones."""
    from ..plan import SEARCHES
    from . import STRATEGIES

    for source in sources:
        if source.search not in SEARCHES:
            raise EvaluationError(f"search for {source.name!r}: {source.search!r} (allowed: "
                                  f"{', '.join(map(repr, SEARCHES))})")
    adaptive = sorted({s.search for s in sources if s.search in STRATEGIES})
    if len(adaptive) > 1:
        raise EvaluationError(f"search: {' and '.join(adaptive)} in one evaluation (allowed: "
                              "one adaptive search for all candidates, with grid or random)")
    return adaptive[0] if adaptive else "grid"


def resolve(options: Any, ev: Any, sources: list[Any], groups: Any, time_ordered: bool,
            configs: list[Any]) -> SearchSettings:
    """The settings: the keywords of ``options`` first, then the spec's ``evaluation``
    (``ev``, may be None), then the defaults; ``configs``: what ``expand`` made of the
    ``sources``. EvaluationError names a bad setting."""
    from ...spec.search import BayesSpec, HalvingSpec, parse_budget

    halving = _model(HalvingSpec, options.halving, "halving")
    if halving is None:
        halving = ev.halving if ev is not None else HalvingSpec()
    bayes = _model(BayesSpec, options.bayes, "bayes")
    if bayes is None:
        bayes = ev.bayes if ev is not None else BayesSpec()
    n_trials = options.n_trials if options.n_trials is not None else (
        ev.n_trials if ev is not None else None)
    if n_trials is not None and (isinstance(n_trials, bool) or not isinstance(n_trials, int)
                                 or n_trials < 1):
        raise EvaluationError(f"n_trials: {n_trials!r} (allowed: a whole number >= 1)")
    try:
        budget = parse_budget(options.budget) if options.budget is not None else (
            ev.budget_seconds if ev is not None else None)
    except ValueError as exc:
        raise EvaluationError(f"budget: {exc}") from None
    out = Path(options.out) if options.out is not None else None
    strategy = strategy_of(sources)
    adaptive = strategy != "grid"
    ensemble = options.ensemble if options.ensemble is not None else (
        ev.ensemble if ev is not None else None)
    if adaptive and ensemble is not None and ensemble is not False:
        raise EvaluationError(f"ensemble: not with search: {strategy} (its configurations "
                              "ran on different resources or were stopped early; allowed: "
                              "search grid or random, or no ensemble)")
    return SearchSettings(strategy, halving, bayes, n_trials, budget, out, tuple(sources),
                          groups, time_ordered, tuple(configs) if adaptive else ())


def search_keyword(search: Any) -> Any:
    """``evaluate(search=...)`` as candidates_from_mapping takes it (a name or a mapping)."""
    return dict(search) if isinstance(search, Mapping) else search
