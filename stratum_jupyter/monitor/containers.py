"""Containers through the Docker SDK (``docker stats``), when an engine is reachable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .base import Sample, Sampler

__all__ = ["ContainerSampler", "NO_DOCKER"]

NO_DOCKER = "no Docker engine reachable"


class ContainerSampler(Sampler):
    """CPU and memory of containers (by name or id; all running ones if none are named).

    Uses one-shot stats (no two-second wait per container) and computes CPU from this
    object's previous reading. The docker package is the optional ``deploy`` extra: without
    it, or without a reachable engine, the sampler is unavailable with one line saying so.
    """

    source = "container"

    def __init__(self, containers: Sequence[str] | None = None) -> None:
        self.names = list(containers or [])
        self._client: Any = None
        self._last: dict[str, tuple[float, float]] = {}  # id -> (container cpu ns, system ns)
        try:
            import docker
        except ImportError:
            self.available, self.message = False, (
                f"{NO_DOCKER} (the docker package is missing: pip install "
                "'stratum-jupyter[deploy]')")
            return
        try:
            client = docker.from_env(timeout=5)
            client.ping()
        except Exception as exc:
            self.available, self.message = False, f"{NO_DOCKER} ({_short(exc)})"
            return
        self._client = client
        self.message = "containers: " + (", ".join(self.names) or "all running")

    def describe(self) -> str:
        return self.message or self.source

    def sample(self, now: float) -> list[Sample]:
        if not self.available:
            return []
        rows: list[Sample] = []
        for container in self._containers():
            name = container.name
            try:
                stats = container.stats(stream=False, one_shot=True)
            except Exception:
                rows.append(self._row(now, name, "up", 0))
                continue
            rows.append(self._row(now, name, "up", 1))
            cpu = stats.get("cpu_stats") or {}
            used = (cpu.get("cpu_usage") or {}).get("total_usage")
            system = cpu.get("system_cpu_usage")
            cores = cpu.get("online_cpus") or 1
            percent = None
            last = self._last.get(container.id)
            if used is not None and system is not None:
                self._last[container.id] = (used, system)
                if last and system > last[1] and used >= last[0]:
                    percent = 100.0 * cores * (used - last[0]) / (system - last[1])
            rows.append(self._row(now, name, "cpu_percent", percent))
            memory = stats.get("memory_stats") or {}
            inactive = (memory.get("stats") or {}).get("inactive_file", 0)
            usage = memory.get("usage")
            rows.append(self._row(now, name, "memory_bytes",
                                  None if usage is None else usage - inactive))
            rows.append(self._row(now, name, "memory_limit_bytes", memory.get("limit")))
        return rows

    def _containers(self) -> list[Any]:
        try:
            if not self.names:
                return self._client.containers.list()
            found = []
            for name in self.names:
                try:
                    found.append(self._client.containers.get(name))
                except Exception:
                    continue
            return found
        except Exception:
            return []

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
            self.available = False


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]
