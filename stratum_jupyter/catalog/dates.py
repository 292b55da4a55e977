"""Dates as numbers: :class:`DatetimeFeatures`, a scikit-learn transformer that splits each
datetime column into its parts (year, month, day, hour, ...), the weekday and the time since
the Unix epoch, so that any estimator can learn from dates. It is the date step of the
automatic preprocessing and the block a column rule names for ``select: datetime``.

Why our own and not skrub's ``DatetimeEncoder``: skrub's encoder is a single-column
transformer (a ColumnTransformer must hand it one column by name, so it cannot sit behind a
``make_column_selector`` by dtype), it would be one more package in every prediction
service image and a whole package to trust in skops files, and skl2onnx converts neither.
This module depends on NumPy, pandas and scikit-learn only: the deploy bundle copies it
beside the prediction service (as it does ``serving/trust.py``), where a model holding this
transformer loads without stratum_jupyter installed; the skops trust rule names its class
exactly (:data:`stratum_jupyter.serving.trust.OWN_TYPES`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

# From the coarsest to the finest: ``resolution`` keeps the parts down to the one it names.
RESOLUTIONS = ("year", "month", "day", "hour", "minute", "second")


class DatetimeFeatures(TransformerMixin, BaseEstimator):
    """Split datetime columns into numeric parts: year, month, day (and hour, minute,
    second down to ``resolution``), the weekday and the seconds since 1970-01-01 UTC.

    Input: a table of ``(n_rows, n_columns)`` datetime columns (``datetime64``, with or
    without a time zone; text is read with ``pandas.to_datetime``, ISO 8601 such as
    ``2024-03-31`` or ``2024-03-31T14:05:00+01:00``). Output: ``(n_rows, n_columns *
    n_parts)`` float64, named ``<column>_<part>``; a missing date (NaT) gives NaN in every
    part (put an imputer after this step). Parts are read on the dates' own clock (their
    time zone, if any); ``total_seconds`` is absolute (UTC).

    Parameters
    ----------
    resolution : {"auto", "year", "month", "day", "hour", "minute", "second"}, default="auto"
        The finest part kept. ``"auto"``: ``"hour"`` when a date seen in ``fit`` has a
        time of day other than midnight, else ``"day"``.
    add_weekday : bool, default=True
        Add the day of the week (Monday is 0, Sunday 6).
    add_total_seconds : bool, default=True
        Add the seconds since 1970-01-01 00:00 UTC (a float; before 1970 negative).

    Raises
    ------
    ValueError
        In ``fit`` or ``transform``, for a value that is not a date, naming its column.
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "resolution": [StrOptions({"auto", *RESOLUTIONS})],
        "add_weekday": ["boolean"],
        "add_total_seconds": ["boolean"],
    }

    def __init__(self, resolution: str = "auto", add_weekday: bool = True,
                 add_total_seconds: bool = True):
        self.resolution = resolution
        self.add_weekday = add_weekday
        self.add_total_seconds = add_total_seconds

    def fit(self, X: Any, y: Any = None) -> DatetimeFeatures:
        """Learn the columns' names and, for ``resolution="auto"``, whether times occur."""
        self._validate_params()
        frame = _frame(X)
        self.n_features_in_ = frame.shape[1]
        if all(isinstance(c, str) for c in frame.columns) and isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        resolution = self.resolution
        if resolution == "auto":
            timed = any(_has_time(_dates(frame[c], c)) for c in frame.columns)
            resolution = "hour" if timed else "day"
        parts = list(RESOLUTIONS[:RESOLUTIONS.index(resolution) + 1])
        parts += ["weekday"] * self.add_weekday + ["total_seconds"] * self.add_total_seconds
        self.parts_ = parts
        return self

    def transform(self, X: Any) -> Any:
        """The parts of every column, ``(n_rows, n_columns * len(parts_))`` float64."""
        check_is_fitted(self, "parts_")
        frame = _frame(X)
        if frame.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {frame.shape[1]} columns; {type(self).__name__} was "
                             f"fitted on {self.n_features_in_}")
        blocks = [_parts(_dates(frame[c], c), self.parts_) for c in frame.columns]
        if not blocks:
            return np.empty((len(frame), 0))
        return np.column_stack(blocks).astype("float64")

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        """``<column>_<part>`` for every column and part, in the output's order."""
        check_is_fitted(self, "parts_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", None)
        if input_features is None:
            input_features = [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray([f"{c}_{p}" for c in input_features for p in self.parts_],
                          dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaT, and missing text: NaN parts
        return tags


def _frame(X: Any) -> Any:
    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X)
    return pd.DataFrame(array.reshape(len(array), -1))


def _dates(column: Any, name: Any) -> Any:
    """``column`` as pandas datetimes; ValueError naming the column for a value that is not a
    date."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    series = pd.Series(column, copy=False)
    text = series.astype("string").str.strip()
    dates = pd.to_datetime(text, errors="coerce", format="ISO8601")
    bad = series[series.notna() & dates.isna()]
    if len(bad):
        raise ValueError(f"column {name!r}: {bad.iloc[0]!r} is not a date (write dates in "
                         "ISO 8601, e.g. 2024-03-31 or 2024-03-31T14:05:00)")
    if not pd.api.types.is_datetime64_any_dtype(dates):  # mixed time zones: object dtype
        dates = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
    return dates


def _has_time(dates: Any) -> bool:
    present = dates.dropna()
    return bool((present != present.dt.normalize()).any())


def _parts(dates: Any, parts: list[str]) -> Any:
    """Each part of ``dates`` as a float column (NaN where the date is missing)."""
    columns = []
    for part in parts:
        if part == "weekday":
            values = dates.dt.day_of_week
        elif part == "total_seconds":
            utc = dates.dt.tz_convert("UTC").dt.tz_localize(None) if dates.dt.tz else dates
            values = (utc - pd.Timestamp(0)) / pd.Timedelta(seconds=1)
        else:
            values = getattr(dates.dt, part)
        columns.append(np.asarray(values, dtype="float64"))
    return np.column_stack(columns) if columns else np.empty((len(dates), 0))
