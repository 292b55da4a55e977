"""The Stratum paper's figure from profiles: (a) latency of each model under each container
configuration, (b) host CPU and (c) host memory of each container (or process), as grouped
bars (one group per configuration, one bar per model). BokehJS is inlined (no CDN).

:func:`panels` takes profiles of one or several models (a :class:`~.api.ProfileResult`, its
results table, or the ``--out`` folder a profile wrote) and returns :class:`Panels`: shown
as a notebook output, saved as a static page (``stratum profile ... --plot FILE.html``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .grid import ProfileError, format_size

__all__ = ["Panels", "panels", "read_results"]

# (column, title, scale): the figures of each panel
PANELS = (("p50_ms", "(a) latency (ms): p50 bar, p95-p99 whisker", 1.0),
          ("cpu_percent", "(b) host CPU (% of one core)", 1.0),
          ("peak_memory_bytes", "(c) host memory (MiB, peak)", 2.0**20))
# the settings a configuration's label names where they vary: (column, short form)
SETTINGS = (("cpus", lambda v: f"{v:g} cpu"), ("memory_bytes", lambda v: format_size(int(v))),
            ("threads", lambda v: f"{int(v)} thr"), ("batch_size", lambda v: f"batch {int(v)}"),
            ("concurrency", lambda v: f"{int(v)} clients"),
            ("max_batch", lambda v: f"max batch {int(v)}"),
            ("batch_wait_ms", lambda v: f"wait {v:g} ms"))


def read_results(source: Any) -> Any:
    """The closed-loop rows (paced re-measurements left out) of one profile as a DataFrame
    with a ``model`` column: ``source`` is a ProfileResult, a DataFrame, a results.csv or
    .parquet file, or the folder holding one. ProfileError for a path with no results."""
    import pandas as pd

    if hasattr(source, "table"):
        source = source.table
    if isinstance(source, str | Path):
        path = Path(source)
        path = path / "results.csv" if path.is_dir() else path
        if not path.is_file():
            raise ProfileError(f"results: {path} is not a profile's results table "
                               "(results.csv or .parquet, or the --out folder holding it)")
        source = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    table = source.copy()
    if "model" not in table:
        table["model"] = "model"
    table["model"] = table["model"].fillna("model").astype(str)
    return table[table["rate_rps"].isna()] if "rate_rps" in table else table


def _labels(table: Any) -> list[str]:
    """One label per row naming the settings that differ between configurations."""
    varying = [(col, form) for col, form in SETTINGS
               if col in table and table[col].nunique(dropna=True) > 1]
    if not varying:
        varying = list(SETTINGS[:2])
    return [", ".join(form(row[col]) for col, form in varying)
            for row in table.to_dict(orient="records")]


@dataclass
class Panels:
    """The three panels (``layout``, a Bokeh gridplot) and the rows they draw (``table``:
    one row per model and configuration, with ``config`` labels)."""

    layout: Any
    table: Any
    title: str

    def html(self) -> str:
        """The panels as a notebook output (BokehJS inline)."""
        from .plots import static_html

        return static_html(self.layout, self.title)

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | Path) -> Path:
        """Write the panels as a static HTML page (inline resources); returns the path."""
        from .plots import page

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(self.layout, self.title), "utf-8")
        return path


def panels(results: Any, *, title: str = "prediction services under container "
           "configurations") -> Panels:
    """The paper's panels (a), (b), (c) of ``results``: one profile or an iterable of them
    (see :func:`read_results`), each row named by its ``model`` column. Configurations that
    failed (out of memory ...) have no bar; they are marked with an x at zero. ProfileError
    when nothing was measured."""
    import pandas as pd

    many = results if isinstance(results, list | tuple) or (
        isinstance(results, Iterable) and not isinstance(results, str | Path)
        and not hasattr(results, "columns") and not hasattr(results, "table")) else [results]
    table = pd.concat([read_results(r) for r in many], ignore_index=True)
    if table.empty:
        raise ProfileError("results: no measured configuration to plot")
    table["config"] = _labels(table)
    return Panels(_layout(table, title), table, title)


def _layout(table: Any, title: str) -> Any:
    from bokeh.layouts import gridplot
    from bokeh.models import (  # type: ignore[attr-defined]
        ColumnDataSource,
        FactorRange,
        HoverTool,
        Whisker,
    )
    from bokeh.plotting import figure as new_figure

    from .plots import _palette

    models = list(dict.fromkeys(table["model"]))
    configs = list(dict.fromkeys(table["config"]))
    colors = dict(zip(models, _palette(len(models)), strict=True))
    factors = [(c, m) for c in configs for m in models]
    plots: list[Any] = []
    for column, label, scale in PANELS:
        fig = new_figure(x_range=FactorRange(factors=factors), width=440, height=340, title=label,
                         tools="pan,wheel_zoom,box_zoom,reset,save", name=column,
                         toolbar_location=None)
        ok = table[table["status"] == "ok"]
        data = _bars(ok, column, scale, colors)
        source = ColumnDataSource(data)
        fig.vbar(x="x", top="y", width=0.8, source=source, fill_color="color",
                 line_color="color", legend_field="model")
        if column == "p50_ms":
            fig.add_layout(Whisker(base="x", lower="p95", upper="p99", source=source,
                                   line_color="black"))
        failed = table[table["status"] != "ok"]
        if len(failed):
            marks = ColumnDataSource({"x": list(zip(failed["config"], failed["model"],
                                                    strict=True)), "y": [0] * len(failed)})
            fig.scatter("x", "y", source=marks, marker="x", size=12, color="crimson",
                        legend_label="failed")
        fig.add_tools(HoverTool(tooltips=[("model", "@model"), ("configuration", "@config"),
                                          ("value", "@y{0.0}"), ("p95 / p99", "@p95 / @p99")]))
        tops = [v for v in data["y"] + (data["p99"] if column == "p50_ms" else []) if v]
        fig.y_range.start = 0  # type: ignore[attr-defined]  # read against zero
        fig.y_range.end = 1.1 * max(tops, default=1.0)  # type: ignore[attr-defined]
        fig.xaxis.major_label_orientation = 0.9
        fig.xaxis.group_label_orientation = 0.0  # type: ignore[attr-defined]
        fig.xgrid.grid_line_color = None
        fig.legend.orientation = "horizontal"
        fig.legend.label_text_font_size = "8pt"
        fig.add_layout(fig.legend[0], "above")  # beside the title, never over a bar
        plots.append(fig)
    return gridplot(plots, ncols=3)


def _bars(rows: Any, column: str, scale: float, colors: dict[str, str]) -> dict[str, list]:
    def values(name: str) -> list[float | None]:
        return [None if v != v else v / (scale if name == column else 1)
                for v in rows[name].astype(float)] if name in rows else [None] * len(rows)

    return {"x": list(zip(rows["config"], rows["model"], strict=True)), "y": values(column),
            "p95": values("p95_ms"), "p99": values("p99_ms"),
            "model": list(rows["model"]), "config": list(rows["config"]),
            "color": [colors[m] for m in rows["model"]]}
