"""The one interface every sampler keeps, and the tidy sample row they all produce.

A sample is one number: ``(time, source, entity, metric, value)`` -- for example
``(1700000000.5, "workers", "tcp://127.0.0.1:40575", "cpu_percent", 87.5)``. Every source
(kernel, Dask workers, GPUs, services, containers) produces the same rows, so one recorder,
one panel builder and one static plotter serve them all.
"""

from __future__ import annotations

import math
from typing import ClassVar, NamedTuple

from ..errors import StratumError

__all__ = ["Sample", "Sampler", "MonitorError", "COLUMNS"]

#: Columns of a record (CSV or Parquet), in order.
COLUMNS = ("time", "source", "entity", "metric", "value")


class MonitorError(StratumError, ValueError):
    """Bad monitoring input (an unknown service, a bad interval, an unsupported file type)."""


class Sample(NamedTuple):
    time: float  # seconds since the epoch (UTC)
    source: str  # "kernel" | "workers" | "gpu" | "service" | "container"
    entity: str  # what was measured: "host", "cpu3", a worker address, "gpu0", a URL...
    metric: str  # snake_case with its unit: "cpu_percent", "rss_bytes", "requests_per_s"
    value: float


class Sampler:
    """Base class of the samplers.

    ``sample(now)`` returns the rows of one tick; it is called from the monitor's thread and
    must not raise for a transient failure of what it measures (return no rows, or an ``up``
    row of 0, instead). ``available`` is False, with ``message`` saying why, when the thing
    to measure does not exist here (no NVIDIA GPU, no Docker engine): such a sampler is
    skipped with that one line, never an exception. ``close()`` releases what it holds.
    """

    source: ClassVar[str] = "?"
    available: bool = True
    message: str | None = None

    def sample(self, now: float) -> list[Sample]:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        """Release handles (NVML, HTTP sessions, Docker clients); idempotent."""

    def describe(self) -> str:
        """One line naming what this sampler watches (shown when a monitor starts)."""
        return self.source

    def _row(self, now: float, entity: str, metric: str, value: float | int | None) -> Sample:
        return Sample(now, self.source, entity, metric,
                      math.nan if value is None else float(value))
