"""``data.roles``: columns cast to the kind of data the spec gives them, whatever their values
look like, so that the preprocessing (its selectors by dtype) treats them as the user said.

- ``numeric``: ``pandas.to_numeric``; numbers written with thousands marks or a sign of
  currency or percent are read as written (``3,750`` is 3750, ``$1,200`` 1200, ``12 %`` 12;
  :func:`~stratum_jupyter.catalog.numbertext.text_number`);
- ``categorical``: pandas ``category`` (numbers such as a year become categories);
- ``boolean``: true/false, yes/no, y/n, t/f, on/off, 1/0 (any case) to ``bool``; a column
  with missing cells becomes a ``category`` of False/True instead (scikit-learn's imputers
  cannot take pandas' nullable ``boolean`` beside text columns);
- ``datetime``: ``pandas.to_datetime``, each value in its own format (numbers read as text
  first: 2007 is a year; different time zones in one column become UTC).

Text columns of a CSV file whose every value is a year-first date (``2012-01-31``,
``2012/01/31 08:30``, ISO 8601 with a zone) are read as dates when ``data.roles`` does not
name them (:func:`with_dates`): that form cannot be misread (``01/02/2012`` can: give such
columns the role ``datetime`` and write them year first, or keep them as text).

A value that does not fit raises :class:`~stratum_jupyter.errors.DataError` naming the
column and a few of the values, with their rows. Generated code calls :func:`apply_roles`
too, so a notebook reads the table as the evaluation does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
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
        frame[column] = _numeric(frame[column], str(column), frame) if kind == "numeric" \
            else _CASTS[kind](frame[column], str(column))
    return frame


YEAR_FIRST_DATE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?")


def date_columns(frame: Any, skip: Iterable[str] = ()) -> list[str]:
    """The text columns of ``frame`` (not in ``skip``) whose every non-missing value is a
    valid year-first date (:data:`YEAR_FIRST_DATE`; ``2012-02-30`` is not), in order."""
    import pandas as pd

    skip = set(skip)
    found = []
    for column in frame.columns:
        series = frame[column]
        if column in skip or not (pd.api.types.is_object_dtype(series)
                                  or pd.api.types.is_string_dtype(series)):
            continue
        values = series.dropna()
        if not len(values) or not values.map(lambda v: isinstance(v, str)).all():
            continue
        text = values.str.strip()
        if text.str.fullmatch(YEAR_FIRST_DATE.pattern).all() and _dates(text).notna().all():
            found.append(column)
    return found


def _dates(text: Any) -> Any:
    """Text to datetimes, each value in its own format (NaT where none fits); values with
    different time zones (or some with a zone, some without) become UTC, those without one
    read as UTC (pandas refuses to mix them in one column)."""
    import pandas as pd

    try:
        return pd.to_datetime(text, errors="coerce", format="mixed")
    except ValueError:
        return pd.to_datetime(text, errors="coerce", format="mixed", utc=True)


def with_dates(frame: Any, roles: Mapping[str, str], skip: Iterable[str] = ()
               ) -> dict[str, str]:
    """``roles`` plus the role ``datetime`` for each of :func:`date_columns` it leaves out
    (and not in ``skip``, e.g. the target); the given roles come first and win."""
    detected = date_columns(frame, skip={*roles, *skip})
    return {**dict(roles), **{column: "datetime" for column in detected}}


def _numeric(series: Any, column: str, frame: Any = None) -> Any:
    import pandas as pd

    from .numbertext import text_numbers

    if pd.api.types.is_bool_dtype(series):
        return series.astype("int64")
    if pd.api.types.is_numeric_dtype(series):
        return series
    numbers = pd.to_numeric(series.astype("string").str.strip(), errors="coerce")
    numbers = numbers.astype("float64")
    numbers = numbers.where(numbers.notna(), text_numbers(series))  # 3,750, 12 %, $1,200
    bad = series[series.notna() & numbers.isna()]
    if len(bad):
        _refuse(column, "numeric", bad, _numeric_hint(bad, column, frame))
    return numbers


def _numeric_hint(bad: Any, column: str, frame: Any) -> str:
    """``data.decimal: ','`` for decimal commas, unless another column of ``frame`` has
    numbers with a decimal point (which that option would turn into text)."""
    import numpy as np
    import pandas as pd

    if not bad.astype(str).str.fullmatch(r"[+-]?\d*,\d+").all():
        return "add the markers of missing cells to data.na_values"
    for other in [] if frame is None else frame.columns:
        values = frame[other]
        if str(other) == column or not pd.api.types.is_float_dtype(values):
            continue
        present = values.dropna().to_numpy(dtype="float64")
        if bool((np.mod(present, 1) != 0).any()):
            return (f"they are written with decimal commas, but column {other!r} has a "
                    "decimal point (data.decimal: ',' would make it text): write the file "
                    "with one decimal mark")
    return "write data.decimal: ','"


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
    dates = _dates(series.astype("string").str.strip())
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
