"""``evaluation.cv`` as a scikit-learn splitter: ``{TimeSeriesSplit: {n_splits: 5, gap: 7}}``.

The splitters a spec may name, which of them need groups (``data.groups``) or keep the
rows' order (``data.order_by``), and the checks of their parameters: names from each
class's own signature, values against scikit-learn's own constraint objects
(``sklearn.utils._param_validation``, the ones its estimators declare), then the class
itself is built (its ``__init__`` checks the rest, e.g. a ``random_state`` without
``shuffle``). Everything here is pure: scikit-learn is imported inside functions.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from ..errors import SpecIssue
from ..suggest import close_matches, short_repr

# The splitters of evaluation.cv, in the order the builder offers them.
SPLITTERS: tuple[str, ...] = (
    "KFold", "StratifiedKFold", "RepeatedKFold", "RepeatedStratifiedKFold", "GroupKFold",
    "StratifiedGroupKFold", "TimeSeriesSplit", "ShuffleSplit")
GROUP_SPLITTERS = frozenset({"GroupKFold", "StratifiedGroupKFold"})
TIME_SPLITTERS = frozenset({"TimeSeriesSplit"})
# Stratified splitters split by class: they need a class target.
STRATIFIED = frozenset({"StratifiedKFold", "RepeatedStratifiedKFold", "StratifiedGroupKFold"})
_MAX_SEED = 2**32 - 1


def splitter_class(name: str) -> type:
    """The scikit-learn class of a splitter name of :data:`SPLITTERS`."""
    from sklearn import model_selection

    return getattr(model_selection, name)


def parameters(name: str) -> dict[str, Any]:
    """``{parameter: default}`` of the splitter ``name``, from its signature."""
    signature = inspect.signature(splitter_class(name))
    return {p.name: p.default for p in signature.parameters.values()}


def _constraints(name: str) -> dict[str, list[Any]]:
    """scikit-learn constraint objects for each parameter of ``name`` (its splitters do not
    declare ``_parameter_constraints`` themselves; these restate their documentation)."""
    from numbers import Integral

    from sklearn.utils._param_validation import Interval, RealNotInt

    size = [Interval(RealNotInt, 0, 1, closed="neither"), Interval(Integral, 1, None,
                                                                   closed="left"), None]
    table: dict[str, list[Any]] = {
        "n_splits": [Interval(Integral, 1 if name == "ShuffleSplit" else 2, None,
                              closed="left")],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": [Interval(Integral, 0, _MAX_SEED, closed="both"), None],
        "gap": [Interval(Integral, 0, None, closed="left")],
        "max_train_size": [Interval(Integral, 1, None, closed="left"), None],
        "test_size": [Interval(Integral, 1, None, closed="left"), None]
        if name == "TimeSeriesSplit" else size,
        "train_size": size,
    }
    return {p: table[p] for p in parameters(name) if p in table}


def splitter_of(cv: Any) -> tuple[str, dict[str, Any]] | None:
    """``(name, params)`` of a ``cv`` setting written as a splitter; None for a fold count."""
    if isinstance(cv, Mapping) and len(cv) == 1:
        ((name, params),) = cv.items()
        if params is None or isinstance(params, Mapping):  # else: the structure is wrong
            return str(name), dict(params or {})
    return None


def splitter_issues(cv: Any, task: str | None, path: tuple[str, ...] = ("evaluation", "cv")
                    ) -> Iterator[SpecIssue]:
    """What is wrong with a ``cv`` splitter setting: an unknown splitter (with close
    matches), an unknown parameter, a value outside scikit-learn's constraints, a
    stratified splitter for a task without classes. A fold count yields nothing."""
    setting = splitter_of(cv)
    if setting is None:
        return
    name, params = setting
    if name not in SPLITTERS:
        yield SpecIssue((*path, name), f"unknown splitter {name!r}", value=name,
                        allowed=", ".join(SPLITTERS), suggestions=close_matches(name, SPLITTERS))
        return
    where = (*path, name)
    if name in STRATIFIED and task not in (None, "classification"):
        yield SpecIssue(where, f"{name} splits by class, but the task is {task}",
                        value=name, allowed=", ".join(s for s in SPLITTERS
                                                      if s not in STRATIFIED))
    known = parameters(name)
    found = False
    for param in params:
        if param not in known:
            found = True
            yield SpecIssue((*where, str(param)), f"unknown parameter of {name}", value=param,
                            allowed=", ".join(known),
                            suggestions=close_matches(str(param), list(known)))
    bad = list(_value_issues(name, params, where))
    yield from bad
    if not found and not bad:
        yield from _init_issues(name, params, where)


def _value_issues(name: str, params: dict[str, Any], where: tuple[str, ...]
                  ) -> Iterator[SpecIssue]:
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    for param, constraints in _constraints(name).items():
        if param not in params:
            continue
        value = params[param]
        if isinstance(value, bool) and constraints != ["boolean"]:
            yield SpecIssue((*where, param), f"{value!r} is not a number", value=value)
            continue
        try:
            validate_parameter_constraints({param: constraints}, {param: value},
                                           caller_name=name)
        except InvalidParameterError as exc:
            text = str(exc).split(" must be ", 1)[-1].removesuffix(" instead.")
            text = text.replace(". Got ", "; got ")
            yield SpecIssue((*where, param), f"must be {text}", value=value)


def _init_issues(name: str, params: dict[str, Any], where: tuple[str, ...]
                 ) -> Iterator[SpecIssue]:
    """What the class's own ``__init__`` refuses (e.g. ``random_state`` without
    ``shuffle: true``)."""
    try:
        splitter_class(name)(**params)
    except (TypeError, ValueError) as exc:
        yield SpecIssue(where, f"{name}: {exc}", value=short_repr(params))


def build_splitter(name: str, params: Mapping[str, Any], random_state: int | None = None
                   ) -> Any:
    """The splitter ``name(**params)``; ``random_state`` (``evaluation.random_state``) fills
    in the splitter's own when the spec leaves it out and the splitter shuffles (its
    ``shuffle`` is true, or it has no ``shuffle``: the repeated and shuffle splits)."""
    return splitter_class(name)(**splitter_params(name, params, random_state))


def splitter_params(name: str, params: Mapping[str, Any], random_state: Any = None
                    ) -> dict[str, Any]:
    """The keyword arguments :func:`build_splitter` passes: ``params`` and, where it
    applies, ``random_state`` (a seed, or in generated code the name of the variable)."""
    out = dict(params)
    known = parameters(name)
    shuffles = "shuffle" not in known or bool(out.get("shuffle", known["shuffle"]))
    if "random_state" in known and out.get("random_state") is None and shuffles \
            and random_state is not None:
        out["random_state"] = random_state
    return out


def fold_issues(data: Any, ev: Any, task: str | None) -> Iterator[SpecIssue]:
    """The spec's folds as a whole (spec data, before any model): the splitter, and
    ``data.groups`` where and only where a group splitter uses it; stacking's inner folds
    know no groups, so stacking with groups is refused."""
    ev = ev if isinstance(ev, Mapping) else {}
    data = data if isinstance(data, Mapping) else {}
    cv = ev.get("cv")
    yield from splitter_issues(cv, task)
    setting = splitter_of(cv)
    name = setting[0] if setting is not None else None
    groups = data.get("groups")
    if name in GROUP_SPLITTERS and not groups and data.get("source"):
        yield SpecIssue(("data", "groups"), f"evaluation.cv {name} splits by groups, but the "
                        "spec names no column of group labels", allowed="a column name")
    if not groups:
        return
    if name not in GROUP_SPLITTERS:
        used = name or ("a holdout split" if ev.get("holdout") is not None
                        else f"{cv or 5} folds")
        yield SpecIssue(("data", "groups"), f"the groups are not used by {used}: rows of a "
                        "group would be split across folds", value=groups,
                        allowed=f"a group splitter in evaluation.cv "
                        f"({', '.join(sorted(GROUP_SPLITTERS))}), or leave data.groups out")
    if groups == data.get("target"):
        yield SpecIssue(("data", "groups"), "the group column is the target", value=groups,
                        allowed="another column")
    ensemble = ev.get("ensemble")
    if isinstance(ensemble, Mapping) and ensemble.get("method") == "stacking":
        yield SpecIssue(("evaluation", "ensemble", "method"), "stacking's inner folds "
                        "(cross_val_predict on each training part) cannot keep the groups "
                        "of data.groups apart", value="stacking",
                        allowed="soft_voting, hard_voting, or leave data.groups out")


def _cv_setting(value: Any) -> Any:
    """A fold count (2 to 100) or one splitter ``{Name: {param: value}}`` (its name and
    parameters are checked in :mod:`.splitters`)."""
    shape = ("a number of folds (2 to 100) or one scikit-learn splitter with its parameters, "
             "e.g. {TimeSeriesSplit: {n_splits: 5, gap: 7}}")
    if isinstance(value, int) and not isinstance(value, bool):
        if not 2 <= value <= 100:
            raise ValueError(f"cv is {shape}")
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((name, params),) = value.items()
        if isinstance(name, str) and (params is None or isinstance(params, dict)):
            return {name: dict(params or {})}
    raise ValueError(f"cv is {shape}")


# evaluation.cv: a fold count or ``{SplitterName: {param: value}}`` (see spec/splitters.py).
CvSetting = Annotated[
    Annotated[int, Field(ge=2, le=100)]
    | Annotated[dict[str, dict[str, Any]], Field(min_length=1, max_length=1)],
    BeforeValidator(_cv_setting)]
