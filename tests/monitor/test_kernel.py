from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil

from stratum_jupyter.monitor.kernel import KernelSampler

BUSY = "import time\nend = time.time() + {s}\nwhile time.time() < end: pass\n"


def by_key(rows):
    return {(r.entity, r.metric): r.value for r in rows}


def test_host_and_kernel_rows_match_psutil():
    sampler = KernelSampler()
    time.sleep(0.2)
    rows = sampler.sample(time.time())
    values = by_key(rows)
    assert {r.source for r in rows} == {"kernel"}
    cores = psutil.cpu_count()
    assert [e for e, m in values if m == "cpu_percent" and e.startswith("cpu")] == \
        [f"cpu{i}" for i in range(cores)]
    assert all(0.0 <= values[(f"cpu{i}", "cpu_percent")] <= 100.0 for i in range(cores))
    assert 0.0 <= values[("host", "cpu_percent")] <= 100.0
    total = psutil.virtual_memory().total
    assert values[("host", "memory_total_bytes")] == total
    assert 0 < values[("host", "memory_used_bytes")] < total
    rss = psutil.Process().memory_info().rss
    assert 0.5 * rss < values[("kernel", "rss_bytes")] < 2 * rss
    assert values[("kernel", "tree_rss_bytes")] >= values[("kernel", "rss_bytes")]
    assert values[("kernel", "processes")] >= 1


def test_process_tree_counts_a_busy_child():
    sampler = KernelSampler(tree_refresh=0.0)
    child = subprocess.Popen([sys.executable, "-c", BUSY.format(s=3)])
    try:
        time.sleep(0.3)
        sampler.sample(time.time())  # lists the child, takes its first CPU reading
        time.sleep(1.0)
        values = by_key(sampler.sample(time.time()))
    finally:
        child.kill()
        child.wait()
    assert values[("kernel", "processes")] >= 2
    # a busy loop on a 2-core machine shared with other work: well above idle
    assert values[("kernel", "cpu_percent")] > 25.0
    assert values[("kernel", "tree_rss_bytes")] > values[("kernel", "rss_bytes")]
    # Shares of the whole machine: the kernel's and the rest never add up to more than it.
    cores = len([k for k in values if k[0].startswith("cpu") and k[0][3:].isdigit()])
    share = values[("kernel", "host_share_percent")]
    assert share == min(100.0, values[("kernel", "cpu_percent")] / cores)
    assert values[("host", "others_cpu_percent")] == max(0.0,
                                                         values[("host", "cpu_percent")] - share)


def test_follows_another_process_and_survives_its_end():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        sampler = KernelSampler(pid=child.pid, tree_refresh=0.0)
        values = by_key(sampler.sample(time.time()))
        assert values[("kernel", "processes")] == 1
        assert values[("kernel", "rss_bytes")] > 0
    finally:
        child.kill()
        child.wait()
    rows = sampler.sample(time.time())  # the process is gone: no exception
    assert by_key(rows)[("kernel", "up")] == 0
    assert sampler.describe() == f"kernel: host and process tree of pid {child.pid}"
    assert child.pid != os.getpid()
