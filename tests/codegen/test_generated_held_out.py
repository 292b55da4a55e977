"""Generated code for evaluation.test: the same split in code (split_test), handed to
evaluate, for every task; ruff-clean. (That it scores what the evaluation scores is
tests/evaluation/test_reproducible.py's papermill run.)"""

from __future__ import annotations

import pytest

from stratum_jupyter.codegen import script_source, spec_cells
from stratum_jupyter.spec import load_spec

from .test_generated_evaluation import _notebook_as_module, _ruff

SPEC = """version: 1
task: {task}
data: {{source: "sklearn:{data}"}}
evaluation: {{cv: 3, test: 0.25, random_state: 4}}
candidates:
  - name: first
    steps:
      - {block}: {{}}
  - name: second
    steps:
      - StandardScaler: {{}}
      - {block}: {{}}
"""


@pytest.mark.parametrize(("task", "data", "block", "call"), [
    ("classification", "iris", "RandomForestClassifier", 'task="classification", y=y,\n'),
    ("regression", "diabetes", "Ridge", 'task="regression",\n'),
    ("clustering", "iris", "KMeans", 'task="clustering",\n'),
])
def test_held_out_split_in_code(task, data, block, call, tmp_path):
    spec = load_spec(SPEC.format(task=task, data=data, block=block))
    script = script_source(spec, "runs/x")
    assert "from stratum_jupyter.evaluation.testsplit import split_test" in script
    assert f"held_out = split_test(\n        len(X), test, {call}" in script
    assert "    test=held_out," in script and "test = 0.25" in script
    _ruff(tmp_path, "script.py", script)
    cells = spec_cells(spec, "runs/x", parameters=True)
    _ruff(tmp_path, "notebook.py", _notebook_as_module(cells), "--extend-ignore", "B018")


def test_no_split_without_a_test_part():
    spec = load_spec(SPEC.format(task="regression", data="diabetes", block="Ridge")
                     .replace("test: 0.25, ", ""))
    assert "split_test" not in script_source(spec) and "held_out" not in script_source(spec)
