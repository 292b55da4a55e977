"""The palmerpenguins table of ``tests/data/penguins.csv`` (text columns, gaps, string labels)
and the models the product makes of such tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "penguins.csv"
FIRST_ROW = {"island": "Torgersen", "bill_length_mm": 39.1, "bill_depth_mm": 18.7,
             "flipper_length_mm": 181.0, "body_mass_g": 3750.0, "sex": "male", "year": 2007}
"""The first CSV row: an Adelie penguin."""


def penguins(*, complete: bool = False, categories: bool = False) -> tuple[Any, Any]:
    """``(X, y)``: the table as pandas reads it (``str`` text columns, NaN gaps); only the
    complete rows, and ``island``/``sex`` as ``category`` columns, when asked."""
    import pandas as pd

    frame = pd.read_csv(DATA)
    if complete:
        frame = frame.dropna().reset_index(drop=True)
    if categories:
        for name in ("island", "sex"):
            frame[name] = frame[name].astype("category")
    return frame.drop(columns="species"), frame["species"]


def auto_pipeline(final: Any = None) -> Any:
    """The spec's automatic preprocessing (a ColumnTransformer named "preprocessing") before
    ``final`` (a LogisticRegression by default), unfitted."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from stratum_jupyter.spec.pipeline import auto_columns_step

    columns = auto_columns_step()
    return Pipeline([(columns.name, columns.estimator()),
                     ("logisticregression", final or LogisticRegression(max_iter=2000))])
