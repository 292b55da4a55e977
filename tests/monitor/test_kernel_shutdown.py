"""A real kernel that is shut down stops its monitors: nothing left running, record closed."""

from __future__ import annotations

import os
import time

import psutil
import pytest

from stratum_jupyter.monitor.recording import read_record

pytestmark = pytest.mark.slow


def execute(kc, code: str) -> list[dict]:
    msg_id = kc.execute(code)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return outputs
        outputs.append(msg)


@pytest.mark.parametrize("mode", ["live", "record"])
def test_shutdown_kernel_stops_its_monitor(tmp_path, mode):
    from jupyter_client.manager import start_new_kernel

    record = tmp_path / "kernel.parquet"
    env = {**os.environ, "STRATUM_FRONTEND": mode}
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        pid = km.provisioner.pid if km.provisioner else km.kernel.pid
        execute(kc, "%load_ext stratum_jupyter")
        outputs = execute(kc, f"%stratum_monitor --kernel --interval 0.2 --record {record}")
        errors = [m for m in outputs if m["msg_type"] == "error"]
        assert not errors, errors
        kinds = {k for m in outputs for k in m["content"].get("data", {})}
        if mode == "live":
            assert "application/vnd.jupyter.widget-view+json" in kinds
        time.sleep(1.0)
        threads = execute(kc, "import threading; print(sorted(t.name for t in "
                              "threading.enumerate() if t.name.startswith('stratum-monitor')))")
        text = "".join(m["content"].get("text", "") for m in threads)
        assert "stratum-monitor-cell" in text or "stratum-monitor-line" in text
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    frame = read_record(record)  # readable: the kernel closed the Parquet file as it ended
    assert frame["time"].nunique() >= 4
