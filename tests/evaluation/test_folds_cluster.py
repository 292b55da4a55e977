"""Fold choice, cluster acquisition, adaptive scaling, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation import cluster as clusters
from stratum_jupyter.evaluation.folds import make_splitter, split_indices


def test_folds_follow_the_issue():
    from sklearn import model_selection as ms

    y = np.array([0, 1] * 10)
    s = make_splitter("classification", 5, random_state=3, y=y)
    assert isinstance(s, ms.StratifiedKFold) and s.shuffle and s.random_state == 3
    s = make_splitter("regression", 4, random_state=3, y=y.astype(float))
    assert isinstance(s, ms.KFold) and s.shuffle and s.n_splits == 4
    s = make_splitter("classification", 5, y=y)
    assert isinstance(s, ms.StratifiedKFold) and not s.shuffle  # sklearn's default
    s = make_splitter("regression", 5, y=y.astype(float))
    assert isinstance(s, ms.KFold) and not s.shuffle
    s = make_splitter("clustering", 3, random_state=0)
    assert isinstance(s, ms.KFold)
    s = make_splitter("classification", None, holdout=0.25, random_state=0, y=y)
    assert isinstance(s, ms.StratifiedShuffleSplit)
    (train, test), = split_indices(s, np.zeros((20, 1)), y)
    assert len(test) == 5
    custom = ms.KFold(2)
    assert make_splitter("regression", custom) is custom


def test_import_stays_lazy():
    code = ("import sys, stratum_jupyter as s\n"
            "s.evaluate; s.EvaluationResult; s.load_model\n"
            "import stratum_jupyter.magics.evaluate, stratum_jupyter.cli.evaluate_cmd\n"
            "heavy = [m for m in ('sklearn', 'pandas', 'distributed', 'dask', 'bokeh',\n"
            "         'tensorflow', 'ipywidgets') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_local_cluster_is_started_once_on_localhost():
    client = clusters.local_client(n_workers=1)
    try:
        assert clusters.local_client() is client  # reused
        assert client.scheduler.address.startswith("tcp://127.0.0.1:")
        dashboard = clusters.describe(client)["dashboard"]
        assert dashboard.startswith("http://127.0.0.1:")
        client.cluster.scale(2)  # a worker added later (adaptive scaling) is alike
        client.wait_for_workers(2, timeout=120)
        states = list(client.run(_housekeeping).values())
        msg = clusters.adapt(client, 1, 2)
        assert msg.startswith("adaptive scaling on")
        client.cluster._adaptive.stop()
    finally:
        clusters.close_local()
    assert clusters._local == {}
    # Its workers' housekeeping is quiet (cluster.py): the nannies' worker processes have
    # the settings (no statistical profiler, slower ticks); this process keeps its own.
    assert len(states) == 2
    for config, callbacks, callback_ms in states:
        assert config == {"distributed.worker.profile.enabled": False,
                          "distributed.admin.tick.interval": "500ms",
                          "distributed.worker.memory.monitor-interval": "500ms"}
        assert "profile" not in callbacks and callback_ms == 500
    import dask

    assert dask.config.get("distributed.worker.profile.enabled") is True


def _housekeeping(dask_worker):
    import dask

    keys = ("distributed.worker.profile.enabled", "distributed.admin.tick.interval",
            "distributed.worker.memory.monitor-interval")
    return ({k: dask.config.get(k) for k in keys}, sorted(dask_worker.periodic_callbacks),
            dask_worker.periodic_callbacks["memory_monitor"].callback_time)


@pytest.mark.slow
def test_adapt_by_address_is_explained(cluster):
    client = clusters.get_client(scheduler=cluster.scheduler_address)
    try:
        assert "not available" in clusters.adapt(client, 1, 3)
        with pytest.raises(EvaluationError, match="MIN <= MAX"):
            clusters.adapt(client, 3, 1)
    finally:
        clusters.close_remote()


@pytest.mark.slow
def test_clustering_task(client):
    from sklearn.datasets import load_iris

    from stratum_jupyter import evaluate

    X, y = load_iris(return_X_y=True)
    spec = {"version": 1, "task": "clustering",
            "evaluation": {"cv": 3, "random_state": 0,
                           "metrics": ["silhouette", "adjusted_rand"]},
            "candidates": [{"name": "km", "steps": [
                {"StandardScaler": {}},
                {"KMeans": {"n_clusters": [2, 3], "n_init": 3, "random_state": 0}}]}]}
    result = evaluate(spec, X, y, display="none", refit=False)
    board = result.leaderboard
    assert list(board["status"]) == ["ok", "ok"]
    assert board["silhouette"].between(-1, 1).all()
