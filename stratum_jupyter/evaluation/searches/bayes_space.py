"""The search space of ``search: bayes``: a candidate's grid read as Optuna distributions.

A grid value that is a list (or tuple) is a set of choices (one choice: fixed); a
:class:`~stratum_jupyter.spec.search.Distribution` (the spec's ``{low, high, log, step}``)
is handed to Optuna as it is (``Distribution.to_optuna``); scipy's ``uniform``,
``loguniform`` and ``randint`` (what a notebook's random search uses) become the same
ranges; any other single value stays fixed. Optuna stores choices that are not plain
values (an estimator, a tuple such as ``ngram_range``) by their ``repr``; the space maps
them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import EvaluationError

PLAIN = (type(None), bool, int, float, str)
# scipy.stats distributions by name, and whether they are log-uniform
_SCIPY = {"uniform": False, "loguniform": True, "reciprocal": True, "randint": False}


@dataclass(frozen=True)
class Space:
    """One candidate's space: ``fixed`` values, ``choices`` (Optuna's value -> the grid's
    value, by parameter) and every searched parameter's Optuna distribution."""

    candidate: str
    fixed: dict[str, Any] = field(default_factory=dict)
    distributions: dict[str, Any] = field(default_factory=dict)
    choices: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def optuna_name(self, param: str, prefixed: bool) -> str:
        """The parameter's name in the study: ``candidate:param`` when several candidates
        share it (each candidate's parameters are then conditional on the candidate)."""
        return f"{self.candidate}:{param}" if prefixed else param

    def suggest(self, trial: Any, prefixed: bool) -> dict[str, Any]:
        """The grid values ``trial`` suggests (fixed ones included), grid order."""
        params = dict(self.fixed)
        for name, dist in self.distributions.items():
            value = _suggest(trial, self.optuna_name(name, prefixed), dist)
            params[name] = self.choices[name][value] if name in self.choices else value
        return params

    def params_of(self, trial_params: Mapping[str, Any], prefixed: bool
                  ) -> dict[str, Any] | None:
        """The grid values of a stored trial; None when it holds a value this space does
        not (the study was written for another grid)."""
        params = dict(self.fixed)
        for name, dist in self.distributions.items():
            key = self.optuna_name(name, prefixed)
            if key not in trial_params:
                return None
            value = trial_params[key]
            if name in self.choices:
                if value not in self.choices[name]:
                    return None
                value = self.choices[name][value]
            elif not (isinstance(value, int | float) and dist.low <= value <= dist.high):
                return None
            params[name] = value
        return params

    @property
    def size(self) -> float:
        """How many configurations the space holds (inf with a continuous range)."""
        import math

        size = 1.0
        for dist in self.distributions.values():
            choices = getattr(dist, "choices", None)
            if choices is not None:
                size *= len(choices)
            elif getattr(dist, "step", None) is not None and not dist.log:
                size *= int(round((dist.high - dist.low) / dist.step)) + 1
            else:
                size = math.inf
        return size


def space_of(candidate: str, grid: Any) -> Space:
    """The :class:`Space` of ``candidate``'s ``grid`` (a mapping of parameter -> values).

    Raises :class:`EvaluationError` naming the candidate and parameter for a value that is
    not a search range (a scipy distribution other than uniform, loguniform, randint), and
    for a list of grids (bayes searches one grid per candidate)."""
    from optuna.distributions import CategoricalDistribution

    if isinstance(grid, list | tuple):
        if len(grid) != 1:
            raise EvaluationError(
                f"grid of candidate {candidate!r}: search: bayes takes one grid per "
                f"candidate, got a list of {len(grid)} grids (allowed: one mapping; make "
                "each grid a candidate of its own)")
        grid = grid[0]
    space = Space(candidate)
    for name, value in (grid or {}).items():
        if isinstance(value, list | tuple):
            values = list(value)
            if not values:
                raise EvaluationError(f"grid of candidate {candidate!r}: {name} has no "
                                      "values (allowed: a non-empty list, a range)")
            if len(values) == 1:
                space.fixed[name] = values[0]
                continue
            keys = _choice_keys(values)
            space.choices[name] = dict(zip(keys, values, strict=True))
            space.distributions[name] = CategoricalDistribution(keys)
        elif hasattr(value, "to_optuna"):
            space.distributions[name] = value.to_optuna()
        elif hasattr(value, "rvs"):
            space.distributions[name] = _from_scipy(candidate, name, value)
        else:
            space.fixed[name] = value
    return space


def _suggest(trial: Any, name: str, dist: Any) -> Any:
    """``trial``'s value of ``dist`` through Optuna's public ``suggest_*``."""
    from optuna.distributions import CategoricalDistribution, IntDistribution

    if isinstance(dist, CategoricalDistribution):
        return trial.suggest_categorical(name, dist.choices)
    if isinstance(dist, IntDistribution):
        return trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
    return trial.suggest_float(name, dist.low, dist.high, step=dist.step, log=dist.log)


def _choice_keys(values: list[Any]) -> list[Any]:
    """What Optuna stores for each choice: the value when plain (None, bool, int, float,
    str), else its ``repr``; ``#i`` when two of those are equal (Optuna finds a choice by
    ``==``: 1, 1.0 and True would be one)."""
    keys = [v if type(v) in PLAIN else repr(v) for v in values]
    if not any(a == b for i, a in enumerate(keys) for b in keys[i + 1:]):
        return keys
    return [f"#{i}" for i in range(len(values))]


def _from_scipy(candidate: str, name: str, frozen: Any) -> Any:
    from optuna.distributions import FloatDistribution, IntDistribution

    kind = getattr(getattr(frozen, "dist", None), "name", type(frozen).__name__)
    if kind not in _SCIPY or not hasattr(frozen, "support"):
        raise EvaluationError(
            f"grid of candidate {candidate!r}: {name} is a {kind} distribution, which "
            "search: bayes cannot hand to Optuna (allowed: a list of choices, "
            "{low, high, log, step}, scipy's uniform, loguniform or randint)")
    low, high = (float(v) for v in frozen.support())
    if kind == "randint":
        return IntDistribution(int(low), int(high))
    return FloatDistribution(low, high, log=_SCIPY[kind])
