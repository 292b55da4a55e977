"""Rightsizing: the smallest measured configuration that meets a latency goal.

"Smallest" is the order of :func:`.grid.size_key`: fewest CPUs, then least memory, then
fewest predict threads and server processes. A configuration *meets* the goal
``(p99_ms, rps)`` when it answered every request, its closed-loop throughput is at least
``rps`` and its p99 latency under that (heavier) load is at most ``p99_ms``. The first one
that meets it is then measured again at exactly ``rps`` (paced requests, latency counted
from when each was due); if that confirms it, it is the recommendation, otherwise the next
one is tried (at most ``max_checks``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..bundle.sizing import Goal, Recommendation
from .grid import Config, size_key

__all__ = ["candidates", "meets", "recommendation_of", "config_of"]


def meets(row: dict[str, Any], goal: Goal) -> bool:
    """Whether a measured row meets ``goal`` (see the module's doc)."""
    if row.get("status") != "ok" or row.get("p99_ms") is None:
        return False
    return bool(row["p99_ms"] <= goal.p99_ms and (row.get("throughput_rps") or 0) >= goal.rps)


def config_of(row: dict[str, Any]) -> Config:
    return Config(cpus=float(row["cpus"]), memory_bytes=int(row["memory_bytes"]),
                  threads=int(row["threads"]), workers=int(row["workers"]),
                  batch_size=int(row["batch_size"]), concurrency=int(row["concurrency"]),
                  max_batch=int(row.get("max_batch") or 1),
                  batch_wait_ms=float(row.get("batch_wait_ms") or 0.0))


def candidates(rows: list[dict[str, Any]], goal: Goal) -> list[dict[str, Any]]:
    """The rows that meet ``goal``, smallest first."""
    return sorted((r for r in rows if meets(r, goal)), key=lambda r: size_key(config_of(r)))


def recommendation_of(row: dict[str, Any]) -> Recommendation:
    """The Recommendation of a measured row (its limits, server settings and figures)."""
    def num(key: str) -> float | None:
        value = row.get(key)
        return None if value is None else round(float(value), 3)

    peak = row.get("peak_memory_bytes")
    return Recommendation(cpus=float(row["cpus"]), memory_bytes=int(row["memory_bytes"]),
                          workers=int(row["workers"]), threads=int(row["threads"]),
                          batch_size=int(row["batch_size"]),
                          max_batch=int(row.get("max_batch") or 1),
                          batch_wait_ms=float(row.get("batch_wait_ms") or 0.0),
                          p50_ms=num("p50_ms"),
                          p99_ms=num("p99_ms"), throughput_rps=num("throughput_rps"),
                          cpu_percent=num("cpu_percent"),
                          peak_memory_bytes=None if peak is None else int(peak))


def choose(rows: list[dict[str, Any]], goal: Goal,
           remeasure: Callable[[Config], dict[str, Any]], *, max_checks: int = 3
           ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The row to recommend (None when no configuration meets ``goal``) and the paced
    re-measurements made to confirm it (each a row with ``rate_rps`` = ``goal.rps``)."""
    checks: list[dict[str, Any]] = []
    for row in candidates(rows, goal)[:max_checks]:
        check = remeasure(config_of(row))
        checks.append(check)
        if check.get("status") == "ok" and check.get("p99_ms") is not None \
                and check["p99_ms"] <= goal.p99_ms:
            return row, checks
    return None, checks
