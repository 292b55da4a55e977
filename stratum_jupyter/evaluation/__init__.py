"""Evaluation: cross-validate candidate pipelines and rank them on the spec's metrics."""
