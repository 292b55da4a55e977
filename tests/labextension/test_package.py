"""The Python package carries the prebuilt labextension: installing it needs no node."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILT = REPO / "stratum_jupyter" / "labextension"
EXT = "share/jupyter/labextensions/stratum-jupyter"


def _uv() -> str | None:
    local = Path(sys.executable).parent / "uv"
    return str(local) if local.exists() else shutil.which("uv")


def test_the_extension_is_built_for_jupyterlab_4():
    meta = json.loads((BUILT / "package.json").read_text())
    assert meta["name"] == "stratum-jupyter"
    assert meta["jupyterlab"]["_build"]["load"].startswith("static/remoteEntry.")
    assert (BUILT / meta["jupyterlab"]["_build"]["load"]).is_file()
    source = json.loads((REPO / "labextension" / "package.json").read_text())
    assert meta["version"] == source["version"]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sdist_and_wheel_install_without_node(tmp_path):
    """Build the sdist and the wheel (from the sdist, as ``uv build`` does), install the sdist
    into a fresh venv whose PATH has no node, and ask JupyterLab whether it sees the
    extension."""
    uv = _uv()
    if uv is None:
        pytest.skip("uv is needed to build and install quickly (make install provides it)")
    dist = tmp_path / "dist"
    subprocess.run([uv, "build", "--out-dir", str(dist), str(REPO)], check=True,
                   capture_output=True, text=True)
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    data = next(n.split("/data/")[0] for n in names if ".data/data/" in n)
    for path in ("package.json", "install.json"):
        assert f"{data}/data/{EXT}/{path}" in names
    assert any(n.startswith(f"{data}/data/{EXT}/static/remoteEntry.") for n in names)
    assert "stratum_jupyter/widgets/builder.js" in names
    assert "stratum_jupyter/widgets/builder.css" in names
    with tarfile.open(sdist) as tf:
        members = tf.getnames()
    assert any(m.endswith("stratum_jupyter/labextension/package.json") for m in members)
    assert not any("node_modules" in m for m in members)

    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    bindir = venv / "bin"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "NODE"))}
    env["PATH"] = str(bindir)  # nothing else: no node, no npm, no jlpm
    assert shutil.which("node", path=env["PATH"]) is None
    install = subprocess.run([uv, "pip", "install", "-q", "--python", str(bindir / "python"),
                              str(sdist), "jupyterlab>=4,<5"], env=env,
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    listed = subprocess.run([str(bindir / "jupyter"), "labextension", "list"], env=env,
                            capture_output=True, text=True, check=True)
    out = listed.stdout + listed.stderr
    line = next((ln for ln in out.splitlines() if "stratum-jupyter" in ln), "")
    assert "enabled" in line and "OK" in line, out
