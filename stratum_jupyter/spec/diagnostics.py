"""``evaluation.diagnostics``: what an evaluation keeps and computes for its diagnostic
plots (confusion matrix, ROC and precision-recall curves, residuals, cluster sizes...) and
the permutation importance of the best configuration.

Written ``diagnostics: false`` (nothing kept, no importance), ``diagnostics: true`` (the
defaults) or as the mapping of :class:`DiagnosticsSpec`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DiagnosticsSpec(BaseModel):
    """What the diagnostics keep and compute; ``diagnostics: false`` is ``keep: 0,
    importance: false``."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)

    keep: int = Field(
        3, ge=0, le=100, description="How many configurations (the best ones) keep their "
                                     "out-of-fold predictions for the plots; 0: none.")
    importance: bool | Literal["auto"] = Field(
        "auto", description="Permutation importance of the best configuration on the original "
                            "columns, per fold on the cluster: true, false, or auto (only when "
                            "it is expected to cost at most a tenth of the evaluation's work; "
                            "the log says when it was left out).")
    n_repeats: int = Field(5, ge=1, le=100, description="Permutations of each column, per fold.")
    shap: bool | Literal["auto"] = Field(
        "auto", description="SHAP values of the best model on the original columns, where the "
                            "optional shap package is installed: auto (shap's fast exact "
                            "explainers: trees, linear models), true (also its permutation "
                            "explainer, slower), false.")

    @model_validator(mode="before")
    @classmethod
    def _from_bool(cls, value: Any) -> Any:
        if value is True:
            return {}
        if value is False:
            return {"keep": 0, "importance": False, "shap": False}
        return value

    @property
    def enabled(self) -> bool:
        return self.keep > 0 or self.importance is not False
