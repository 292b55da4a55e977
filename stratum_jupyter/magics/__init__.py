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
    "stratum_jupyter.magics.report:ReportMagics",
    "stratum_jupyter.magics.bundle:BundleMagics",
    "stratum_jupyter.magics.predict:PredictMagics",
]


# The local Dask cluster is not started when the extension loads: its worker processes cost
# memory and CPU in every kernel, most of which never evaluate; the first evaluation begins
# in the kernel itself while the cluster starts (evaluation/inprocess.py).
def register(ipython: Any) -> None:
    for path in MAGIC_CLASSES:
        module, _, name = path.partition(":")
        ipython.register_magics(getattr(importlib.import_module(module), name))
