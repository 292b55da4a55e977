"""The builder's leaderboard, explained: each row names its candidate's steps and its
parameters (by their short names), the table says what it is ranked by and marks the best;
after an evaluation the best model is saved and the next steps (generate the cells, deploy,
monitor, report) are offered as cells to insert or copy."""

from __future__ import annotations

import math
import shlex
from pathlib import Path
from typing import Any

from ..evaluation.paramnames import params_text

ARROW = " \u2192 "


def steps_of(spec: Any) -> dict[str, str]:
    """``{candidate: "StandardScaler → LogisticRegression"}`` for the spec's candidates."""
    return {c.name: ARROW.join(step.block for step in c.steps) for c in spec.candidates}


def board_payload(frame: Any, spec: Any, *, state: str) -> dict[str, Any]:
    """The leaderboard DataFrame as the builder's table: ``columns``, JSON-safe ``rows``
    (a ``steps`` column after ``candidate``; ``params`` as ``C=0.1, max_iter=1000``; empty
    ``error``/``notes`` columns left out), ``ranked_by`` and ``best_row`` (the first row that
    completed, or None)."""
    steps = steps_of(spec)
    records = frame.to_dict(orient="records")
    keep = [c for c in frame.columns
            if c not in ("error", "notes") or any(r.get(c) for r in records)]
    columns = ["rank", "candidate", "steps", *[c for c in keep
                                                if c not in ("rank", "candidate")]]
    rows = []
    for rec in records:
        members = rec.get("members")
        rec = {**rec, "steps": f"ensemble of {members}" if members
               else steps.get(rec["candidate"], ""),
               "params": "" if members else _params(rec.get("params"))}
        rows.append([_jsonable(rec.get(c)) for c in columns])
    best = next((i for i, r in enumerate(records) if r.get("status") == "ok"), None)
    return {"state": state, "columns": columns, "rows": rows, "ranked_by": spec.select_by,
            "best_row": best}


def _params(params: Any) -> str:
    return params_text(params) if isinstance(params, dict) else str(params or "")


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def best_summary(result: Any, spec: Any) -> dict[str, Any] | None:
    """The winner in words: candidate, steps, parameters, score on ``select_by``."""
    best = getattr(result, "best", None)
    if best is None:
        return None
    score = best.metrics.get("mean", {}).get(result.select_by)
    steps = (f"ensemble of {', '.join(best.members)}" if best.members
             else steps_of(spec).get(best.candidate, ""))
    return {"candidate": best.candidate, "steps": steps, "params": params_text(best.params),
            "metric": result.select_by, "score": _jsonable(score)}


def save_best(result: Any, out_dir: str) -> tuple[str, str]:
    """Save the best model into ``<out_dir>/best``: ``(folder, "")``, or ``("", why not)``."""
    target = Path(out_dir) / "best"
    try:
        saved = result.save(target)
    except Exception as exc:  # said in the builder; the leaderboard stays
        return "", f"the best model could not be saved to {target}: {exc}"
    if saved is None:
        return "", getattr(result, "unsaved", "") or "no model could be saved"
    return str(target), ""


def next_steps(model_dir: str, name: str, *, report: bool) -> list[dict[str, str]]:
    """What to do with a saved model, as cells: deploy it here and watch it; a report of the
    evaluation where ``%stratum_report`` exists. Generating the cells is the builder's own
    button."""
    deploy = f"deploy/{_slug(name)}"
    steps = [
        {"id": "deploy", "label": "Deploy it on this machine (a local prediction service)",
         "code": f"%stratum_deploy {shlex.quote(model_dir)} --target local "
                 f"--out {shlex.quote(deploy)} --apply"},
        {"id": "monitor", "label": "Watch the service and this kernel live",
         "code": f"%stratum_monitor --kernel --services {shlex.quote(deploy)}"},
    ]
    if report:
        run_dir = str(Path(model_dir).parent)
        steps.append({"id": "report", "label": "A report of the evaluation (plots, "
                      "explanations)", "code": f"%stratum_report {shlex.quote(run_dir)}"})
    return steps


def _slug(name: str) -> str:
    text = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.strip().lower())
    return text.strip("-") or "model"


def _row_configs(result: Any, n_rows: int) -> list[str]:
    """Each row's configuration label, which the view's plot requests name ([] when the
    evaluation kept no diagnostics: the rows are not clickable then)."""
    from .board_plots import row_configs

    if getattr(result, "diagnostics", None) is None:
        return []
    configs = row_configs(result)
    return configs if len(configs) == n_rows else []


def has_magic(name: str) -> bool:
    """Whether this IPython session has the line magic ``name``."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    return shell is not None and shell.find_line_magic(name) is not None


def finished_board(result: Any, spec: Any, out_dir: str) -> tuple[dict[str, Any], str]:
    """After an evaluation: the best model saved under ``out_dir``, and the builder's
    leaderboard (``best``, ``model_dir``, ``unsaved``: why none was saved, ``next``: the
    cells to run next) with the status line that says it."""
    board = board_payload(result.leaderboard, spec, state="done")
    best = best_summary(result, spec)
    model_dir, unsaved = save_best(result, out_dir) if best else ("", "")
    if best is None:
        unsaved = getattr(result, "unsaved", "") or "every configuration failed (see the table)"
    board["configs"] = _row_configs(result, len(board["rows"]))
    board.update(best=best, model_dir=model_dir, unsaved=unsaved,
                 next=next_steps(model_dir, best["candidate"], report=has_magic(
                     "stratum_report")) if best and model_dir else [])
    failures = len(getattr(result, "failures", None) or [])
    if best is None:
        message = f"evaluation done, but no model was saved: {unsaved}"
    else:
        score = best["score"]
        shown = f"{score:.4f}" if isinstance(score, float) else str(score)
        message = (f"evaluation done: best is {best['candidate']} ({best['steps']}"
                   + (f"; {best['params']}" if best["params"] != "-" else "")
                   + f"), {best['metric']} {shown}"
                   + (f"; saved to {model_dir}" if model_dir else f"; not saved: {unsaved}"))
    if failures:
        message += f" ({failures} configuration(s) failed)"
    return board, message
