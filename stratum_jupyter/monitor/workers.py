"""The Dask workers, as the scheduler sees them (the scheduler may be on another machine)."""

from __future__ import annotations

from typing import Any

from .base import Sample, Sampler

__all__ = ["WorkersSampler", "resolve_client"]


class WorkersSampler(Sampler):
    """Per worker CPU, memory and tasks, from the scheduler's view of its workers.

    Everything comes from ``Client.scheduler_info()`` (the heartbeat metrics each worker
    sends its scheduler), so it works the same for a LocalCluster and for a remote
    cluster; nothing assumes the workers run on this machine.
    """

    source = "workers"

    def __init__(self, client: Any, *, owns_client: bool = False) -> None:
        if getattr(client, "asynchronous", False):
            from .base import MonitorError

            raise MonitorError("an asynchronous distributed.Client cannot be sampled from a "
                               "thread; pass a synchronous Client")
        self.client = client
        self._owns_client = owns_client

    def describe(self) -> str:
        return f"workers: scheduler {self.client.scheduler.address}"

    def sample(self, now: float) -> list[Sample]:
        try:
            info = self.client.scheduler_info(n_workers=-1)
        except Exception:  # scheduler gone or unreachable for now: say so, keep going
            return [self._row(now, "scheduler", "up", 0)]
        rows = [self._row(now, "scheduler", "up", 1),
                self._row(now, "scheduler", "workers", len(info.get("workers", {})))]
        for address, worker in info.get("workers", {}).items():
            metrics = worker.get("metrics", {})
            counts = metrics.get("task_counts") or {}
            rows += [
                self._row(now, address, "cpu_percent", metrics.get("cpu")),
                self._row(now, address, "memory_bytes", metrics.get("memory")),
                self._row(now, address, "memory_limit_bytes", worker.get("memory_limit")),
                self._row(now, address, "tasks_executing", counts.get("executing", 0)),
                self._row(now, address, "tasks_ready",
                          counts.get("ready", 0) + counts.get("constrained", 0)),
                self._row(now, address, "tasks_in_memory", counts.get("memory", 0)),
                self._row(now, address, "threads", worker.get("nthreads")),
            ]
        return rows

    def close(self) -> None:
        if self._owns_client:
            self.client.close()


def resolve_client(scheduler: str | None = None, *, timeout: str = "10s") -> tuple[Any, bool]:
    """The client to watch: one to ``scheduler`` if given, else the current
    ``distributed.Client``, else one to ``$STRATUM_SCHEDULER``. Returns ``(client,
    owned)``; an owned client is closed with its sampler."""
    from .. import envvars
    from .base import MonitorError

    if scheduler is None:
        from distributed import default_client

        try:
            return default_client(), False
        except ValueError:
            scheduler = envvars.SCHEDULER.get()
    if not scheduler:
        raise MonitorError("--workers: no Dask cluster to watch: create a distributed.Client "
                           "first, pass --scheduler ADDRESS, or set STRATUM_SCHEDULER")
    from distributed import Client

    try:
        return Client(scheduler, timeout=timeout, set_as_default=False), True
    except OSError as exc:
        raise MonitorError(f"--workers: cannot reach the Dask scheduler at {scheduler!r}: "
                           f"{exc}") from None
