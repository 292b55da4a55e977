"""Fixtures shared by the evaluation tests."""

import pytest

from stratum_jupyter.evaluation import cluster as clusters
from stratum_jupyter.evaluation import inprocess


@pytest.fixture
def in_process(monkeypatch):
    """No cluster of the caller's and none started: the whole evaluation stays in this
    process (inprocess.py), and no local cluster is left behind."""
    monkeypatch.delenv("STRATUM_SCHEDULER", raising=False)
    monkeypatch.setattr(inprocess, "START_S", 1e9)
    clusters.close_local()
    yield
    assert clusters.local_state() == "stopped"
