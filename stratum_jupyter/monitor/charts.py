"""What to draw for each source: plain data, turned into Bokeh figures by :mod:`.panels`.

Time charts draw one line per series over time (a series picks one entity's metric, or
sums a metric over all entities, such as the workers). Bar charts show the latest value of
a metric per entity (per core, per worker), so entities may come and go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["Series", "TimeChart", "BarChart", "charts_for", "SOURCE_TITLES"]

SOURCE_TITLES = {
    "kernel": "Kernel", "workers": "Dask workers", "gpu": "GPUs",
    "service": "Services", "container": "Containers",
}


@dataclass(frozen=True)
class Series:
    label: str
    entity: str  # "*": aggregate over every entity that reports the metric
    metric: str
    agg: str = "sum"  # for entity "*": "sum" or "mean"


@dataclass(frozen=True)
class TimeChart:
    title: str
    unit: str  # "percent" | "bytes" | "count" | "rate" | "ms" | "celsius" | "watts"
    series: tuple[Series, ...]


@dataclass(frozen=True)
class BarChart:
    title: str
    unit: str
    metric: str
    accept: Callable[[str], bool] = field(default=lambda entity: True)


def charts_for(source: str, entities: Iterable[str]) -> list[TimeChart | BarChart]:
    """The charts of one source, given the entities its first samples named."""
    names = sorted(set(entities), key=_natural)
    builder = _BUILDERS.get(source)
    return builder(names) if builder else []


def _kernel(names: list[str]) -> list[TimeChart | BarChart]:
    return [
        # Both as shares of the whole machine: the kernel's own, and other processes'.
        TimeChart("CPU (of the machine)", "percent",
                  (Series("this kernel and its children", "kernel", "host_share_percent"),
                   Series("other processes", "host", "others_cpu_percent"))),
        TimeChart("Memory", "bytes", (Series("host used", "host", "memory_used_bytes"),
                                      Series("kernel and children RSS", "kernel",
                                             "tree_rss_bytes"))),
        BarChart("CPU per core", "percent", "cpu_percent",
                 accept=lambda e: e.startswith("cpu") and e[3:].isdigit()),
    ]


def _is_worker(entity: str) -> bool:
    return entity != "scheduler"


def _workers(names: list[str]) -> list[TimeChart | BarChart]:
    return [
        TimeChart("Workers CPU (sum)", "percent",
                  (Series("all workers", "*", "cpu_percent"),)),
        TimeChart("Workers memory (sum)", "bytes",
                  (Series("all workers", "*", "memory_bytes"),)),
        TimeChart("Tasks", "count", (Series("executing", "*", "tasks_executing"),
                                     Series("ready", "*", "tasks_ready"))),
        BarChart("CPU per worker", "percent", "cpu_percent", accept=_is_worker),
        BarChart("Memory per worker", "bytes", "memory_bytes", accept=_is_worker),
        BarChart("Tasks executing per worker", "count", "tasks_executing", accept=_is_worker),
    ]


def _per_entity(metrics: list[tuple[str, str, str]]) -> Callable[[list[str]], list]:
    def build(names: list[str]) -> list[TimeChart | BarChart]:
        return [TimeChart(title, unit, tuple(Series(n, n, metric) for n in names))
                for title, unit, metric in metrics]
    return build


_BUILDERS: dict[str, Callable[[list[str]], list[TimeChart | BarChart]]] = {
    "kernel": _kernel,
    "workers": _workers,
    "gpu": _per_entity([("GPU utilisation", "percent", "utilization_percent"),
                        ("GPU memory used", "bytes", "memory_used_bytes"),
                        ("GPU temperature", "celsius", "temperature_celsius"),
                        ("GPU power", "watts", "power_watts")]),
    "service": _per_entity([("Service CPU", "percent", "cpu_percent"),
                            ("Service memory (RSS)", "bytes", "rss_bytes"),
                            ("Requests", "rate", "requests_per_s"),
                            ("Latency (mean)", "ms", "latency_ms")]),
    "container": _per_entity([("Container CPU", "percent", "cpu_percent"),
                              ("Container memory", "bytes", "memory_bytes")]),
}


def _natural(name: str) -> tuple:
    """cpu2 before cpu10."""
    import re

    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                 for p in re.split(r"(\d+)", name))
