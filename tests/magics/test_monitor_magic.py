from __future__ import annotations

import threading

import pytest
from IPython.core.error import UsageError
from IPython.testing import globalipapp
from IPython.utils.capture import capture_output

from stratum_jupyter.monitor.recording import read_record
from stratum_jupyter.monitor.session import THREAD_PREFIX, active_monitors, stop_all


@pytest.fixture(scope="module")
def ip():
    globalipapp.start_ipython()  # once per process; later calls return None
    shell = globalipapp.get_ipython()
    shell.run_line_magic("load_ext", "stratum_jupyter")
    return shell


@pytest.fixture(autouse=True)
def _stop(monkeypatch):
    monkeypatch.setenv("STRATUM_FRONTEND", "record")
    yield
    stop_all()
    assert not [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]


def test_help_lists_every_option(ip):
    with capture_output() as out:
        ip.run_line_magic("stratum_monitor", "--help")
    for option in ("--kernel", "--workers", "--gpu", "--services", "--interval", "--window",
                   "--record", "--duration", "--stop"):
        assert option in out.stdout


@pytest.mark.parametrize(("line", "message"), [
    ("--interval 0", "--interval: 0.0 is not allowed"),
    ("--record out.txt", "unsupported extension '.txt'"),
    ("--services nowhere", "'nowhere' is neither a deploy bundle directory nor a URL"),
    ("--duration 0", "--duration: 0.0 is not allowed"),
    ("--pid 999999999", "--pid: no process 999999999"),
])
def test_bad_input_is_a_usage_error(ip, line, message):
    with pytest.raises(UsageError, match=message):
        ip.run_line_magic("stratum_monitor", line)
    assert active_monitors() == []


def test_headless_records_for_duration_and_leaves_a_static_figure(ip, tmp_path):
    path = tmp_path / "rec.parquet"
    with capture_output() as out:
        ip.run_line_magic("stratum_monitor", f"--kernel --gpu --interval 0.2 --duration 1 "
                                             f"--record {path}")
    lines = out.stdout.splitlines()
    gpu_lines = [line for line in lines if "GPU" in line]
    from stratum_jupyter.monitor.gpu import GPUSampler

    if not GPUSampler().available:
        assert len(gpu_lines) == 1 and gpu_lines[0].startswith("no NVIDIA GPU found")
    assert any("recorded" in line and str(path) in line for line in lines)
    html = [o.data["text/html"] for o in out.outputs if "text/html" in o.data]
    assert len(html) == 1 and "stratum-monitor-static" in html[0]
    frame = read_record(path)
    assert 5 <= frame["time"].nunique() <= 7
    assert active_monitors() == []
    assert ip.user_ns["_stratum_monitor"].recorder.rows == len(frame)


def test_open_ended_headless_run_is_replaced_on_rerun_and_stopped(ip, tmp_path):
    line = f"--kernel --interval 0.1 --record {tmp_path / 'a.csv'}"
    with capture_output() as out:
        ip.run_line_magic("stratum_monitor", line)
    assert "until the kernel ends" in out.stdout
    first = ip.user_ns["_stratum_monitor"]
    assert first.running
    ip.run_line_magic("stratum_monitor", line)  # the same cell, run again
    second = ip.user_ns["_stratum_monitor"]
    assert not first.running and second.running and active_monitors() == [second]
    with capture_output() as out:
        ip.run_line_magic("stratum_monitor", "--stop")
    assert "stopped" in out.stdout and not second.running
    assert any("text/html" in o.data for o in out.outputs)  # what it recorded, as a figure


def test_live_mode_shows_a_widget_that_streams(ip, monkeypatch):
    monkeypatch.setenv("STRATUM_FRONTEND", "live")
    with capture_output() as out:
        ip.run_line_magic("stratum_monitor", "--kernel --interval 0.1 --window 5")
    monitor = ip.user_ns["_stratum_monitor"]
    assert monitor.live and monitor.widget is not None
    assert any("application/vnd.jupyter.widget-view+json" in o.data for o in out.outputs)
    import time

    before = monitor.widget.panel.points()
    time.sleep(0.6)
    assert monitor.widget.panel.points() >= before + 3
    monitor.stop()
    assert monitor.widget.running is False
