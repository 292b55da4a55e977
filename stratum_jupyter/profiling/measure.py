"""One configuration measured: start the service under its limits, warm it up, load it while
its sampler runs, stop it, and return the tidy row."""

from __future__ import annotations

import math
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from .grid import Config
from .load import run_load
from .runners import ConfigFailed, Running

__all__ = ["Load", "measure", "ROW_COLUMNS"]

ROW_COLUMNS = ("model", "runner", "cpus", "memory_bytes", "threads", "workers", "batch_size",
               "concurrency", "max_batch", "batch_wait_ms", "status", "error", "startup_s",
               "requests", "errors", "throughput_rps", "rows_per_s", "p50_ms", "p95_ms",
               "p99_ms", "mean_ms", "cpu_percent", "peak_memory_bytes", "rate_rps")
"""The columns of the results table, in order (one row per configuration; ``model``: the
bundle's name, filled in by :func:`.api.profile`)."""


class Runner(Protocol):
    name: str

    def start(self, config: Config, port: int) -> Running: ...


@dataclass(frozen=True)
class Load:
    """How each configuration is loaded: for ``duration`` seconds or ``max_requests``
    requests (whichever first), after ``warmup`` sequential requests; ``rate``: paced at
    that many requests per second (None: as fast as the clients go); ``timeout``: seconds
    a request may take before it counts as failed (a large network on one busy core takes
    seconds per image, and its first request longer)."""

    duration: float = 2.0
    max_requests: int = 2000
    warmup: int = 10
    rate: float | None = None
    timeout: float = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def batch(sample_rows: list[Any], size: int) -> list[Any]:
    """``size`` rows (or instances) cycled from the bundle's samples."""
    return [sample_rows[i % len(sample_rows)] for i in range(size)]


class _Sampling:
    """The service's sampler on a thread, every ``interval`` seconds, keeping the CPU and
    memory figures it reads."""

    def __init__(self, running: Running, interval: float = 0.2) -> None:
        self.running, self.interval = running, interval
        self.cpu: list[float] = []
        self.memory: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="stratum-profile-sampler",
                                        daemon=True)

    def _tick(self) -> None:
        for row in self.running.sampler.sample(time.time()):
            key = (row.entity, row.metric)
            if math.isnan(row.value):
                continue
            if key == self.running.cpu:
                self.cpu.append(row.value)
            elif key == self.running.memory:
                self.memory.append(row.value)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._tick()

    def __enter__(self) -> _Sampling:
        self._tick()  # the baseline CPU reading (the next one gives a rate)
        self.cpu.clear()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._tick()


def _row(runner: str, config: Config, load: Load) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(ROW_COLUMNS)
    row.update(config.as_dict(), runner=runner, rate_rps=load.rate)
    return row


def measure(runner: Runner, config: Config, sample_rows: list[Any], load: Load,
            key: str = "rows") -> dict[str, Any]:
    """The row of ``config`` (see :data:`ROW_COLUMNS`): ``status`` ``ok`` or ``failed``
    (with ``error``: out of memory, a refused limit, a crash under load, failed requests).
    Requests post ``{key: batch}`` (``rows``, or ``instances`` of a tensor or image model).
    Never raises for what the service does."""
    row = _row(runner.name, config, load)
    began = time.monotonic()
    try:
        running = runner.start(config, free_port())
    except ConfigFailed as exc:
        row.update(status="failed", error=str(exc))
        return row
    row["startup_s"] = round(time.monotonic() - began, 3)
    rows = batch(sample_rows, config.batch_size)
    try:
        run_load(running.url, rows, concurrency=1, duration=max(10.0, load.timeout),
                 max_requests=load.warmup, timeout=load.timeout, key=key)
        with _Sampling(running) as sampling:
            result = run_load(running.url, rows, concurrency=config.concurrency,
                              duration=load.duration, max_requests=load.max_requests,
                              rate=load.rate, timeout=load.timeout, key=key)
        why = running.failure()
    finally:
        running.stop()
    row.update(result.figures())
    row["cpu_percent"] = sum(sampling.cpu) / len(sampling.cpu) if sampling.cpu else None
    row["peak_memory_bytes"] = int(max(sampling.memory)) if sampling.memory else None
    if why:
        row.update(status="failed", error=why)
    elif result.errors:
        row.update(status="failed", error=f"{result.errors} of {row['requests']} requests "
                                          f"failed ({'; '.join(result.messages)})")
    else:
        row.update(status="ok", error=None)
    return row
