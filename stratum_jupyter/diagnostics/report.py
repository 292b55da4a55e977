"""The diagnostics as HTML with BokehJS inline (no CDN): a notebook output
(:func:`static_html`) and a whole page (:func:`page`, ``stratum report``, the bundle's
``report.html``), both working offline and in papermill's output."""

from __future__ import annotations

import html
from typing import Any

from . import plots


def _heading(about: dict[str, Any]) -> str:
    best = about.get("best") or "no configuration"
    return f"Diagnostics of {best} ({about.get('task', '')})"


def static_html(frames: dict[str, Any], about: dict[str, Any], *,
                leaderboard: Any = None) -> str:
    """Every plot of ``frames`` (:func:`.plots.figures`) as one HTML fragment, under a
    heading naming the best configuration, with the diagnostics' notes and, when given, the
    first rows of the ``leaderboard`` (a DataFrame)."""
    from bokeh.embed import components
    from bokeh.layouts import column, row
    from bokeh.resources import Resources

    drawn = [fig for _, fig in plots.figures(frames)]
    notes = "".join(f"<li>{html.escape(str(n))}</li>" for n in about.get("notes") or [])
    parts = [f"<h3>{html.escape(_heading(about))}</h3>"]
    if notes:
        parts.append(f"<ul>{notes}</ul>")
    if leaderboard is not None and len(leaderboard):
        parts.append(leaderboard.head(10).to_html(index=False, na_rep="",
                                                  float_format=lambda v: f"{v:.4g}"))
    if not drawn:
        parts.append("<p>No diagnostics were kept (evaluation.diagnostics: false).</p>")
        return '<div class="stratum-report">' + "\n".join(parts) + "</div>"
    layout = column(*[row(*drawn[i:i + 2]) for i in range(0, len(drawn), 2)],
                    name="stratum-report-root")
    script, div = components(layout)
    js = Resources(mode="inline", components=["bokeh"]).render_js()
    parts += [js, div, script]
    return '<div class="stratum-report">' + "\n".join(parts) + "</div>"


def page(frames: dict[str, Any], about: dict[str, Any], *, leaderboard: Any = None) -> str:
    """:func:`static_html` as a whole HTML page."""
    title = html.escape(_heading(about))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>body{{font-family:sans-serif;margin:1em}}"
            "table{border-collapse:collapse;font-size:0.85em}td,th{padding:2px 8px;"
            "border-bottom:1px solid #ddd}</style></head>\n<body>\n"
            f"{static_html(frames, about, leaderboard=leaderboard)}\n</body></html>\n")


def compare_html(sides: list[tuple[str, dict[str, Any]]]) -> str:
    """Two (or more) configurations' plots side by side, one row per kind of plot: ``sides``
    holds (label, :meth:`Diagnostics.frames`) pairs. BokehJS inline, as :func:`static_html`."""
    from bokeh.embed import components
    from bokeh.layouts import gridplot
    from bokeh.resources import Resources

    drawn = [dict(plots.figures(frames)) for _, frames in sides]
    names = [name for name in plots.PLOTS if all(name in d for d in drawn)]
    grid = []
    for name in names:
        row = []
        for (label, _), figs in zip(sides, drawn, strict=True):
            fig = figs[name]
            fig.title.text = f"{label}: {fig.title.text}"
            row.append(fig)
        grid.append(row)
    heading = " vs ".join(html.escape(label) for label, _ in sides)
    if not grid:
        return f'<div class="stratum-report"><h3>{heading}</h3><p>Nothing to compare.</p></div>'
    script, div = components(gridplot(grid, toolbar_location=None))
    js = Resources(mode="inline", components=["bokeh"]).render_js()
    return f'<div class="stratum-report"><h3>{heading}</h3>\n{js}\n{div}\n{script}</div>'
