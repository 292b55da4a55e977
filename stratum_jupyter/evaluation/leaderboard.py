"""The leaderboard DataFrame: one row per configuration shown, best first (the last rung of
a successive halving first), with its scores, times, status and why any score is missing."""

from __future__ import annotations

import math
from typing import Any

from .paramnames import short_names
from .results import ConfigResult, _sort_key, continued


def _done(res: ConfigResult, complete: int | None) -> bool:
    return res.failure is not None or complete is None or len(res.folds) >= complete \
        or bool(res.stopped)


def _status(res: ConfigResult) -> str:
    return "failed" if res.failure is not None else "stopped" if res.stopped else "ok"


def leaderboard_frame(results: list[ConfigResult], metrics: list[str], select_by: str,
                      *, complete: int | None = None) -> Any:
    """The leaderboard DataFrame, best first; configurations still running are left out
    unless all their ``complete`` folds are in (``None``: include all). ``error`` is why a
    configuration failed; ``notes`` why one of its metrics is NaN (:meth:`ConfigResult.notes`)."""
    import pandas as pd

    shown = shown_results(results, select_by, complete=complete)
    rows = [_board_row(res, metrics) for res in shown]
    columns = ["rank", "candidate", "params", *[c for m in metrics for c in (m, f"{m}_std")],
               "fit_time", "score_time", "status", "error", "notes"]
    if any(res.config.members for res in results):  # ensembles: marked, with their members
        columns.insert(3, "members")
        for row, res in zip(rows, shown, strict=True):
            row["members"] = "; ".join(res.config.members)
    if any(res.config.resources is not None for res in results):  # successive halving
        columns[3:3] = ["rung", "resources"]
    searched = list(dict.fromkeys(k for res in shown for k in res.search))
    columns[3:3] = searched  # bayes: trial, state
    for row, res in zip(rows, shown, strict=True):
        row.update({k: res.search.get(k) for k in searched})
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows)
    ok = frame["status"] == "ok"
    frame.insert(0, "rank", pd.Series(range(1, len(frame) + 1)).where(ok).astype("Int64"))
    if "trial" in searched:  # a configuration beside the trials (a grid's) has none
        frame["trial"] = frame["trial"].astype("Int64")
    return frame[columns]


def shown_results(results: list[ConfigResult], select_by: str, *,
                  complete: int | None = None) -> list[ConfigResult]:
    """The configurations :func:`leaderboard_frame` shows, in its rows' order (best first):
    what names a row's configuration (its ``config.label``: the builder's plots)."""
    later = continued(results)
    shown = [res for res in results
             if _done(res, complete) and res.config.index not in later]
    return sorted(shown, key=lambda res: _sort_key(
        math.nan if _status(res) != "ok" else res.mean(select_by), res.config.index,
        res.config.rung))


def _board_row(res: ConfigResult, metrics: list[str]) -> dict[str, Any]:
    """One configuration's leaderboard row (a stopped one's scores are NaN: over fewer
    folds they would not compare with the others; its notes say why)."""
    import numpy as np

    failed = res.failure is not None or bool(res.stopped)
    # the user's short names (paramnames.py); Config.params keeps the pipeline keys
    row: dict[str, Any] = {"candidate": res.config.candidate,
                           "params": short_names(res.config.params),
                           "rung": res.config.rung, "resources": res.config.resources}
    for metric in metrics:
        row[metric] = math.nan if failed else res.mean(metric)
        row[f"{metric}_std"] = math.nan if failed else res.std(metric)
    fits = [f.fit_time for f in res.folds.values()]
    scores = [f.score_time for f in res.folds.values()]
    row["fit_time"] = float(np.mean(fits)) if fits and not failed else math.nan
    row["score_time"] = float(np.mean(scores)) if scores and not failed else math.nan
    row["status"] = _status(res)
    row["error"] = res.failure.error if res.failure is not None else ""
    row["notes"] = "; ".join([*res.notes(), *([res.stopped] if res.stopped else []),
                              *([res.remark] if res.remark else [])])
    return row


def with_test_scores(frame: Any, metrics: list[str], scores: dict[str, float] | None
                     ) -> Any:
    """``frame`` with a ``test_<metric>`` column beside each metric's ``_std`` when there
    are held-out ``scores``: the selected model's (the first row's), NaN on the others."""
    if not scores or not len(frame):
        return frame
    for metric in reversed(metrics):
        where = frame.columns.get_loc(f"{metric}_std") + 1
        column = [math.nan] * len(frame)
        column[0] = scores.get(metric, math.nan)
        frame.insert(where, f"test_{metric}", column)
    return frame
