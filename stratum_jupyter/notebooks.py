"""Run notebooks in batch with papermill (the engine behind ``stratum run`` and the demo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


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
    """Execute ``notebook`` with papermill, writing the executed copy to ``output``."""
    import papermill

    return papermill.execute_notebook(
        str(notebook),
        str(output),
        parameters=parameters or {},
        kernel_name=kernel_name,
        cwd=str(cwd) if cwd else None,
        progress_bar=progress,
        execution_timeout=timeout,
    )
