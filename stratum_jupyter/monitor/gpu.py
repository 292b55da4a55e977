"""NVIDIA GPUs through NVML (the nvidia-ml-py package, imported as ``pynvml``)."""

from __future__ import annotations

from typing import Any

from .base import Sample, Sampler

__all__ = ["GPUSampler", "NO_GPU"]

NO_GPU = "no NVIDIA GPU found"


class GPUSampler(Sampler):
    """Utilisation, memory, temperature and power of every NVIDIA GPU.

    Where NVML is missing (no driver, no GPU, no nvidia-ml-py) the sampler is unavailable,
    with one line in ``message`` saying so, and produces no rows: never an exception.
    """

    source = "gpu"

    def __init__(self) -> None:
        self._nvml: Any = None
        self._handles: list[tuple[str, Any]] = []
        try:
            import pynvml

            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
        except Exception as exc:  # ImportError, NVMLError_LibraryNotFound, DriverNotLoaded...
            self.available = False
            self.message = f"{NO_GPU} ({_reason(exc)})"
            return
        if count == 0:
            pynvml.nvmlShutdown()
            self.available = False
            self.message = f"{NO_GPU} (NVML reports 0 devices)"
            return
        self._nvml = pynvml
        self.names = []
        for i in range(count):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            self._handles.append((f"gpu{i}", handle))
            self.names.append(_text(pynvml.nvmlDeviceGetName(handle)))
        self.message = f"gpu: {count} device(s): {', '.join(self.names)}"

    def describe(self) -> str:
        return self.message or "gpu"

    def sample(self, now: float) -> list[Sample]:
        if not self.available:
            return []
        nv = self._nvml
        rows: list[Sample] = []
        for entity, handle in self._handles:
            rows.append(self._row(now, entity, "utilization_percent",
                                  _try(lambda h=handle: nv.nvmlDeviceGetUtilizationRates(h).gpu)))
            mem = _try(lambda h=handle: nv.nvmlDeviceGetMemoryInfo(h))
            rows.append(self._row(now, entity, "memory_used_bytes", mem and mem.used))
            rows.append(self._row(now, entity, "memory_total_bytes", mem and mem.total))
            rows.append(self._row(now, entity, "temperature_celsius", _try(
                lambda h=handle: nv.nvmlDeviceGetTemperature(h, nv.NVML_TEMPERATURE_GPU))))
            power = _try(lambda h=handle: nv.nvmlDeviceGetPowerUsage(h))  # milliwatts
            rows.append(self._row(now, entity, "power_watts",
                                  None if power is None else power / 1000.0))
        return rows

    def close(self) -> None:
        if self._nvml is not None:
            try:
                self._nvml.nvmlShutdown()
            finally:
                self._nvml = None
                self.available = False


def _try(read: Any) -> Any:
    """One NVML reading, or None where the device does not support it (Jetson, old cards)."""
    try:
        return read()
    except Exception:
        return None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ImportError):
        return "nvidia-ml-py is not installed"
    return str(exc) or type(exc).__name__
