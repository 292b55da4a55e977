"""Evaluation: cross-validate candidate pipelines on Dask and rank them on the spec's metrics.

``evaluate`` (runner), the cluster it runs on (cluster), folds, the task graph with shared
prefixes (plan, tasks), results and the leaderboard (results), displays (display).
"""

from .results import Best, EvaluationResult, Failure
from .runner import evaluate

__all__ = ["Best", "EvaluationResult", "Failure", "evaluate"]
