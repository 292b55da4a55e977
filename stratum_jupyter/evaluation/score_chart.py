"""The score spread of an evaluation: each configuration's fold scores on ``select_by``, as a
Bokeh figure and as a self-contained page (BokehJS inline: no CDN)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from .paramnames import short_names

if TYPE_CHECKING:
    from .results import EvaluationResult

MAX_ROWS = 20


def score_chart(result: EvaluationResult, limit: int = MAX_ROWS) -> Any:
    """A Bokeh figure: each configuration's fold scores on ``select_by``, mean and spread."""
    from bokeh.models import ColumnDataSource, FactorRange, HoverTool
    from bokeh.models.annotations import Whisker
    from bokeh.plotting import figure

    metric = result.select_by
    board = result.leaderboard
    board = board[board["status"] == "ok"].head(limit)
    by_index = {(r.config.candidate, repr(short_names(r.config.params))): r
                for r in result.results}
    labels, xs, ys, means, lower, upper = [], [], [], [], [], []
    for rec in board.to_dict(orient="records"):
        res = by_index[(rec["candidate"], repr(rec["params"]))]
        label = f"{rec['rank']}. {res.config.label}"
        labels.append(label)
        for value in res.fold_values(metric):
            xs.append(label)
            ys.append(value)
        means.append(rec[metric])
        lower.append(rec[metric] - rec[f"{metric}_std"])
        upper.append(rec[metric] + rec[f"{metric}_std"])
    fig = figure(x_range=FactorRange(factors=labels), height=320, sizing_mode="stretch_width",
                 title=f"CV {metric} per configuration ({result.n_folds} folds)",
                 toolbar_location="right", tools="save,reset")
    folds = ColumnDataSource({"x": xs, "y": ys})
    stats = ColumnDataSource({"x": labels, "mean": means, "lower": lower, "upper": upper})
    fig.scatter("x", "y", source=folds, size=7, alpha=0.6, legend_label="fold")
    fig.scatter("x", "mean", source=stats, size=12, marker="diamond", color="firebrick",
                legend_label="mean")
    fig.add_layout(Whisker(source=stats, base="x", lower="lower", upper="upper"))
    fig.add_tools(HoverTool(tooltips=[("config", "@x"), (metric, "@y{0.0000}")]))
    fig.xaxis.major_label_orientation = 0.8
    fig.yaxis.axis_label = metric
    fig.legend.location = "bottom_left"
    return fig


def chart_html(result: EvaluationResult) -> str:
    """The chart as a self-contained iframe: Bokeh's JS inline, nothing from a CDN."""
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    page = file_html(score_chart(result), INLINE, title="stratum score spread")
    return (f'<div class="stratum-chart"><iframe srcdoc="{html.escape(page, quote=True)}" '
            'style="width:100%;height:360px;border:0" sandbox="allow-scripts"></iframe></div>')
