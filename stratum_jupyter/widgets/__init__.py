"""Jupyter widgets of stratum_jupyter (anywidget; imported only when first used)."""

from .builder import EvaluationUnavailable, PipelineBuilder

__all__ = ["PipelineBuilder", "EvaluationUnavailable"]
