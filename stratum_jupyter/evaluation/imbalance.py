"""A note when accuracy alone ranks an imbalanced classification target.

On a target whose rarest class is under :data:`MINORITY_SHARE` of the rows, a model that
always predicts the majority class scores a high accuracy while finding none of the rare
rows; the note says what that score is and which of the spec's metrics fit instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MINORITY_SHARE = 0.10
# Metrics of the spec vocabulary (spec/metrics.py) that an always-majority model does not
# score well on, by the number of classes.
BINARY_METRICS = ("balanced_accuracy", "f1", "roc_auc", "average_precision")
MULTICLASS_METRICS = ("balanced_accuracy", "f1_macro", "roc_auc_ovr")


def imbalance_notes(names: Sequence[str], task: str, y: Any) -> list[str]:
    """One note when ``names`` is accuracy alone, the task classification and the rarest
    class of ``y`` under 10% of its (non-missing) rows; else none."""
    if task != "classification" or list(names) != ["accuracy"] or y is None:
        return []
    import pandas as pd

    counts = pd.Series(y).dropna().value_counts()
    if len(counts) < 2:
        return []
    total, rarest = int(counts.sum()), counts.index[-1]
    if counts.iloc[-1] / total >= MINORITY_SHARE:
        return []
    majority = counts.index[0]
    fit = BINARY_METRICS if len(counts) == 2 else MULTICLASS_METRICS
    return [f"imbalanced target: class {rarest!r} is {counts.iloc[-1] / total:.1%} of the "
            f"rows ({counts.iloc[-1]} of {total}); always predicting {majority!r} scores "
            f"accuracy {counts.iloc[0] / total:.2f}, so accuracy alone says little: "
            f"metrics that fit: {', '.join(fit)} (evaluation.metrics)"]
