"""SHAP values of the whole model on the table's own columns, for models whose final
estimator shap's tree and linear explainers cannot read as numbers.

That is a model that takes category or text columns as they are (HistGradientBoosting with
``categorical_features="from_dtype"``, the XGBoost/LightGBM/CatBoost blocks on ``category``
columns, a preprocessing that passes strings through), one that splits on columns as
categories (HistGradientBoosting's ``categorical_features``: shap's tree explainer reads
such splits as thresholds and its values would be wrong, silently), and a preprocessing
whose output columns cannot be traced back to one table column each (PCA, TF-IDF words).

The table's columns are coded as numbers for shap (a column of categories or strings as the
position of its value among the column's values), shap's model-agnostic explainer masks
them with background rows (exact for up to 10 columns, else permutations) and every masked
row is decoded to the table the model takes (its own dtypes) before ``predict`` (or
``predict_proba``) of the whole model: one SHAP value per original column, nothing summed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["reason", "Coded", "explainer"]


def reason(final: Any, Z: Any) -> str:
    """Why ``final`` (the final estimator) cannot be explained on its inputs ``Z`` (what the
    preprocessing gives it) as numbers, in the user's terms; "" when it can."""
    name = type(final).__name__
    kept = non_numeric(Z)
    if kept:
        return (f"{name} takes {_names(kept)} as they are (categories or text), which "
                "shap's tree and linear explainers cannot read")
    split = categorical_splits(final)
    if split:
        return (f"{name} splits on {_names(split)} as categories, which shap's tree "
                "explainer would read as numeric thresholds")
    return ""


def _names(columns: list[str]) -> str:
    shown = ", ".join(columns[:5])
    return shown + (f" (and {len(columns) - 5} more)" if len(columns) > 5 else "")


def non_numeric(Z: Any) -> list[str]:
    """The columns of ``Z`` (a DataFrame, an array or a sparse matrix) that hold categories,
    strings or other objects rather than numbers (positions for an array)."""
    import pandas as pd

    if hasattr(Z, "dtypes") and hasattr(Z, "columns"):
        return [str(c) for c, t in Z.dtypes.items()
                if isinstance(t, pd.CategoricalDtype) or not (
                    pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t))]
    dtype = getattr(Z, "dtype", None)
    if dtype is not None and np.dtype(dtype).kind in "OUSM":
        return [f"column {i}" for i in range(Z.shape[1])]
    return []


def categorical_splits(final: Any) -> list[str]:
    """The input columns ``final`` splits on as categories (HistGradientBoosting's
    ``is_categorical_``; the boosting blocks' ``category_columns_``), else []."""
    own = list(getattr(final, "category_columns_", None) or [])
    if own:
        return [str(c) for c in own]
    flags = getattr(final, "is_categorical_", None)
    if flags is None or not np.any(flags):
        return []
    names = getattr(final, "feature_names_in_", None)
    where = np.flatnonzero(np.asarray(flags))
    return [str(names[i]) if names is not None else f"column {i}" for i in where]


class Coded:
    """The table ``X`` (a DataFrame) as numbers for shap and back: a numeric or boolean
    column as float, any other column as the position of its value among the column's
    values (its categories for a ``category`` column; missing: NaN)."""

    def __init__(self, X: Any) -> None:
        import pandas as pd

        self.columns = list(X.columns)
        self.dtypes = X.dtypes
        self.levels: dict[Any, Any] = {}
        for column, dtype in self.dtypes.items():
            if isinstance(dtype, pd.CategoricalDtype):
                self.levels[column] = pd.Index(dtype.categories)
            elif not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
                self.levels[column] = pd.Index(pd.unique(X[column].dropna().astype(object)))

    def encode(self, frame: Any) -> np.ndarray:
        """(rows, columns) float64 codes of ``frame`` (``X``'s columns)."""
        out = np.empty((len(frame), len(self.columns)), dtype=float)
        for j, column in enumerate(self.columns):
            values = frame[column]
            if column in self.levels:
                codes = self.levels[column].get_indexer(values.astype(object)).astype(float)
                out[:, j] = np.where(codes < 0, np.nan, codes)
            else:
                out[:, j] = values.to_numpy(dtype=float, na_value=np.nan)
        return out

    def decode(self, codes: np.ndarray) -> Any:
        """The table (``X``'s columns and dtypes) of (rows, columns) ``codes``."""
        import pandas as pd

        data = {}
        for j, column in enumerate(self.columns):
            values = codes[:, j]
            dtype = self.dtypes[column]
            at = np.where(np.isnan(values), -1, values).astype(np.int64)
            if isinstance(dtype, pd.CategoricalDtype):  # its own categories: codes as they are
                data[column] = pd.Series(pd.Categorical.from_codes(at, dtype=dtype))
            elif column in self.levels:
                levels = np.asarray([*self.levels[column], None], dtype=object)
                data[column] = pd.Series(levels[at]).astype(dtype)
            else:
                data[column] = pd.Series(values).astype(dtype)
        return pd.DataFrame(data)


def explainer(shap: Any, model: Any, X: Any, background_rows: np.ndarray) -> Any:
    """``(explain, coded)``: ``explain(codes)`` gives shap's values (rows, columns[,
    classes]) of the whole ``model`` on coded rows of ``X`` (``coded.encode`` makes them),
    masked with ``X``'s ``background_rows``; the model's probabilities for a classifier,
    its prediction otherwise."""
    coded = Coded(X)
    answer = getattr(model, "predict_proba", None)
    if answer is None or not hasattr(model, "classes_"):
        answer = model.predict

    def predict(codes: np.ndarray) -> np.ndarray:
        return np.asarray(answer(coded.decode(codes)), dtype=float)

    background = coded.encode(X.iloc[background_rows])
    masker = shap.maskers.Independent(background, max_samples=len(background))
    found = shap.Explainer(predict, masker, feature_names=[str(c) for c in coded.columns])
    columns = len(coded.columns)

    # shap's exact explainer (up to 10 columns) takes 2 ** columns masks per row; its
    # permutation explainer at least 2 x columns + 1
    evals = 2**columns if columns <= 10 else max(500, 2 * columns + 1)

    def explain(codes: np.ndarray) -> np.ndarray:
        return np.asarray(found(codes, max_evals=evals, silent=True).values, dtype=float)
    return explain, coded
