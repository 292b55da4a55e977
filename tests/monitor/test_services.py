from __future__ import annotations

import json
import time

import pytest

from stratum_jupyter.monitor.base import MonitorError
from stratum_jupyter.monitor.services import Service, ServiceSampler, resolve_service


def values(rows):
    return {r.metric: r.value for r in rows}


def test_resolve_a_deploy_bundle_and_a_url(tmp_path):
    bundle = tmp_path / "iris"
    bundle.mkdir()
    (bundle / "deploy.json").write_text(json.dumps(
        {"target": "local", "url": "http://127.0.0.1:8123/", "container": "iris-svc"}))
    assert resolve_service(bundle) == Service("iris", "http://127.0.0.1:8123", "iris-svc")
    assert resolve_service("http://10.0.0.5:9000") == Service("10.0.0.5:9000",
                                                               "http://10.0.0.5:9000")


@pytest.mark.parametrize(("setup", "message"), [
    (None, "is neither a deploy bundle directory nor a URL"),
    ("", "has no deploy.json, so it was not deployed yet"),
    ("{not json", "is not valid JSON"),
    ('{"target": "local"}', 'has no "url" of the service'),
    ('{"url": "127.0.0.1:80"}', "expected \"http://HOST:PORT\""),
])
def test_bad_services_name_the_problem(tmp_path, setup, message):
    target = tmp_path / "bundle"
    if setup is not None:
        target.mkdir()
        if setup:
            (target / "deploy.json").write_text(setup)
    with pytest.raises(MonitorError, match="--services") as err:
        resolve_service(target)
    assert message in str(err.value)
    with pytest.raises(MonitorError, match="not a valid URL"):
        resolve_service("http://")


def test_scrapes_real_prometheus_text(metrics_server):
    url, app = metrics_server
    sampler = ServiceSampler(url)
    first = values(sampler.sample(time.time()))
    assert first["up"] == 1
    assert first["rss_bytes"] > 1e6  # this process's resident memory, via ProcessCollector
    assert first["process_resident_memory_bytes"] == first["rss_bytes"]
    assert 'stratum_requests_total{endpoint="/predict",status="200"}' not in first
    app.serve(3, 0.010)
    app.serve(5, 1.0, endpoint="/health")
    time.sleep(0.3)
    app.serve(3, 0.030)
    second_rows = sampler.sample(time.time())
    second = values(second_rows)
    assert {r.source for r in second_rows} == {"service"}
    assert {r.entity for r in second_rows} == {url.removeprefix("http://")}
    assert second['stratum_requests_total{endpoint="/predict",status="200"}'] == 6
    assert second['stratum_requests_total{endpoint="/metrics",status="200"}'] == 1
    assert second['stratum_request_duration_seconds_count{endpoint="/predict"}'] == 6
    # only /predict counts: the scrapes and health checks (0.5 s, 1 s each) are left out
    assert 0 < second["requests_per_s"] < 6 / 0.3 * 1.01
    assert second["latency_ms"] == pytest.approx(20.0, rel=1e-6)  # (3*10 + 3*30) / 6 ms
    assert second["cpu_percent"] >= 0
    assert second["scrape_ms"] > 0
    assert not any(m.endswith("_bucket") for m in second)


def test_a_down_service_is_up_0_not_an_error(metrics_server):
    url, _ = metrics_server
    sampler = ServiceSampler(Service("gone", "http://127.0.0.1:9"), timeout=1.0)
    rows = sampler.sample(time.time())
    assert [(r.entity, r.metric, r.value) for r in rows] == [("gone", "up", 0.0)]


def test_scrapes_a_service_that_wants_a_token(tmp_path, monkeypatch):
    """A real prediction service started with a token: the sampler sends the configured
    token (from the file $STRATUM_SERVICE_TOKEN_FILE names); without it the scrape is 401,
    up 0."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    from stratum_jupyter.bundle import save_bundle
    from stratum_jupyter.serving.server import serve_in_thread

    X, y = load_iris(return_X_y=True, as_frame=True)
    bundle = save_bundle(LogisticRegression(max_iter=300).fit(X, y), tmp_path / "m", X=X, y=y,
                         task="classification")
    token = "s3cret-" + "t" * 20
    server, thread = serve_in_thread(bundle, token=token)
    try:
        (tmp_path / "token").write_text(token + "\n")
        monkeypatch.delenv("STRATUM_SERVICE_TOKEN", raising=False)
        monkeypatch.setenv("STRATUM_SERVICE_TOKEN_FILE", str(tmp_path / "token"))
        found = values(ServiceSampler(server.url).sample(time.time()))
        assert found["up"] == 1 and found["rss_bytes"] > 1e6
        assert any(name.startswith("stratum_") for name in found)  # the service's own page
        monkeypatch.delenv("STRATUM_SERVICE_TOKEN_FILE")
        assert values(ServiceSampler(server.url).sample(time.time()))["up"] == 0
    finally:
        server.shutdown(5)
        server.server_close()
        thread.join(5)
