from __future__ import annotations

import time

import pytest

from stratum_jupyter.monitor.base import MonitorError
from stratum_jupyter.monitor.workers import WorkersSampler, resolve_client

pytestmark = pytest.mark.slow


def _sleep(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def rows_by_worker(rows):
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        out.setdefault(r.entity, {})[r.metric] = r.value
    return out


def test_two_workers_from_the_scheduler(dask_client):
    # A second client that knows the cluster only by its scheduler's address, as a remote
    # one would: nothing here may rely on the workers being in this process tree.
    from distributed import Client

    with Client(dask_client.scheduler.address, set_as_default=False) as remote:
        sampler = WorkersSampler(remote)
        rows = sampler.sample(time.time())
    workers = rows_by_worker(rows)
    assert workers.pop("scheduler") == {"up": 1.0, "workers": 2.0}
    assert set(workers) == set(dask_client.scheduler_info()["workers"])
    for metrics in workers.values():
        assert metrics["memory_bytes"] > 10e6  # a worker process is tens of MB at least
        assert metrics["memory_limit_bytes"] > 0
        assert metrics["cpu_percent"] >= 0
        assert metrics["threads"] == 1
        assert {"tasks_executing", "tasks_ready", "tasks_in_memory"} <= set(metrics)
    assert {r.source for r in rows} == {"workers"}


def test_tasks_in_flight_show_up(dask_client):
    sampler = WorkersSampler(dask_client)
    futures = [dask_client.submit(_sleep, 4.0, pure=False) for _ in range(4)]
    try:
        executing = 0.0
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and executing < 2:
            workers = rows_by_worker(sampler.sample(time.time()))
            workers.pop("scheduler")
            executing = sum(m["tasks_executing"] for m in workers.values())
            time.sleep(0.25)
        # one thread per worker: both workers busy, the other two tasks waiting
        assert executing == 2
    finally:
        dask_client.cancel(futures)


def test_resolve_client_by_address_owns_its_client(dask_client, monkeypatch):
    client, owned = resolve_client(dask_client.scheduler.address)
    try:
        assert owned
        sampler = WorkersSampler(client, owns_client=True)
        assert sampler.describe() == f"workers: scheduler {dask_client.scheduler.address}"
    finally:
        sampler.close()
    assert client.status == "closed"
    same, owned = resolve_client(None)  # the current client (the fixture's) is the default
    assert same is dask_client and not owned


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(MonitorError, match="cannot reach the Dask scheduler at "
                                           "'tcp://127.0.0.1:9'"):
        resolve_client("tcp://127.0.0.1:9", timeout="1s")
