"""Deployment: hardware targets, the dependency knowledge base, constraint checks, model
conversion, rendering of the deploy bundle, and building/running it.

Nothing heavy is imported here; docker, ansible_runner, skl2onnx and onnxruntime load inside
the functions that use them.
"""

from .api import DeployResult, deploy
from .targets import Target, get_target, list_targets

__all__ = ["DeployResult", "Target", "deploy", "get_target", "list_targets"]
