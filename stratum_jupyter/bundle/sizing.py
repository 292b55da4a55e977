"""A bundle's resource recommendation: the smallest measured configuration of the prediction
service that met a latency goal (written by ``stratum profile``, read by every deploy target).

It lives in ``profile.json`` under ``"rightsizing"``::

    {"goal": {"p99_ms": 50.0, "rps": 20.0},
     "recommendation": {"cpus": 1.0, "memory_bytes": 536870912, "workers": 1,
                        "threads": 4, "batch_size": 1, "max_batch": 8, "batch_wait_ms": 2.0,
                        "p50_ms": 3.1, "p99_ms": 12.4, "throughput_rps": 310.0,
                        "cpu_percent": 63.0, "peak_memory_bytes": 201326592},
     "measured_with": "docker", "measured_at": "2026-12-01T03:20:00+00:00",
     "table": "profile/results.csv"}

``recommendation`` is null when no measured configuration met the goal (the deploy targets
then keep their defaults and say so). ``throughput_rps`` is what one replica of that
configuration sustained (requests per second), the figure capacity plans divide by.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Goal", "Recommendation", "Rightsizing", "read_rightsizing", "write_rightsizing"]


@dataclass(frozen=True)
class Goal:
    """What the service must do: a p99 latency bound (milliseconds) at a request rate
    (requests per second)."""

    p99_ms: float
    rps: float


@dataclass(frozen=True)
class Recommendation:
    """One measured configuration of the service (limits, server settings) and what it did.

    ``cpus`` is a CPU limit in cores (Docker ``--cpus``, Kubernetes ``cpu``);
    ``memory_bytes`` a memory limit in bytes; ``workers`` server processes; ``threads``
    prediction threads per process; ``batch_size`` rows per request; ``max_batch`` and
    ``batch_wait_ms`` the service's adaptive batching (1 and 0: none). The measured figures
    are latency percentiles (ms), sustained throughput of one replica (requests/s), mean CPU
    use (percent of one core) and peak resident memory (bytes)."""

    cpus: float
    memory_bytes: int
    workers: int = 1
    threads: int = 1
    batch_size: int = 1
    max_batch: int = 1
    batch_wait_ms: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    throughput_rps: float | None = None
    cpu_percent: float | None = None
    peak_memory_bytes: int | None = None


@dataclass(frozen=True)
class Rightsizing:
    """The goal, the recommendation that meets it (None when none did), how it was measured
    (``"docker"`` or ``"local"``), when (ISO 8601) and the results table (relative path)."""

    goal: Goal
    recommendation: Recommendation | None
    measured_with: str
    measured_at: str
    table: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(data.pop("extra"))
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rightsizing:
        known = {"goal", "recommendation", "measured_with", "measured_at", "table"}
        rec = data.get("recommendation")
        return cls(goal=Goal(**data["goal"]),
                   recommendation=Recommendation(**rec) if rec else None,
                   measured_with=str(data.get("measured_with", "")),
                   measured_at=str(data.get("measured_at", "")),
                   table=data.get("table"),
                   extra={k: v for k, v in data.items() if k not in known})


def read_rightsizing(bundle: str | Path) -> Rightsizing | None:
    """The bundle's rightsizing, or None when it was never profiled against a goal.

    Raises ValueError naming the bundle when the entry is malformed."""
    path = Path(bundle) / "profile.json"
    profile = json.loads(path.read_text(encoding="utf-8"))
    data = profile.get("rightsizing")
    if not data:
        return None
    try:
        return Rightsizing.from_json(data)
    except (TypeError, KeyError) as exc:
        raise ValueError(f"{path}: malformed 'rightsizing' entry: {exc}") from None


def write_rightsizing(bundle: str | Path, sizing: Rightsizing) -> None:
    """Record ``sizing`` in the bundle's ``profile.json`` (strict JSON; other keys kept)."""
    from .save import profile_json

    path = Path(bundle) / "profile.json"
    profile = json.loads(path.read_text(encoding="utf-8"))
    profile["rightsizing"] = sizing.to_json()
    path.write_text(profile_json(profile), encoding="utf-8")
