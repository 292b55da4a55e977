"""The builder's state as the notebook keeps it, so a builder displayed again comes back.

anywidget state lives in the kernel and the browser's memory: Run All, a kernel restart or a
reopened notebook would show a blank builder. So the builder writes what the student built
(the form: spec, data source, roles; the data variables; the last leaderboard and where its
model was saved) into its own cell's metadata, under :data:`METADATA_KEY`, as it changes
(the view hands the state to the stratum-jupyter labextension, which sets the metadata
through the notebook model). A builder displayed again in that cell asks for it back and
:func:`restorable` decides whether it applies.

Which state wins: the cell's code says how the builder starts (``task=``, ``spec=``,
``from_cell(...)``); the saved state records a fingerprint of that start (:func:`origin`).
When the code still starts the builder the same way, the saved state is what the student
did since, and it comes back; when the code changed, the code wins and the status says so.

The metadata holds ``{"version": 1, "builders": [state, ...]}``: one state per builder
displayed in the cell, in the order they are displayed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

#: The cell metadata key (beside ``stratum``, which generated cells carry).
METADATA_KEY = "stratum_builder"
VERSION = 1
#: Leaderboard rows kept in the notebook (the full table is in the saved model's folder).
MAX_ROWS = 20


def origin(form: dict[str, Any]) -> str:
    """A fingerprint (16 hex digits) of the form a builder starts with."""
    text = json.dumps(form, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def saved_state(*, origin_key: str, form: dict[str, Any], data_vars: str, out_dir: str,
                leaderboard: dict[str, Any]) -> dict[str, Any]:
    """The JSON-safe state the notebook keeps for one builder (a finished leaderboard only:
    one still running is not a result to come back to)."""
    state: dict[str, Any] = {"version": VERSION, "origin": origin_key, "form": form,
                             "data_vars": data_vars, "out_dir": out_dir}
    if leaderboard.get("state") == "done":
        board = dict(leaderboard)
        board["rows"] = list(board.get("rows") or [])[:MAX_ROWS]
        state["leaderboard"] = board
    return state


def restorable(state: Any, origin_key: str) -> tuple[dict[str, Any] | None, str]:
    """``(state, "")`` when ``state`` (from the cell's metadata) can come back in a builder
    that started as ``origin_key``; ``(None, why)`` otherwise (``why`` is "" when there was
    nothing saved)."""
    if not state:
        return None, ""
    if not isinstance(state, dict) or not isinstance(state.get("form"), dict):
        return None, "the builder state saved in this cell is not readable; starting afresh"
    if state.get("version") != VERSION:
        return None, (f"the builder state saved in this cell has version "
                      f"{state.get('version')!r} (this stratum_jupyter reads {VERSION}); "
                      "starting afresh")
    if state.get("origin") != origin_key:
        return None, ("this cell's code now starts the builder differently from when its "
                      "state was saved, so the builder starts as the code says (the saved "
                      "state is replaced on your next change)")
    form = state["form"]
    if not isinstance(form.get("candidates"), list) or not isinstance(form.get("data"), dict):
        return None, "the builder state saved in this cell is not readable; starting afresh"
    return state, ""


def restored_board(board: dict[str, Any]) -> dict[str, Any]:
    """A finished leaderboard the notebook kept, as it can come back now (``restored``).
    The kernel that ran the evaluation is gone, so what its next steps need is the model it
    saved: they stay while that folder still holds it (the same candidate); otherwise they
    are left out and ``unsaved`` says to evaluate again, so no button offers a cell that
    would fail."""
    board = {**board, "restored": True}
    folder = board.get("model_dir")
    if folder:
        gone = model_gone(str(folder), (board.get("best") or {}).get("candidate"))
        if gone:
            board.update(model_dir="", next=[], unsaved=f"{gone}; press Evaluate to train and "
                         "save it again")
    return board


def model_gone(folder: str, candidate: Any) -> str:
    """Why ``folder`` no longer holds the model of ``candidate`` ("" when it does)."""
    from ..bundle.formats import format_of
    from ..bundle.load import read_profile
    from ..errors import StratumError

    try:
        profile = read_profile(folder)
        format_of(Path(folder))
    except (StratumError, OSError, ValueError):
        return f"the model this leaderboard saved to {folder} is no longer there"
    held = profile.get("candidate")
    if candidate and held != candidate:
        return f"{folder} now holds another model ({held}, not {candidate})"
    return ""


def restored_message(state: dict[str, Any]) -> str:
    """What the status line says after a restore: what came back."""
    form = state["form"]
    steps = sum(len(c.get("steps") or []) for c in form["candidates"])
    parts = [f"{len(form['candidates'])} candidate(s), {steps} step(s)"]
    source = (form.get("data") or {}).get("source")
    if source:
        parts.append(f"data {source}")
    board = state.get("leaderboard") or {}
    if board.get("rows"):
        parts.append("the last leaderboard (Evaluate again to refresh it)")
    if board.get("model_dir"):
        parts.append(f"its model in {board['model_dir']}")
    elif board.get("restored") and board.get("unsaved"):
        parts.append(f"not its model: {board['unsaved']}")
    return "restored from this notebook: " + ", ".join(parts)
