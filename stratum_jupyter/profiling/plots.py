"""Bokeh figures of a profile: p99 (and p50) latency, throughput, CPU and peak memory, each
against the CPU limit with one line per memory limit; failed configurations are marked
with an x on the CPU axis. BokehJS is inlined (no CDN) in the page and the notebook output.
"""

from __future__ import annotations

import html
from typing import Any

from .grid import format_size

__all__ = ["figure", "static_html", "page"]

PANELS = (("p99_ms", "p99 latency (ms)"), ("throughput_rps", "throughput (requests/s)"),
          ("cpu_percent", "CPU (% of one core)"), ("peak_memory_bytes", "peak memory (MiB)"))


def _palette(n: int) -> list[str]:
    from bokeh.palettes import Category10

    colors = list(Category10[10])
    return [colors[i % len(colors)] for i in range(n)]


def figure(table: Any, *, goal: Any = None, title: str = "stratum profile") -> Any:
    """A 2x2 grid of figures from the results ``table`` (a DataFrame of
    :data:`.measure.ROW_COLUMNS`); ``goal`` (a :class:`~..bundle.sizing.Goal`) draws the p99
    bound and the request rate."""
    from bokeh.layouts import gridplot
    from bokeh.models import ColumnDataSource, HoverTool, Span  # type: ignore[attr-defined]
    from bokeh.plotting import figure as new_figure

    # the closed-loop grid only (paced re-measurements are another kind of row)
    rows = table[table["rate_rps"].isna()] if "rate_rps" in table else table
    memories = sorted(rows["memory_bytes"].unique())
    colors = dict(zip(memories, _palette(len(memories)), strict=True))
    plots: list[Any] = []
    for column, label in PANELS:
        fig = new_figure(width=420, height=260, title=label, x_axis_label="CPU limit (cores)",
                         tools="pan,wheel_zoom,box_zoom,reset,save", name=column)
        fig.add_tools(HoverTool(tooltips=[("cpus", "@cpus"), ("memory", "@memory"),
                                          ("threads", "@threads"), ("value", "@y")]))
        for memory in memories:
            part = rows[rows["memory_bytes"] == memory].sort_values("cpus")
            ok = part[part["status"] == "ok"]
            scale = 2**20 if column == "peak_memory_bytes" else 1
            data = {"cpus": list(ok["cpus"]), "y": [None if v != v else v / scale
                                                     for v in ok[column].astype(float)],
                    "memory": [format_size(int(memory))] * len(ok),
                    "threads": list(ok["threads"])}
            source = ColumnDataSource(data)
            name = f"memory {format_size(int(memory))}"
            fig.line("cpus", "y", source=source, color=colors[memory], legend_label=name)
            fig.scatter("cpus", "y", source=source, color=colors[memory], size=7,
                        legend_label=name)
            failed = part[part["status"] != "ok"]
            if len(failed):
                fig.scatter(list(failed["cpus"]), [0] * len(failed), marker="x", size=12,
                            color=colors[memory], legend_label=f"{name}: failed")
        if goal is not None and column in ("p99_ms", "throughput_rps"):
            level = goal.p99_ms if column == "p99_ms" else goal.rps
            fig.add_layout(Span(location=level, dimension="width", line_dash="dashed",
                                line_color="crimson"))
        fig.y_range.start = 0  # type: ignore[attr-defined]  # read against zero
        fig.legend.location = "bottom_right"  # the figures start at zero: room there
        fig.legend.label_text_font_size = "8pt"
        plots.append(fig)
    return gridplot(plots, ncols=2, toolbar_location="right")


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
