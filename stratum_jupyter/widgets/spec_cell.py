"""Reading a spec back from a notebook cell, for ``PipelineBuilder.from_cell``: a generated
spec cell (also after hand edits), an nbformat cell or notebook, a ``.ipynb`` path, or the
last executed cell of this IPython session that calls ``load_spec``."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from ..errors import SpecError, SpecIssue
from ..spec.model import TASKS


def read_spec_cell(cell: Any = None) -> Any:
    """The raw spec (not validated) that a spec cell holds; a ``SpecError`` says why there
    is none or why it cannot be read."""
    from ..spec.io import parse_text

    return parse_text(spec_text(cell_source(cell)))


def task_of(raw: Any, default: str = "classification") -> str:
    """The task a raw spec names, or ``default`` when it names none that exists."""
    task = raw.get("task") if isinstance(raw, dict) else None
    return task if task in TASKS else default


def user_ns() -> dict[str, Any] | None:
    """The namespace of the running IPython session (None outside one)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    return shell.user_ns if shell is not None else None


def cell_source(cell: Any) -> str:
    """The source text of the spec cell that ``cell`` is or contains."""
    if cell is None:
        return _last_spec_input()
    if isinstance(cell, str | Path) and str(cell).endswith(".ipynb") and "\n" not in str(cell):
        import nbformat

        cell = nbformat.read(str(cell), as_version=4)
    if isinstance(cell, dict) and "cells" in cell:
        cell = _notebook_spec_cell(cell)
    if isinstance(cell, dict):
        return _join(cell.get("source", ""))
    if isinstance(cell, str):
        return cell
    raise SpecError([SpecIssue((), f"cannot read a spec cell from {type(cell).__name__}",
                               allowed="the cell's source, an nbformat cell or notebook, "
                               "or a .ipynb path")])


def _notebook_spec_cell(notebook: Any) -> Any:
    from ..codegen import find_spec_cell

    found = find_spec_cell(notebook)
    if found is None:
        found = next((c for c in notebook["cells"] if "load_spec(" in _join(c.get("source"))),
                     None)
    if found is None:
        raise SpecError([SpecIssue((), "the notebook has no spec cell (a cell tagged "
                                   "stratum-generated with role spec, or calling "
                                   "load_spec)")])
    return found


def _join(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def _last_spec_input() -> str:
    namespace = user_ns()
    history = list(namespace.get("In", [])) if namespace else []
    for source in reversed(history[:-1]):  # the last entry is the cell running now
        if "load_spec(" in source and "from_cell" not in source:
            return source
    raise SpecError([SpecIssue((), "no executed cell of this session calls load_spec",
                               allowed="pass the spec cell's source to from_cell()")])


def spec_text(source: str) -> str:
    """The YAML/JSON of a spec cell: the string given to ``load_spec(...)``; a cell body of
    ``%%stratum_...`` magics or plain YAML is taken as it is."""
    stripped = source.lstrip()
    if stripped.startswith("%%"):
        return stripped.split("\n", 1)[1] if "\n" in stripped else ""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        if "load_spec" not in source:
            return source  # not Python: perhaps the YAML itself
        raise SpecError([SpecIssue((), f"the spec cell is not valid Python (line {exc.lineno}:"
                                   f" {exc.msg})", allowed="from stratum_jupyter import "
                                   'load_spec; spec = load_spec("""<YAML>""")')]) from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node.func) == "load_spec" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return arg.value
            raise SpecError([SpecIssue((), "load_spec(...) in the cell is not given the spec "
                                       "text itself", allowed='load_spec("""<YAML>""")')])
    raise SpecError([SpecIssue((), "the cell does not call load_spec(...)",
                               allowed='a generated spec cell: load_spec("""<YAML>""")')])


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None
