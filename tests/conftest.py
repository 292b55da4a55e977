"""Shared fixtures: example specs and a scratch working directory."""

from __future__ import annotations

import copy
import logging
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "example_notebooks" / "specs"

VALID = {
    "version": 1,
    "name": "iris",
    "task": "classification",
    "data": {"source": "sklearn:iris"},
    "evaluation": {"cv": 3, "metrics": ["accuracy", "f1_macro"], "select_by": "f1_macro",
                   "random_state": 0},
    "candidates": [
        {"name": "logreg", "steps": [{"StandardScaler": {}},
                                     {"LogisticRegression": {"C": [0.1, 1.0], "max_iter": 500}}]},
        {"name": "forest", "steps": [{"RandomForestClassifier": {"n_estimators": [10, 20],
                                                                 "max_depth": [None, 4]}}]},
    ],
}


@pytest.fixture
def ctrl_c():
    """SIGINT raises KeyboardInterrupt during the test, as in a terminal, whatever the
    launcher did: a background job (``pytest ... &`` in a script, ``nohup``) starts with
    SIGINT ignored, and Python then leaves it ignored. The handler found is restored."""
    import signal

    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.fixture
def valid_spec() -> dict:
    """A fresh copy of a small valid classification spec (a dict)."""
    return copy.deepcopy(VALID)


@pytest.fixture(scope="session")
def ip():
    """IPython's own test shell (one per process, shared by every test), extension loaded.

    ``globalipapp.get_ipython`` is idempotent; creating shells any other way in the same
    process (``InteractiveShell.instance()``, a second ``start_ipython()``) conflicts with it.
    """
    from IPython.testing import globalipapp

    shell = globalipapp.get_ipython()
    shell.run_line_magic("load_ext", "stratum_jupyter")
    return shell


# One real LocalCluster of 2 worker processes, shared by every test that evaluates.

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


@pytest.fixture(autouse=True)
def _isolated_deployments(tmp_path, monkeypatch):
    """Deployments made by tests are listed in a file of the test's own, never the user's."""
    monkeypatch.setenv("STRATUM_DEPLOYMENTS", str(tmp_path / "deployments.json"))


# Model bundles made directly with save_bundle on small scikit-learn pipelines (deploy and
# serving tests share them).
@pytest.fixture(scope="session")
def iris_split():
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    X, y = load_iris(return_X_y=True, as_frame=True)
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


@pytest.fixture(scope="session")
def iris_bundle(tmp_path_factory, iris_split) -> Path:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_train, _, y_train, _ = iris_split
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X_train, y_train)
    from stratum_jupyter.bundle import save_bundle

    return save_bundle(model, tmp_path_factory.mktemp("iris") / "best", X=X_train, y=y_train,
                       task="classification", candidate="logreg")


@pytest.fixture(scope="session")
def diabetes_bundle(tmp_path_factory) -> Path:
    """A regressor trained on a plain NumPy array (input schema kind 'array')."""
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import RandomForestRegressor

    X, y = load_diabetes(return_X_y=True)
    model = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(X, y)
    from stratum_jupyter.bundle import save_bundle

    return save_bundle(model, tmp_path_factory.mktemp("diabetes") / "best", X=X, y=y,
                       task="regression", candidate="forest")


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
