"""The builder as readable text: what a frontend without widgets shows (plain IPython, a
notebook viewer, a papermill output), in place of the widget. ``repr(builder)``."""

from __future__ import annotations

from typing import Any

ARROW = " \u2192 "
NOTE = ("(the text form of the pipeline builder: open the notebook in JupyterLab or Jupyter "
        "Notebook 7 to edit it; builder.to_yaml() gives the spec)")


def builder_text(form: dict[str, Any], issues: list[dict[str, Any]],
                 leaderboard: dict[str, Any]) -> str:
    """Several short lines: the task and candidates (steps and the parameters set), the data,
    the evaluation, what is left to fix, the last result."""
    candidates = form.get("candidates") or []
    lines = [f"Pipeline builder ({form.get('task', '?')}): {len(candidates)} candidate(s)"]
    for cand in candidates:
        steps = [_step(s) for s in cand.get("steps") or []]
        lines.append(f"  {cand.get('name') or '(no name)'}: "
                     + (ARROW.join(steps) if steps else "no blocks yet"))
    data = form.get("data") or {}
    if data.get("source"):
        said = [f"data: {data['source']}"]
        if data.get("target"):
            said.append(f"target {data['target']}")
        if data.get("drop"):
            said.append(f"dropped {', '.join(map(str, data['drop']))}")
        lines.append(", ".join(said))
    ev = form.get("evaluation") or {}
    metrics = ", ".join(ev.get("metrics") or []) or "the task's default"
    lines.append(f"evaluation: cv {ev.get('cv') or ev.get('holdout') or '5'}, metrics "
                 f"{metrics}, search {ev.get('search') or 'grid'}")
    if issues:
        lines.append(f"{len(issues)} problem(s) left:")
        lines += [f"  {i.get('field')}: {i.get('message')}"
                  + (f": {i['todo']}" if i.get("todo") else "") for i in issues[:5]]
    else:
        lines.append("the spec is valid")
    best = leaderboard.get("best") if leaderboard.get("state") == "done" else None
    if best:
        lines.append(f"last evaluation: best {best['candidate']} ({best['steps']}), "
                     f"{best['metric']} {_number(best.get('score'))}"
                     + (f"; saved to {leaderboard['model_dir']}"
                        if leaderboard.get("model_dir") else ""))
    lines.append(NOTE)
    return "\n".join(lines)


def _step(step: dict[str, Any]) -> str:
    params = "; ".join(f"{k}={v}" for k, v in (step.get("params") or {}).items()
                       if str(v).strip())
    return f"{step.get('block')}({params})" if params else str(step.get("block"))


def _number(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
