"""The functions other features call: show_panel, workers_panel, service_panel."""

from __future__ import annotations

import json
import time

import pytest
from IPython.utils.capture import capture_output

from stratum_jupyter.monitor import (
    MonitorError,
    make_samplers,
    plot_record,
    service_panel,
    show_panel,
    stop_all,
    workers_panel,
)
from stratum_jupyter.monitor.api import has_live_frontend


@pytest.fixture(autouse=True)
def _stop():
    yield
    stop_all()


@pytest.mark.slow
def test_workers_panel_is_a_widget_to_place_beside_a_leaderboard(dask_client):
    monitor = workers_panel(dask_client, interval=0.2, window=10, live=True, display=False)
    try:
        assert monitor.live and monitor.running
        widget = monitor.widget
        assert type(widget).__name__ == "LivePanelWidget"  # an ipywidget: fits in an HBox
        time.sleep(0.7)
        assert widget.panel.points() >= 3
        assert '"ts-workers"' in widget._doc
    finally:
        monitor.stop()
    assert widget.running is False


def test_service_panel_headless_context_manager_leaves_the_figure(metrics_server, tmp_path):
    from IPython.testing import globalipapp

    globalipapp.start_ipython()  # a shell for display() to publish to
    url, _ = metrics_server
    bundle = tmp_path / "svc"
    bundle.mkdir()
    (bundle / "deploy.json").write_text(json.dumps({"url": url}))
    with capture_output() as out:
        with service_panel(bundle, interval=0.1, live=False) as monitor:
            time.sleep(0.35)
    assert not monitor.running and len(monitor.ticks) >= 3
    assert {s.entity for s in monitor.samples} == {"svc"}
    html = [o.data["text/html"] for o in out.outputs if "text/html" in o.data]
    assert len(html) == 1 and "Service " in html[0]


def test_sources_may_be_names_urls_or_samplers(metrics_server):
    url, _ = metrics_server
    monitor = show_panel(["kernel", url], interval=0.1, live=False)
    monitor.stop()
    assert {s.source for s in monitor.samples} == {"kernel", "service"}
    with pytest.raises(MonitorError, match="42 is not a source"):
        show_panel([42], live=False)


def test_default_sources_never_import_dask_to_look(monkeypatch):
    import sys

    names = [type(s).__name__ for s in make_samplers()]
    assert names[0] == "KernelSampler"
    if "distributed" not in sys.modules:
        assert "WorkersSampler" not in names


def test_frontend_detection(monkeypatch):
    monkeypatch.setenv("STRATUM_FRONTEND", "live")
    assert has_live_frontend(object())
    monkeypatch.setenv("STRATUM_FRONTEND", "record")
    assert not has_live_frontend(object())
    monkeypatch.delenv("STRATUM_FRONTEND")
    monkeypatch.setenv("JPY_SESSION_NAME", "/tmp/x.ipynb")
    assert not has_live_frontend(object())  # terminal IPython / plain Python: no kernel

    class Kernel:
        def __init__(self, metadata):
            self.metadata = metadata

        def get_parent(self, channel="shell"):
            return {"metadata": self.metadata}

    class Shell:
        def __init__(self, metadata):
            self.kernel = Kernel(metadata)

    assert has_live_frontend(Shell({}))  # a kernel a Jupyter server started for a notebook
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert not has_live_frontend(Shell({}))  # papermill / nbclient
    assert has_live_frontend(Shell({"cellId": "abc"}))  # JupyterLab names its cells


def test_plot_record(tmp_path):
    from stratum_jupyter.monitor import KernelSampler, Monitor

    path = tmp_path / "r.csv"
    Monitor([KernelSampler()], interval=0.1, record=path, duration=0.3).start().wait(5)
    layout = plot_record(path, title="run")
    cds = layout.select_one({"name": "ts-kernel"})
    assert len(cds.data["time"]) >= 3


def test_frontend_detection_allow_stdin_and_older_name(monkeypatch):
    """Classic frontends that do not name cells still take input; the older variable name
    (STRATUM_MONITOR_MODE) is still honoured."""
    monkeypatch.delenv("STRATUM_FRONTEND", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)

    class Kernel:
        def get_parent(self, channel="shell"):
            return {"content": {"allow_stdin": True}, "metadata": {}}

    class Shell:
        kernel = Kernel()

    assert has_live_frontend(Shell())
    monkeypatch.setenv("STRATUM_MONITOR_MODE", "record")
    assert not has_live_frontend(Shell())
