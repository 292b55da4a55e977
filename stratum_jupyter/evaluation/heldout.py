"""The held-out test part of an evaluation (``evaluation.test``): taken out of the checked
data before the folds are made, split like them (:mod:`.testsplit`), kept out of every
choice; the selected model, refitted on the rest, is scored once on it (executor.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import EvaluationError


@dataclass(frozen=True)
class HeldOut:
    """The held-out test part (``evaluation.test``): its rows of the table as given, kept
    out of the folds and of every choice; the selected model is scored once on it."""

    X: Any
    y: Any
    rows: int
    how: str  # how it was split, for notes and profiles



def labelled(given: Any, X: Any, y: Any) -> Any:
    """The positions of the rows with a label in the data as given (those the evaluation
    keeps), when ``given`` is a split made already (its positions count all the rows)."""
    if not isinstance(given, tuple | list) or X is None or y is None:
        return None
    import numpy as np
    import pandas as pd

    values = y.to_numpy() if hasattr(y, "isna") else np.asarray(y, dtype=object)
    return np.flatnonzero(~np.asarray(pd.isna(values), dtype=bool).reshape(
        len(values), -1).any(axis=1))


def held_out(given: Any, ev: Any, task: str, data: tuple[Any, Any, Any],
              random_state: int | None, labelled: Any = None, time_ordered: bool = False
              ) -> tuple[Any, Any, Any, HeldOut | None]:
    """``(X, y, groups)`` of the rest and the held-out part: ``given`` (a fraction, a split
    already made as ``(train_rows, test_rows)`` of the rows as given, ``labelled`` those of
    them kept; False: none), else ``evaluation.test``. Split like the folds: by group when
    there are groups, the last rows when the folds are ``time_ordered``."""
    from .tasks import _take
    from .testsplit import describe, split_test

    X, y, groups = data
    fraction = ev.test if given is None and ev is not None else given
    if fraction is None or fraction is False:
        return X, y, groups, None
    if isinstance(fraction, tuple | list):  # a generated notebook's split_test(...)
        train, test = _given_split(fraction, length(X), labelled)
        how = "the rows given"
    else:
        how_split = dict(task=task, y=y, groups=groups, time_ordered=time_ordered,
                         random_state=random_state)
        train, test = split_test(length(X), fraction, **how_split)
        how = f"{fraction:g} of the rows, {describe(fraction, **how_split)}"
    held = HeldOut(_take(X, test), _take(y, test), len(test), how)
    rest = None if groups is None else _take(groups, train)
    return _take(X, train), _take(y, train), rest, held


def _given_split(pair: Any, n_rows: int, labelled: Any) -> tuple[Any, Any]:
    """``(train_rows, test_rows)`` as positions of the checked data (rows without a label
    left out: ``labelled`` are the given positions kept); EvaluationError when they are not
    two disjoint, non-empty sets of labelled rows."""
    import numpy as np

    total = n_rows if labelled is None else len(labelled)
    if len(pair) != 2:
        raise EvaluationError(f"test: expected (train_rows, test_rows), got {len(pair)} items")
    train, test = (np.asarray(part, dtype=int) for part in pair)
    kept = np.arange(total) if labelled is None else labelled
    if not (train.size and test.size) or np.intersect1d(train, test).size \
            or not np.isin(np.concatenate([train, test]), kept).all():
        raise EvaluationError(f"test: (train_rows, test_rows) must be disjoint, non-empty "
                              f"positions of labelled rows of the {total} rows (allowed: a "
                              "fraction in (0, 1), the pair split_test returns, or False)")
    return np.searchsorted(kept, train), np.searchsorted(kept, test)


def length(X: Any) -> int:
    """The number of rows of ``X``."""
    return X.shape[0] if hasattr(X, "shape") else len(X)
