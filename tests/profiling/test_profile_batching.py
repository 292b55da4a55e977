"""Adaptive batching as a dimension of ``stratum profile``'s grid (issue 24, item 3): the
service runs with each configuration's ``--max-batch``/``--batch-wait-ms``, the results and
profile.json's measured grid record them, and a recommendation that batches becomes the
bundle's ``serving`` block, which the service (and so a rendered deploy bundle) starts with."""

import json

import pandas as pd
import pytest

from stratum_jupyter.cli import main
from stratum_jupyter.deploy.render import plan, render
from stratum_jupyter.serving.server import Settings, serve_in_thread
from tests.servicetools import call

pytestmark = pytest.mark.slow


def test_a_recommended_batching_travels_with_the_bundle(iris_bundle, tmp_path, capsys):
    code = main(["profile", str(iris_bundle), "--out", str(tmp_path / "profile"),
                 "--runner", "local", "--cpus", "1", "--memory", "1g", "--concurrency", "4",
                 "--max-batch", "8", "--batch-wait-ms", "3", "--duration", "1",
                 "--requests", "200", "--slo-p99", "5s", "--rps", "2",
                 "--plot", str(tmp_path / "figure.html")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "threads 2, max batch 8 (wait 3 ms)" in captured.err, captured.err  # recommended
    assert "(c) host memory" in (tmp_path / "figure.html").read_text()  # --plot: the panels
    table = pd.read_csv(tmp_path / "profile" / "results.csv")
    assert table[["max_batch", "batch_wait_ms"]].values.tolist() == [[8, 3.0], [8, 3.0]]
    assert (table["status"] == "ok").all() and (table["errors"] == 0).all(), table["error"]
    assert table["rate_rps"].isna().tolist() == [True, False]  # the grid, then the check
    assert set(table["model"]) == {"model"}  # the bundle folder's name
    profile = json.loads((iris_bundle / "profile.json").read_text())
    grid = profile["resource_profile"]["grid"]  # the measured grid, kept in the bundle
    assert [(g["max_batch"], g["batch_wait_ms"], g["status"]) for g in grid] == [
        (8, 3.0, "ok")]
    assert grid[0]["p99_ms"] > 0 and grid[0]["cpu_percent"] > 0
    assert grid[0]["peak_memory_bytes"] > 30 * 2**20
    rec = profile["rightsizing"]["recommendation"]
    assert (rec["max_batch"], rec["batch_wait_ms"]) == (8, 3.0)
    assert profile["serving"] == {"max_batch": 8, "batch_wait_ms": 3.0}
    server, _ = serve_in_thread(iris_bundle, settings=Settings(host="127.0.0.1", port=0))
    try:
        status, health = call(server.server_address[1], "GET", "/health")
    finally:
        server.shutdown()
    assert status == 200 and health["batching"] == {"max_batch": 8, "batch_wait_ms": 3.0}
    rendered = tmp_path / "deploy"
    render(plan(iris_bundle, "local"), rendered)
    carried = [json.loads(p.read_text()) for p in rendered.rglob("profile.json")]
    assert carried and all(p["serving"] == {"max_batch": 8, "batch_wait_ms": 3.0}
                           for p in carried)
