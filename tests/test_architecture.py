"""The shape of the package holds: the import contracts of pyproject.toml (the lifecycle flows
one way, no cycles, the Keras plug-in above the core), types of the core packages, and small
modules and functions."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "stratum_jupyter"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: it is part of the 'test' extra")
    return found


def test_import_contracts_are_kept():
    result = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.slow
def test_core_packages_type_check():
    # Incremental, with the cache `make lint` has just filled (.mypy_cache under the repo):
    # mypy rechecks what changed and what depends on it, with the same verdict as a full run
    # (40 s to 4 min on 2 busy cores without the cache; seconds with it).
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]


def _python_sizes() -> tuple[list[str], list[str]]:
    long_modules, long_functions = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text("utf-8")
        rel = path.relative_to(ROOT)
        if len(source.splitlines()) > MAX_MODULE_LINES:
            long_modules.append(f"{rel}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{rel}:{node.lineno} {node.name}: {length} lines")
    return long_modules, long_functions


def test_python_modules_and_functions_are_small():
    long_modules, long_functions = _python_sizes()
    assert long_modules == [], f"modules over {MAX_MODULE_LINES} lines"
    assert long_functions == [], f"functions over {MAX_FUNCTION_LINES} lines"


def test_javascript_files_are_small():
    """Whole files only here; the widget's own test measures its functions."""
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in sorted(PACKAGE.rglob("*.js"))
            if "labextension" not in p.parts
            and (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES]
    assert long == []
