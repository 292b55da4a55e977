"""What a bundle's ``profile.json`` says about the model: how it was made and how it behaves."""

from __future__ import annotations

import datetime as _dt
import hashlib
import platform
import sys
import time
from importlib import metadata
from typing import Any

Profile = dict[str, Any]
"""A bundle's ``profile.json``: the keys :func:`stratum_jupyter.bundle.save.save_bundle`
writes (format, kind, model_file, input_schema, sample_rows, ...) plus any extra ones."""

# Distributions whose versions every profile records (when installed).
CORE_LIBRARIES = ("scikit-learn", "numpy", "scipy", "pandas", "skops", "stratum-jupyter")


def input_schema(X: Any) -> dict[str, Any]:
    """Feature names and dtypes of the training input (names ``x0..`` for plain arrays)."""
    import numpy as np

    if hasattr(X, "dtypes") and hasattr(X, "columns"):
        features = [{"name": str(c), "dtype": str(t)} for c, t in X.dtypes.items()]
        return {"kind": "dataframe", "features": features}
    arr = np.asarray(X)
    n = arr.shape[1] if arr.ndim == 2 else 1
    return {"kind": "array", "features": [{"name": f"x{i}", "dtype": str(arr.dtype)}
                                          for i in range(n)]}


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
    rows = len(X)
    return {"sha256": digest.hexdigest(), "rows": rows,
            "columns": len(input_schema(X)["features"])}


def sample_rows(X: Any, n: int = 5) -> list[dict[str, Any]]:
    """A few training rows as JSON records: to check a deployed or converted model."""
    import numpy as np
    import pandas as pd

    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(
        np.asarray(X), columns=[f["name"] for f in input_schema(X)["features"]])
    head = frame.head(n)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in head.to_dict(orient="records")]


def predict_latency(model: Any, X: Any, *, batch: int = 256, repeats: int = 20
                    ) -> dict[str, float]:
    """Median single-row and batch predict latency, in milliseconds."""
    import statistics

    single = X.iloc[:1] if hasattr(X, "iloc") else X[:1]
    many = X.iloc[:batch] if hasattr(X, "iloc") else X[:batch]

    def timed(data: Any, n: int) -> float:
        runs = []
        for _ in range(n):
            start = time.perf_counter()
            model.predict(data)
            runs.append((time.perf_counter() - start) * 1000)
        return statistics.median(runs)

    timed(single, 2)  # warm caches
    return {"single_row_ms": timed(single, repeats), "batch_ms": timed(many, max(3, repeats // 4)),
            "batch_rows": int(len(many))}


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
