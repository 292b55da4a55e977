"""The monitor as readable text: what a frontend without widgets shows (plain IPython, a
notebook viewer, a papermill output) in place of the live panel, and the plain-text part of
every monitor output. Says what the monitor watches, the latest value of each metric and
where it records."""

from __future__ import annotations

import math
import re
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from .base import Sample
from .charts import SOURCE_TITLES

if TYPE_CHECKING:
    from .session import Monitor

__all__ = ["monitor_text", "value_text", "latest_lines"]

NOTE = ("(the text form of the live monitor: in JupyterLab or Jupyter Notebook 7 it shows "
        "charts; %stratum_monitor --stop stops it, monitor.figure() draws what it kept)")
MAX_ENTITIES = 12  # lines of latest values; the record file keeps everything
_CORE = re.compile(r"cpu\d+")
# A metric's unit is the end of its name (see base.Sample): the suffix and how to show it.
_UNITS = (("_percent", " %"), ("_ms", " ms"), ("_per_s", "/s"), ("_celsius", " \u00b0C"),
          ("_watts", " W"))
# The kernel sampler's shares (see kernel.KernelSampler._shares) in words.
_NAMES = {"others_cpu_percent": "other processes' cpu",
          "host_share_percent": "share of the machine", "tree_rss_bytes": "rss with children"}
# What an entity is, before its name (the kernel's "host" and "kernel" need no word).
_KINDS = {"workers": "worker ", "gpu": "", "service": "service ", "container": "container "}


def monitor_text(monitor: Monitor) -> str:
    """Several short lines: the monitor's state and pace, what it watches, the latest value
    of each metric (per source and entity; the cores of a host as one line), where it
    records, what could not be watched and the first error of each source."""
    state = "running" if monitor.running else "stopped"
    title = f" {monitor.title!r}" if monitor.title else ""
    lines = [f"Stratum monitor{title} ({state}, a sample every {monitor.interval:g} s, "
             f"{len(monitor.ticks)} tick(s) so far)"]
    watched = [s.describe() for s in monitor.samplers]
    lines.append("watching: " + ("; ".join(watched) if watched else "nothing"))
    lines += [f"not watched: {note}" for note in monitor.notes]
    ticks = list(monitor.ticks)
    if ticks:
        when, rows = ticks[-1]
        lines.append(f"latest values ({time.strftime('%H:%M:%S', time.localtime(when))}):")
        lines += ["  " + line for line in latest_lines(rows)]
    else:
        lines.append("no values yet")
    recorder = monitor.recorder
    if recorder is not None:
        where = str(recorder.path) if recorder.path is not None else "a stream"
        lines.append(f"recording to {where} ({recorder.rows} row(s) so far)")
    else:
        lines.append("not recording (--record FILE keeps every sample)")
    lines += [f"warning: {what}: {error}" for what, error in monitor.errors.items()]
    lines.append(NOTE)
    return "\n".join(lines)


def latest_lines(rows: list[Sample]) -> list[str]:
    """One line per source and entity: ``kernel: cpu 12.0 %, rss 210.3 MiB``, ``worker
    tcp://...: ...``; the per-core rows of a host as ``cores (8): mean 35.0 %, busiest
    80.0 %``."""
    entities: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    cores: dict[str, list[float]] = defaultdict(list)
    for s in rows:
        if _CORE.fullmatch(s.entity) and s.metric == "cpu_percent":
            cores[s.source].append(s.value)
        else:
            entities[(s.source, s.entity)].append(s)
    lines = []
    for (source, entity), samples in entities.items():
        values = ", ".join(f"{_label(s.metric)} {value_text(s.metric, s.value)}"
                           for s in samples)
        lines.append(f"{_name(source, entity)}: {values}")
        if source in cores and entity == "host":  # the host's cores after the host
            lines.append(_cores_line(source, cores.pop(source)))
    lines += [_cores_line(source, values) for source, values in cores.items()]
    if len(lines) > MAX_ENTITIES:
        lines = [*lines[:MAX_ENTITIES], f"... and {len(lines) - MAX_ENTITIES} more"]
    return lines


def _name(source: str, entity: str) -> str:
    if source == "kernel" or entity == "scheduler":
        return entity
    return _KINDS.get(source, f"{SOURCE_TITLES.get(source, source)} ") + entity


def _cores_line(source: str, values: list[float]) -> str:
    finite = [v for v in values if math.isfinite(v)]
    where = "cores" if source == "kernel" else f"{SOURCE_TITLES.get(source, source)} cores"
    if not finite:
        return f"{where} ({len(values)}): n/a"
    return (f"{where} ({len(values)}): mean {sum(finite) / len(finite):.1f} %, busiest "
            f"{max(finite):.1f} %")


def _label(metric: str) -> str:
    """``memory_used_bytes`` -> ``memory used``: the metric without its unit."""
    if metric in _NAMES:
        return _NAMES[metric]
    for suffix in ("_bytes", *(s for s, _ in _UNITS)):
        if metric.endswith(suffix) and metric != suffix.lstrip("_"):
            metric = metric[: -len(suffix)]
            break
    return metric.replace("_", " ")


def value_text(metric: str, value: float) -> str:
    """A sample's value in its unit (from the metric's name): ``12.0 %``, ``1.5 GiB``,
    ``3.2 ms``, ``up``/``down``; ``n/a`` for a value that could not be read."""
    if not math.isfinite(value):
        return "n/a"
    if metric == "up":
        return "up" if value else "down"
    if metric.endswith("_bytes"):
        return _bytes(value)
    for suffix, unit in _UNITS:
        if metric.endswith(suffix):
            return f"{value:.1f}{unit}" if suffix != "_per_s" else f"{value:.2f}{unit}"
    return str(int(value)) if value == int(value) else f"{value:.3g}"


def _bytes(value: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
