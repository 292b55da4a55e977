"""The data of an evaluation, read and checked before any work is sent to the cluster.

:func:`checked_data` reads the spec's data source when no ``X`` is given
(:func:`stratum_jupyter.catalog.tables.read_data`: read options, roles, the columns the spec
names), takes pyarrow-backed columns as the pandas dtypes of the same type
(:mod:`stratum_jupyter.catalog.arrowtypes`: selectors, preprocessing, dates and the bundle's
input schema then treat them by their Arrow type) and checks the target
(:func:`check_target`):

- rows whose label is missing are left out, with a note naming the column, how many rows
  and which: a row without a label can neither be learned from nor scored (PyCaret's
  choice too);
- a target that is empty on every row, or that leaves fewer labelled rows than folds, is
  refused (:class:`~stratum_jupyter.errors.DataError`, bad input);
- a class target needs two classes, and every class at least two rows: a class seen on one
  row is missing from the training part of the fold that tests it, where many estimators
  cannot fit (LogisticRegression raises) and none can predict it, so it is refused naming
  the class; a class with fewer rows than folds is noted (some test folds lack it, as
  scikit-learn's ``StratifiedKFold`` warns);
- a regression target must hold numbers (its bad values are named); integral float labels
  of a classification (``1.0``, read so because of empty cells) become integers again.
  String class labels stay as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DataError, EvaluationError, SpecIssue

if TYPE_CHECKING:
    from ..spec import PipelineSpec
    from .prepare import Options

DEFAULT_FOLDS = 5  # folds.make_splitter's default
_SHOWN_ROWS = 5


def checked_data(spec: PipelineSpec | None, X: Any, y: Any, options: Options
                 ) -> tuple[Any, Any, list[str], Any]:
    """``(X, y, notes, groups)``: the given data, else the spec's data source, with the
    target checked (see the module docstring), the rows in order and the group labels of
    the folds taken out (``data.order_by``, ``data.groups``: :mod:`.rows`)."""
    notes: list[str] = []
    groups = options.groups
    path: tuple[str, ...]
    if X is None:
        from ..catalog.tables import read_data

        if spec is None or spec.data is None:
            raise EvaluationError("no data: pass X and y (or --data X y), or give the spec a "
                                  "data source (data: {source: ...})")
        from .rows import source_rows

        try:
            table = read_data(source_rows(spec.data, groups, options.order_by))
        except DataError:
            raise
        except (ValueError, OSError, KeyError) as exc:
            raise DataError([SpecIssue(("data", "source"), f"{spec.data.source!r}: {exc}",
                                       value=spec.data.source)]) from None
        X, y, notes = table.X, table.y, list(table.notes)
        groups = table.groups if table.groups is not None or isinstance(groups, str) \
            else groups  # labels given for the rows as read
        target = spec.data.target or ("target" if spec.data.source.startswith("sklearn:")
                                      else None)
        label, path = f"data.target {target!r}", ("data", "target")
    else:
        from .rows import given_rows

        X, y, groups, notes = given_rows(spec, X, y, groups, options.order_by)
        name = getattr(y, "name", None)
        label, path = (f"the target {name!r}" if name is not None else "the target y"), ("y",)
    from ..catalog.arrowtypes import plain_columns

    X, y, arrow_notes = plain_columns(X, y)  # pyarrow-backed columns: their pandas dtypes
    notes += arrow_notes
    ev = spec.evaluation if spec is not None else None
    task = options.task or (spec.task if spec is not None else None)
    if groups is not None and y is not None and _length(groups) == _length(y) \
            and _length(X) == _length(y):
        groups = _take(groups, ~_missing(y))  # the rows check_target keeps
    X, y, more = check_target(X, y, label=label, path=path,
                              min_rows=fold_count(options.cv, ev), task=task)
    return X, y, notes + more, groups


def fold_count(cv: Any, ev: Any) -> int:
    """The fewest rows the folds need: one per fold (two for a holdout split)."""
    if cv is None and ev is not None:
        if ev.holdout is not None:
            return 2
        cv = ev.cv
    if cv is None:
        return DEFAULT_FOLDS
    if isinstance(cv, int):
        return cv
    if isinstance(cv, dict) and len(cv) == 1:  # {Splitter: {params}}: its n_splits
        from ..spec.splitters import SPLITTERS, parameters

        ((name, params),) = cv.items()
        n = (params or {}).get("n_splits", parameters(name).get("n_splits", DEFAULT_FOLDS)) \
            if name in SPLITTERS else DEFAULT_FOLDS
        return max(n, 2) if isinstance(n, int) else 2
    try:
        return max(int(cv.get_n_splits()), 2)
    except Exception:  # an iterable of splits, a splitter that needs the data
        return 2


def check_target(X: Any, y: Any, *, label: str, path: tuple[str, ...], min_rows: int,
                 task: str | None) -> tuple[Any, Any, list[str]]:
    """``(X, y, notes)`` with the rows of missing labels left out; ``DataError`` when too
    few labelled rows remain. X and y of different lengths are left to the folds to name."""
    if y is None or _length(X) != _length(y):
        return X, y, []
    missing = _missing(y)
    total, empty = len(missing), int(missing.sum())
    notes = []
    if empty == total and total:
        raise DataError([SpecIssue(path, f"{label} is empty on every row ({total} of "
                                   f"{total}): there are no labels to learn from; is it "
                                   "the right column?")])
    if empty:
        where = _rows(y, missing)
        if total - empty < min_rows:
            raise DataError([SpecIssue(path, f"{label} is empty on {empty} of {total} rows "
                                       f"({where}): the {total - empty} rows with a label "
                                       f"are fewer than the {min_rows} folds")])
        keep = ~missing
        X, y = _take(X, keep), _take(y, keep)
        notes.append(f"{label} is empty on {empty} of {total} rows ({where}): those rows are "
                     "left out (a row without a label can neither be learned from nor scored)")
    elif total < min_rows:
        raise DataError([SpecIssue(path, f"the data has {total} rows, fewer than the "
                                   f"{min_rows} folds")])
    y = _typed(y, task, label, path)
    if task == "classification":
        notes += _check_classes(y, label, path, min_rows)
    return X, y, notes


def _check_classes(y: Any, label: str, path: tuple[str, ...], folds: int) -> list[str]:
    """Refuse a class target with one class, or with a class seen on a single row (naming
    them); a note for classes with fewer rows than ``folds``."""
    import pandas as pd

    counts = pd.Series(y).dropna().value_counts()
    if len(counts) < 2:
        found = f"only the class {counts.index[0]!r}" if len(counts) else "no class"
        raise DataError([SpecIssue(path, f"{label} has {found} on every labelled row: a "
                                   "classifier needs at least two classes to tell apart")])
    single = [repr(c) for c, n in counts.items() if n == 1]
    if single:
        raise DataError([SpecIssue(path, f"{label}: the class{'es' if len(single) > 1 else ''} "
                                   f"{_listed(single)} {'are' if len(single) > 1 else 'is'} "
                                   "on one row only: the fold that tests such a row has "
                                   "no example of its class to learn from; add rows of "
                                   "that class, merge it into another or leave its rows "
                                   "out of the data")])
    rare = [f"{c!r} ({n} rows)" for c, n in counts.items() if n < folds]
    if not rare:
        return []
    return [f"{label}: {_listed(rare)} {'have' if len(rare) > 1 else 'has'} fewer rows than "
            f"the {folds} folds: some test folds have no row of "
            f"{'these classes' if len(rare) > 1 else 'that class'}"]


def _listed(items: list[str]) -> str:
    return ", ".join(items[:_SHOWN_ROWS]) + (f" and {len(items) - _SHOWN_ROWS} more"
                                            if len(items) > _SHOWN_ROWS else "")


def _length(obj: Any) -> int | None:
    try:
        return int(obj.shape[0]) if hasattr(obj, "shape") else len(obj)
    except TypeError:
        return None


def _missing(y: Any) -> Any:
    """A boolean array: which rows have no label (NaN, None, NA, NaT)."""
    import numpy as np
    import pandas as pd

    mask: Any = np.asarray(y.isna() if hasattr(y, "isna")
                           else pd.isna(np.asarray(y, dtype=object)))
    if mask.ndim > 1:  # several targets: a row missing any of them
        mask = mask.any(axis=tuple(range(1, mask.ndim)))
    return np.asarray(mask, dtype=bool)


def _rows(y: Any, missing: Any) -> str:
    import numpy as np

    index = y.index[missing] if hasattr(y, "index") else np.flatnonzero(missing)
    shown = ", ".join(str(i) for i in list(index[:_SHOWN_ROWS]))
    more = len(index) - _SHOWN_ROWS
    return f"row{'s' if len(index) > 1 else ''} {shown}" + (f" and {more} more" if more > 0
                                                             else "")


def _take(obj: Any, keep: Any) -> Any:
    if hasattr(obj, "iloc"):
        return obj.iloc[keep]
    if isinstance(obj, list | tuple):
        return [value for value, kept in zip(obj, keep, strict=True) if kept]
    return obj[keep]


def _typed(y: Any, task: str | None, label: str, path: tuple[str, ...]) -> Any:
    """A regression target as numbers; integral float class labels as integers."""
    import numpy as np
    import pandas as pd

    values = np.asarray(y)
    if values.ndim != 1 or task not in ("classification", "regression"):
        return y
    numeric = pd.api.types.is_numeric_dtype(getattr(y, "dtype", values.dtype)) \
        and not pd.api.types.is_bool_dtype(getattr(y, "dtype", values.dtype))
    if task == "regression" and not numeric:
        series = pd.Series(values)
        numbers = pd.to_numeric(series.astype("string").str.strip(), errors="coerce")
        bad = series[numbers.isna()]
        if len(bad):
            index = list(y.index) if hasattr(y, "index") else list(range(len(values)))
            shown = ", ".join(f"{v!r} (row {index[i]})" for i, v in list(bad.items())[:3])
            raise DataError([SpecIssue(path, f"{label} is the target of a regression, but "
                                       f"{len(bad)} of its values are not numbers: {shown}; "
                                       "add the markers of missing labels to "
                                       "data.na_values, or is the task classification?")])
        return _like(y, numbers.astype("float64").to_numpy())
    if task == "classification" and values.dtype.kind == "f" \
            and bool(np.all(np.mod(values, 1) == 0)):
        return _like(y, values.astype("int64"))
    return y


def _like(y: Any, values: Any) -> Any:
    """``values`` in the container of ``y`` (its index and name kept)."""
    if hasattr(y, "iloc"):
        import pandas as pd

        return pd.Series(values, index=y.index, name=y.name)
    return values
