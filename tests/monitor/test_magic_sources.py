"""``%stratum_monitor`` headless over real workers and a real service at once."""

from __future__ import annotations

import pytest
from IPython.testing import globalipapp
from IPython.utils.capture import capture_output

from stratum_jupyter.monitor.session import stop_all

pytestmark = pytest.mark.slow


def test_workers_and_services_in_one_static_figure(dask_client, metrics_server, monkeypatch,
                                                   tmp_path):
    monkeypatch.setenv("STRATUM_FRONTEND", "record")
    url, app = metrics_server
    globalipapp.start_ipython()
    ip = globalipapp.get_ipython()
    ip.run_line_magic("load_ext", "stratum_jupyter")
    app.serve(4, 0.002)
    try:
        with capture_output() as out:  # --workers: the current distributed.Client
            ip.run_line_magic("stratum_monitor", f"--workers --services {url} --interval 0.2 "
                                                 f"--duration 0.8 --record {tmp_path / 'm.csv'}")
    finally:
        stop_all()
    monitor = ip.user_ns["_stratum_monitor"]
    assert {s.source for s in monitor.samples} == {"workers", "service"}
    workers = {s.entity for s in monitor.samples if s.source == "workers"} - {"scheduler"}
    assert workers == set(dask_client.scheduler_info()["workers"])
    html = next(o.data["text/html"] for o in out.outputs if "text/html" in o.data)
    for title in ("Dask workers: CPU per worker", "Services: Requests"):
        assert title in html
