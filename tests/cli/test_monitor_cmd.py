from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stratum_jupyter.cli import main
from stratum_jupyter.monitor.base import COLUMNS
from stratum_jupyter.monitor.recording import read_record
from tests.monitor.conftest import metrics_server  # noqa: F401 - a fixture, shared


def test_records_and_writes_a_static_html(tmp_path, capsys):
    record, html = tmp_path / "m.parquet", tmp_path / "m.html"
    rc = main(["monitor", "--kernel", "--gpu", "--interval", "0.25", "--duration", "1",
               "--record", str(record), "--html", str(html)])
    err = capsys.readouterr().err
    assert rc == 0, err
    frame = read_record(record)
    assert list(frame.columns) == list(COLUMNS)
    assert 4 <= frame["time"].nunique() <= 6
    page = html.read_text()
    assert "Bokeh.embed.embed_items" in page and "cdn.bokeh.org" not in page
    assert f"wrote {html}" in err


def test_services_from_a_deploy_bundle(tmp_path, capsys, metrics_server):  # noqa: F811
    url, app = metrics_server
    bundle = tmp_path / "iris"
    bundle.mkdir()
    (bundle / "deploy.json").write_text(json.dumps({"target": "local", "url": url}))
    app.serve(2, 0.005)
    record = tmp_path / "svc.csv"
    rc = main(["monitor", "--services", str(bundle), "--interval", "0.2", "--duration", "0.6",
               "--record", str(record)])
    assert rc == 0, capsys.readouterr().err
    frame = read_record(record)
    assert set(frame["source"]) == {"service"} and set(frame["entity"]) == {"iris"}
    assert (frame[frame.metric == "up"]["value"] == 1).all()


def test_csv_on_stdout_survives_a_closed_pipe():
    done = subprocess.run(
        f"{sys.executable} -m stratum_jupyter monitor --interval 0.2 --duration 5 | head -2",
        shell=True, capture_output=True, text=True, timeout=60)
    lines = done.stdout.splitlines()
    assert lines[0] == ",".join(COLUMNS) and lines[1].split(",")[1] == "kernel"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--interval", "0.01"], "--interval: 0.01 is not allowed"),
    (["--record", "m.xlsx"], "unsupported extension '.xlsx'"),
    (["--services", "http://"], "not a valid URL"),
    (["--pid", "999999999"], "--pid: no process 999999999"),
])
def test_bad_input_exits_2_with_the_reason(capsys, args, message):
    assert main(["monitor", *args]) == 2
    assert message in capsys.readouterr().err
