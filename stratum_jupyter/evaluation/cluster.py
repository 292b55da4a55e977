"""Which Dask cluster evaluates: the caller's, the current one, a named scheduler, or a
LocalCluster started once per process and reused.

Order: an explicit ``client``; an explicit ``scheduler`` address; the current
``distributed`` client; ``STRATUM_SCHEDULER``; else a LocalCluster bound to 127.0.0.1 (its
dashboard too), closed when the process exits. Nothing here assumes the workers share this
machine: data travels to them through Dask only.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from typing import Any

from .. import envvars
from ..errors import EvaluationError

_lock = threading.Lock()
_local: dict[str, Any] = {}  # "cluster", "client" of the per-process LocalCluster
_remote: dict[str, Any] = {}  # scheduler address -> Client


def get_client(client: Any = None, scheduler: str | None = None) -> Any:
    """The ``distributed.Client`` to evaluate on (see the module docstring for the order)."""
    if client is not None:
        return client
    if scheduler:
        return _connect(scheduler)
    from distributed import default_client

    try:
        current = default_client()
    except ValueError:
        current = None
    if current is not None and current.status == "running":
        return current
    env = envvars.SCHEDULER.get()
    if env:
        return _connect(env)
    return local_client()


def _connect(address: str) -> Any:
    from distributed import Client

    with _lock:
        existing = _remote.get(address)
        if existing is not None and existing.status == "running":
            return existing
        try:
            client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise EvaluationError(
                f"could not connect to the Dask scheduler at {address!r}: {exc}") from None
        _remote[address] = client
        return client


def local_client(n_workers: int | None = None) -> Any:
    """The LocalCluster of this process: started on first use, then reused."""
    from distributed import Client, LocalCluster

    with _lock:
        client = _local.get("client")
        if client is not None and client.status == "running":
            return client
        import dask

        workers = n_workers or max(1, min(os.cpu_count() or 1, 8))
        # One thread per worker process: model fits hold the GIL or use BLAS threads of
        # their own. A worker's housekeeping competes with the fit for the GIL and the
        # CPU: the statistical profiler (the dashboard's Profile page) samples every thread
        # each 10 ms, the event loop ticks every 20 ms, memory is polled every 100 ms.
        # Together ~5% of every fit; this evaluation cluster keeps them slower or off.
        quiet = {
            "distributed.worker.profile.enabled": False,
            "distributed.admin.tick.interval": "500ms",
            "distributed.worker.memory.monitor-interval": "500ms",
            "distributed.admin.system-monitor.interval": "2s",
        }
        with dask.config.set(quiet):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,
            )
        client = Client(cluster, set_as_default=False)
        _local.update(cluster=cluster, client=client)
        return client


def close_local() -> None:
    """Close the per-process LocalCluster (done automatically at exit)."""
    with _lock:
        client, cluster = _local.pop("client", None), _local.pop("cluster", None)
    for obj in (client, cluster):
        if obj is not None:
            try:
                obj.close()
            except Exception:  # closing at interpreter exit must never raise
                pass


def close_remote() -> None:
    with _lock:
        clients = list(_remote.values())
        _remote.clear()
    for client in clients:
        try:
            client.close()
        except Exception:
            pass


atexit.register(close_local)
atexit.register(close_remote)


def check_workers(client: Any) -> None:
    """Workers run stratum_jupyter's task functions: say clearly when they cannot."""
    def probe() -> bool:
        import importlib.util

        return importlib.util.find_spec("stratum_jupyter") is not None

    try:
        found = client.run(probe)
    except Exception:  # no workers yet (adaptive scaling from zero): tasks will wait
        return
    missing = sorted(addr for addr, ok in found.items() if not ok)
    if missing:
        raise EvaluationError(
            f"the Dask workers {', '.join(missing)} cannot import stratum_jupyter: install "
            "stratum-jupyter (and the libraries of your pipelines) in the workers' "
            "environment")


def describe(client: Any) -> dict[str, Any]:
    """Scheduler address, dashboard link and worker count, for displays and profiles."""
    info = client.scheduler_info() if client.status == "running" else {}
    workers = info.get("workers", {})
    return {
        "scheduler": getattr(client.scheduler, "address", None),
        "dashboard": _dashboard(client),
        "workers": len(workers),
        "threads": sum(w.get("nthreads", 1) for w in workers.values()),
    }


def _dashboard(client: Any) -> str | None:
    try:
        return client.dashboard_link
    except Exception:  # no dashboard (bokeh missing on the scheduler, or disabled)
        return None


def adapt(client: Any, minimum: int, maximum: int) -> str:
    """Turn on adaptive scaling where the cluster object supports it; says what happened."""
    if minimum < 0 or maximum < max(minimum, 1):
        raise EvaluationError(
            f"--adapt {minimum} {maximum}: need 0 <= MIN <= MAX and MAX >= 1")
    cluster = getattr(client, "cluster", None)
    if cluster is None or not hasattr(cluster, "adapt"):
        return ("adaptive scaling is not available: this client has no cluster object "
                "(connected by address); scale the cluster where it was created")
    cluster.adapt(minimum=minimum, maximum=maximum)
    return f"adaptive scaling on: {minimum} to {maximum} workers"
