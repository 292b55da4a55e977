"""The harness itself: a real JupyterLab answers, a notebook opens and runs a cell."""

from __future__ import annotations

from .labtools import add_cell, cell_output_text, open_notebook, run_cell


def test_lab_serves_and_runs_a_cell(lab, page):
    assert lab.api("api/status")["started"]
    open_notebook(page, lab, "harness.ipynb", ["print(6 * 7)"])
    run_cell(page, 0)
    assert "42" in cell_output_text(page, 0)
    index = add_cell(page, "print('added', [1, (2, 3)])")
    run_cell(page, index)
    assert "added [1, (2, 3)]" in cell_output_text(page, index)
