"""Run notebooks in batch with papermill (the engine behind ``stratum run`` and the demo)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import envvars


def parse_value(text: str) -> Any:
    """A ``-p KEY VALUE`` value as YAML reads it: ``3`` -> 3, ``0.5`` -> 0.5, ``null`` ->
    None, anything else a string."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, str | int | float | bool | list | dict) or value is None \
        else text


def run_notebook(
    notebook: str | Path,
    output: str | Path,
    parameters: dict[str, Any] | None = None,
    *,
    kernel_name: str | None = None,
    cwd: str | Path | None = None,
    progress: bool = False,
    timeout: float | None = None,
) -> Any:
    """Execute ``notebook`` with papermill, writing the executed copy to ``output``.

    The kernel runs headless, so monitors record instead of showing live panels, even when
    this is called from inside JupyterLab (whose environment the kernel would inherit).
    """
    import papermill

    with _environ(**{envvars.FRONTEND.name: "headless"}):
        return papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters or {},
            kernel_name=kernel_name,
            cwd=str(cwd) if cwd else None,
            progress_bar=progress,
            execution_timeout=timeout,
        )


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Set environment variables for the kernels started inside the block."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
