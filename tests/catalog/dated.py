"""A small table with dates (a ``datetime64`` column with times and gaps, and a text column of
dates), for the tests of dates to parts: evaluation, generated code, bundle, service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

N_ROWS = 90


def dated_table(n: int = N_ROWS) -> tuple[Any, Any]:
    """``(X, y)``: ``when`` (datetime64, hourly times, 4 NaT), ``day`` (text dates, one gap),
    ``x`` (float), ``city`` (text); ``y``: ``"busy"`` on weekends and after 18:00 by ``when``,
    else ``"calm"`` (so the parts carry the signal)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 24 * 120, n), "h")
    day = pd.Timestamp("2023-06-01") + pd.to_timedelta(rng.integers(0, 400, n), "D")
    busy = (when.day_of_week >= 5) | (when.hour >= 18)
    X = pd.DataFrame({
        "when": pd.Series(when).mask(np.arange(n) % 23 == 5),
        "day": pd.Series(day.strftime("%Y-%m-%d"), dtype=object).mask(np.arange(n) == 7),
        "x": rng.normal(size=n).round(3),
        "city": rng.choice(["Lyon", "Oslo", "Pune"], n)})
    return X, pd.Series(np.where(busy, "busy", "calm"), name="traffic")


def write_parquet(folder: Path) -> Path:
    """The table (target ``traffic`` included) as ``folder/dated.parquet``."""
    X, y = dated_table()
    path = folder / "dated.parquet"
    X.assign(traffic=y).to_parquet(path)
    return path
