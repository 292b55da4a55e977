"""A generated notebook ends with a cell drawing the diagnostic plots; run under papermill
(no live frontend) it leaves them in the cell's output, BokehJS inline."""

from __future__ import annotations

import copy

import nbformat
import pytest

from stratum_jupyter.codegen import spec_cells, spec_notebook
from stratum_jupyter.notebooks import run_notebook
from stratum_jupyter.spec import load_spec
from tests.conftest import VALID


def test_the_cell_is_last_and_off_with_the_diagnostics():
    spec = load_spec(VALID)
    last = spec_cells(spec)[-1]
    assert last.metadata["stratum"]["role"] == "diagnostics"
    assert last.source.splitlines()[-1] == "result.diagnostics"
    off = copy.deepcopy(VALID)
    off.setdefault("evaluation", {})["diagnostics"] = False
    roles = [c.metadata["stratum"]["role"] for c in spec_cells(load_spec(off))]
    assert "diagnostics" not in roles


@pytest.mark.slow
def test_papermill_leaves_the_plots_in_the_output(tmp_path):
    spec = copy.deepcopy(VALID)
    spec["evaluation"] = {**spec.get("evaluation", {}), "diagnostics": {"n_repeats": 2,
                                                                      "importance": True}}
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(spec_notebook(load_spec(spec), "results"), src)
    run_notebook(src, out, {"cv": 2}, cwd=tmp_path, kernel_name="python3")
    executed = nbformat.read(out, as_version=4)
    last = executed.cells[-1]
    assert last.metadata["stratum"]["role"] == "diagnostics"
    (output,) = [o for o in last.outputs if o.output_type == "execute_result"]
    page = output.data["text/html"]
    assert "cdn.bokeh.org" not in page and "<script src=" not in page
    assert "const docs_json" in page  # the figures themselves, rendered by inline BokehJS
    for title in ("Confusion matrix", "ROC curve", "Permutation importance"):
        assert title in page
    assert (tmp_path / "results" / "best" / "report.html").is_file()
