"""What a bundle's ``profile.json`` says about the model: how it was made and how it behaves."""

from __future__ import annotations

import datetime as _dt
import decimal
import hashlib
import math
import platform
import sys
import time
from collections.abc import Iterator
from importlib import metadata
from typing import Any

Profile = dict[str, Any]
"""A bundle's ``profile.json``: the keys :func:`stratum_jupyter.bundle.save.save_bundle`
writes (format, kind, model_file, input_schema, sample_rows, ...) plus any extra ones."""

# Distributions whose versions every profile records (when installed).
CORE_LIBRARIES = ("scikit-learn", "numpy", "scipy", "pandas", "skops", "stratum-jupyter")
MAX_CATEGORIES = 100
"""Text and categorical columns with more values than this get no ``categories`` list."""
SAMPLE_ROWS = 5
"""The first rows of the training data that every profile keeps as sample rows ..."""
TELLING_ROWS = 20
"""... and at most this many more: rows with gaps, rows of each category."""


def input_schema(X: Any) -> dict[str, Any]:
    """Each feature of the training input: its name (``x0..`` for plain arrays), dtype,
    whether it has gaps (``missing``) and, for text and categorical columns, the values it
    takes (``categories``; left out above :data:`MAX_CATEGORIES` distinct values)."""
    import numpy as np

    if hasattr(X, "dtypes") and hasattr(X, "columns"):
        features = [_feature(str(c), X[c], str(t)) for c, t in X.dtypes.items()]
        return {"kind": "dataframe", "features": features}
    frame = _frame(X)
    dtype = str(np.asarray(X).dtype)
    return {"kind": "array", "features": [_feature(str(c), frame[c], dtype)
                                          for c in frame.columns]}


def _feature(name: str, column: Any, dtype: str) -> dict[str, Any]:
    feature: dict[str, Any] = {"name": name, "dtype": dtype,
                               "missing": bool(column.isna().any())}
    values = categories(column)
    if values is not None:
        feature["categories"] = values
    return feature


def categories(column: Any) -> list[Any] | None:
    """The values of a text or categorical column (a ``category`` dtype's own categories, in
    their order; else the distinct values present, sorted); None for numbers, booleans and
    dates, and for more than :data:`MAX_CATEGORIES` values."""
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        values = list(dtype.categories)
    elif (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
          or pd.api.types.is_datetime64_any_dtype(dtype)):
        return None
    else:
        values = sorted(column.dropna().unique().tolist(), key=str)
    return [json_value(v) for v in values] if len(values) <= MAX_CATEGORIES else None


def _frame(X: Any) -> Any:
    """``X`` as a DataFrame (plain arrays get the columns ``x0..``)."""
    import numpy as np
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    arr = arr.reshape(len(arr), -1)
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


def data_fingerprint(X: Any, y: Any = None) -> dict[str, Any]:
    """A stable SHA-256 of the training data (values and column names) and its shape."""
    import numpy as np
    import pandas as pd

    digest = hashlib.sha256()
    for part in (X, y):
        if part is None:
            continue
        if isinstance(part, pd.DataFrame | pd.Series):
            digest.update(pd.util.hash_pandas_object(part, index=False).values.tobytes())
            names = list(part.columns) if isinstance(part, pd.DataFrame) else [part.name]
            digest.update(repr(names).encode())
        else:
            arr = np.ascontiguousarray(np.asarray(part))
            digest.update(str(arr.dtype).encode() + repr(arr.shape).encode())
            digest.update(arr.tobytes() if arr.dtype != object else repr(arr.tolist()).encode())
    shape = np.shape(X)
    return {"sha256": digest.hexdigest(), "rows": len(X),
            "columns": shape[1] if len(shape) == 2 else 1}


def sample_positions(X: Any, n: int = SAMPLE_ROWS) -> list[int]:
    """Where the sample rows are in ``X``: the first ``n`` rows, then (up to
    :data:`TELLING_ROWS` more) the first row with a gap in each column and the first row of
    each value of each text or categorical column, so that a check on them meets the gaps
    and the categories."""
    frame = _frame(X)
    chosen = list(range(min(n, len(frame))))
    for position in _telling_rows(frame):
        if len(chosen) >= n + TELLING_ROWS:
            break
        if position not in chosen:
            chosen.append(position)
    return chosen


def _telling_rows(frame: Any) -> Iterator[int]:
    import numpy as np

    for name in frame.columns:
        gaps = np.flatnonzero(frame[name].isna().to_numpy())
        if gaps.size:
            yield int(gaps[0])
    for name in frame.columns:
        column = frame[name].reset_index(drop=True)
        if categories(column) is not None:
            yield from (int(i) for i in column.dropna().drop_duplicates().index)


def sample_data(X: Any, n: int = SAMPLE_ROWS) -> Any:
    """The sample rows of ``X`` as ``X`` holds them (a DataFrame's rows, an array's)."""
    import numpy as np

    positions = sample_positions(X, n)
    return X.iloc[positions] if hasattr(X, "iloc") else np.asarray(X)[positions]


def sample_rows(X: Any, n: int = SAMPLE_ROWS) -> list[dict[str, Any]]:
    """The sample rows as JSON records (missing values as None): to check a deployed,
    reloaded or converted model."""
    head = _frame(X).iloc[sample_positions(X, n)]
    return [{str(k): json_value(v) for k, v in row.items()}
            for row in head.to_dict(orient="records")]


def json_value(value: Any) -> Any:
    """``value`` as strict JSON can hold it: containers recursively, NumPy scalars and arrays
    as Python values, missing values (NaN, None, pandas' NA, NaT) and infinities as None,
    decimals as floats, dates and times as ISO 8601 text (what the prediction service reads
    back)."""
    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if hasattr(value, "tolist") and not pd.api.types.is_scalar(value):
        return json_value(value.tolist())
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, _dt.date | _dt.time):  # pandas' Timestamp too
        return value.isoformat()
    if isinstance(value, decimal.Decimal):  # a pyarrow decimal column's values
        return json_value(float(value))
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def predict_latency(model: Any, X: Any, *, batch: int = 256, repeats: int = 20
                    ) -> dict[str, float]:
    """Median single-row and batch predict latency, in milliseconds."""
    import statistics

    single, many = _head(X, 1), _head(X, batch)

    def timed(data: Any, n: int) -> float:
        runs = []
        for _ in range(n):
            start = time.perf_counter()
            model.predict(data)
            runs.append((time.perf_counter() - start) * 1000)
        return statistics.median(runs)

    timed(single, 2)  # warm caches
    rows = len(next(iter(many.values()))) if isinstance(many, dict) else len(many)
    return {"single_row_ms": timed(single, repeats), "batch_ms": timed(many, max(3, repeats // 4)),
            "batch_rows": int(rows)}


def _head(X: Any, n: int) -> Any:
    """The first ``n`` rows of a table or array, or of each array of a dict (named inputs)."""
    if isinstance(X, dict):
        return {k: v[:n] for k, v in X.items()}
    return X.iloc[:n] if hasattr(X, "iloc") else X[:n]


def library_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    versions = {}
    for dist in (*CORE_LIBRARIES, *extra):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(),
        "machine": platform.machine(),
    }


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
