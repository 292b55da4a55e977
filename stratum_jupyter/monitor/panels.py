"""Bokeh panels fed by streaming ColumnDataSources with a rolling window.

A :class:`Panel` holds the Bokeh layout of some sources and turns each tick's samples into
*ops*, small JSON-able updates (stream rows into a source with a rollover, replace a
source's data, set a range's factors). The same ops update the kernel-side figure
(:meth:`Panel.apply`) and, through the live widget, the figure in the browser, so the live
panel and the static one are the same figure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from .base import Sample
from .charts import SOURCE_TITLES, BarChart, TimeChart, charts_for

__all__ = ["Panel", "static_html", "group_ticks"]

_UNIT_LABEL = {"percent": "%", "bytes": "bytes", "count": "tasks", "rate": "per second",
               "ms": "ms", "celsius": "°C", "watts": "W"}
WIDTH, HEIGHT = 340, 210


def _time_axis(fig: Any, formatter: Any) -> None:
    """Time ticks that never run into each other: at most three, each a whole clock time,
    set at a slant so two wide labels still stand apart."""
    fig.xaxis.formatter = formatter(
        seconds="%H:%M:%S", minsec="%H:%M:%S", minutes="%H:%M", hourmin="%H:%M",
        hours="%H:%M", context=None)
    fig.xaxis.ticker.desired_num_ticks = 3
    fig.xaxis.major_label_orientation = 0.5
    fig.xaxis.major_label_text_font_size = "8pt"


def group_ticks(samples: Iterable[Sample]) -> list[tuple[float, list[Sample]]]:
    """Samples grouped by tick (all rows of a tick share its time), in time order."""
    ticks: dict[float, list[Sample]] = defaultdict(list)
    for s in samples:
        ticks[s.time].append(s)
    return sorted(ticks.items())


class Panel:
    """The figures of some sources, with the sources' entities taken from ``first`` (the
    first tick's samples). ``window`` is the number of points each line keeps."""

    def __init__(self, first: Sequence[Sample], *, window: int, title: str | None = None,
                 sources: Sequence[str] | None = None) -> None:
        self.window = max(int(window), 2)
        self.title = title
        entities: dict[str, set[str]] = defaultdict(set)
        for s in first:
            entities[s.source].add(s.entity)
        order = list(sources) if sources else list(SOURCE_TITLES)
        self.sources = [src for src in order if src in entities] + sorted(
            src for src in entities if src not in order)
        self._time: dict[str, tuple[Any, list[tuple[str, Any]]]] = {}
        self._bars: list[tuple[str, BarChart, Any, Any]] = []
        self._models: dict[str, Any] = {}
        self.layout = self._build(entities)

    # -- building ---------------------------------------------------------------------
    def _build(self, entities: dict[str, set[str]]) -> Any:
        # Only plots, no Div or other widget models: the core BokehJS bundle then renders
        # it all, which keeps the inline JavaScript of every output to that one bundle.
        from bokeh.layouts import column, row
        from bokeh.plotting import figure

        blocks = []
        for source in self.sources:
            heading = SOURCE_TITLES.get(source, source)
            figures = [self._figure(source, i, chart, heading)
                       for i, chart in enumerate(charts_for(source, entities[source]))]
            for start in range(0, len(figures), 3):
                blocks.append(row(*figures[start:start + 3]))
        if not blocks:
            empty = figure(title="nothing to show: no source produced samples",
                           width=WIDTH, height=60, toolbar_location=None)
            empty.axis.visible = False
            blocks.append(empty)
        return column(*blocks, name="stratum-monitor-root")

    def _figure(self, source: str, index: int, chart: TimeChart | BarChart,
                heading: str) -> Any:
        from bokeh.models import (
            ColumnDataSource,
            DatetimeTickFormatter,
            FactorRange,
            Legend,
            LegendItem,
            NumeralTickFormatter,
        )
        from bokeh.palettes import Category10_10
        from bokeh.plotting import figure

        name = f"{source}-{index}"
        if isinstance(chart, TimeChart):
            ts_name = f"ts-{source}"
            if source not in self._time:
                cds = ColumnDataSource({"time": []}, name=ts_name)
                self._time[source] = (cds, [])
                self._models[ts_name] = cds
            cds, columns = self._time[source]
            # The toolbar above its own chart (at the right it sat between two charts).
            fig = figure(title=f"{heading}: {chart.title}", x_axis_type="datetime",
                         width=WIDTH, height=HEIGHT, toolbar_location="above",
                         tools="pan,wheel_zoom,box_zoom,reset,save", name=f"fig-{name}")
            items = []
            for j, series in enumerate(chart.series):
                key = f"c{index}_{j}"
                cds.data[key] = []
                columns.append((key, series))
                line = fig.line("time", key, source=cds, line_width=2,
                                color=Category10_10[j % 10])
                items.append(LegendItem(label=series.label[:40] or " ", renderers=[line]))
            fig.toolbar.autohide = True
            _time_axis(fig, DatetimeTickFormatter)
            if len(items) > 1:  # below the plot, never over the lines
                fig.height = HEIGHT + 22 * len(items)
                fig.add_layout(Legend(items=items, orientation="vertical",
                                      label_text_font_size="8pt", spacing=0, padding=2,
                                      margin=2, border_line_alpha=0), "below")
        else:
            bar_name, range_name = f"bar-{name}", f"range-{name}"
            cds = ColumnDataSource({"entity": [], "value": []}, name=bar_name)
            y_range = FactorRange(factors=[], name=range_name)
            fig = figure(title=f"{heading}: {chart.title}", y_range=y_range, width=WIDTH,
                         height=HEIGHT, tools="save", toolbar_location=None, name=f"fig-{name}")
            fig.hbar(y="entity", right="value", height=0.8, source=cds, color="#1f77b4")
            fig.x_range.start = 0
            self._bars.append((source, chart, bar_name, range_name))
            self._models[bar_name] = cds
            self._models[range_name] = y_range
        if chart.unit == "bytes":
            axis = fig.yaxis if isinstance(chart, TimeChart) else fig.xaxis
            axis.formatter = NumeralTickFormatter(format="0.0 b")
        if isinstance(chart, TimeChart):
            fig.yaxis.axis_label = _UNIT_LABEL.get(chart.unit, chart.unit)
            if chart.unit in ("percent", "bytes", "count", "rate"):
                fig.y_range.start = 0
        return fig

    # -- updating ---------------------------------------------------------------------
    def ops(self, ticks: Sequence[tuple[float, Sequence[Sample]]], *,
            rollover: bool = True) -> list[dict[str, Any]]:
        """The updates that bring the figure up to date with these ticks (oldest first)."""
        if not ticks:
            return []
        out: list[dict[str, Any]] = []
        for source, (cds, columns) in self._time.items():
            data: dict[str, list] = {"time": []}
            data.update({key: [] for key, _ in columns})
            for when, samples in ticks:
                index = _index(samples, source)
                data["time"].append(when * 1000.0)
                for key, series in columns:
                    data[key].append(_value(index, series))
            out.append({"kind": "stream", "target": cds.name, "data": data,
                        "rollover": self.window if rollover else None})
        last = ticks[-1][1]
        for source, chart, bar_name, range_name in self._bars:
            pairs = [(s.entity, _clean(s.value)) for s in last
                     if s.source == source and s.metric == chart.metric and chart.accept(s.entity)]
            pairs.sort(key=lambda p: _natural(p[0]), reverse=True)  # first on top
            entities = [p[0] for p in pairs]
            out.append({"kind": "replace", "target": bar_name,
                        "data": {"entity": entities, "value": [p[1] for p in pairs]}})
            out.append({"kind": "factors", "target": range_name, "factors": entities})
        return out

    def snapshot_ops(self) -> list[dict[str, Any]]:
        """Ops that set every model of a view to this figure's current data (for a view
        that joins late, e.g. a reloaded page)."""
        ops: list[dict[str, Any]] = []
        for name, model in self._models.items():
            if hasattr(model, "factors"):
                ops.append({"kind": "factors", "target": name, "factors": list(model.factors)})
            else:
                ops.append({"kind": "replace", "target": name,
                            "data": {k: list(v) for k, v in model.data.items()}})
        return ops

    def apply(self, ops: Iterable[dict[str, Any]]) -> None:
        """Apply ops to the kernel-side figure."""
        for op in ops:
            model = self._models.get(op["target"])
            if model is None:
                continue
            if op["kind"] == "stream":
                model.stream(op["data"], rollover=op.get("rollover"))
            elif op["kind"] == "replace":
                model.data = op["data"]
            elif op["kind"] == "factors":
                model.factors = list(op["factors"])

    def points(self) -> int:
        """Points in the kernel-side time series (the length of the first one)."""
        for cds, _ in self._time.values():
            return len(cds.data["time"])
        return 0

    def feed(self, samples: Iterable[Sample]) -> Panel:
        """Plot every sample at once (no rolling window): a record's static figure."""
        self.apply(self.ops(group_ticks(samples), rollover=False))
        return self


def _index(samples: Sequence[Sample], source: str) -> dict[tuple[str, str], float]:
    return {(s.entity, s.metric): s.value for s in samples if s.source == source}


def _value(index: dict[tuple[str, str], float], series: Any) -> float | None:
    if series.entity != "*":
        return _clean(index.get((series.entity, series.metric)))
    values = [v for (_, metric), v in index.items()
              if metric == series.metric and not math.isnan(v)]
    if not values:
        return None
    total = sum(values)
    return total / len(values) if series.agg == "mean" else total


def _clean(value: float | None) -> float | None:
    """NaN as None: JSON has no NaN, and BokehJS draws a null as a gap."""
    return None if value is None or math.isnan(value) else value


def _natural(name: str) -> tuple:
    from .charts import _natural as natural

    return natural(name)


def static_html(layout: Any, title: str | None = None) -> str:
    """The figure as an HTML fragment with BokehJS inline (no CDN): a notebook output that
    renders with no network, as a static snapshot."""
    import html

    from bokeh.embed import components
    from bokeh.resources import Resources

    script, div = components(layout)
    js = Resources(mode="inline", components=["bokeh"]).render_js()
    head = f"<h4>{html.escape(title)}</h4>\n" if title else ""
    return f'<div class="stratum-monitor-static">{head}{js}\n{div}\n{script}</div>'
