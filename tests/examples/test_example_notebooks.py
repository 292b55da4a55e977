"""Every example notebook runs under papermill in fast mode; a failing notebook fails CI."""

from __future__ import annotations

import shutil
import socket

import nbformat
import pytest

from stratum_jupyter.notebooks import run_notebook
from tests.conftest import ROOT

EXAMPLES = ROOT / "example_notebooks"
NOTEBOOKS = sorted(p.relative_to(EXAMPLES) for p in EXAMPLES.rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_example_has_a_parameters_cell_with_a_fast_switch():
    assert len(NOTEBOOKS) >= 7
    for rel in NOTEBOOKS:
        nb = nbformat.read(EXAMPLES / rel, as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1 and "fast = False" in params[0].source, rel


@pytest.mark.slow
@pytest.mark.parametrize("rel", NOTEBOOKS, ids=[str(p) for p in NOTEBOOKS])
def test_example_notebook_runs_in_fast_mode(rel, tmp_path):
    work = tmp_path / "examples"
    shutil.copytree(EXAMPLES, work, ignore=shutil.ignore_patterns("runs", "*.executed.ipynb"))
    params = {"fast": True}
    source = nbformat.read(work / rel, as_version=4)
    if any("port = " in c.source for c in source.cells if c.cell_type == "code"):
        params["port"] = _free_port()
    output = tmp_path / "executed.ipynb"
    run_notebook(work / rel, output, params, cwd=(work / rel).parent, kernel_name="python3",
                 timeout=600)
    executed = nbformat.read(output, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
