"""Checks of meaning for the search settings: search distributions in step parameters and
``evaluation.search`` with its settings (``n_iter``, ``n_trials``, ``halving``, ``bayes``).

Run by :mod:`stratum_jupyter.spec.validate` on the raw mapping, every issue reported at
once; defensive, since the structure may be broken (the structural pass reports that).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import SpecIssue
from ..suggest import close_matches as _close
from ..suggest import short_repr as _short
from .search import SEARCHES, Distribution, is_distribution, is_search_distribution

__all__ = ["distribution_issues", "given_distribution", "search_issues"]
DISTRIBUTION_FORM = "{low: <number>, high: <number>, log: true|false, step: <number>}"
# What each strategy does with a distribution: drawn from, or refused (grid).
DRAWN_BY = ("random", "halving", "bayes")
_NUMBERS = {"int", "float"}
# Parameters that count iterations: what halving's resource may grow (by warm start where
# the estimator allows; the search session's halving says how).
ITERATION_PARAMS = ("n_estimators", "max_iter", "epochs", "iterations")


def given_distribution(block: Any, info: Any, value: Any) -> bool:
    """Whether ``value`` of the parameter ``info`` of ``block`` is checked as a search
    distribution: one (:func:`is_search_distribution`), or a mapping with ``low``, ``high``
    and other keys for a parameter that takes numbers and no mappings (a distribution
    mistyped, said so, rather than a value scikit-learn refuses)."""
    if is_search_distribution(block.name, info.name, value):
        return True
    return (isinstance(value, dict) and {"low", "high"} <= set(value)
            and "dict" not in info.types and bool(_NUMBERS & set(info.types)))


def distribution_issues(block: Any, info: Any, value: dict[str, Any],
                        where: tuple[Any, ...]) -> Iterator[SpecIssue]:
    """A distribution given to the parameter ``info`` of ``block`` (a catalog ``Block`` and
    its ``ParamInfo``): well formed, for a numeric parameter, its ends allowed by the
    estimator's own constraints (integers where it takes integers only)."""
    try:
        dist = Distribution.from_mapping(value)
    except ValueError as exc:
        yield SpecIssue(where, str(exc), value=value, allowed=DISTRIBUTION_FORM)
        return
    numbers = _NUMBERS & set(info.types)
    if not numbers:
        yield SpecIssue(where, f"a search distribution is for a numeric parameter; "
                        f"{info.name} of {block.name} takes {info.describe()}", value=value,
                        allowed=f"{info.describe()}, or a list of values to search")
        return
    if numbers == {"int"} and not dist.integer:
        yield SpecIssue(where, f"{info.name} of {block.name} takes integers: write low, high "
                        "(and step) as integers", value=value, allowed=info.describe())
        return
    for end in ("low", "high"):
        message = block.check_param(info.name, value[end])
        if message:
            yield SpecIssue((*where, end), f"{_short(value[end])} is not allowed: {message}",
                            value=value[end], allowed=info.describe())


def search_issues(data: dict[str, Any]) -> Iterator[SpecIssue]:
    """``evaluation.search`` and its settings against the candidates' own searches: a
    distribution needs a strategy that draws; ``n_iter`` is for random or halving,
    ``n_trials`` and ``bayes`` for bayes, ``halving`` for halving, whose ``resource`` is
    ``auto``, ``n_samples`` or an integer parameter of every halving candidate's final
    estimator, and whose ``min_resources`` is at most its ``max_resources``."""
    ev = data.get("evaluation")
    ev = ev if isinstance(ev, dict) else {}
    default = ev.get("search", "grid")
    searches: dict[int, str] = {}
    for i, cand in enumerate(_as_list(data.get("candidates"))):
        if isinstance(cand, dict):
            search = cand.get("search") or default
            searches[i] = search if search in SEARCHES else "grid"
            yield from _drawn_issues(cand, i, searches[i])
    used = set(searches.values())
    yield from _n_iter_issues(ev, data.get("candidates"), searches)
    for key, search in (("n_trials", "bayes"), ("halving", "halving"), ("bayes", "bayes")):
        if ev.get(key) is not None and used and search not in used:
            yield SpecIssue(("evaluation", key), f"{key} is for search: {search}, and no "
                            f"candidate is searched so (search: {_shown(used)})",
                            value=ev[key], allowed=f"search: {search}, or leave {key} out")
    halving = ev.get("halving")
    if isinstance(halving, dict) and "halving" in used:
        yield from _halving_issues(halving, data, searches)


def _drawn_issues(cand: dict[str, Any], i: int, search: str) -> Iterator[SpecIssue]:
    """A distribution in a candidate searched by grid: refused, naming the remedies."""
    if search in DRAWN_BY:
        return
    for k, step in enumerate(_as_list(cand.get("steps"))):
        if not (isinstance(step, dict) and len(step) == 1):
            continue
        ((block, params),) = step.items()
        if not (isinstance(block, str) and isinstance(params, dict)):
            continue
        for name, value in params.items():
            if isinstance(name, str) and is_search_distribution(block, name, value):
                yield SpecIssue(("candidates", i, "steps", k, block, name),
                                "a distribution needs search: random, halving or bayes, "
                                "or write a list of values", value=value,
                                allowed="evaluation.search (or the candidate's search): "
                                    "random, halving or bayes; or a list for search: grid")


def _n_iter_issues(ev: dict[str, Any], candidates: Any, searches: dict[int, str]
                   ) -> Iterator[SpecIssue]:
    """n_iter (draws of random, configurations halving draws from distributions) where no
    strategy draws that many."""
    allowed = "search: random or halving, or leave n_iter out"
    if ev.get("n_iter") is not None and searches \
            and not {"random", "halving"} & set(searches.values()):
        yield SpecIssue(("evaluation", "n_iter"), "n_iter is the number of draws of search: "
                        f"random or halving (search: {_shown(set(searches.values()))})",
                        value=ev["n_iter"], allowed=allowed)
    for i, search in searches.items():
        cand = _as_list(candidates)[i]
        if cand.get("n_iter") is not None and search not in ("random", "halving"):
            yield SpecIssue(("candidates", i, "n_iter"), "n_iter is the number of draws of "
                            f"search: random or halving; this candidate's search is {search}",
                            value=cand["n_iter"], allowed=allowed)


def _halving_issues(halving: dict[str, Any], data: dict[str, Any], searches: dict[int, str]
                    ) -> Iterator[SpecIssue]:
    path = ("evaluation", "halving")
    low: Any = halving.get("min_resources")
    high: Any = halving.get("max_resources")
    if _is_int(low) and _is_int(high) and low > high:
        yield SpecIssue((*path, "min_resources"), f"min_resources {low} is more than "
                        f"max_resources {high}", value=low,
                        allowed=f"an integer up to max_resources ({high}), or auto")
    resource = halving.get("resource")
    if not isinstance(resource, str) or resource in ("auto", "n_samples"):
        return
    finals = _final_steps(data, [i for i, s in searches.items() if s == "halving"])
    if not finals:
        return
    common = _integer_params(finals)
    missing = [block.name for block, _ in finals if block.param(resource) is None]
    axes = [block.name for block, params in finals if _is_list_or_dist(params.get(resource))]
    allowed = ", ".join(["auto", "n_samples", *common])
    if missing or resource not in common:
        whose = ", ".join(missing) or ", ".join(b.name for b, _ in finals)
        yield SpecIssue((*path, "resource"), f"{resource!r} is not an iteration parameter "
                        f"of every halving candidate's final estimator ({whose})", value=resource,
                        allowed=allowed, suggestions=_close(resource, common))
    elif axes:
        yield SpecIssue((*path, "resource"), f"{resource} is searched in {', '.join(axes)}; "
                        "the resource grows along it, so it cannot also be searched",
                        value=resource, allowed=f"{allowed}; or a single {resource} value")


def _final_steps(data: dict[str, Any], indices: list[int]) -> list[tuple[Any, dict[str, Any]]]:
    """(catalog block, parameters) of the final step of each candidate at ``indices``, for
    the candidates whose final block is known."""
    from ..catalog import get_catalog

    catalog, out = get_catalog(), []
    for i in indices:
        steps = _as_list(_as_list(data.get("candidates"))[i].get("steps"))
        last = steps[-1] if steps else None
        last = {last: {}} if isinstance(last, str) else last
        if isinstance(last, dict) and len(last) == 1:
            ((name, params),) = last.items()
            if isinstance(name, str) and name in catalog:
                out.append((catalog.get(name), params if isinstance(params, dict) else {}))
    return out


def _integer_params(finals: list[tuple[Any, dict[str, Any]]]) -> list[str]:
    """The iteration parameters every one of these final estimators has (what halving's
    resource may be besides n_samples)."""
    names = [{p.name for p in block.params if p.name in ITERATION_PARAMS
              and "int" in p.types} for block, _ in finals]
    return sorted(set.intersection(*names)) if names else []


def _is_list_or_dist(value: Any) -> bool:
    return isinstance(value, list) or is_distribution(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(searches: set[str]) -> str:
    return ", ".join(sorted(searches))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
