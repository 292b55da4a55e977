"""SHAP values of the best model on the table's *original* columns (optional: only where the
``shap`` package is installed; it is not a dependency of stratum-jupyter).

The model's preprocessing turns the table into its input columns (``island`` into three
one-hot columns...); SHAP explains the final estimator on those, and, SHAP values being
additive, the values of the input columns that came from one table column are summed into
that column's. An input column is traced back by its name (``get_feature_names_out``:
``categorical__island_Biscoe`` comes from ``island``); a step that mixes columns (PCA...)
cannot be traced.

A model whose final estimator shap cannot read as numbers (category or text columns taken
as they are, categorical splits, a step that mixes columns) is explained whole on the
table's columns by :mod:`.explain_table` (slower), and the notes say so and why.

``setting`` (``evaluation.diagnostics.shap``): ``"auto"`` uses shap's own choice of a fast
exact explainer (trees, linear models) and leaves the rest out with a note; ``True`` falls
back to shap's permutation explainer on the model's probabilities (slower); ``False``: none.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

SAMPLE_ROWS = 200  # rows explained (an even, seeded sample of the training rows)
BACKGROUND_ROWS = 100  # rows the explainers take as the background distribution
NOT_INSTALLED = ("no SHAP values: the optional shap package is not installed "
                 "(pip install shap adds them to the diagnostics)")
COLUMNS = ["row", "column", "class", "shap"]


def empty() -> Any:
    import pandas as pd

    return pd.DataFrame(columns=COLUMNS)


def shap_values(model: Any, X: Any, setting: Any = "auto", seed: int | None = 0,
                budget_s: float | None = None) -> tuple[Any, list[str]]:
    """``(frame, notes)``: SHAP values of ``model`` (a fitted pipeline, or estimator) on a
    sample of ``X``'s rows per original column, tidy: ``row`` (position in ``X``),
    ``column`` (``X``'s own), ``class`` (the class explained; "" for a single output),
    ``shap``; the notes say why there are none (never raises). ``budget_s`` (with
    ``setting="auto"``): the seconds they may cost, timed on the first rows; fewer rows are
    explained to stay within it, none (with a note) when fewer than 20 would."""
    if setting is False:
        return empty(), []
    try:
        return _explained(model, X, setting, seed, budget_s)
    except ImportError:
        return empty(), [NOT_INSTALLED]
    except Exception as exc:  # the evaluation stands; the diagnostics say what failed
        return empty(), [f"no SHAP values: {type(exc).__name__}: {exc}"]


def _explained(model: Any, X: Any, setting: Any, seed: int | None, budget_s: float | None
               ) -> tuple[Any, list[str]]:
    from . import explain_table
    from .importance import columns_of

    pre, final = split(model)
    rng = np.random.default_rng(0 if seed is None else seed)
    n = len(X)
    rows = np.sort(rng.choice(n, size=min(n, SAMPLE_ROWS), replace=False))
    sample = X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]
    Z = sample if pre is None else pre.transform(sample)
    why = explain_table.reason(final, Z)
    if not why:
        Z = np.asarray(Z.toarray() if hasattr(Z, "toarray") else Z, dtype=float)
        owners, why = original_columns(pre, columns_of(X), Z.shape[1])
    if why and not hasattr(X, "iloc"):  # said before shap (and numba) is imported at all
        return empty(), [f"no SHAP values: {why}"]
    import shap

    notes: list[str] = []
    if why:  # the whole model, on the table's own columns
        explain, coded = explain_table.explainer(shap, model, X, rows[:BACKGROUND_ROWS])
        Z, owners = coded.encode(sample), [str(c) for c in X.columns]
        notes.append(f"SHAP values of the whole model on the table's columns (shap's "
                     f"{'exact' if len(owners) <= 10 else 'permutation'} explainer, "
                     f"slower than its tree explainer): {why}")
    else:
        explainer = _explainer(shap, final, Z[:BACKGROUND_ROWS], setting)
        if explainer is None:
            return empty(), [f"no SHAP values: shap has no fast explainer for "
                             f"{type(final).__name__} (evaluation.diagnostics.shap: true uses "
                             "its permutation explainer, slower)"]

        def explain(part: Any) -> Any:
            return np.asarray(explainer(part).values, dtype=float)
    values, why = _within_budget(explain, Z, setting, budget_s)
    if values is None:
        return empty(), [f"no SHAP values: {why}"]
    classes = list(getattr(model if notes else final, "classes_", []))
    return tidy(values, owners, rows[:len(values)], classes), notes


def _within_budget(explain: Any, Z: Any, setting: Any, budget_s: float | None
                   ) -> tuple[Any, str]:
    """``(values, "")`` of the rows of ``Z`` that fit in ``budget_s`` (with ``setting="auto"``;
    timed on the first 10 rows), or ``(None, why)`` when fewer than 20 would."""
    first = min(len(Z), 10)
    start = time.perf_counter()
    values = [explain(Z[:first])]
    per_row = (time.perf_counter() - start) / max(first, 1)
    more = len(Z) - first
    if budget_s is not None and setting == "auto" and per_row * more > budget_s:
        more = int(budget_s / per_row)
        if first + more < 20:
            return None, (f"about {per_row * len(Z):.1f} s for {len(Z)} rows, more than "
                          f"the {budget_s:.1f} s (10 % of the evaluation) they may take; "
                          "evaluation.diagnostics.shap: true computes them")
    if more > 0:
        values.append(explain(Z[first:first + more]))
    return np.concatenate(values), ""


def _explainer(shap: Any, final: Any, background: Any, setting: Any) -> Any:
    """shap's exact explainer for trees (path-dependent: no background, fast), else for
    linear models; with ``setting=True`` its permutation explainer on the probabilities;
    None when none applies."""
    for make in (lambda: shap.TreeExplainer(final),
                 lambda: shap.LinearExplainer(final, background)):
        try:
            return make()
        except Exception:  # shap says it does not know this model: the next one
            continue
    if setting is not True:
        return None
    return shap.Explainer(getattr(final, "predict_proba", final.predict), background)


def split(model: Any) -> tuple[Any, Any]:
    """(the steps before the final estimator, or None; the final estimator)."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline) and len(model.steps) > 1:
        return model[:-1], model[-1]
    if isinstance(model, Pipeline):
        return None, model[-1]
    return None, model


def original_columns(pre: Any, columns: list[str], width: int) -> tuple[list[str], str]:
    """The table column each of the ``width`` input columns of the final estimator comes
    from, and "" (else ``[]`` and why they cannot be traced)."""
    if pre is None:
        if width != len(columns):
            return [], f"the model's {width} input columns are not the table's {len(columns)}"
        return list(columns), ""
    try:
        names = [str(n) for n in pre.get_feature_names_out()]
    except Exception:
        return [], "the preprocessing does not name its output columns"
    owners = [owner(name, columns) for name in names]
    lost = [name for name, found in zip(names, owners, strict=True) if found is None]
    if lost or len(names) != width:
        return [], (f"the model's input column {lost[0]!r} cannot be traced back to one of "
                    "the table's columns (a step mixes them)" if lost
                    else "the preprocessing's names do not match its output")
    return [o for o in owners if o is not None], ""


def owner(name: str, columns: list[str]) -> str | None:
    """The table column an input column named ``name`` comes from: the name itself after
    any ``transformer__`` prefixes, or the longest column it starts with followed by ``_``
    (a one-hot column ``island_Biscoe``); None when none fits."""
    parts = name.split("__")
    tails = ["__".join(parts[i:]) for i in range(len(parts))]
    for tail in tails:
        if tail in columns:
            return tail
    for tail in tails:
        found = [c for c in columns if tail.startswith(f"{c}_")]
        if found:
            return max(found, key=len)
    return None


def tidy(values: np.ndarray, owners: list[str], rows: np.ndarray, classes: list[Any]) -> Any:
    """Values (rows, inputs[, outputs]) summed per owning column, as the tidy frame."""
    import pandas as pd

    if values.ndim == 2:
        values = values[:, :, None]
    labels = classes if len(classes) == values.shape[2] else [""] * values.shape[2]
    if values.shape[2] == 1:
        labels = [""]
    order = list(dict.fromkeys(owners))
    index = np.array([order.index(o) for o in owners])
    # SHAP values add up: a table column's is the sum of the input columns made from it.
    summed = np.stack([values[:, index == j].sum(axis=1) for j in range(len(order))], axis=1)
    r, c, k = np.meshgrid(np.arange(len(rows)), np.arange(len(order)),
                          np.arange(values.shape[2]), indexing="ij")
    return pd.DataFrame({"row": rows[r.ravel()], "column": np.array(order)[c.ravel()],
                         "class": np.array(labels, dtype=object)[k.ravel()],
                         "shap": summed.ravel()})


def summary(frame: Any) -> Any:
    """Per column: ``mean_abs`` (the mean absolute SHAP value over the rows and classes
    explained), most influential first."""
    import pandas as pd

    if frame.empty:
        return pd.DataFrame(columns=["column", "mean_abs"])
    out = frame.assign(abs=frame["shap"].abs()).groupby("column", sort=False)["abs"].mean()
    return out.rename("mean_abs").sort_values(ascending=False).reset_index()
