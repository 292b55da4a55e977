"""Bundles and files of the batch scoring tests: the shared iris bundle (a dataframe model),
the diabetes bundle (an array model), and a model with a categorical column that refuses
unknown categories."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def iris_rows(iris_split):
    """The iris test rows with an ``id`` column (45 rows)."""
    _, X_test, _, _ = iris_split
    rows = X_test.reset_index(drop=True).copy()
    rows.insert(0, "id", [f"flower-{i}" for i in range(len(rows))])
    return rows


@pytest.fixture(scope="session")
def iris_csv(tmp_path_factory, iris_rows) -> Path:
    path = tmp_path_factory.mktemp("iris_in") / "flowers.csv"
    iris_rows.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def islands_bundle(tmp_path_factory) -> Path:
    """A classifier of a number and a category (OneHotEncoder without unknown categories)."""
    import numpy as np
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from stratum_jupyter.bundle import save_bundle

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"mass": rng.normal(4000, 500, 300),
                      "island": rng.choice(["Biscoe", "Dream", "Torgersen"], 300)})
    y = np.where(X["mass"] > 4000, "big", "small")
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="error"), ["island"]),
                                remainder="passthrough"),
        LogisticRegression(max_iter=500)).fit(X, y)
    return save_bundle(model, tmp_path_factory.mktemp("islands") / "best", X=X, y=y,
                       task="classification", candidate="logreg")
