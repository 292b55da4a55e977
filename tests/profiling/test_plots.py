"""profile.html's line plots (issue 24's leftover): every configuration of a grid but for
its CPU limit is its own line and legend entry, named by the dimensions that vary (adaptive
batching's max_batch and wait among them), and the settings every line shares are said once
above the plots."""

from __future__ import annotations

import pandas as pd

from stratum_jupyter.profiling.grid import expand
from stratum_jupyter.profiling.measure import ROW_COLUMNS
from stratum_jupyter.profiling.plots import figure, lines, page


def _table(configs):
    """A results table of ``configs`` as measure writes it (one ok row each; the figures
    differ per configuration so that no two lines coincide)."""
    rows = []
    for i, config in enumerate(configs):
        row = dict.fromkeys(ROW_COLUMNS)
        row.update(config.as_dict(), runner="local", status="ok", p99_ms=10.0 + i,
                   p50_ms=5.0 + i, throughput_rps=100.0 + i, cpu_percent=50.0 + i,
                   peak_memory_bytes=(200 + i) * 2**20)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(ROW_COLUMNS))


def test_each_batching_configuration_is_its_own_named_line():
    configs = expand(cpus=["1,2"], memory=["1g"], threads=["2"], batch_size=["1"],
                     concurrency=["8"], max_batch=["1,8"], batch_wait_ms=["2,5"])
    table = _table(configs)
    drawn, shared = lines(table)
    names = [name for name, _ in drawn]
    assert names == ["memory 1g, no batching", "memory 1g, max_batch 8, wait 2 ms",
                     "memory 1g, max_batch 8, wait 5 ms"]
    assert [len(part) for _, part in drawn] == [2, 2, 2]  # one point per CPU limit
    assert shared == ["threads 2", "workers 1", "batch 1", "clients 8"]
    text = page(figure(table), "stratum profile of iris")
    for name in names:  # a legend entry of each line, in each of the 4 panels
        assert text.count(name) >= 4, name
    assert "every line: threads 2, workers 1, batch 1, clients 8" in text


def test_threads_and_memory_limits_separate_lines_too():
    configs = expand(cpus=["1"], memory=["512m,1g"], threads=["1,4"], batch_size=["1"],
                     concurrency=["4"])
    drawn, shared = lines(_table(configs))
    assert [name for name, _ in drawn] == [
        "memory 512m, threads 1", "memory 512m, threads 4",
        "memory 1g, threads 1", "memory 1g, threads 4"]
    assert "threads 1" not in shared and "batch 1" in shared
