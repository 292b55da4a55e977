"""How the configurations of the candidates are searched: the strategies' settings, the time
budget, and the search distributions of ``random``, ``halving`` and ``bayes``.

A distribution is written in a step's parameters as ``{low: 0.01, high: 10, log: true}``
(optionally ``step``); integers when ``low`` and ``high`` are both integers (and ``step``, if
given, is one too). ``random`` and ``halving`` draw from it with scipy.stats (so
scikit-learn's ``ParameterSampler`` takes it as it is), ``bayes`` hands it to Optuna.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Search = Literal["grid", "random", "halving", "bayes"]
SEARCHES: tuple[str, ...] = get_args(Search)
DISTRIBUTION_KEYS = frozenset({"low", "high", "log", "step"})

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
_BUDGET = re.compile(r"(\d+(?:\.\d+)?)\s*(h|min|m|sec|s)")


def parse_budget(value: Any) -> float | None:
    """Seconds from ``"10m"``, ``"90s"``, ``"1h30m"``, ``"1.5h"`` or a number of seconds.

    Raises ``ValueError`` naming the allowed forms for anything else, or a budget <= 0."""
    if value is None:
        return None
    forms = "a time such as 90s, 10m, 1h30m, or a number of seconds"
    if isinstance(value, bool):
        raise ValueError(f"budget is {forms}, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        parts = _BUDGET.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"budget is {forms}, got {value!r}")
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    else:
        raise ValueError(f"budget is {forms}, got {value!r}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"budget must be more than 0 seconds, got {value!r}")
    return seconds


def _budget(value: Any) -> Any:
    try:
        parse_budget(value)  # raises for what is not a budget; the text is kept as written
    except ValueError as exc:  # the spec's error says what was given once, after this
        raise ValueError(str(exc).rsplit(", got ", 1)[0]) from None
    return value


# evaluation.budget, as written ("10m" or seconds); EvaluationSpec.budget_seconds reads it.
Budget = Annotated[str | float | int, BeforeValidator(_budget)]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class HalvingSpec(_Settings):
    """Successive halving (scikit-learn's ``HalvingGridSearchCV`` terms): every configuration
    on ``min_resources``, the best ``1/factor`` of them on ``factor`` times more, until one
    rung uses ``max_resources``."""

    factor: float = Field(3, gt=1, description="How many times fewer configurations, and "
                                               "more resources, each rung has.")
    resource: str = Field(
        "auto", min_length=1,
        description="n_samples (rows of each fold's training part, subsampled as the folds "
                    "are: stratified, by group, the latest rows of a time-ordered fold), an "
                    "iteration parameter grown by warm start (n_estimators, max_iter, epochs),"
                    " or auto: the estimator's iteration parameter where every candidate has "
                    "one, else n_samples.")
    min_resources: int | Literal["auto"] = Field(
        "auto", description="Resources of the first rung (auto: enough rows for every class "
                            "in every fold, see docs/spec.md).")
    max_resources: int | Literal["auto"] = Field(
        "auto", description="Resources of the last rung (auto: all the fold's training rows, "
                            "or the iteration parameter's value in the grid).")


class BayesSpec(_Settings):
    """Model-based search with Optuna's TPE sampler, trials run as Dask tasks."""

    pruning: bool = Field(True, description="Stop a trial whose first folds score below the "
                                            "median of earlier trials at the same fold.")
    n_startup_trials: int = Field(10, ge=1, description="Random trials before TPE models the "
                                                        "results (Optuna's default).")


@dataclass(frozen=True)
class Distribution:
    """A search distribution of one parameter: uniform (or log-uniform) on [low, high],
    integers when ``integer``; ``step`` quantises it (Optuna's ``step``)."""

    low: float
    high: float
    log: bool = False
    step: float | None = None
    integer: bool = False

    @classmethod
    def from_mapping(cls, value: dict[str, Any]) -> Distribution:
        """From ``{low, high, log?, step?}``. Raises ``ValueError`` naming what is wrong."""
        unknown = set(value) - DISTRIBUTION_KEYS
        if unknown or not {"low", "high"} <= set(value):
            raise ValueError("a search distribution is {low: <number>, high: <number>, "
                             f"log: true|false, step: <number>}}, got {value!r}")
        low: Any = value["low"]
        high: Any = value["high"]
        log, step = value.get("log"), value.get("step")
        for key, number in (("low", low), ("high", high), ("step", step)):
            if number is not None and (isinstance(number, bool)
                                       or not isinstance(number, int | float)):
                raise ValueError(f"{key} of a search distribution is a number, got {number!r}")
        if log is not None and not isinstance(log, bool):
            raise ValueError(f"log of a search distribution is true or false, got {log!r}")
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"a search distribution's ends are finite, got {low} and {high}")
        if not low < high:
            raise ValueError(f"a search distribution needs low < high, got {low} and {high}")
        if log and low <= 0:
            raise ValueError(f"log: true needs low > 0, got {low}")
        if step is not None and (step <= 0 or log):
            raise ValueError("step is a positive number, and cannot be used with log: true")
        integer = all(isinstance(v, int) for v in (low, high, step) if v is not None)
        return cls(low, high, bool(log), step, integer)

    def to_dict(self) -> dict[str, Any]:
        """The mapping it was written as (what the spec, the builder and codegen show)."""
        out: dict[str, Any] = {"low": self.low, "high": self.high}
        if self.log:
            out["log"] = True
        if self.step is not None:
            out["step"] = self.step
        return out

    def to_scipy(self) -> Any:
        """The scipy.stats distribution random search draws from (``rvs``)."""
        from scipy import stats

        if self.integer and self.step in (None, 1):
            if self.log:
                return _RoundedLogUniform(int(self.low), int(self.high))
            return stats.randint(int(self.low), int(self.high) + 1)
        if self.log:
            return stats.loguniform(self.low, self.high)
        if self.step is not None:
            return _Stepped(self.low, self.high, self.step, self.integer)
        return stats.uniform(self.low, self.high - self.low)

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        """One draw (scikit-learn's ``ParameterSampler`` calls this): a Python number, so
        that labels and logs read ``C=0.44``, not ``C=np.float64(0.44)``."""
        value = self.to_scipy().rvs(size=size, random_state=random_state)
        return value.item() if size is None and hasattr(value, "item") else value

    def to_optuna(self) -> Any:
        """The Optuna distribution of the same range."""
        from optuna.distributions import FloatDistribution, IntDistribution

        if self.integer:
            return IntDistribution(int(self.low), int(self.high), log=self.log,
                                   step=int(self.step or 1))
        return FloatDistribution(float(self.low), float(self.high), log=self.log,
                                 step=self.step)

    def __repr__(self) -> str:  # shown in labels and errors as the user wrote it
        return repr(self.to_dict())


@dataclass(frozen=True)
class _RoundedLogUniform:
    low: int
    high: int

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        from scipy import stats

        value = stats.loguniform(self.low, self.high + 1).rvs(size=size,
                                                              random_state=random_state)
        return min(int(value), self.high) if size is None else value.astype(int)


@dataclass(frozen=True)
class _Stepped:
    low: float
    high: float
    step: float
    integer: bool

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        from scipy import stats

        n = int((self.high - self.low) // self.step)
        k = stats.randint(0, n + 1).rvs(size=size, random_state=random_state)
        value = self.low + k * self.step
        return (int(value) if self.integer else float(value)) if size is None else value


def is_distribution(value: Any) -> bool:
    """Whether a parameter value written in a spec is a search distribution."""
    return (isinstance(value, dict) and {"low", "high"} <= set(value)
            and set(value) <= DISTRIBUTION_KEYS)


def is_search_distribution(block: str, name: str, value: Any) -> bool:
    """Whether ``value`` of parameter ``name`` of ``block`` is a search distribution: a
    mapping of those keys, except where the parameter takes mappings and no numbers (a
    ``class_weight: {low: 1, high: 3}`` of classes named low and high is a value)."""
    if not is_distribution(value):
        return False
    from ..catalog import get_catalog

    catalog = get_catalog()
    info = catalog.get(block).param(name) if block in catalog else None
    return info is None or "dict" not in info.types or bool({"int", "float"} & set(info.types))
