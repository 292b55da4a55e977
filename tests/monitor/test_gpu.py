from __future__ import annotations

import time

import pytest

from stratum_jupyter.monitor.gpu import NO_GPU, GPUSampler


def nvml_works() -> bool:
    try:
        import pynvml

        pynvml.nvmlInit()
        pynvml.nvmlShutdown()
        return True
    except Exception:
        return False


HAS_GPU = nvml_works()


@pytest.mark.skipif(HAS_GPU, reason="NVML works here: the missing-NVML path cannot be seen")
def test_missing_nvml_is_one_clear_line_never_an_exception():
    sampler = GPUSampler()
    assert not sampler.available
    assert sampler.message.startswith(NO_GPU + " (")
    assert "\n" not in sampler.message
    assert sampler.sample(time.time()) == []
    sampler.close()
    sampler.close()


@pytest.mark.skipif(not HAS_GPU, reason="no NVIDIA GPU with a working NVML on this machine: "
                                         "the live GPU path is checked on a GPU machine")
def test_live_gpus():  # pragma: no cover - needs a GPU
    sampler = GPUSampler()
    try:
        assert sampler.available, sampler.message
        rows = sampler.sample(time.time())
        entities = sorted({r.entity for r in rows})
        assert entities == [f"gpu{i}" for i in range(len(sampler.names))]
        values = {(r.entity, r.metric): r.value for r in rows}
        assert 0 <= values[("gpu0", "utilization_percent")] <= 100
        assert 0 < values[("gpu0", "memory_used_bytes")] <= values[("gpu0",
                                                                   "memory_total_bytes")]
        assert 0 < values[("gpu0", "temperature_celsius")] < 120
    finally:
        sampler.close()
