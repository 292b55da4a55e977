"""Loading the extension, the magic and the monitor package imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ["bokeh", "distributed", "dask", "pandas", "psutil", "pynvml", "docker",
         "prometheus_client", "pyarrow", "sklearn", "anywidget"]


def test_monitor_imports_are_lazy():
    code = (
        "import sys\n"
        "import stratum_jupyter, stratum_jupyter.monitor, stratum_jupyter.magics.monitor\n"
        "import stratum_jupyter.cli.monitor_cmd\n"
        "from IPython.testing.globalipapp import get_ipython\n"
        "get_ipython().run_line_magic('load_ext', 'stratum_jupyter')\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
