"""stratum_jupyter: model-driven ML development and deployment (Stratum) in JupyterLab.

Importing the package is cheap: scikit-learn, Dask, Bokeh and TensorFlow load only when a
function that needs them is called.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import DeployError, EvaluationError, SpecError, StratumError

if TYPE_CHECKING:  # pragma: no cover
    from .bundle import load_model, read_profile, save_model
    from .catalog import get_catalog
    from .evaluation import EvaluationResult, evaluate
    from .spec import PipelineSpec, dump_spec, load_spec, validate_spec
    from .widgets import PipelineBuilder

__all__ = [
    "__version__", "StratumError", "SpecError", "DeployError", "EvaluationError",
    "PipelineSpec", "load_spec", "dump_spec", "validate_spec", "get_catalog",
    "evaluate", "EvaluationResult", "load_model", "read_profile", "save_model", "PipelineBuilder",
    "load_ipython_extension", "unload_ipython_extension",
]

# Public names that live in submodules, imported on first access (PEP 562).
_LAZY = {
    "PipelineSpec": "stratum_jupyter.spec",
    "load_spec": "stratum_jupyter.spec",
    "dump_spec": "stratum_jupyter.spec",
    "validate_spec": "stratum_jupyter.spec",
    "get_catalog": "stratum_jupyter.catalog",
    "PipelineBuilder": "stratum_jupyter.widgets",
    "evaluate": "stratum_jupyter.evaluation",
    "EvaluationResult": "stratum_jupyter.evaluation",
    "load_model": "stratum_jupyter.bundle",
    "read_profile": "stratum_jupyter.bundle",
    "save_model": "stratum_jupyter.bundle",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stratum_jupyter' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext stratum_jupyter``: register the magics (cheaply; nothing heavy loads)."""
    from .magics import register

    register(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Nothing to tear down beyond what the magics registered; kept for symmetry."""


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the prebuilt labextension lives (used by ``jupyter labextension develop``)."""
    return [{"src": "labextension", "dest": "stratum-jupyter"}]
