"""Permutation importance of a configuration on the *original* columns: each raw column of
the table is permuted before the whole pipeline (its preprocessing included), so one-hot or
other encoded columns count for the column they came from. One task per fold (on the
workers): fit the pipeline on the fold's training part, then scikit-learn's
``permutation_importance`` on its test part, seeded per fold.

Workers import this module: it imports only numpy at the top.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def fold_seed(random_state: int | None, fold: int) -> int:
    """The permutations' seed on ``fold``: one per fold, from the evaluation's seed."""
    return (0 if random_state is None else int(random_state)) * 1000 + fold


def fold_importance(X: Any, y: Any, fold: tuple[Any, Any], pipeline: Any, scorer: Any,
                    n_repeats: int, seed: int) -> dict[str, Any]:
    """Fit ``pipeline`` (a clone) on the fold's training rows and permute each column of
    ``X`` on its test rows ``n_repeats`` times: ``{"columns": [...], "importances": (n_columns,
    n_repeats) array, "baseline": the unpermuted score}``; ``{"error": text}`` when the
    pipeline cannot be fitted or scored (the diagnostics say so; the evaluation goes on)."""
    from sklearn.base import clone
    from sklearn.inspection import permutation_importance

    from .oof import take

    train, test = fold
    X_test, y_test = take(X, test), take(y, test)
    try:
        model = clone(pipeline).fit(take(X, train), take(y, train))
        found = permutation_importance(model, X_test, y_test, scoring=scorer,
                                       n_repeats=n_repeats, random_state=seed)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"columns": columns_of(X), "importances": np.asarray(found.importances),
            "baseline": float(scorer(model, X_test, y_test))}


def columns_of(X: Any) -> list[str]:
    """The table's column names (``x0``, ``x1``... for an array without names)."""
    if hasattr(X, "columns"):
        return [str(c) for c in X.columns]
    return [f"x{i}" for i in range(np.shape(X)[1])]


def importance_frame(per_fold: dict[int, dict[str, Any]]) -> Any:
    """Tidy: ``column``, ``fold``, ``repeat``, ``importance`` (the drop of the score when
    the column is permuted) over the folds that succeeded."""
    import pandas as pd

    rows = []
    for fold, found in sorted(per_fold.items()):
        if "error" in found:
            continue
        for column, values in zip(found["columns"], found["importances"], strict=True):
            rows += [{"column": column, "fold": fold, "repeat": r, "importance": float(v)}
                     for r, v in enumerate(values)]
    return pd.DataFrame(rows, columns=["column", "fold", "repeat", "importance"])


def importance_summary(frame: Any) -> Any:
    """Per column: ``mean``, ``std`` (over every fold and repeat), ``fold_min``,
    ``fold_max`` (the spread of the folds' means), most important first."""
    import pandas as pd

    if frame.empty:
        return pd.DataFrame(columns=["column", "mean", "std", "fold_min", "fold_max"])
    by_fold = frame.groupby(["column", "fold"], sort=False)["importance"].mean()
    spread = by_fold.groupby(level="column", sort=False).agg(["min", "max"])
    out = frame.groupby("column", sort=False)["importance"].agg(["mean", "std"])
    out["fold_min"], out["fold_max"] = spread["min"], spread["max"]
    return out.sort_values("mean", ascending=False).reset_index()
