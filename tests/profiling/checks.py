"""What every profile must hold, whichever runner measured it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from stratum_jupyter.bundle.sizing import Goal, read_rightsizing
from stratum_jupyter.profiling.measure import ROW_COLUMNS, Load, measure
from stratum_jupyter.profiling.rightsizing import choose, config_of

FIGURES = ("p50_ms", "p95_ms", "p99_ms", "throughput_rps", "cpu_percent", "peak_memory_bytes")


def check_table(out: Path, runner: str, too_small: int) -> pd.DataFrame:
    """results.csv (and .parquet) and profile.html are in ``out``; every configuration of
    the grid has a row; the ones at ``too_small`` bytes failed for lack of memory, every
    other one has all its figures."""
    table = pd.read_csv(out / "results.csv")
    assert list(table.columns) == list(ROW_COLUMNS)
    assert (out / "profile.html").is_file()
    assert pd.read_parquet(out / "results.parquet").shape == table.shape
    grid = table[table["rate_rps"].isna()]
    assert set(grid["runner"]) == {runner}
    assert grid["cpus"].nunique() >= 2 and grid["memory_bytes"].nunique() >= 2
    small = grid[grid["memory_bytes"] == too_small]
    assert len(small) == grid["cpus"].nunique()
    assert (small["status"] == "failed").all(), small[["status", "error"]]
    assert small["error"].str.contains("out of memory").all(), list(small["error"])
    ok = grid[grid["memory_bytes"] != too_small]
    assert (ok["status"] == "ok").all(), ok[["status", "error"]]
    for column in FIGURES:
        assert ok[column].notna().all() and (ok[column] > 0).all(), column
    assert (ok["requests"] > 10).all() and (ok["errors"] == 0).all()
    assert (ok["p50_ms"] <= ok["p99_ms"]).all()
    # the service's own peak memory, well below its limit and above an empty process's
    assert (ok["peak_memory_bytes"] < ok["memory_bytes"]).all()
    assert (ok["peak_memory_bytes"] > 30 * 2**20).all()
    return table


def check_rightsizing(bundle: Path, table: pd.DataFrame, goal: Goal, runner) -> None:
    """The bundle records the profile and the recommendation; the recommended configuration
    is the smallest that met the goal, and meets it again when measured anew at the goal's
    rate; an impossible goal gets no recommendation."""
    profile = json.loads((bundle / "profile.json").read_text())
    assert profile["resource_profile"]["measured_with"] == runner.name
    assert profile["resource_profile"]["failed"] >= 2
    sizing = read_rightsizing(bundle)
    assert sizing is not None and sizing.goal == goal and sizing.measured_with == runner.name
    rec = sizing.recommendation
    assert rec is not None, "no configuration met a generous goal"
    grid = [r for r in table.to_dict(orient="records") if math.isnan(r["rate_rps"])]
    met = [r for r in grid if r["status"] == "ok" and r["p99_ms"] <= goal.p99_ms
           and r["throughput_rps"] >= goal.rps]
    met.sort(key=lambda r: (r["cpus"], r["memory_bytes"]))
    checked = sizing.extra["checked_at_rps"]
    # the smallest that met the goal and whose paced check confirmed it; smaller ones failed
    assert [(c["cpus"], c["memory_bytes"]) for c in checked] == \
        [(r["cpus"], r["memory_bytes"]) for r in met[:len(checked)]]
    assert (checked[-1]["cpus"], checked[-1]["memory_bytes"]) == (rec.cpus, rec.memory_bytes)
    assert all(c["status"] != "ok" or c["p99_ms"] > goal.p99_ms for c in checked[:-1])
    assert rec.p99_ms <= goal.p99_ms and rec.throughput_rps >= goal.rps
    again = measure(runner, config_of({**rec.__dict__, "concurrency": 2}),
                    profile["sample_rows"], Load(duration=2.0, rate=goal.rps))
    assert again["status"] == "ok", again["error"]
    assert again["p99_ms"] <= goal.p99_ms, again
    assert again["throughput_rps"] >= 0.8 * goal.rps, again
    none, _ = choose(grid, Goal(p99_ms=0.001, rps=goal.rps), lambda c: {})
    assert none is None
