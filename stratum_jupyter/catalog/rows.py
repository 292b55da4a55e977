"""The rows of a table as the folds need them: in order of a column (``data.order_by``, a
stable sort, so ties keep the file's order) and with the group labels of a group splitter
taken out (``data.groups``: never a feature, so a served model does not need the column).

The same two steps run wherever a table is read or given: the spec's data source
(:mod:`.tables`), ``X`` given to ``evaluate()`` or ``--data``, and generated notebooks
(which write them out in pandas)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import DataError, SpecIssue
from ..suggest import close_matches


@dataclass(frozen=True)
class Arranged:
    """A table's ``frame`` in order, its ``groups`` (a Series or None), what was done
    (``notes``) and the row ``order`` applied (positions into the given frame; None: as
    given), for whatever else is aligned with the rows (the target)."""

    frame: Any
    groups: Any
    notes: list[str]
    order: Any = None


def arrange_rows(frame: Any, *, order_by: str | None = None, groups: str | None = None,
                 where: str = "the data", paths: tuple[tuple[str, ...], tuple[str, ...]] = (
                     ("data", "order_by"), ("data", "groups"))) -> Arranged:
    """``frame`` (a DataFrame) sorted by the column ``order_by`` and without the column
    ``groups``, which comes back as a Series (see :class:`Arranged`).

    Raises :class:`DataError` naming the field (``paths``: where ``order_by`` and
    ``groups`` come from) for a column that is not in ``frame``."""
    named = [(path, column) for path, column in zip(paths, (order_by, groups), strict=True)
             if column is not None]
    columns = [str(c) for c in getattr(frame, "columns", [])]
    missing = [SpecIssue(path, f"{column!r} is not a column of {where}", value=column,
                         allowed=", ".join(columns[:30]),
                         suggestions=close_matches(column, columns))
               for path, column in named if column not in columns]
    if missing:
        raise DataError(missing)
    notes, order = [], None
    if order_by is not None:
        order, note = sort_order(frame[order_by], field=".".join(paths[0]))
        frame = frame if order is None else frame.iloc[order]
        notes.append(note)
    labels = None
    if groups is not None:
        frame = frame.copy()
        labels = frame.pop(groups)
        notes.append(f"{groups!r} holds the groups of the folds ({'.'.join(paths[1])}: "
                     f"{labels.nunique()} groups): left out of the features")
    return Arranged(frame, labels, notes, order)


def sort_order(values: Any, *, field: str = "data.order_by") -> tuple[Any, str]:
    """The positions that put ``values`` (a Series) in order (stable; empty cells last;
    None when already in order) and a note saying so."""
    import numpy as np

    column = values.name
    if values.is_monotonic_increasing:
        return None, (f"rows are in order of {column!r} ({field}): the folds follow that "
                      "order")
    positions = values.reset_index(drop=True).sort_values(kind="stable", na_position="last")
    return np.asarray(positions.index), (f"rows sorted by {column!r} ({field}, a stable "
                                         "sort) before the folds are made")
