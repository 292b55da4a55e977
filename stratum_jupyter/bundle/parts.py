"""The parts of a fitted composite estimator, to say which one is to blame when the whole
cannot be saved, loaded back or converted: ``preprocessing > categorical > simpleimputer
(SimpleImputer)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Problem = Callable[[Any, Any], "str | None"]
"""``(estimator, its input) -> what is wrong with it on its own``, or None."""


def parts(model: Any, data: Any = None) -> list[tuple[str, Any, Any]]:
    """``(name, estimator, its input)`` of each part of a fitted ``model``: a Pipeline's steps
    (each fed the output of those before it), a ColumnTransformer's fitted transformers (each
    fed its columns), a FeatureUnion's transformers; none for other estimators. The inputs
    are None when ``data`` is, and after a step that cannot transform it."""
    steps = getattr(model, "steps", None)
    if isinstance(steps, list):
        found = []
        for name, step in steps:
            if step is None or isinstance(step, str):
                continue
            found.append((name, step, data))
            if data is not None and hasattr(step, "transform") and step is not steps[-1][1]:
                try:
                    data = step.transform(data)
                except Exception:  # e.g. a converted copy fed rows it was not made for
                    data = None
        return found
    transformers = getattr(model, "transformers_", None)
    if isinstance(transformers, list):
        # A group that took no column was never fitted nor run: it is no part of the model.
        return [(name, est, None if data is None else columns(data, cols))
                for name, est, cols in transformers
                if not isinstance(est, str) and _takes_columns(cols)]
    union = getattr(model, "transformer_list", None)
    if isinstance(union, list):
        return [(name, est, data) for name, est in union if not isinstance(est, str)]
    return []


def _takes_columns(cols: Any) -> bool:
    try:
        return len(cols) > 0
    except TypeError:  # a slice or a single column
        return True


def columns(data: Any, cols: Any) -> Any:
    """The columns ``cols`` of a table or array, as a ColumnTransformer gives them to one of
    its transformers (names, positions, a mask or a slice)."""
    if isinstance(cols, str) and hasattr(data, "iloc"):
        return data[cols]  # one column named by a string: 1-D (a text vectorizer's input)
    if hasattr(data, "iloc"):
        names = list(cols) if isinstance(cols, list | tuple) else None
        if names and all(isinstance(c, str) for c in names):
            return data[names]
        return data.iloc[:, cols]
    return data[:, cols]


@dataclass(frozen=True)
class Blame:
    """The innermost part of a model that has a problem on its own, and that problem."""

    path: tuple[str, ...]
    estimator: Any
    problem: str | None

    def __str__(self) -> str:
        kind = type(self.estimator).__name__
        return " > ".join((*self.path[:-1], f"{self.path[-1]} ({kind})")) if self.path \
            else kind


def locate(model: Any, data: Any, problem: Problem) -> Blame:
    """Descend into the first part of ``model`` that has a ``problem`` on its own, then into
    its first such part, and so on; the path walked (empty when no part has one)."""
    path: list[str] = []
    node, node_data, found = model, data, None
    while True:
        for name, part, part_data in parts(node, node_data):
            if part_data is None and node_data is not None:
                continue  # its input could not be made: it cannot be tried on its own
            issue = problem(part, part_data)
            if issue:
                path.append(name)
                node, node_data, found = part, part_data, issue
                break
        else:
            return Blame(tuple(path), node, found)
