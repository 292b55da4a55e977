"""The paper's panels (profiling/panels.py): (a) latency, (b) host CPU, (c) host memory per
model and configuration, from profiles' results; labels name what varies; BokehJS inline."""

import math

import pandas as pd
import pytest

from stratum_jupyter.profiling.grid import ProfileError
from stratum_jupyter.profiling.measure import ROW_COLUMNS
from stratum_jupyter.profiling.panels import panels, read_results


def results(model, cpus_list, failed=()):
    rows = []
    for cpus in cpus_list:
        row = dict.fromkeys(ROW_COLUMNS)
        ok = cpus not in failed
        row.update(model=model, runner="local", cpus=cpus, memory_bytes=2**32, threads=2,
                   workers=1, batch_size=1, concurrency=2, max_batch=1, batch_wait_ms=0.0,
                   status="ok" if ok else "failed", error=None if ok else "out of memory",
                   p50_ms=40.0 / cpus if ok else None, p95_ms=50.0 / cpus if ok else None,
                   p99_ms=60.0 / cpus if ok else None, cpu_percent=95.0 * cpus if ok else None,
                   peak_memory_bytes=700 * 2**20 if ok else None, rate_rps=math.nan)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(ROW_COLUMNS))


def test_panels_of_two_models(tmp_path):
    first = results("Xception", [1, 2])
    second = results("InceptionResNetV2", [1, 2], failed={1})
    second.to_csv(tmp_path / "results.csv", index=False)
    drawn = panels([first, tmp_path])  # a table and a profile's --out folder
    assert drawn.table["config"].tolist() == ["1 cpu", "2 cpu"] * 2  # only cpus varies
    figures = {child[0].name: child[0] for child in drawn.layout.children}  # (fig, row, col)
    assert set(figures) == {"p50_ms", "cpu_percent", "peak_memory_bytes"}
    bars = figures["peak_memory_bytes"].renderers[0].data_source.data
    assert list(bars["y"]) == [700.0] * 3  # MiB; the failed configuration has no bar
    assert list(bars["x"]) == [("1 cpu", "Xception"), ("2 cpu", "Xception"),
                               ("2 cpu", "InceptionResNetV2")]
    page = drawn.save(tmp_path / "figure.html").read_text()
    assert "(a) latency" in page and "(b) host CPU" in page and "(c) host memory" in page
    assert "cdn.bokeh.org" not in page and "<script" in drawn._repr_html_()


def test_panels_mistakes(tmp_path):
    with pytest.raises(ProfileError, match="is not a profile's results table"):
        read_results(tmp_path)
    with pytest.raises(ProfileError, match="no measured configuration"):
        panels(results("m", []))
