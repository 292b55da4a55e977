"""Small tables and the three libraries' blocks with few trees, one thread, fixed seeds."""

from __future__ import annotations

import pytest

from stratum_jupyter.evaluation import cluster as clusters
from stratum_jupyter.evaluation import inprocess

# Block name -> (the library's class as module:name, the parameters both take).
LIBRARIES = {
    "XGBClassifier": ("xgboost:XGBClassifier",
                      {"n_estimators": 8, "max_depth": 3, "n_jobs": 1, "random_state": 0}),
    "LGBMClassifier": ("lightgbm:LGBMClassifier",
                       {"n_estimators": 8, "num_leaves": 7, "n_jobs": 1, "random_state": 0,
                        "verbose": -1}),
    "CatBoostClassifier": ("catboost:CatBoostClassifier",
                           {"iterations": 8, "depth": 3, "thread_count": 1, "random_seed": 0,
                            "verbose": False, "allow_writing_files": False}),
}
REGRESSORS = {name.replace("Classifier", "Regressor"): (
    reference.replace("Classifier", "Regressor"), params)
    for name, (reference, params) in LIBRARIES.items()}


def library_estimator(reference: str, params: dict):
    import importlib

    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)(**params)


@pytest.fixture
def here(monkeypatch):
    """No cluster of the caller's and none started: the whole evaluation stays here."""
    monkeypatch.delenv("STRATUM_SCHEDULER", raising=False)
    monkeypatch.setattr(inprocess, "START_S", 1e9)
    clusters.close_local()
    yield


@pytest.fixture(scope="session")
def table():
    """300 rows, six numbers and a category column, a binary label and a number."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(300, n_features=6, n_informative=4, random_state=0)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    frame["colour"] = pd.Categorical(np.array(["red", "green", "blue"])[
        (np.abs(X[:, 0]) * 3).astype(int) % 3])
    value = X[:, 1] * 3 + (frame["colour"] == "red") * 2.0
    return frame, pd.Series(np.where(y == 1, "yes", "no"), name="label"), \
        pd.Series(value, name="value")
