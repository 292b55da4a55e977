"""Importing the package and loading the extension stay light and fast."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sklearn", "pandas", "dask", "distributed", "bokeh", "tensorflow", "ansible_runner",
         "docker", "scipy", "pydantic", "anywidget", "ipywidgets", "kubernetes",
         "kubernetes_validate", "jsonschema")


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout


def test_import_loads_nothing_heavy():
    out = _python(
        "import sys, json, stratum_jupyter\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert json.loads(out) == []


def test_importtime_report_shows_no_heavy_module():
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import stratum_jupyter"],
                            capture_output=True, text=True, check=True)
    modules = {line.rsplit("|", 1)[-1].strip().split(".")[0]
               for line in result.stderr.splitlines() if "|" in line}
    assert not modules & set(HEAVY), modules & set(HEAVY)


def test_load_ext_is_fast_and_light():
    out = _python(
        "import sys, json, time\n"
        "from IPython.testing.globalipapp import start_ipython\n"
        "ip = start_ipython()\n"
        "t = time.perf_counter(); ip.run_line_magic('load_ext', 'stratum_jupyter')\n"
        "elapsed = time.perf_counter() - t\n"
        f"print(json.dumps([elapsed, [m for m in {HEAVY!r} if m in sys.modules]]))")
    elapsed, heavy = json.loads(out.strip().splitlines()[-1])
    assert heavy == []
    assert elapsed < 0.3, f"%load_ext took {elapsed:.3f}s"
