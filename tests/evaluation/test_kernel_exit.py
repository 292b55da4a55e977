"""A kernel that holds the local Dask cluster ends by itself when asked to, promptly, and runs
its exit handlers (a monitor's Parquet record is closed): see evaluation/kernel_exit.py."""

from __future__ import annotations

import os
import time

import pytest

from stratum_jupyter.monitor.recording import read_record

pytestmark = pytest.mark.slow


def test_a_kernel_with_the_local_cluster_shuts_down_by_itself(tmp_path):
    from jupyter_client.manager import start_new_kernel

    record = tmp_path / "kernel.parquet"
    env = {**os.environ, "STRATUM_FRONTEND": "record", "STRATUM_SCHEDULER": ""}
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path),
                              startup_timeout=120)
    try:
        for code in ("%load_ext stratum_jupyter",
                     f"%stratum_monitor --kernel --interval 0.2 --record {record}",
                     "from stratum_jupyter.evaluation import cluster\n"
                     "print(cluster.local_client().status)",
                     "import time; time.sleep(1)"):
            reply = kc.execute_interactive(code, timeout=120)
            assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        # The manager waits this long for the kernel to end by itself, then kills it.
        km.shutdown_wait_time = 20
        start = time.monotonic()
        km.shutdown_kernel(now=False)
        took = time.monotonic() - start
    assert took < 8, f"the kernel did not end by itself (the manager waited {took:.1f} s)"
    frame = read_record(record)  # the monitor's exit hook closed the file
    assert frame["time"].nunique() >= 3
