"""The held-out test part (``evaluation.test``): taken out before the folds are made, kept
out of every choice, and scored once for the selected model refitted on the rest.

Split like the folds: stratified for classification (``StratifiedShuffleSplit``), by
group when the rows have groups (``GroupShuffleSplit``: no group on both sides), the last
rows when the folds are time-ordered; otherwise a plain shuffled split (``ShuffleSplit``).
Generated notebooks call :func:`split_test` too, so they hold out the same rows.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import DataError, SpecIssue

PATH = ("evaluation", "test")


def split_test(n_rows: int, fraction: float, *, task: str, y: Any = None,
               groups: Any = None, time_ordered: bool = False,
               random_state: int | None = None) -> tuple[Any, Any]:
    """``(train_idx, test_idx)``: NumPy arrays of row positions in ``range(n_rows)``, the
    test part about ``fraction`` (in (0, 1)) of the rows: ``ceil(fraction * n_rows)`` rows,
    as scikit-learn counts; with ``groups`` (one label per row), of the groups. In the
    splitter's order, so ``train_test_split(X, y, test_size=fraction, stratify=y,
    random_state=random_state)`` (no ``stratify`` but for classification) gives the same
    parts, their rows in the same order.

    ``time_ordered``: the last rows (in the order given), whatever the task; else with
    ``groups``: ``GroupShuffleSplit``; else for classification with ``y``:
    ``StratifiedShuffleSplit``; else ``ShuffleSplit`` (all with ``random_state``). Rows
    whose label in ``y`` is missing (NaN, None) are in neither part, as the evaluation
    leaves them out: the split of a table is that of its labelled rows.

    Raises :class:`DataError` (field ``evaluation.test``) when ``fraction`` is not in
    (0, 1), either part would be empty (too few rows or groups), or for classification a
    class of ``y`` is absent from one part (naming the classes)."""
    import numpy as np
    import pandas as pd

    if isinstance(fraction, bool) or not isinstance(fraction, int | float) \
            or not 0 < fraction < 1:
        raise DataError([SpecIssue(PATH, f"{fraction!r} is not a fraction of the rows",
                                   value=fraction, allowed="a number in (0, 1), e.g. 0.2")])
    rows = np.arange(n_rows)
    if y is not None:  # the labelled rows
        y = np.asarray(y, dtype=object) if not hasattr(y, "isna") else y.to_numpy()
        labelled = ~np.asarray(pd.isna(y), dtype=bool).reshape(len(y), -1).any(axis=1)
        rows, y = rows[labelled], y[labelled]
        groups = None if groups is None else np.asarray(groups)[labelled]
    units, what = (len(np.unique(np.asarray(groups))), "groups") if groups is not None \
        and not time_ordered else (len(rows), "rows")
    n_test = math.ceil(fraction * units)
    if n_test < 1 or units - n_test < 1:
        raise DataError([SpecIssue(PATH, f"holding out {fraction} of {units} {what} leaves "
                                   f"{'no test part' if n_test < 1 else 'nothing to train on'}",
                                   value=fraction,
                                   allowed=f"more {what}, or a fraction that leaves both "
                                           "parts at least one")])
    train, test = _split(len(rows), fraction, task, y, groups, time_ordered, random_state)
    if task == "classification" and y is not None:
        _check_classes(y, train, test, fraction)
    return rows[train], rows[test]


def describe(fraction: float, *, task: str, y: Any = None, groups: Any = None,
             time_ordered: bool = False, random_state: int | None = None) -> str:
    """How :func:`split_test` splits, for the evaluation's notes."""
    if time_ordered:
        return "the last rows (time order)"
    if groups is not None:
        return f"GroupShuffleSplit(test_size={fraction}, random_state={random_state})"
    kind = "StratifiedShuffleSplit" if task == "classification" and y is not None \
        else "ShuffleSplit"
    return f"{kind}(test_size={fraction}, random_state={random_state})"


def _split(n_rows: int, fraction: float, task: str, y: Any, groups: Any,
           time_ordered: bool, random_state: int | None) -> tuple[Any, Any]:
    import numpy as np
    from sklearn import model_selection as ms

    if time_ordered:
        n_test = math.ceil(fraction * n_rows)
        return np.arange(n_rows - n_test), np.arange(n_rows - n_test, n_rows)
    rows = np.zeros((n_rows, 1))
    try:
        if groups is not None:
            splitter: Any = ms.GroupShuffleSplit(1, test_size=fraction,
                                                 random_state=random_state)
            return next(splitter.split(rows, y, groups=np.asarray(groups)))
        if task == "classification" and y is not None:
            splitter = ms.StratifiedShuffleSplit(1, test_size=fraction,
                                                 random_state=random_state)
            return next(splitter.split(rows, np.asarray(y)))
        return next(ms.ShuffleSplit(1, test_size=fraction,
                                    random_state=random_state).split(rows))
    except ValueError as exc:  # e.g. fewer test rows than classes
        raise DataError([SpecIssue(PATH, f"cannot hold out {fraction} of the {n_rows} rows: "
                                   f"{exc}", value=fraction,
                                   allowed="more rows, or a larger fraction")]) from None


def _check_classes(y: Any, train: Any, test: Any, fraction: float) -> None:
    """Every class on both sides: one missing from the rest cannot be learnt, one missing
    from the test part is never scored."""
    import numpy as np

    classes = np.unique(y)
    for side, rows in (("rest (the rows trained on)", train), ("test part", test)):
        missing = np.setdiff1d(classes, np.unique(y[rows]))
        if missing.size:
            names = ", ".join(repr(c.item() if hasattr(c, "item") else c) for c in missing)
            raise DataError([SpecIssue(PATH, f"holding out {fraction} of the rows leaves "
                                       f"class(es) {names} out of the {side}",
                                       value=fraction,
                                       allowed="a fraction that leaves every class on both "
                                               "sides, more rows of those classes, or no "
                                               "test part")])
