"""Bokeh figures of a profile: p99 (and p50) latency, throughput, CPU and peak memory, each
against the CPU limit with one line per configuration of the grid's other dimensions (memory
limit, threads, batch size, clients, adaptive batching); failed configurations are marked
with an x on the CPU axis. BokehJS is inlined (no CDN) in the page and the notebook output.
"""

from __future__ import annotations

import html
from typing import Any

from .grid import format_size

__all__ = ["figure", "static_html", "page"]

PANELS = (("p99_ms", "p99 latency (ms)"), ("throughput_rps", "throughput (requests/s)"),
          ("cpu_percent", "CPU (% of one core)"), ("peak_memory_bytes", "peak memory (MiB)"))


# The grid's dimensions besides the CPU limit (the x axis): one line per combination of them.
LINE_DIMENSIONS = (
    ("memory_bytes", lambda v: f"memory {format_size(int(v))}"),
    ("threads", lambda v: f"threads {int(v)}"), ("workers", lambda v: f"workers {int(v)}"),
    ("batch_size", lambda v: f"batch {int(v)}"), ("concurrency", lambda v: f"clients {int(v)}"),
    ("max_batch", lambda v: f"max_batch {int(v)}"),
    ("batch_wait_ms", lambda v: f"wait {float(v):g} ms"))


def _palette(n: int) -> list[str]:
    from bokeh.palettes import Category10, Category20

    colors = list(Category10[10] if n <= 10 else Category20[20])
    return [colors[i % len(colors)] for i in range(n)]


def lines(rows: Any) -> tuple[list[tuple[str, Any]], list[str]]:
    """The lines of a results table: ``([(name, its rows)], settings)``, one line per
    combination of :data:`LINE_DIMENSIONS` (a configuration of the grid but for the CPU
    limit), named by the dimensions that vary between them (the memory limit always);
    ``settings`` names those every line shares ("threads 2", ...)."""
    present = [(col, form) for col, form in LINE_DIMENSIONS if col in rows]
    varying = [(col, form) for col, form in present
               if col == "memory_bytes" or rows[col].nunique(dropna=False) > 1]
    shared = [form(rows[col].iloc[0]) for col, form in present
              if (col, form) not in varying and len(rows) and rows[col].notna().all()]
    keys = [col for col, _ in varying]
    out = []
    for values, part in rows.groupby(keys, sort=True, dropna=False):
        values = values if isinstance(values, tuple) else (values,)
        named = dict((col, form(v)) for (col, form), v in zip(varying, values, strict=True)
                     if v == v)  # a dimension this row has no value of: unnamed
        if named.get("max_batch") == "max_batch 1":  # its wait does not matter
            named.pop("batch_wait_ms", None)
            named["max_batch"] = "no batching"
        out.append((", ".join(named.values()), part))
    return out, shared


def figure(table: Any, *, goal: Any = None, title: str = "stratum profile") -> Any:
    """A 2x2 grid of figures from the results ``table`` (a DataFrame of
    :data:`.measure.ROW_COLUMNS`), each against the CPU limit with one line per configuration
    of the grid's other dimensions (:func:`lines`: memory, threads, batch, clients, adaptive
    batching), under a line naming the settings all lines share; ``goal`` (a
    :class:`~..bundle.sizing.Goal`) draws the p99 bound and the request rate."""
    from bokeh.layouts import gridplot
    from bokeh.models import Span, Title  # type: ignore[attr-defined]

    # the closed-loop grid only (paced re-measurements are another kind of row)
    rows = table[table["rate_rps"].isna()] if "rate_rps" in table else table
    drawn, shared = lines(rows)
    colors = _palette(len(drawn))
    plots: list[Any] = []
    for column, label in PANELS:
        fig = _panel(column, label)
        for (name, part), color in zip(drawn, colors, strict=True):
            _draw(fig, column, name, part.sort_values("cpus"), color)
        if goal is not None and column in ("p99_ms", "throughput_rps"):
            level = goal.p99_ms if column == "p99_ms" else goal.rps
            fig.add_layout(Span(location=level, dimension="width", line_dash="dashed",
                                line_color="crimson"))
        fig.y_range.start = 0  # read against zero
        fig.legend.location = "bottom_right"  # the figures start at zero: room there
        fig.legend.label_text_font_size = "8pt"
        plots.append(fig)
    if shared:  # a Title, not a Div: Div is a widget, whose BokehJS is not inlined
        plots[0].add_layout(Title(text="every line: " + ", ".join(shared),
                                  text_font_size="8pt", text_font_style="normal"), "above")
    return gridplot(plots, ncols=2, toolbar_location="right")


def _panel(column: str, label: str) -> Any:
    from bokeh.models import HoverTool
    from bokeh.plotting import figure as new_figure

    fig = new_figure(width=420, height=260, title=label, x_axis_label="CPU limit (cores)",
                     tools="pan,wheel_zoom,box_zoom,reset,save", name=column)
    fig.add_tools(HoverTool(tooltips=[("cpus", "@cpus"), ("configuration", "@line"),
                                      ("value", "@y")]))
    return fig


def _draw(fig: Any, column: str, name: str, part: Any, color: str) -> None:
    """One configuration's line (and points) on ``fig``; its failed CPU limits as x at 0."""
    from bokeh.models import ColumnDataSource

    ok = part[part["status"] == "ok"]
    scale = 2**20 if column == "peak_memory_bytes" else 1
    source = ColumnDataSource({"cpus": list(ok["cpus"]),
                               "y": [None if v != v else v / scale
                                     for v in ok[column].astype(float)],
                               "line": [name] * len(ok)})
    fig.line("cpus", "y", source=source, color=color, legend_label=name)
    fig.scatter("cpus", "y", source=source, color=color, size=7, legend_label=name)
    failed = part[part["status"] != "ok"]
    if len(failed):
        fig.scatter(list(failed["cpus"]), [0] * len(failed), marker="x", size=12,
                    color=color, legend_label=f"{name}: failed")


def static_html(layout: Any, heading: str, notes: list[str] | None = None) -> str:
    """The layout as an HTML fragment with BokehJS inline (a notebook output that renders
    with no network), under ``heading`` and its ``notes`` (escaped)."""
    from bokeh.embed import components
    from bokeh.resources import Resources

    script, div = components(layout)
    js = Resources(mode="inline", components=["bokeh"]).render_js()
    lines = "".join(f"<li>{html.escape(n)}</li>" for n in notes or [])
    return (f'<div class="stratum-profile" data-testid="stratum-profile">'
            f"<h4>{html.escape(heading)}</h4><ul>{lines}</ul>{js}\n{div}\n{script}</div>")


def page(layout: Any, heading: str, notes: list[str] | None = None) -> str:
    """A whole static HTML page (inline resources) of the layout."""
    return (f"<!doctype html>\n<html><head><meta charset='utf-8'><title>"
            f"{html.escape(heading)}</title></head><body>\n"
            f"{static_html(layout, heading, notes)}\n</body></html>\n")
