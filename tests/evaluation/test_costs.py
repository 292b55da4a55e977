"""Big tables on the cluster: fits use their worker's share of the cores (as loky's workers
do for GridSearchCV), a fold's transformed data is freed once its tasks are done, and the
log says what the run cost (data sent, the workers' memory)."""

from __future__ import annotations

import logging
import threading

import numpy as np
import pytest
from joblib import cpu_count
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import make_regression
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from stratum_jupyter import evaluate
from stratum_jupyter.evaluation import tasks, threads
from stratum_jupyter.evaluation.display import _summary
from stratum_jupyter.evaluation.inprocess import data_nbytes


class ThreadsSeen(RegressorMixin, BaseEstimator):
    """Predicts the mean; remembers the BLAS/OpenMP threads its fit was allowed."""

    def fit(self, X, y):
        self.threads_ = {(i["user_api"], i["num_threads"]) for i in threadpool_info()}
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def _expected_share(workers: int) -> int:
    import os

    n = max(1, cpu_count() // workers)
    env = os.environ.get("OMP_NUM_THREADS", "")
    return min(n, int(env)) if env.isdigit() and int(env) > 0 else n


@pytest.mark.skipif(cpu_count() < 2, reason="one core: every share is one thread")
def test_fits_on_workers_in_one_process_share_its_cores(monkeypatch):
    """Two worker threads in one process (a script's LocalCluster without a main guard):
    each fit, fold task or refit, gets cores // 2 threads, not one per core each."""
    from distributed import Client, LocalCluster

    monkeypatch.setattr(threads, "_applied", threading.local())
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    with threadpool_limits(limits=None), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                         dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster, set_as_default=False) as client:
        fold = (np.arange(30), np.arange(30, 60))
        fold_score, fitted = client.submit(
            tasks.fit_score_model, tasks.split_fold(X, y, fold), "seen", "sklearn",
            ThreadsSeen(), {}, pure=False).result()
        result = evaluate({"seen": (ThreadsSeen(), {})}, X, y, client=client, cv=2,
                          metrics=["r2"], display="none")
    share = _expected_share(2)
    assert fitted.threads_ and {n for _, n in fitted.threads_} == {share}
    assert {n for _, n in result.best.model.threads_} == {share}


def test_fold_fits_and_the_refit_keep_the_nannys_one_thread(client):
    """Worker processes (the nanny sets OMP_NUM_THREADS=1): a fold's fit keeps one thread
    per worker, as loky's workers have on two cores; so does the refit, which starts while
    the other workers still fit (OpenMP threads spinning on busy cores: threads.py)."""
    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    fold = (np.arange(30), np.arange(30, 60))
    _, fitted = client.submit(tasks.fit_score_model, tasks.split_fold(X, y, fold), "seen",
                              "sklearn", ThreadsSeen(), {}, pure=False).result()
    refitted, _ = client.submit(tasks.refit, X, y, "sklearn", ThreadsSeen(),
                                pure=False).result()
    assert {n for _, n in fitted.threads_} == {_expected_share(2)}
    assert {n for _, n in refitted.threads_} == {_expected_share(2)}


def test_outside_a_worker_nothing_is_limited():
    assert threads.share() is None
    assert threads.limit() is None


def test_the_log_says_what_the_run_cost(client):
    X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    result = evaluate({"ridge": (Ridge(), {"alpha": [0.1, 1.0]})}, X, y, client=client,
                      cv=3, metrics=["r2"], display="none")
    t = result.timing
    assert t["sent_bytes"] == data_nbytes(X) + data_nbytes(y)
    assert t["sent_copies"] == 2  # broadcast: one copy to each of the two workers
    assert t["workers_peak_bytes"] > 10 * 2**20  # two Python processes at least
    line = _summary(result)
    assert f"sent the data ({(X.nbytes + y.nbytes) / 1e3:.1f} kB) to the workers: 2 copies" \
        in line
    assert "the workers' memory peaked at " in line


def test_a_folds_shared_prefix_is_freed_once_its_tasks_are_done(client):
    """Only the refit's prefix (fitted on all the data) stays on the workers: the folds'
    splits and transformed parts are not held to the end of the evaluation."""
    X, y = make_regression(n_samples=300, n_features=5, random_state=0)
    held: list[list[str]] = []

    def in_memory(dask_scheduler):
        return sorted(str(k) for k, ts in dask_scheduler.tasks.items()
                      if ts.state == "memory" and ("-fold-" in str(k) or "-fit-" in str(k)))

    def on_result(res):
        held.append(client.run_on_scheduler(in_memory))

    result = evaluate({"ridge": (make_pipeline(StandardScaler(), Ridge()),
                                 {"ridge__alpha": [0.1, 1.0, 10.0]})}, X, y, client=client,
                      cv=3, metrics=["r2"], display="none", on_result=on_result)
    assert result.timing["saved_fits"] == 6 and len(held) == 3
    assert held[-1] == []  # every fold task is done: nothing of the folds is held
