"""``data.roles``: columns cast to the kind of data the spec gives them, whatever their values
look like, so that the preprocessing (its selectors by dtype) treats them as the user said.

- ``numeric``: ``pandas.to_numeric``;
- ``categorical``: pandas ``category`` (numbers such as a year become categories);
- ``boolean``: true/false, yes/no, y/n, t/f, on/off, 1/0 (any case) to ``bool``; a column
  with missing cells becomes a ``category`` of False/True instead (scikit-learn's imputers
  cannot take pandas' nullable ``boolean`` beside text columns);
- ``datetime``: ``pandas.to_datetime`` (numbers read as text first: 2007 is a year).

A value that does not fit raises :class:`~stratum_jupyter.errors.DataError` naming the
column and a few of the values, with their rows. Generated code calls :func:`apply_roles`
too, so a notebook reads the table as the evaluation does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import DataError, SpecIssue

TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0", "on"})
FALSE = frozenset({"false", "f", "no", "n", "0", "0.0", "off"})


def apply_roles(frame: Any, roles: Mapping[str, str]) -> Any:
    """A copy of the DataFrame ``frame`` with each column of ``roles`` cast to its kind."""
    if not roles:
        return frame
    frame = frame.copy()
    for column, kind in roles.items():
        frame[column] = _CASTS[kind](frame[column], str(column))
    return frame


def _numeric(series: Any, column: str) -> Any:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return series.astype("int64")
    if pd.api.types.is_numeric_dtype(series):
        return series
    numbers = pd.to_numeric(series.astype("string").str.strip(), errors="coerce")
    bad = series[series.notna() & numbers.isna()]
    if len(bad):
        hint = ("write data.decimal: ','" if bad.astype(str).str.fullmatch(r"[+-]?\d*,\d+").all()
                else "add the markers of missing cells to data.na_values")
        _refuse(column, "numeric", bad, hint)
    return numbers.astype("float64")


def _categorical(series: Any, column: str) -> Any:
    return series.astype("category")


def _boolean(series: Any, column: str) -> Any:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series) and not series.isna().any():
        return series.astype(bool)
    words = series.astype("string").str.strip().str.lower()
    known = words.isin(TRUE | FALSE)
    bad = series[series.notna() & ~known.fillna(False).astype(bool)]
    if len(bad):
        _refuse(column, "boolean", bad, f"allowed: {', '.join(sorted(TRUE | FALSE))}")
    values = words.isin(TRUE).fillna(False).astype(bool)
    if not series.isna().any():
        return values
    return pd.Series(pd.Categorical(values.where(series.notna()), categories=[False, True]),
                     index=series.index, name=series.name)


def _datetime(series: Any, column: str) -> Any:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    dates = pd.to_datetime(series.astype("string").str.strip(), errors="coerce")
    bad = series[series.notna() & dates.isna()]
    if len(bad):
        _refuse(column, "datetime", bad, "write the dates in one format, e.g. 2024-03-31")
    return dates


def _refuse(column: str, kind: str, bad: Any, hint: str) -> None:
    shown = ", ".join(f"{value!r} (row {row})" for row, value in list(bad.items())[:3])
    more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
    raise DataError([SpecIssue(
        ("data", "roles", column),
        f"column {column!r} is {kind} by data.roles, but {len(bad)} of its values "
        f"{'is' if len(bad) == 1 else 'are'} not: {shown}{more}; {hint}",
        value=kind)])


_CASTS: dict[str, Callable[[Any, str], Any]] = {
    "numeric": _numeric, "categorical": _categorical, "boolean": _boolean,
    "datetime": _datetime}
