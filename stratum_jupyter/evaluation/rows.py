"""The rows of ``X`` given to an evaluation (``evaluate(spec, X, y)``, ``--data``, a
generated notebook) arranged as the spec's data source would be (:mod:`..catalog.rows`):
in order of ``order_by``, the ``groups`` column taken out of the features.

``groups`` (``evaluate(groups=)``) may be the group labels (an array or Series, one per
row) or the name of a column of ``X``; without it, the spec's ``data.groups`` names a column
of ``X`` when ``X`` has it. ``order_by`` (``evaluate(order_by=)``, else ``data.order_by``
when ``X`` has that column: generated code sorts the rows itself, and may then drop the
column) names a column of ``X``."""

from __future__ import annotations

from typing import Any

from ..catalog.rows import arrange_rows


def given_rows(spec: Any, X: Any, y: Any, groups: Any, order_by: str | None
               ) -> tuple[Any, Any, Any, list[str]]:
    """``(X, y, groups, notes)``: ``X`` and ``y`` in order, ``groups`` aligned with them.

    Raises ``DataError`` naming ``groups`` / ``order_by`` (or ``data.groups`` /
    ``data.order_by`` when they come from the spec) for a column ``X`` lacks."""
    data = spec.data if spec is not None else None
    order_path: tuple[str, ...] = ("order_by",)
    notes = []
    if order_by is None and data is not None and data.order_by is not None:
        if data.order_by in getattr(X, "columns", ()):
            order_by, order_path = data.order_by, ("data", "order_by")
        else:  # e.g. generated code: sorted, then the column dropped (data.drop)
            notes.append(f"data.order_by {data.order_by!r} is not a column of X: the rows "
                         "are taken in the order given")
    group_path: tuple[str, ...] = ("groups",)
    column = groups if isinstance(groups, str) else None
    if groups is None and data is not None and data.groups is not None \
            and data.groups in getattr(X, "columns", ()):
        column, group_path = data.groups, ("data", "groups")
    if order_by is None and column is None:
        return X, y, groups, notes
    if not hasattr(X, "columns"):
        import pandas as pd

        X = pd.DataFrame(X)
    arranged = arrange_rows(X, order_by=order_by, groups=column, where="X",
                            paths=(order_path, group_path))
    order = arranged.order
    labels = arranged.groups if column is not None else groups
    if order is not None:
        y = _take(y, order)
        labels = labels if column is not None else _take(labels, order)
    return arranged.frame, y, labels, notes + arranged.notes


def _take(values: Any, order: Any) -> Any:
    if values is None:
        return None
    if hasattr(values, "iloc"):
        return values.iloc[order]
    import numpy as np

    return np.asarray(values)[order]


def source_rows(data: Any, groups: Any, order_by: str | None) -> Any:
    """The spec's ``data`` (read from its source) with ``evaluate(groups="col",
    order_by="col")`` as its ``groups`` / ``order_by``: columns of the table it reads."""
    update = {key: value for key, value in (("groups", groups), ("order_by", order_by))
              if isinstance(value, str)}
    return data.model_copy(update=update) if update else data
