"""The workshop's student notebook, answered as the instructor's notebook answers it: every
self-check then says ✓ (the blank notebook, where they say "not yet", runs in
test_example_notebooks.py)."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from stratum_jupyter.notebooks import run_notebook
from tests.conftest import ROOT

WORKSHOP = ROOT / "example_notebooks" / "workshop"
# The student's ✏️ cells (found by their first words) and the instructor's answers to them.
ANSWERS = {
    "my_spec = broken": (
        'my_spec = (broken.replace("accuracy, r2", "accuracy, f1_macro")\n'
        '           .replace("RandomForrestClassifier", "RandomForestClassifier")\n'
        '           .replace("C: -1", "C: [0.1, 1.0]"))'),
    "my_result = None": (
        "from stratum_jupyter.spec import load_spec\n\n"
        "spec = load_spec(my_spec).to_dict()\n"
        'better = load_spec(spec | {"candidates": spec["candidates"] + [\n'
        '    {"name": "svm", "steps": ["StandardScaler", {"SVC": {"C": [1.0, 10.0]}}]}]})\n'
        "%stratum_evaluate better --data X y --out {workdir}/mine\n"
        "my_result = _stratum"),
    "# ✏️ your %stratum_deploy": (
        "%stratum_deploy {workdir}/mine/best --target edge-arm64 --out {workdir}/edge --check"),
}


@pytest.mark.slow
def test_the_student_notebook_answered_passes_its_self_checks(tmp_path):
    shutil.copy(WORKSHOP / "student.ipynb", tmp_path / "student.ipynb")
    nb = nbformat.read(tmp_path / "student.ipynb", as_version=4)
    answered = set()
    for cell in nb.cells:
        for start, answer in ANSWERS.items():
            if cell.cell_type == "code" and cell.source.startswith(start):
                cell.source = answer
                answered.add(start)
    assert answered == set(ANSWERS)  # the notebook still has these exercises
    nbformat.write(nb, tmp_path / "student.ipynb")
    run_notebook(tmp_path / "student.ipynb", tmp_path / "executed.ipynb", {"fast": True},
                 cwd=tmp_path, kernel_name="python3", timeout=600)
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    said = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")
    checks = [line for line in said.splitlines() if line.startswith(("✓", "✗"))]
    assert [line.split(":")[0] for line in checks] == \
        ["✓ exercise 1", "✓ exercise 2", "✓ exercise 3"], said
