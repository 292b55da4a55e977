"""A small model bundle to profile (a copy per test: a profile writes into its profile.json)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stratum_jupyter.bundle import save_bundle

from ..deploy.conftest import docker_engine  # noqa: F401 - the private engine, shared


def save_iris(path: Path) -> Path:
    """A scaled logistic regression on iris, saved as a model bundle at ``path``."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    return save_bundle(model, path, X=X, y=y, task="classification", candidate="logreg")


@pytest.fixture(scope="session")
def iris_source(tmp_path_factory) -> Path:
    return save_iris(tmp_path_factory.mktemp("iris") / "best")


@pytest.fixture
def iris_bundle(iris_source, tmp_path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(iris_source, copy)
    return copy


@pytest.fixture(autouse=True)
def _isolated_kb(tmp_path, monkeypatch):
    # the Docker runner renders the model's image: never with the developer's own kb.sqlite
    monkeypatch.setenv("STRATUM_KB", str(tmp_path / "no-user-kb.sqlite"))
