"""Generated Python: compiles, passes ruff, and carries user values exactly (checked by ast)."""

from __future__ import annotations

import ast
import copy
import shutil
import subprocess
import sys

import pytest

from stratum_jupyter.codegen import script_source, spec_cells
from stratum_jupyter.spec import load_spec
from tests.conftest import VALID

HOSTILE = [
    'quote " and \' both',
    '"""triple"""',
    "'''single triple'''",
    "new\nline",
    "back\\slash\\",
    "{{ jinja }} {% block %} {0} %s",
    "\\n not a newline",
    "tab\tand\rreturn",
    'end with quote"',
    "\"; import os; os.system('x') #",
    "ünïcödé ✓ 中文",
]

RUFF_RULES = "E,F,W,I,B,UP"


def hostile_spec(text: str) -> dict:
    spec = copy.deepcopy(VALID)
    spec["name"] = text
    spec["data"] = {"source": f"csv:{text}.csv", "target": text, "drop": [text]}
    spec["candidates"][0]["name"] = text
    spec["candidates"][0]["steps"].insert(0, {"SimpleImputer": {
        "strategy": "constant", "fill_value": [text, "plain"]}})
    return spec


def ruff(path, cwd):
    exe = shutil.which("ruff") or str(__import__("pathlib").Path(sys.executable).parent / "ruff")
    return subprocess.run([exe, "check", "--isolated", "--select", RUFF_RULES, str(path)],
                          cwd=cwd, capture_output=True, text=True)


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    return {t.id: node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_compile_pass_ruff_and_round_trip(text, tmp_path):
    spec = load_spec(hostile_spec(text))
    source = script_source(spec, out_dir=text)
    tree = ast.parse(source)
    compile(source, "generated.py", "exec")
    assign = _assignments(tree)
    assert ast.literal_eval(assign["data_path"]) == f"{text}.csv"
    assert ast.literal_eval(assign["out_dir"]) == text
    candidates = assign["candidates"]
    assert ast.literal_eval(candidates.keys[0]) == text
    grids = [ast.literal_eval(v.elts[1]) for v in candidates.values]
    assert grids[0]["simpleimputer__fill_value"] == [text, "plain"]
    pops = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and getattr(n.func, "attr", None) == "pop"]
    assert ast.literal_eval(pops[0].args[0]) == text
    assert ast.get_docstring(tree) is None or text in ast.literal_eval(tree.body[0].value)
    path = tmp_path / "generated.py"
    path.write_text(source, encoding="utf-8")
    result = ruff(path, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("text", HOSTILE[:4], ids=range(4))
def test_hostile_spec_cell_round_trips(text):
    """The spec cell holds the YAML in a string literal that evaluates back to the spec."""
    spec = load_spec(hostile_spec(text))
    cell = spec_cells(spec)[0]
    tree = ast.parse(cell.source)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call)
                and getattr(n.func, "id", None) == "load_spec")
    assert load_spec(ast.literal_eval(call.args[0])).to_dict() == spec.to_dict()


def test_generated_code_is_readable():
    source = script_source(load_spec(VALID), out_dir="runs/iris")
    assert "from sklearn.linear_model import LogisticRegression" in source
    assert '("logisticregression", LogisticRegression(max_iter=500))' in source
    assert '"logisticregression__C": [0.1, 1.0]' in source
    assert max(len(line) for line in source.splitlines()) <= 88


def test_long_values_wrap_under_88_columns(tmp_path):
    spec = copy.deepcopy(VALID)
    spec["candidates"][0]["steps"][1]["LogisticRegression"]["C"] = [
        0.001 * i + 0.0001 for i in range(1, 40)]
    source = script_source(load_spec(spec))
    path = tmp_path / "g.py"
    path.write_text(source)
    assert ruff(path, tmp_path).returncode == 0


def test_random_search_and_regression_sources(tmp_path):
    spec = load_spec({
        "version": 1, "task": "regression", "data": {"source": "sklearn:diabetes"},
        "evaluation": {"metrics": ["rmse", "r2"], "search": "random", "n_iter": 2},
        "candidates": [{"name": "ridge", "steps": ["StandardScaler", {"Ridge": {
            "alpha": [0.1, 1.0, 10.0]}}]}],
    })
    source = script_source(spec)
    # the evaluator samples the grid for candidates the spec marks random; n_iter is a parameter
    assert "KFold" in source and "n_iter = 2" in source and "n_iter=n_iter" in source
    path = tmp_path / "g.py"
    path.write_text(source)
    assert ruff(path, tmp_path).returncode == 0
