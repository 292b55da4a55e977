"""The plots behind the builder's leaderboard: a row's diagnostic plots, or two rows' side by
side, as Bokeh figures in JSON (``bokeh.embed.json_item``) that the view embeds with BokehJS.

They are the report's figures (:mod:`stratum_jupyter.diagnostics.plots`: one style, the
user's class labels, legends beside the data), drawn from what the evaluation kept
(``result.diagnostics``): nothing is fitted here. A row shows the task's plots where its
out-of-fold predictions were kept (the best ``evaluation.diagnostics.keep``), its score on
each fold, and for the best the permutation importance; each pane's notes say what is
missing and why.

After a kernel restart the evaluation is gone but the model it saved is not: a restored
leaderboard's rows are drawn from that folder's ``diagnostics/`` (:func:`saved_plots_message`):
the best row's plots as the report draws them, every other row's fold scores.
"""

from __future__ import annotations

from typing import Any

MAX_ROWS = 2  # one row, or two compared
COMPARE_WIDTH = 460  # two panes side by side fit the builder's width


def row_configs(result: Any) -> list[str]:
    """The configuration label (``"logreg #2"``) of each leaderboard row, in its order."""
    from ..evaluation.leaderboard import shown_results

    return [res.config.label for res in shown_results(result.results, result.select_by)]


def plots_message(result: Any, configs: list[Any], *, bokeh: Any = None) -> dict[str, Any]:
    """What the view draws for the leaderboard rows of ``configs`` (their labels, one or
    two): ``{"event": "plots", "configs", "panes": [{"config", "title", "notes", "plots":
    [{"name", "item" (None where the other side has it and this one not), "missing"}]}],
    "error": why nothing is drawn ("" when panes are), "bokeh_version", and "bokehjs"
    (BokehJS, inline, when the page's ``bokeh`` version is another)}``."""
    message: dict[str, Any] = {"event": "plots", "configs": list(configs), "panes": [],
                               "error": _refused(result, configs)}
    if message["error"]:
        return message
    by_label = {res.config.label: res for res in result.results}
    panes = []
    for label in configs:
        frames, notes = row_frames(result, by_label[label])
        rank = _rank(result, label)
        panes.append(_pane(label, f"{rank}. {label}" if rank else label, frames, notes,
                           compare=len(configs) > 1))
    message["panes"] = _aligned(panes)
    message.update(bokeh_payload(bokeh))
    return message


def saved_plots_message(board: dict[str, Any], configs: list[Any], *,
                        bokeh: Any = None) -> dict[str, Any]:
    """:func:`plots_message` for a leaderboard restored from the notebook (no evaluation
    in this kernel): drawn from ``diagnostics/`` of the model folder it saved
    (``board["model_dir"]``; :func:`stratum_jupyter.diagnostics.result.load_frames`). The
    best row gets the plots the report draws, another row its fold scores and a note that
    its other plots need a new evaluation."""
    from ..diagnostics.result import load_frames

    message: dict[str, Any] = {"event": "plots", "configs": list(configs), "panes": []}
    folder = str(board.get("model_dir") or "")
    known = [str(c) for c in board.get("configs") or []]
    unknown = [str(c) for c in configs if c not in known]
    try:
        frames, about = load_frames(folder) if folder else ({}, {})
    except (OSError, ValueError):
        frames, about = {}, {}
    if not frames:
        message["error"] = ("the plots are drawn from an evaluation in this kernel, or from "
                            "the diagnostics its saved model keeps, and neither is here: "
                            "press Evaluate to see them")
    elif not 1 <= len(configs) <= MAX_ROWS:
        message["error"] = f"pick one row, or two to compare (got {len(configs)})"
    elif unknown:
        message["error"] = (f"{', '.join(unknown)} is not a row of this leaderboard (rows: "
                            f"{', '.join(known)}): evaluate again")
    if message.get("error"):
        return message
    metric = (board.get("best") or {}).get("metric")
    panes = [_pane(label, f"{known.index(label) + 1}. {label}",
                   *_saved_frames(frames, about, label, metric, folder),
                   compare=len(configs) > 1) for label in configs]
    message.update(error="", panes=_aligned(panes), **bokeh_payload(bokeh))
    return message


def _saved_frames(frames: dict[str, Any], about: dict[str, Any], label: str,
                  metric: Any, folder: str) -> tuple[dict[str, Any], list[str]]:
    """One restored row's frames and notes, from the saved best's ``diagnostics/``."""
    where = f"drawn from what the evaluation saved with its model ({folder}/diagnostics)"
    spread = frames.get("fold_spread")
    if spread is not None and not spread.empty:
        spread = spread[(spread["config"] == label)
                        & ((spread["metric"] == metric) if metric else True)]
    if label == about.get("best"):
        return {**frames, "fold_spread": spread}, [where, *about.get("notes", [])]
    return ({} if spread is None else {"fold_spread": spread}), [
        where + ": only the best keeps its plots across a restart, so this row shows its "
        "fold scores; press Evaluate to see its other plots"]


def _refused(result: Any, configs: list[Any]) -> str:
    if result is None:
        return ("the plots are drawn from this session's evaluation: press Evaluate to see "
                "them (the saved best's plots: %stratum_report on its run folder)")
    if getattr(result, "diagnostics", None) is None:
        return "no diagnostics were kept (evaluation.diagnostics: false)"
    if not 1 <= len(configs) <= MAX_ROWS:
        return f"pick one row, or two to compare (got {len(configs)})"
    known = row_configs(result)
    unknown = [str(c) for c in configs if c not in known]
    if unknown:
        return (f"{', '.join(unknown)} is not a row of this leaderboard (rows: "
                f"{', '.join(known)}): evaluate again")
    return ""


def _pane(label: str, title: str, frames: dict[str, Any], notes: list[str], *,
          compare: bool) -> dict[str, Any]:
    from bokeh.embed import json_item

    from ..diagnostics import plots

    drawn = []
    for name, fig in plots.figures(frames):
        if compare:
            fig.width = min(fig.width, COMPARE_WIDTH)
        drawn.append({"name": fig.name, "frame": name, "item": json_item(fig)})
    return {"config": label, "title": title, "notes": notes, "plots": drawn}


def _rank(result: Any, label: str) -> int | None:
    """The row's rank on the leaderboard (None: failed or stopped, unranked)."""
    import pandas as pd

    board, found = result.leaderboard, row_configs(result).index(label)
    rank = board["rank"].iloc[found] if found < len(board) and "rank" in board else None
    return None if rank is None or pd.isna(rank) else int(rank)


def row_frames(result: Any, res: Any) -> tuple[dict[str, Any], list[str]]:
    """The frames of one leaderboard row's plots (by frame name, as
    :data:`stratum_jupyter.diagnostics.plots.PLOTS`) and the notes on what is left out."""
    from ..diagnostics.result import BY_TASK

    diag, label = result.diagnostics, res.config.label
    if res.failure is not None:
        return {}, [f"this configuration failed, so there is nothing to plot: "
                    f"{res.failure.error}"]
    if res.stopped:
        return {}, [f"this configuration was stopped before all its folds ran: {res.stopped}"]
    frames: dict[str, Any] = {}
    notes: list[str] = []
    if label in diag.kept:
        frames = {name: getattr(diag, name)(label) for name in BY_TASK.get(diag.task, ())}
    else:
        notes.append(f"its out-of-fold predictions were not kept: only the best "
                     f"{_keep(result, diag)} configurations keep theirs (evaluation."
                     "diagnostics.keep), so only its fold scores are shown")
    spread = diag.fold_spread()
    frames["fold_spread"] = spread[(spread["config"] == label)
                                   & (spread["metric"] == result.select_by)]
    if label == diag.best:
        frames["shap_summary"] = diag.shap_summary()
        frames["importance_summary"] = diag.importance_summary()
        if diag.importance().empty:
            notes += [n for n in diag.notes if "importance" in n] or [
                "no permutation importance (evaluation.diagnostics.importance: false)"]
    return frames, notes


def _keep(result: Any, diag: Any) -> int:
    spec = getattr(result, "spec", None)
    try:
        return int(spec.evaluation.diagnostics.keep)
    except AttributeError:
        return len(diag.kept)


def _aligned(panes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Panes compared side by side list the same plots in the same order: a plot one side
    has and the other not is a placeholder (``item`` None, ``missing``: why) there."""
    if len(panes) < 2:
        return panes
    names = list(dict.fromkeys(p["name"] for pane in panes for p in pane["plots"]))
    for pane in panes:
        have = {p["name"]: p for p in pane["plots"]}
        pane["plots"] = [have.get(name) or {"name": name, "frame": "", "item": None,
                                            "missing": "not for this configuration (see "
                                                       "the notes above)"}
                         for name in names]
    return panes


def bokeh_payload(page_version: Any) -> dict[str, Any]:
    """``bokeh_version`` (the kernel's Bokeh), and ``bokehjs`` (its JavaScript, inline, some
    1.3 MB) unless the page has that version of BokehJS already."""
    import bokeh
    from bokeh.resources import Resources

    version = bokeh.__version__
    if page_version == version:
        return {"bokeh_version": version}
    js = "\n".join(Resources(mode="inline", components=["bokeh"]).js_raw)
    return {"bokeh_version": version, "bokehjs": js}
