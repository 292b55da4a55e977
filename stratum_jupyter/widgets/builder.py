"""``PipelineBuilder``: the visual pipeline builder (an anywidget; ES module and CSS next to
this file).

The browser edits a form (see :mod:`.form`); this side turns it into a spec, validates it
with the spec validator as the user types and sends the issues back keyed by field path,
generates the notebook cells, and runs the evaluation. The frontend inserts the cells
through the labextension command ``stratum:insert-cells``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import threading
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..errors import SpecError, SpecIssue
from ..spec.model import TASKS
from .form import empty_form, form_to_spec, spec_to_form

_HERE = Path(__file__).parent


@functools.cache
def catalog_payload(task: str) -> dict[str, Any]:
    """What the palette and the forms are drawn from, for one task (cached per process)."""
    from ..catalog import get_catalog
    from ..spec.metrics import DEFAULT_METRIC, metrics_for

    blocks = []
    for block in get_catalog().for_task(task):
        if block.deprecated:
            continue
        params = [{**p.to_dict(), "allowed": p.describe()} for p in block.params if p.editable]
        blocks.append({"name": block.name, "kind": block.kind, "roles": sorted(block.roles),
                       "module": block.module, "doc": block.doc, "params": params})
    return {"task": task, "blocks": blocks, "metrics": metrics_for(task),
            "default_metric": DEFAULT_METRIC[task], "tasks": list(TASKS)}


class EvaluationUnavailable(RuntimeError):
    """``stratum_jupyter.evaluate`` is not part of this installation."""


def _evaluator() -> Any:
    import stratum_jupyter

    try:
        return stratum_jupyter.evaluate
    except (AttributeError, ImportError) as exc:
        raise EvaluationUnavailable(
            "evaluation is unavailable: this stratum_jupyter has no evaluate() "
            f"({exc}); generate the cells and run them instead") from None


class PipelineBuilder(anywidget.AnyWidget):
    """Build a pipeline spec visually: drag blocks from the palette onto candidates, set
    parameters (several comma-separated values make a grid axis), choose how to evaluate,
    then generate notebook cells or evaluate.

    ``builder.spec`` is the validated :class:`~stratum_jupyter.spec.PipelineSpec`;
    ``builder.to_yaml()`` its YAML; ``builder.issues`` what the validator says now.
    """

    _esm = _HERE / "builder.js"
    _css = _HERE / "builder.css"

    form = traitlets.Dict().tag(sync=True)
    catalog = traitlets.Dict().tag(sync=True)
    issues = traitlets.List().tag(sync=True)
    status = traitlets.Dict().tag(sync=True)
    leaderboard = traitlets.Dict().tag(sync=True)
    data_vars = traitlets.Unicode("X y").tag(sync=True)
    out_dir = traitlets.Unicode("runs/stratum").tag(sync=True)

    def __init__(self, task: str = "classification", spec: Any = None, **kwargs: Any):
        if task not in TASKS:
            raise SpecError([SpecIssue(("task",), f"{task!r} is not a task", value=task,
                                       allowed=", ".join(TASKS))])
        if spec is None:
            form = empty_form(task)
        else:
            form = spec_to_form(_raw_spec(spec), task)
        super().__init__(**kwargs)
        self.last_insert: dict[str, Any] | None = None
        self.result: Any = None
        self.on_msg(self._on_frontend_msg)
        self.form = form  # triggers validation and the catalog for its task

    # -- the spec ------------------------------------------------------------------------
    @traitlets.observe("form")
    def _form_changed(self, change: dict[str, Any]) -> None:
        form = change["new"]
        task = form.get("task")
        if task in TASKS and self.catalog.get("task") != task:
            self.catalog = catalog_payload(task)
        self.issues = [issue.to_dict() for issue in self.current_issues()]

    def spec_dict(self) -> dict[str, Any]:
        """The raw spec the form describes now (not validated)."""
        return form_to_spec(self.form)

    def current_issues(self) -> list[SpecIssue]:
        """What the spec validator says about the spec as it stands."""
        from ..spec import collect_issues

        return collect_issues(self.spec_dict())

    @property
    def spec(self) -> Any:
        """The validated spec (a ``PipelineSpec``); a ``SpecError`` lists every problem."""
        from ..spec import validate_spec

        return validate_spec(self.spec_dict())

    @spec.setter
    def spec(self, value: Any) -> None:
        self.form = spec_to_form(_raw_spec(value), self.form.get("task"))

    def to_yaml(self) -> str:
        """The spec as YAML text (validated first)."""
        from ..spec import dump_spec

        return dump_spec(self.spec)

    # -- cells ---------------------------------------------------------------------------
    def cells(self) -> list[Any]:
        """The notebook cells of the spec: the spec cell, then the generated code."""
        from ..codegen import spec_cells

        return spec_cells(self.spec, self.out_dir)

    def generate(self) -> list[dict[str, Any]]:
        """Send the cells to the frontend, which inserts them below the builder (what the
        "Generate cells" button does). Returns them, as nbformat dicts."""
        try:
            cells = [json.loads(json.dumps(cell)) for cell in self.cells()]
        except SpecError as exc:
            self._set_status("error", f"fix {len(exc.issues)} problem(s) first", exc.issues)
            raise
        self._set_status("info", f"generating {len(cells)} cells...")
        self.send({"event": "cells", "cells": cells})
        return cells

    # -- evaluation ----------------------------------------------------------------------
    def evaluate(self, X: Any = None, y: Any = None, **kwargs: Any) -> Any:
        """Evaluate the spec with ``stratum_jupyter.evaluate`` and show the leaderboard here.

        Without ``X``/``y`` the data come from the variables named in the builder's data
        field (``X y`` by default) or from the spec's ``data`` source."""
        evaluate = _evaluator()
        spec = self.spec
        if X is None:
            X, y = self._resolve_data(spec)
        self.leaderboard = {"state": "running", "columns": [], "rows": []}
        self._set_status("info", "evaluating...")
        params = _parameters(evaluate)
        if "display" in params:
            kwargs.setdefault("display", "none")  # the leaderboard is shown here instead
        if "on_result" in params:
            kwargs.setdefault("on_result", _LiveBoard(self, spec))
        result = evaluate(spec, X, y, **kwargs)
        self.result = result
        self.leaderboard = {"state": "done", **_table(result.leaderboard)}
        best = getattr(result, "best", None)
        name = getattr(best, "candidate", None) or getattr(best, "name", None)
        failures = len(getattr(result, "failures", None) or [])
        self._set_status("success", "evaluation done" + (f": best is {name}" if name else "")
                         + (f" ({failures} configuration(s) failed)" if failures else ""))
        return result

    def _resolve_data(self, spec: Any) -> tuple[Any, Any]:
        names = self.data_vars.replace(",", " ").split()
        user_ns = _user_ns()
        if names and user_ns is not None and all(n in user_ns for n in names):
            values = [user_ns[n] for n in names]
            return values[0], (values[1] if len(values) > 1 else None)
        if spec.data is not None:
            from ..catalog import load_data

            data = spec.data
            return load_data(data.source, data.target, data.features, data.drop)
        missing = [n for n in names if user_ns is None or n not in user_ns]
        raise SpecError([SpecIssue(("data",), "no data to evaluate on: the variables "
                                   f"{', '.join(missing) or '(none named)'} are not defined "
                                   "and the spec names no data source",
                                   allowed="kernel variables (e.g. X y) or data.source")])

    # -- messages from the browser ------------------------------------------------------
    def _on_frontend_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        event = content.get("event")
        try:
            if event == "generate":
                self.generate()
            elif event == "evaluate":
                self._evaluate_in_background()
            elif event == "inserted":
                self.last_insert = {"handled": True, "count": content.get("count", 0)}
                self._set_status("success", f"inserted {content.get('count', 0)} cells below")
            elif event == "fallback":
                self.last_insert = {"handled": False, "reason": content.get("reason", "")}
                self._set_status("warning", "the stratum-jupyter JupyterLab extension is not "
                                 "active here, so the cells could not be inserted: copy them "
                                 "from below (or call builder.cells())")
        except SpecError as exc:
            self._set_status("error", f"fix {len(exc.issues)} problem(s) first", exc.issues)
        except Exception as exc:  # shown in the widget: a click must never fail silently
            self._set_status("error", f"{type(exc).__name__}: {exc}")

    def _evaluate_in_background(self) -> None:
        try:
            _evaluator()
            self.spec  # noqa: B018 - validate before starting anything
        except EvaluationUnavailable as exc:
            self.leaderboard = {}
            self._set_status("error", str(exc))
            return

        def run() -> None:
            try:
                self.evaluate()
            except SpecError as exc:
                self.leaderboard = {}
                self._set_status("error", f"fix {len(exc.issues)} problem(s) first",
                                 exc.issues)
            except Exception as exc:
                self.leaderboard = {}
                self._set_status("error", f"evaluation failed: {type(exc).__name__}: {exc}")

        # A thread keeps the kernel answering (widgets, other cells) during the evaluation.
        self._thread = threading.Thread(target=run, name="stratum-builder-evaluate",
                                        daemon=True)
        self._thread.start()

    def _set_status(self, level: str, message: str, issues: Any = ()) -> None:
        self.status = {"level": level, "message": message,
                       "details": [str(i) for i in issues]}

    # -- round trip ----------------------------------------------------------------------
    @classmethod
    def from_cell(cls, cell: Any = None, *, task: str | None = None,
                  strict: bool = False) -> PipelineBuilder:
        """A builder loaded from a generated spec cell, also after hand edits.

        ``cell`` is the cell's source, an nbformat cell or notebook (its spec cell is used),
        or a path to an ``.ipynb``; without it, the last executed cell of this IPython
        session that calls ``load_spec``. An invalid spec still loads and the builder shows
        the validator's messages beside the fields; ``strict=True`` raises ``SpecError``
        instead.
        """
        from ..spec.io import parse_text

        try:
            raw = parse_text(_spec_text(_cell_source(cell)))
        except SpecError as exc:
            if strict:
                raise
            builder = cls(task=task or "classification")
            builder._set_status("error", "could not load the spec cell", exc.issues)
            return builder
        builder = cls(task=task or _task_of(raw), spec=raw)
        if strict and builder.issues:
            builder.spec  # noqa: B018 - raises SpecError with every issue
        if builder.issues:
            builder._set_status("error", f"the spec has {len(builder.issues)} problem(s): "
                                "see the marked fields")
        return builder


def _task_of(raw: Any) -> str:
    task = raw.get("task") if isinstance(raw, dict) else None
    return task if task in TASKS else "classification"


def _raw_spec(spec: Any) -> Any:
    from ..spec import PipelineSpec
    from ..spec.io import read_source

    if isinstance(spec, PipelineSpec):
        return spec.to_dict()
    return read_source(spec)


def _cell_source(cell: Any) -> str:
    if cell is None:
        return _last_spec_input()
    if isinstance(cell, str | Path) and str(cell).endswith(".ipynb") and "\n" not in str(cell):
        import nbformat

        cell = nbformat.read(str(cell), as_version=4)
    if isinstance(cell, dict) and "cells" in cell:
        from ..codegen import find_spec_cell

        found = find_spec_cell(cell)
        if found is None:
            found = next((c for c in cell["cells"] if "load_spec(" in _join(c.get("source"))),
                         None)
        if found is None:
            raise SpecError([SpecIssue((), "the notebook has no spec cell (a cell tagged "
                                       "stratum-generated with role spec, or calling "
                                       "load_spec)")])
        cell = found
    if isinstance(cell, dict):
        return _join(cell.get("source", ""))
    if isinstance(cell, str):
        return cell
    raise SpecError([SpecIssue((), f"cannot read a spec cell from {type(cell).__name__}",
                               allowed="the cell's source, an nbformat cell or notebook, "
                               "or a .ipynb path")])


def _join(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def _last_spec_input() -> str:
    user_ns = _user_ns()
    history = list(user_ns.get("In", [])) if user_ns else []
    for source in reversed(history[:-1]):  # the last entry is the cell running now
        if "load_spec(" in source and "from_cell" not in source:
            return source
    raise SpecError([SpecIssue((), "no executed cell of this session calls load_spec",
                               allowed="pass the spec cell's source to from_cell()")])


def _spec_text(source: str) -> str:
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


def _user_ns() -> dict[str, Any] | None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    return shell.user_ns if shell is not None else None


def _parameters(func: Any) -> set[str]:
    try:
        return set(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return set()


class _LiveBoard:
    """``on_result`` of the evaluator: the leaderboard so far, at most every 0.3 s."""

    def __init__(self, builder: PipelineBuilder, spec: Any):
        self.builder, self.spec = builder, spec
        self.results: dict[Any, Any] = {}
        self.sent = 0.0

    def __call__(self, result: Any) -> None:
        import time

        config = getattr(result, "config", None)
        self.results[getattr(config, "index", id(result))] = result
        if time.monotonic() - self.sent < 0.3:
            return
        self.sent = time.monotonic()
        try:
            from ..evaluation.results import leaderboard_frame

            frame = leaderboard_frame(list(self.results.values()), self.spec.metrics,
                                      self.spec.select_by)
        except Exception:  # a progress view must never break the evaluation
            return
        self.builder.leaderboard = {"state": "running", **_table(frame)}


def _table(frame: Any) -> dict[str, Any]:
    """A DataFrame as JSON-safe columns and rows for the widget's table."""
    data = json.loads(frame.to_json(orient="split", default_handler=str, double_precision=4))
    return {"columns": [str(c) for c in data["columns"]], "rows": data["data"]}
