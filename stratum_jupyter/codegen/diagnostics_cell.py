"""The last cell of a generated notebook: the diagnostic plots of the evaluation (the same
as ``stratum report`` draws), left in the cell's output with BokehJS inline, so a saved or
papermill-run notebook shows them with no live frontend."""

from __future__ import annotations

from ..spec import PipelineSpec

SOURCE = """\
# The diagnostic plots of the best configuration (as `stratum report` draws them): the
# confusion matrix and curves, or residuals, or clusters, each configuration's fold
# scores and the permutation importance of the original columns. The numbers behind
# them are DataFrames: result.diagnostics.confusion_matrix(), .importance(), ...
result.diagnostics"""


def diagnostics_source(spec: PipelineSpec) -> str | None:
    """The cell's code; None when the spec turns the diagnostics off."""
    return SOURCE if spec.evaluation.diagnostics.enabled else None
