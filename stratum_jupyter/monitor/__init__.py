"""Live monitoring: samplers (kernel, Dask workers, GPUs, services, containers) behind one
interface, Bokeh panels that stream them, and records (CSV or Parquet).

Everything heavy (Bokeh, psutil, distributed, NVML, docker) loads on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Sample", "Sampler", "MonitorError", "Monitor", "KernelSampler", "WorkersSampler",
    "GPUSampler", "ServiceSampler", "ContainerSampler", "Recorder", "read_record",
    "make_samplers", "show_panel", "workers_panel", "service_panel", "record", "plot_record",
    "has_live_frontend", "stop_all", "active_monitors",
]

_LAZY = {
    "Sample": "base", "Sampler": "base", "MonitorError": "base",
    "Monitor": "session", "stop_all": "session", "active_monitors": "session",
    "KernelSampler": "kernel", "WorkersSampler": "workers", "GPUSampler": "gpu",
    "ServiceSampler": "services", "ContainerSampler": "containers",
    "Recorder": "recording", "read_record": "recording",
    "make_samplers": "api", "show_panel": "api", "workers_panel": "api",
    "service_panel": "api", "record": "api", "plot_record": "api",
    "has_live_frontend": "api",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stratum_jupyter.monitor' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
