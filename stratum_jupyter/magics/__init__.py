"""IPython magics: thin shells over the package's functions. Each module holds one concern's
``Magics`` class; :func:`register` adds them all. Modules here import nothing heavy at import
time, so ``%load_ext stratum_jupyter`` stays fast."""

from __future__ import annotations

import importlib
from typing import Any

# "module:Class" of every Magics class, in the order they are registered.
MAGIC_CLASSES = [
    "stratum_jupyter.magics.spec_magics:SpecMagics",
    "stratum_jupyter.magics.evaluate:EvaluateMagics",
    "stratum_jupyter.magics.deploy:DeployMagics",
    "stratum_jupyter.magics.deployment:DeploymentMagics",
    "stratum_jupyter.magics.monitor:MonitorMagics",
    "stratum_jupyter.magics.profile:ProfileMagics",
]


def register(ipython: Any) -> None:
    for path in MAGIC_CLASSES:
        module, _, name = path.partition(":")
        ipython.register_magics(getattr(importlib.import_module(module), name))
    ipython.events.register("post_run_cell", _start_cluster)


def _start_cluster(*_: Any) -> None:
    """Once, after the cell that loaded the extension: in a kernel with a live frontend,
    start the local Dask cluster in the background, so it is warm by the first evaluation
    (until then an evaluation begins in the kernel itself). Not during ``%load_ext``: that
    stays light."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.events.unregister("post_run_cell", _start_cluster)
    from ..evaluation.cluster import start_local_for_kernel

    start_local_for_kernel()
