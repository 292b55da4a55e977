"""Is a live Jupyter frontend watching this kernel? One answer for every display: the
evaluation's leaderboard widget, the monitor's live panels, the builder."""

from __future__ import annotations

import os
import sys
from typing import Any

from . import envvars


def has_live_frontend(shell: Any = None) -> bool:
    """Whether a live Jupyter frontend will render widgets for this kernel.

    ``$STRATUM_FRONTEND`` (``live`` | ``headless``) decides when set. Otherwise: a kernel
    (not terminal IPython, not a script) whose current request came from a frontend that
    names its cell (JupyterLab, Notebook 7) or takes input (``allow_stdin``: Notebook,
    VS Code), or that a Jupyter server started for a notebook session
    (``$JPY_SESSION_NAME``). papermill/nbclient do none of these, so they are headless.
    ``shell`` defaults to the running IPython, if any.
    """
    mode = (envvars.FRONTEND.get() or "").lower()
    if mode in ("live", "headless", "record"):
        return mode == "live"
    if shell is None:
        if "IPython" not in sys.modules:
            return False
        from IPython import get_ipython

        shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return False
    if cell_id(kernel) or _parent(kernel).get("content", {}).get("allow_stdin", False):
        return True
    return bool(os.environ.get("JPY_SESSION_NAME"))


def _parent(kernel: Any) -> dict[str, Any]:
    """The header of the request the kernel is running ({} outside one)."""
    try:
        parent = kernel.get_parent("shell")
    except Exception:  # older ipykernel: no channel argument
        parent = getattr(kernel, "_parent_header", None)
    return parent if isinstance(parent, dict) else {}


def cell_id(kernel: Any) -> str | None:
    """The id of the cell whose request the kernel is running (None when the frontend does
    not name its cells, or outside a request)."""
    cell = (_parent(kernel).get("metadata") or {}).get("cellId")
    return cell if isinstance(cell, str) and cell else None
