"""A monitoring notebook, run headless by papermill: it records and leaves a static figure."""

from __future__ import annotations

from pathlib import Path

import nbformat
import psutil
import pytest

from stratum_jupyter.monitor.base import COLUMNS
from stratum_jupyter.monitor.recording import read_record
from stratum_jupyter.notebooks import run_notebook

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).parent / "record.ipynb"  # a papermill fixture notebook


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_papermill_run_records_and_leaves_a_static_figure(tmp_path, monkeypatch, suffix):
    monkeypatch.delenv("STRATUM_FRONTEND", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)  # as when run outside a Jupyter server
    record = tmp_path / f"samples{suffix}"
    out = tmp_path / "out.ipynb"
    duration, interval = 2.0, 0.25
    run_notebook(NOTEBOOK, out, {"record": str(record), "duration": duration,
                                 "interval": interval}, kernel_name="python3", cwd=tmp_path,
                 timeout=120)
    nb = nbformat.read(out, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "%stratum_monitor" in c.source)
    html = [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
    assert len(html) == 1
    figure = html[0]
    assert "stratum-monitor-static" in figure and "Bokeh.embed.embed_items" in figure
    assert "cdn.bokeh.org" not in figure  # BokehJS is inline
    assert not [o for o in cell.outputs if "application/vnd.jupyter.widget-view+json"
                in o.get("data", {})]  # papermill has no live frontend: no live widget
    # What a viewer without widgets shows: the text form (what was watched, the latest
    # values, where it recorded), as text/plain of the figure and of the Python API's cells.
    (text,) = [o["data"]["text/plain"] for o in cell.outputs if "text/html" in o.get("data", {})]
    assert text.startswith("Stratum monitor (stopped, a sample every 0.25 s, ")
    assert f"\nrecording to {record} (" in text and "\n  kernel: cpu " in text
    api = [c for c in nb.cells if c.cell_type == "code" and "panel" in c.source]
    shown = [o["data"]["text/plain"] for c in api for o in c.outputs if "data" in o]
    assert [t.split(" (")[0] for t in shown] == ["Stratum monitor 'kernel'"] * 2
    assert "(running, " in shown[0] and "(stopped, " in shown[1]
    assert "\n  host: cpu " in shown[1] and "not recording" in shown[1]
    frame = read_record(record)
    assert list(frame.columns) == list(COLUMNS)
    ticks = frame["time"].nunique()
    assert ticks >= int(duration / interval * 0.75)  # 9 expected; a busy machine may slip
    per_tick = 6 + psutil.cpu_count()  # host mean, each core, memory x2, kernel tree x4
    assert len(frame) >= ticks * per_tick
    assert set(frame["source"]) == {"kernel"}
    assert {"cpu_percent", "memory_used_bytes", "rss_bytes", "tree_rss_bytes"} <= set(
        frame["metric"])
