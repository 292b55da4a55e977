"""``PipelineBuilder``: the visual pipeline builder (an anywidget; its view is the ES module
joined from the ``builder*.js`` files next to this one by :mod:`.esm`, with ``builder.css``).

The browser edits a form (see :mod:`.form`); this side turns it into a spec, validates it
with the spec validator as the user types and sends the issues back keyed by field path,
generates the notebook cells, and runs the evaluation (see :mod:`.evaluation`). The frontend
inserts the cells through the labextension command ``stratum:insert-cells``. What the palette
shows comes from :mod:`.palette`; the table of the data and its columns' roles from
:mod:`.columns`; reading a spec back from a cell is :mod:`.spec_cell`.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import anywidget
import traitlets

from ..errors import SpecError, SpecIssue
from ..spec.model import TASKS
from .board import finished_board
from .columns import TableLoader, idle_payload, table_origin
from .esm import HERE, esm_source
from .evaluation import (
    EvaluationUnavailable,
    LiveBoard,
    accepted_parameters,
    evaluator,
    resolve_data,
)
from .form import empty_form, form_to_spec, spec_to_form
from .messages import in_words, issue_line
from .palette import catalog_payload
from .spec_cell import read_spec_cell, task_of
from .state import origin, restorable, restored_board, restored_message, saved_state

__all__ = ["PipelineBuilder", "EvaluationUnavailable", "catalog_payload"]


class PipelineBuilder(anywidget.AnyWidget):
    """Build a pipeline spec visually: drag blocks from the palette onto candidates, set
    parameters (several comma-separated values make a grid axis), choose how to evaluate,
    then generate notebook cells or evaluate.

    ``builder.spec`` is the validated :class:`~stratum_jupyter.spec.PipelineSpec`;
    ``builder.to_yaml()`` its YAML; ``builder.issues`` what the validator says now.
    """

    _esm = esm_source()
    _css = HERE / "builder.css"

    form = traitlets.Dict().tag(sync=True)
    catalog = traitlets.Dict().tag(sync=True)
    issues = traitlets.List().tag(sync=True)
    status = traitlets.Dict().tag(sync=True)
    leaderboard = traitlets.Dict().tag(sync=True)
    columns = traitlets.Dict().tag(sync=True)  # the data's table: see .columns
    data_vars = traitlets.Unicode("X y").tag(sync=True)
    out_dir = traitlets.Unicode("runs/stratum").tag(sync=True)
    # What the notebook keeps of this builder (see .state): the view writes it into its
    # cell's metadata; ``restore``: whether the view asks that cell for a saved state.
    saved = traitlets.Dict().tag(sync=True)
    restore = traitlets.Bool(True).tag(sync=True)

    def __init__(self, task: str = "classification", spec: Any = None, **kwargs: Any):
        """``task``: the task of a new spec; ``spec``: a spec to start from (a
        ``PipelineSpec``, a dict, YAML text or a path); ``restore=False``: start as the code
        says even where the cell's metadata keeps an earlier state of this builder. A
        ``SpecError`` names a task that does not exist."""
        if task not in TASKS:
            raise SpecError([SpecIssue(("task",), f"{task!r} is not a task", value=task,
                                       allowed=", ".join(TASKS))])
        if spec is None:
            form = empty_form(task)
        else:
            form = spec_to_form(_raw_spec(spec), task)
        self._table = TableLoader(self._show_columns)  # before any trait is set
        super().__init__(**kwargs)
        self.last_insert: dict[str, Any] | None = None
        self.result: Any = None
        self.on_msg(lambda _widget, content, _buffers: self.handle_message(content))
        self._origin = origin(form)
        self._restored = False
        self.form = form  # triggers validation and the catalog for its task

    # -- the spec ------------------------------------------------------------------------
    @traitlets.observe("form")
    def _form_changed(self, change: dict[str, Any]) -> None:
        form = change["new"]
        task = form.get("task")
        if task in TASKS and self.catalog.get("task") != task:
            self.catalog = catalog_payload(task)
        self.issues = [in_words(issue.to_dict()) for issue in self.current_issues()]
        self.refresh_columns(force=False)
        self._keep()

    @traitlets.observe("data_vars")
    def _data_vars_changed(self, _change: dict[str, Any]) -> None:
        self.refresh_columns(force=False)
        self._keep()

    # -- the state the notebook keeps (see .state) ---------------------------------------
    @traitlets.observe("leaderboard", "out_dir")
    def _keep(self, _change: Any = None) -> None:
        if not hasattr(self, "_origin"):
            return  # traits set by the constructor, before the builder has an origin
        self.saved = saved_state(origin_key=self._origin, form=self.form,
                                 data_vars=self.data_vars, out_dir=self.out_dir,
                                 leaderboard=self.leaderboard)

    def restore_state(self, state: Any) -> bool:
        """Take ``state`` (what the notebook kept of a builder displayed in this cell before)
        when it fits: a builder nobody has changed yet, started as the saved one was
        (:func:`.state.restorable`). Says in the status line what came back or why not;
        True when it was restored."""
        if self._restored or origin(self.form) != self._origin:
            return False  # taken once; a builder changed since it started keeps its changes
        self._restored = True
        taken, why = restorable(state, self._origin)
        if taken is None:
            if why:
                self._set_status("info", why)
            return False
        self.data_vars = str(taken.get("data_vars") or self.data_vars)
        self.out_dir = str(taken.get("out_dir") or self.out_dir)
        self.form = taken["form"]
        board = taken.get("leaderboard")
        if isinstance(board, dict) and board.get("state") == "done":
            # next steps only while the model they need is still saved
            taken = {**taken, "leaderboard": restored_board(board)}
            self.leaderboard = taken["leaderboard"]
        self._set_status("info", restored_message(taken))
        return True

    @property
    def saved_model(self) -> str | None:
        """The folder of the model the last evaluation saved (``<out_dir>/best``), also
        after the builder came back from the notebook in a new kernel: what the next steps
        deploy (``stratum_jupyter.bundle.load_model(builder.saved_model)`` loads it). None
        when none is saved or it is gone. ``builder.result``, the evaluation itself, lives
        only in the kernel that ran it."""
        return str(self.leaderboard.get("model_dir") or "") or None

    # -- the table ---------------------------------------------------------------------
    def refresh_columns(self, force: bool = True, wait: bool = False) -> None:
        """Read the table of the data source (else of the kernel's ``X``) again, in a thread,
        and show its columns (``force=False``: only when the source changed); ``wait``
        until they are shown."""
        source = str((self.form.get("data") or {}).get("source") or "")
        self._table.request(table_origin(source, self.data_vars), idle_payload(self.data_vars),
                            force=force)
        if wait:
            self._table.wait()

    def _show_columns(self, payload: dict[str, Any]) -> None:
        self.columns = payload

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
        """Evaluate the spec with ``stratum_jupyter.evaluate``, show the leaderboard here and
        save the best model into ``<out_dir>/best`` (the leaderboard says where, and offers
        the next steps as cells).

        Without ``X``/``y`` the data come from the variables named in the builder's data
        field (``X y`` by default) or from the spec's ``data`` source."""
        evaluate = evaluator()
        spec = self.spec
        if X is None:
            X, y = resolve_data(self.data_vars, spec)
        self.leaderboard = {"state": "running", "columns": [], "rows": []}
        self._set_status("info", "evaluating...")
        params = accepted_parameters(evaluate)
        if "display" in params:
            kwargs.setdefault("display", "none")  # the leaderboard is shown here instead
        if "on_result" in params:
            kwargs.setdefault("on_result", LiveBoard(self._show_leaderboard, spec))
        result = evaluate(spec, X, y, **kwargs)
        self.result = result
        board, message = finished_board(result, spec, self.out_dir)
        self.leaderboard = board
        self._set_status("success" if board["best"] else "warning", message)
        return result

    # -- messages from the browser ------------------------------------------------------
    def handle_message(self, content: dict[str, Any]) -> None:
        """Act on a message of the view: ``{"event": "generate" | "evaluate" | "columns"}``
        from its buttons, ``"inserted"`` or ``"fallback"`` after it handed the cells to the
        frontend. A failure is shown in the widget's status line, never raised."""
        event = content.get("event")
        try:
            if event == "generate":
                self.generate()
            elif event == "evaluate":
                self._evaluate_in_background()
            elif event == "columns":
                self.refresh_columns()
            elif event == "plots":
                self.send(self.plots(*(content.get("configs") or []),
                                     bokeh=content.get("bokeh")))
            elif event == "restore":
                self.restore_state(content.get("state"))
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

    def plots(self, *configs: str, bokeh: str | None = None) -> dict[str, Any]:
        """The diagnostic plots of one leaderboard row, or of two side by side, named by
        their configuration labels (``leaderboard["configs"]``): what the view draws when a
        row is clicked or two are compared (:func:`.board_plots.plots_message`; its
        ``error`` says why nothing is drawn). Drawn from ``self.result``'s diagnostics, or
        for a leaderboard restored from the notebook from its saved model's: no fit.
        ``bokeh``: the page's BokehJS version (BokehJS comes along unless it is ours)."""
        from .board_plots import plots_message, saved_plots_message

        try:
            if self.result is None and self.leaderboard.get("restored"):
                return saved_plots_message(self.leaderboard, list(configs), bokeh=bokeh)
            return plots_message(self.result, list(configs), bokeh=bokeh)
        except Exception as exc:  # said in the plots' place: a click must not fail silently
            return {"event": "plots", "configs": list(configs), "panes": [],
                    "error": f"the plots could not be drawn: {type(exc).__name__}: {exc}"}

    def _evaluate_in_background(self) -> None:
        try:
            evaluator()
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

    def _show_leaderboard(self, board: dict[str, Any]) -> None:
        self.leaderboard = board

    def _set_status(self, level: str, message: str, issues: Any = ()) -> None:
        self.status = {"level": level, "message": message,
                       "details": [issue_line(i) for i in issues]}

    def __repr__(self) -> str:
        """The builder as text, for frontends that render no widget (plain IPython, notebook
        viewers): its candidates, data, evaluation, problems and last result."""
        from .text import builder_text

        return builder_text(self.form, self.issues, self.leaderboard)

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
        try:
            raw = read_spec_cell(cell)
        except SpecError as exc:
            if strict:
                raise
            builder = cls(task=task or "classification")
            builder._set_status("error", "could not load the spec cell", exc.issues)
            return builder
        builder = cls(task=task or task_of(raw), spec=raw)
        if strict and builder.issues:
            builder.spec  # noqa: B018 - raises SpecError with every issue
        if builder.issues:
            builder._set_status("error", f"the spec has {len(builder.issues)} problem(s): "
                                "see the marked fields")
        return builder


def _raw_spec(spec: Any) -> Any:
    from ..spec import PipelineSpec
    from ..spec.io import read_source

    if isinstance(spec, PipelineSpec):
        return spec.to_dict()
    return read_source(spec)
