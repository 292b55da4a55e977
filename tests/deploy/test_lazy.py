import subprocess
import sys

HEAVY = ["docker", "ansible_runner", "sklearn", "pandas", "skl2onnx", "onnxruntime",
         "tensorflow", "dask", "bokeh", "prometheus_client"]


def test_deploy_modules_import_nothing_heavy():
    code = (
        "import sys\n"
        "import stratum_jupyter.deploy, stratum_jupyter.magics.deploy\n"
        "import stratum_jupyter.cli.deploy_cmd\n"
        "from stratum_jupyter.cli import build_parser; build_parser()\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
