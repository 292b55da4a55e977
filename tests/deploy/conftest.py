"""Model bundles made directly with save_bundle on small scikit-learn pipelines."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from stratum_jupyter.bundle import save_bundle

HOSTILE = "m\"o'd`e$(id)l\n RUN rm -rf / {{ lookup('pipe', 'id') }} ; --\\"


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
    return save_bundle(model, tmp_path_factory.mktemp("iris") / "best", X=X_train, y=y_train,
                       task="classification", candidate="logreg")


@pytest.fixture(scope="session")
def diabetes_bundle(tmp_path_factory) -> Path:
    """A regressor trained on a plain NumPy array (input schema kind 'array')."""
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import RandomForestRegressor

    X, y = load_diabetes(return_X_y=True)
    model = RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0).fit(X, y)
    return save_bundle(model, tmp_path_factory.mktemp("diabetes") / "best", X=X, y=y,
                       task="regression", candidate="forest")


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def user_kb(tmp_path, monkeypatch) -> Path:
    """An empty user knowledge base for this test only."""
    path = tmp_path / "kb.sqlite"
    monkeypatch.setenv("STRATUM_KB", str(path))
    return path


@pytest.fixture(autouse=True)
def _isolated_kb(tmp_path, monkeypatch):
    # Never read the developer's own ~/.config/stratum/kb.sqlite in tests.
    if "STRATUM_KB" not in __import__("os").environ:
        monkeypatch.setenv("STRATUM_KB", str(tmp_path / "no-user-kb.sqlite"))


def venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)
