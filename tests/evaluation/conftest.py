"""One real LocalCluster of 2 worker processes, shared by the evaluation tests."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture(scope="session")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cl:
        yield cl
        # Clients that reached it by address (--scheduler, STRATUM_SCHEDULER) go first.
        from stratum_jupyter.evaluation.cluster import close_remote

        close_remote()


@pytest.fixture
def client(cluster):
    """A client of the shared cluster, made current (the "current Client" path); both
    workers up (a previous test may have killed one)."""
    from distributed import Client

    with Client(cluster) as c:
        c.wait_for_workers(2, timeout=60)
        yield c
