"""The grid of configurations ``stratum profile`` measures, and the units its options take.

A configuration is one run of the prediction service: a CPU limit (cores), a memory limit
(bytes), predict threads per server process, server processes (the service runs one: it is
scaled by replicas), rows per request (batch size), concurrent clients, and the service's
adaptive batching (``max_batch`` rows or instances joined per model call, waiting at most
``batch_wait_ms`` for them: serving/batching.py). The grid is the Cartesian product of the
lists given (each value list may also be given comma-separated: ``["1,8"]``); it is ordered
smallest first (see :func:`size_key`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import StratumError

__all__ = ["Config", "ProfileError", "expand", "parse_duration_ms", "parse_size",
           "format_size", "size_key", "MAX_CONFIGS"]

MAX_CONFIGS = 64
"""The most configurations one profile measures (each costs a service start and its load)."""

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)
_FACTOR = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|us)?\s*$", re.IGNORECASE)


class ProfileError(StratumError, ValueError):
    """Bad profiling input (a grid value, a goal, the model folder): names the option, the
    value and what is allowed."""


@dataclass(frozen=True)
class Config:
    """One configuration: ``cpus`` cores, ``memory_bytes``, ``threads`` predict threads,
    ``workers`` server processes, ``batch_size`` rows per request, ``concurrency`` clients,
    ``max_batch`` rows joined per model call by adaptive batching (1: off) waiting at most
    ``batch_wait_ms`` milliseconds."""

    cpus: float
    memory_bytes: int
    threads: int = 2
    workers: int = 1
    batch_size: int = 1
    concurrency: int = 4
    max_batch: int = 1
    batch_wait_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def label(self) -> str:
        batching = (f" max_batch={self.max_batch} wait={self.batch_wait_ms:g}ms"
                    if self.max_batch > 1 else "")
        return (f"cpus={self.cpus:g} memory={format_size(self.memory_bytes)} "
                f"threads={self.threads} batch={self.batch_size} clients={self.concurrency}"
                f"{batching}")


def size_key(config: Config) -> tuple[float, int, int, int, int, int, float]:
    """The order "smallest first": fewest CPUs, then least memory, then fewest threads and
    server processes, then fewer clients, then no batching before adaptive batching (and
    the shorter wait first): a rightsizing picks batching only where it is needed."""
    return (config.cpus, config.memory_bytes, config.threads, config.workers,
            config.concurrency, config.max_batch, config.batch_wait_ms)


def parse_size(text: str | int, option: str = "--memory") -> int:
    """``"512m"``, ``"1g"``, ``"1GiB"``, ``"268435456"`` -> bytes (powers of 1024)."""
    if isinstance(text, int):
        value = text
    else:
        match = _SIZE.match(str(text))
        if not match:
            raise ProfileError(f"{option}: {text!r} is not a memory size (e.g. 256m, 1g, "
                               "1.5GiB or a number of bytes)")
        value = int(float(match.group(1)) * _FACTOR[match.group(2).lower()])
    if value < 4 * 2**20:
        raise ProfileError(f"{option}: {text!r} is below 4 MiB, the least a container takes")
    return value


def format_size(value: int) -> str:
    """Bytes as the short form the options take (``512m``, ``1g``, ``1.5g``)."""
    for unit in ("g", "m", "k"):
        if value >= _FACTOR[unit]:
            return f"{value / _FACTOR[unit]:.4g}{unit}"
    return str(value)


def parse_duration_ms(text: str | float, option: str = "--slo-p99") -> float:
    """``"50ms"``, ``"0.05s"``, ``"50"`` (milliseconds) -> milliseconds."""
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        match = _DURATION.match(str(text))
        if not match:
            raise ProfileError(f"{option}: {text!r} is not a duration (e.g. 50ms, 0.05s)")
        unit = (match.group(2) or "ms").lower()
        value = float(match.group(1)) * {"ms": 1.0, "s": 1000.0, "us": 0.001}[unit]
    if value <= 0:
        raise ProfileError(f"{option}: {text!r} must be above zero")
    return value


def _split(values: list[Any]) -> list[Any]:
    """The values of an option, with ``"1,8"`` read as two values."""
    return [part.strip() if isinstance(value, str) else value for value in values
            for part in (value.split(",") if isinstance(value, str) else [value])]


def _positive(values: list[Any], option: str, kind: type, *, least: float = 1e-12,
              most: float = float("inf"), allowed: str = "must be above zero") -> list[Any]:
    out = []
    for value in _split(values):
        try:
            number = kind(value)
        except (TypeError, ValueError):
            what = "an integer" if kind is int else "a number"
            raise ProfileError(f"{option}: {value!r} is not {what}") from None
        if not least <= number <= most:
            raise ProfileError(f"{option}: {value!r} {allowed}")
        out.append(number)
    return sorted(set(out))


def expand(*, cpus: list[Any], memory: list[Any], threads: list[Any], batch_size: list[Any],
           concurrency: list[Any], max_batch: list[Any] | None = None,
           batch_wait_ms: list[Any] | None = None) -> list[Config]:
    """Every combination of the lists, smallest first (ProfileError for a bad value or a
    grid of more than :data:`MAX_CONFIGS`). ``max_batch`` (at least 1; default ``[1]``:
    no batching) and ``batch_wait_ms`` (0 to 10000; default ``[0]``) are the service's
    adaptive batching; a wait only matters with a ``max_batch`` above 1, so the
    configurations without batching are measured once, not once per wait."""
    axes = {
        "cpus": _positive(cpus, "--cpus", float),
        "memory_bytes": sorted({parse_size(m) for m in _split(memory)}),
        "threads": _positive(threads, "--threads", int),
        "batch_size": _positive(batch_size, "--batch-size", int),
        "concurrency": _positive(concurrency, "--concurrency", int),
        "max_batch": _positive(max_batch or [1], "--max-batch", int),
        "batch_wait_ms": _positive(batch_wait_ms or [0], "--batch-wait-ms", float, least=0.0,
                                   most=10000.0, allowed="is out of range (0 to 10000 ms)"),
    }
    for name, values in axes.items():
        if not values:
            raise ProfileError(f"{name}: give at least one value")
    configs = sorted({_config(dict(zip(axes, combo, strict=True)))
                      for combo in itertools.product(*axes.values())}, key=size_key)
    if len(configs) > MAX_CONFIGS:
        raise ProfileError(f"the grid has {len(configs)} configurations; at most "
                           f"{MAX_CONFIGS} are measured in one profile (give fewer values)")
    return configs


def _config(values: dict[str, Any]) -> Config:
    if values["max_batch"] == 1:  # no batching: its wait means nothing
        values["batch_wait_ms"] = 0.0
    return Config(**values)
