"""Generated notebooks and scripts evaluate through stratum_jupyter.evaluate and pass ruff."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stratum_jupyter.codegen import script_source, spec_cells
from stratum_jupyter.spec import load_spec

SPECS = Path(__file__).resolve().parents[2] / "example_notebooks" / "specs"
RANDOM = """version: 1
task: classification
data: {source: "csv:data/it's \\"quoted\\".csv", target: label}
evaluation: {cv: 3, search: random, n_iter: 4}
candidates:
  - name: forest
    steps:
      - RandomForestClassifier: {n_estimators: [10, 50, 100], max_depth: [null, 4]}
"""


def _ruff(tmp_path: Path, name: str, source: str, *extra: str) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    (tmp_path / name).write_text(source)
    proc = subprocess.run([ruff, "check", "--isolated", "--select", "E,F,W,I,B,UP", *extra, name],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("text", [(SPECS / "iris.yaml").read_text(),
                                  (SPECS / "diabetes.yaml").read_text(), RANDOM])
def test_generated_code_calls_evaluate_and_passes_ruff(text, tmp_path):
    spec = load_spec(text)
    script = script_source(spec, "runs/x")
    assert "result = evaluate(" in script and "GridSearchCV" not in script
    assert 'result.save(Path(out_dir) / "best")' in script
    assert ('n_iter=n_iter' in script) == ("search: random" in text)
    _ruff(tmp_path, "script.py", script)
    cells = spec_cells(spec, "runs/x", parameters=True)
    _ruff(tmp_path, "notebook.py", _notebook_as_module(cells), "--extend-ignore", "B018")


def _notebook_as_module(cells) -> str:
    """The cells as the kernel runs them, with the spec cell's import merged into the
    imports cell. B018 is ignored: a bare name ending a cell is how a notebook displays."""
    by_role = {c.metadata["stratum"]["role"]: c.source for c in cells}
    spec_cell = by_role.pop("spec").replace("from stratum_jupyter import load_spec\n\n", "")
    imports = by_role.pop("imports").replace("from stratum_jupyter import evaluate",
                                             "from stratum_jupyter import evaluate, load_spec")
    rest = [by_role[r] for r in ("parameters", "data", "candidates", "evaluation", "save")
            if r in by_role]
    return "\n\n".join([imports, spec_cell, *rest]) + "\n"
