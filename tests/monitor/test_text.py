"""Where no widget frontend renders (plain IPython, a notebook viewer, papermill), the monitor
is shown as readable text: what it watches, the latest values, where it records (issue 22,
item 6). Run in IPython's own test shell, a real InteractiveShell with no kernel: so no
live frontend, as in terminal IPython."""

from __future__ import annotations

import math
import re

import pytest
from IPython.utils.capture import capture_output

from stratum_jupyter.monitor import KernelSampler, Monitor, read_record, show_panel, stop_all
from stratum_jupyter.monitor.base import Sample
from stratum_jupyter.monitor.text import latest_lines, value_text


@pytest.fixture(autouse=True)
def _headless(monkeypatch):
    monkeypatch.delenv("STRATUM_FRONTEND", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    yield
    stop_all()


def _plain(outputs) -> list[str]:
    return [o.data["text/plain"] for o in outputs if "text/plain" in o.data]


def _assert_text_form(text: str, *, state: str, record=None) -> None:
    lines = text.splitlines()
    assert re.fullmatch(rf"Stratum monitor \({state}, a sample every 0.2 s, \d+ tick\(s\) so "
                        r"far\)", lines[0]), lines[0]
    assert re.fullmatch(r"watching: kernel: host and process tree of pid \d+", lines[1])
    assert re.fullmatch(r"latest values \(\d\d:\d\d:\d\d\):", lines[2])
    kernel = next(line for line in lines if line.startswith("  kernel: "))
    size = r"\d+\.\d [KMG]iB"  # (a test process that has trained models holds GiB)
    assert re.search(rf"cpu \d+\.\d %, rss {size}, rss with children {size}, "
                     r"processes \d+, share of the machine \d+\.\d %", kernel), kernel
    host = next(line for line in lines if line.startswith("  host: "))
    assert re.search(r"cpu \d+\.\d %, memory used \d+\.\d GiB, memory total \d+\.\d GiB, "
                     r"other processes' cpu \d+\.\d %", host), host
    assert re.fullmatch(r"  cores \(\d+\): mean \d+\.\d %, busiest \d+\.\d %",
                        lines[lines.index(host) + 1])
    if record is not None:
        assert re.search(rf"^recording to {re.escape(str(record))} \(\d+ row\(s\) so far\)$",
                         text, re.M)
    else:
        assert "not recording (--record FILE keeps every sample)" in lines
    assert lines[-1].startswith("(the text form of the live monitor")
    assert "LivePanelWidget" not in text and "<Monitor" not in text
    assert len(text) < 2000


def test_magic_with_a_duration_leaves_the_text_form_beside_the_figure(ip, tmp_path):
    record = tmp_path / "kernel.csv"
    with capture_output() as out:
        ip.run_line_magic("stratum_monitor", f"--kernel --interval 0.2 --duration 0.6 "
                          f"--record {record}")
    assert "recorded" in out.stdout  # the summary line
    (figure,) = [o.data for o in out.outputs if "text/html" in o.data]
    _assert_text_form(figure["text/plain"], state="stopped", record=record)
    assert f"({len(read_record(record))} row(s) so far)" in figure["text/plain"]


def test_magic_without_a_duration_says_what_it_records_then_stop_shows_it(ip, tmp_path):
    record = tmp_path / "open.csv"
    with capture_output() as started:
        ip.run_line_magic("stratum_monitor", f"--kernel --interval 0.2 --record {record}")
    assert started.stdout.startswith("no live frontend: recording to ")
    _assert_text_form(started.stdout.split("\n", 1)[1].rstrip("\n"), state="running",
                      record=record)
    monitor = ip.user_ns["_stratum_monitor"]
    formatted, _ = ip.display_formatter.format(monitor)  # `_stratum_monitor` as a cell's value
    _assert_text_form(formatted["text/plain"], state="running", record=record)
    with capture_output() as stopped:
        ip.run_line_magic("stratum_monitor", "--stop")
    assert "stopped " in stopped.stdout
    (figure,) = [o.data for o in stopped.outputs if "text/html" in o.data]
    _assert_text_form(figure["text/plain"], state="stopped", record=record)


def test_python_api_shows_the_text_form_where_no_widget_renders(ip):
    with capture_output() as out:
        monitor = show_panel(["kernel"], interval=0.2, title="my kernel")
    assert monitor.running and not monitor.live and monitor.widget is None
    (shown,) = _plain(out.outputs)
    assert shown.startswith("Stratum monitor 'my kernel' (running, ")
    monitor.stop()
    formatted, _ = ip.display_formatter.format(monitor)
    assert formatted["text/plain"].startswith("Stratum monitor 'my kernel' (stopped, ")
    assert "\n  kernel: cpu " in formatted["text/plain"]
    with capture_output() as quiet:
        show_panel(["kernel"], interval=0.2, display=False).stop()
    assert not quiet.outputs and not quiet.stdout


def test_a_saved_live_panel_reads_as_text_in_a_viewer_without_widgets():
    """A notebook viewer that renders no widget shows the output's text/plain: the live
    panel's is the monitor's text form (not a widget repr)."""
    from stratum_jupyter.monitor.api import attach_widget

    monitor = Monitor([KernelSampler()], interval=0.2)
    monitor.start()
    try:
        widget = attach_widget(monitor, display=False)
        data, _ = widget._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in data
        _assert_text_form(data["text/plain"], state="running")
    finally:
        monitor.stop()
    assert repr(monitor).startswith("<Monitor ")  # the live panel shows it: one line
    assert widget.__repr__().startswith("Stratum monitor (stopped, ")


def test_values_read_in_their_units():
    assert value_text("cpu_percent", 12.345) == "12.3 %"
    assert value_text("rss_bytes", 3 * 1024**2) == "3.0 MiB"
    assert value_text("memory_total_bytes", 16 * 1024**3) == "16.0 GiB"
    assert value_text("latency_ms", 2.25) == "2.2 ms"  # banker's rounding of .25
    assert value_text("requests_per_s", 4) == "4.00/s"
    assert value_text("temperature_celsius", 61) == "61.0 \u00b0C"
    assert value_text("up", 1) == "up" and value_text("up", 0) == "down"
    assert value_text("tasks_executing", 3.0) == "3"
    assert value_text("cpu_percent", math.nan) == "n/a"
    rows = [Sample(1.0, "workers", f"tcp://127.0.0.1:{port}", "cpu_percent", 50.0)
            for port in range(20)]
    lines = latest_lines(rows)
    assert len(lines) == 13 and lines[-1] == "... and 8 more"
    assert lines[0] == "worker tcp://127.0.0.1:0: cpu 50.0 %"
