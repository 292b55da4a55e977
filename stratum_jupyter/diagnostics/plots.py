"""Bokeh figures of the diagnostics, drawn from their tidy frames (:meth:`Diagnostics.frames`
or the saved ``diagnostics/*.json``), in the monitor's look: Category10 colours, the
pan/zoom/save tools hidden until hovered, axes named with units, legends to the right of
the data, class labels as the user's own. Only plots (no widgets): the core BokehJS bundle
renders them, inline.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

WIDTH, HEIGHT = 460, 340
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"
MAX_POINTS = 5000  # scatter plots of more rows show an even sample of them
MAX_CONFIGS = 20  # the fold spread shows the best configurations


def _colors(n: int) -> list[str]:
    from bokeh.palettes import Category10_10

    return [Category10_10[i % 10] for i in range(n)]


def _figure(title: str, x_label: str, y_label: str, **kwargs: Any) -> Any:
    from bokeh.plotting import figure

    fig = figure(title=title, width=kwargs.pop("width", WIDTH),
                 height=kwargs.pop("height", HEIGHT), tools=TOOLS, toolbar_location="right",
                 x_axis_label=x_label, y_axis_label=y_label, **kwargs)
    fig.toolbar.autohide = True
    return fig


def _legend_outside(fig: Any) -> Any:
    """The legend to the right of the plot area, where it covers no data."""
    if fig.legend:
        legend = fig.legend[0]
        fig.add_layout(legend, "right")
        legend.label_text_font_size = "8pt"
        legend.click_policy = "hide"
    return fig


def _diagonal(fig: Any, low: float = 0.0, high: float = 1.0, label: str = "") -> None:
    kw = {"legend_label": label} if label else {}
    fig.line([low, high], [low, high], line_dash="dashed", color="#888888", **kw)


def _curve_plot(frame: Any, x: str, y: str, title: str, x_label: str, y_label: str,
                diagonal: str = "", area: str = "AUC") -> Any:
    fig = _figure(title, x_label, y_label, x_range=(0, 1.02), y_range=(0, 1.02))
    classes = list(dict.fromkeys(frame["class"]))
    for color, label in zip(_colors(len(classes)), classes, strict=True):
        part = frame[frame["class"] == label]
        name = f"{label} ({area} {part['auc'].iloc[0]:.3f})" if "auc" in part else str(label)
        fig.line(list(part[x]), list(part[y]), color=color, line_width=2, legend_label=name)
        if len(part) <= 20:  # a few bins: mark them
            fig.scatter(list(part[x]), list(part[y]), color=color, size=6, legend_label=name)
    if diagonal:
        _diagonal(fig, label=diagonal)
    return _legend_outside(fig)


def confusion_matrix(frame: Any) -> Any:
    from bokeh.models import ColumnDataSource, LinearColorMapper
    from bokeh.palettes import Blues256

    labels = [str(v) for v in dict.fromkeys(frame["actual"])]
    data = {"actual": [str(v) for v in frame["actual"]],
            "predicted": [str(v) for v in frame["predicted"]],
            "count": list(frame["count"]),
            "fraction": [0.0 if math.isnan(v) else v for v in frame["fraction"]]}
    data["text"] = [f"{c}\n{f:.0%}" for c, f in zip(data["count"], data["fraction"],
                                                    strict=True)]
    data["text_color"] = ["white" if f > 0.6 else "black" for f in data["fraction"]]
    size = max(HEIGHT, 60 * len(labels) + 100)
    fig = _figure("Confusion matrix (out-of-fold; share of each actual class)",
                  "predicted", "actual", x_range=labels, y_range=labels[::-1],
                  width=size + 60, height=size)
    mapper = LinearColorMapper(palette=list(reversed(Blues256)), low=0, high=1)
    source = ColumnDataSource(data)
    fig.rect("predicted", "actual", width=1, height=1, source=source,
             fill_color={"field": "fraction", "transform": mapper}, line_color="white")
    fig.text("predicted", "actual", text="text", source=source, text_align="center",
             text_baseline="middle", text_color="text_color", text_font_size="9pt")
    fig.xaxis.major_label_orientation = 0.6 if max(map(len, labels)) > 6 else 0
    fig.grid.visible = False
    return fig


def roc_curve(frame: Any) -> Any:
    return _curve_plot(frame, "fpr", "tpr", "ROC curve", "false positive rate",
                       "true positive rate", diagonal="chance")


def precision_recall_curve(frame: Any) -> Any:
    return _curve_plot(frame, "recall", "precision", "Precision-recall curve", "recall",
                       "precision", area="AP")


def calibration_curve(frame: Any) -> Any:
    return _curve_plot(frame, "mean_predicted", "fraction_positive", "Calibration curve",
                       "mean predicted probability", "fraction of positives",
                       diagonal="perfectly calibrated")


def threshold_table(frame: Any) -> Any:
    fig = _figure("Scores by threshold (a row is positive from the threshold up)",
                  "threshold of the positive score", "score", y_range=(0, 1.02))
    for color, column in zip(_colors(4), ("precision", "recall", "f1", "accuracy"),
                             strict=True):
        fig.line(list(frame["threshold"]), list(frame[column]), color=color, line_width=2,
                 legend_label=column)
    return _legend_outside(fig)


def _sample(frame: Any) -> Any:
    return frame if len(frame) <= MAX_POINTS else frame.iloc[
        :: math.ceil(len(frame) / MAX_POINTS)]


def predicted_vs_actual(frame: Any) -> Any:
    part = _sample(frame)
    fig = _figure("Predicted against actual (out-of-fold)", "actual", "predicted")
    fig.scatter(list(part["actual"]), list(part["predicted"]), size=4, alpha=0.5,
                legend_label="rows")
    low = float(min(part["actual"].min(), part["predicted"].min()))
    high = float(max(part["actual"].max(), part["predicted"].max()))
    _diagonal(fig, low, high, "predicted = actual")
    return _legend_outside(fig)


def residuals(frame: Any) -> Any:
    part = _sample(frame)
    fig = _figure("Residuals against predicted (out-of-fold)", "predicted",
                  "residual (actual - predicted)")
    fig.scatter(list(part["predicted"]), list(part["residual"]), size=4, alpha=0.5)
    fig.line([float(part["predicted"].min()), float(part["predicted"].max())], [0, 0],
             line_dash="dashed", color="#888888")
    return fig


def residual_distribution(frame: Any) -> Any:
    fig = _figure("Residual distribution", "residual (actual - predicted)", "rows")
    fig.quad(left=list(frame["left"]), right=list(frame["right"]), bottom=0,
             top=list(frame["count"]), line_color="white")
    fig.y_range.start = 0
    return fig


def _hbar(labels: list[str], values: list[float], title: str, x_label: str,
          y_label: str) -> Any:
    fig = _figure(title, x_label, y_label, y_range=labels[::-1],
                  height=max(HEIGHT, 24 * len(labels) + 90))
    fig.hbar(y=labels, right=values, height=0.7)
    return fig


def cluster_sizes(frame: Any) -> Any:
    return _hbar([str(c) for c in frame["cluster"]], list(frame["size"]),
                 "Cluster sizes (out-of-fold rows)", "rows", "cluster")


def silhouette_by_cluster(frame: Any) -> Any:
    fig = _hbar([str(c) for c in frame["cluster"]], list(frame["mean"]),
                "Mean silhouette by cluster (min to max as whiskers)", "silhouette",
                "cluster")
    fig.segment(x0=list(frame["min"]), x1=list(frame["max"]),
                y0=[str(c) for c in frame["cluster"]], y1=[str(c) for c in frame["cluster"]],
                color="#333333")
    return fig


def fold_spread(frame: Any, metric: str | None = None) -> Any:
    """Each configuration's fold scores of ``metric`` (default: the first), the best
    :data:`MAX_CONFIGS` configurations, the best at the top."""
    metric = metric or str(frame["metric"].iloc[0])
    ranks = sorted(set(frame["rank"]))[:MAX_CONFIGS]  # also one row ranked below them
    part = frame[(frame["metric"] == metric) & frame["rank"].isin(ranks)]
    labels = [f"{r}. {c}"[:60] for r, c in dict.fromkeys(zip(part["rank"], part["config"],
                                                             strict=True))]
    ys = [f"{r}. {c}"[:60] for r, c in zip(part["rank"], part["config"], strict=True)]
    fig = _figure(f"{metric} on each fold, by configuration", metric, "configuration",
                  y_range=labels[::-1], width=WIDTH + 160,
                  height=max(HEIGHT, 22 * len(labels) + 90))
    fig.scatter(list(part["value"]), ys, size=7, alpha=0.6, legend_label="a fold")
    means = part.groupby(["rank", "config"], sort=True)["value"].mean()
    fig.scatter(list(means), labels, marker="diamond", size=12, color="#d62728",
                legend_label="mean")
    return _legend_outside(fig)


def importance_summary(frame: Any) -> Any:
    labels = [str(c) for c in frame["column"]]
    fig = _hbar(labels, list(frame["mean"]),
                "Permutation importance (fold means: whiskers)",
                "drop of the score when the column is shuffled", "column")
    fig.segment(x0=list(frame["fold_min"]), x1=list(frame["fold_max"]), y0=labels,
                y1=labels, color="#333333")
    return fig


def shap_summary(frame: Any) -> Any:
    return _hbar([str(c) for c in frame["column"]], list(frame["mean_abs"]),
                 "SHAP values of the best model (mean absolute, by column)",
                 "mean |SHAP value| (the model's output units)", "column")


# Frame name -> the figures drawn from it, in the report's order.
PLOTS: dict[str, tuple[Callable[[Any], Any], ...]] = {
    "confusion_matrix": (confusion_matrix,),
    "roc_curve": (roc_curve,),
    "precision_recall_curve": (precision_recall_curve,),
    "calibration_curve": (calibration_curve,),
    "threshold_table": (threshold_table,),
    "predicted_vs_actual": (predicted_vs_actual, residuals),
    "residual_distribution": (residual_distribution,),
    "cluster_sizes": (cluster_sizes,),
    "silhouette_by_cluster": (silhouette_by_cluster,),
    "importance_summary": (importance_summary,),
    "shap_summary": (shap_summary,),
    "fold_spread": (fold_spread,),
}


def figures(frames: dict[str, Any]) -> list[tuple[str, Any]]:
    """(frame name, figure) for every non-empty frame that has a plot, in report order."""
    out = []
    for name, draws in PLOTS.items():
        frame = frames.get(name)
        if frame is None or frame.empty:
            continue
        for draw in draws:
            fig = draw(frame)
            fig.name = draw.__name__  # what tests and tools find the plot by
            out.append((name, fig))
    return out
