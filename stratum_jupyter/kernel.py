"""The "Python 3 (Stratum)" kernelspec: ipykernel with the extension preloaded."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

KERNEL_NAME = "stratum"
DISPLAY_NAME = "Python 3 (Stratum)"


def kernel_json(python: str | None = None) -> dict:
    return {
        "argv": [python or sys.executable, "-m", "ipykernel_launcher", "-f",
                 "{connection_file}", "--ext=stratum_jupyter"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": True},
    }


def install_kernel(*, user: bool = False, sys_prefix: bool = False,
                   prefix: str | None = None) -> str:
    """Install the kernelspec; returns where it went. Default: ``--sys-prefix`` in a venv,
    else ``--user``."""
    from jupyter_client.kernelspec import KernelSpecManager

    if not (user or sys_prefix or prefix):
        in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
        sys_prefix, user = in_venv, not in_venv
    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / KERNEL_NAME
        spec_dir.mkdir()
        (spec_dir / "kernel.json").write_text(json.dumps(kernel_json(), indent=2))
        logo = files("stratum_jupyter").joinpath("resources", "logo-64x64.png")
        if logo.is_file():
            shutil.copy(str(logo), spec_dir / "logo-64x64.png")
        return KernelSpecManager().install_kernel_spec(
            str(spec_dir), KERNEL_NAME, user=user,
            prefix=sys.prefix if sys_prefix else prefix,
        )
