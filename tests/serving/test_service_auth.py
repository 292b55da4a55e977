"""Security of the service: beyond loopback only with a bearer token (from the environment,
never the command line) or an explicit --insecure; /health stays open. Requests go to
127.0.0.1 only, whatever address the server binds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stratum_jupyter.serving.auth import InsecureBind, check_bind, is_loopback
from stratum_jupyter.serving.server import make_server, serve_in_thread
from tests.servicetools import call, free_port

TOKEN = "s3cret-token-0123456789"
GOOD = {"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4,
        "petal width (cm)": 0.2}


@pytest.fixture(autouse=True)
def _no_token_from_outside(monkeypatch):
    monkeypatch.delenv("STRATUM_SERVICE_TOKEN", raising=False)
    monkeypatch.delenv("STRATUM_SERVICE_TOKEN_FILE", raising=False)


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("127.0.0.2", True),
                                           ("::1", True), ("localhost", True),
                                           ("0.0.0.0", False), ("::", False),
                                           ("192.168.1.20", False), ("example.org", False)])
def test_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_a_non_loopback_bind_without_a_token_is_refused(iris_bundle):
    with pytest.raises(InsecureBind, match="refusing to listen on 0.0.0.0 without a token"):
        make_server(iris_bundle, "0.0.0.0", 0)
    with pytest.raises(InsecureBind, match="too short"):
        check_bind("0.0.0.0", "short")


def test_the_command_refuses_too_and_takes_no_token_argument(iris_bundle):
    command = [sys.executable, "-m", "stratum_jupyter.serving", "--host", "0.0.0.0",
               "--port", str(free_port()), "--model-dir", str(iris_bundle)]
    env = {k: v for k, v in __import__("os").environ.items()
           if not k.startswith("STRATUM_SERVICE_TOKEN")}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2
    assert "STRATUM_SERVICE_TOKEN" in result.stderr and "--insecure" in result.stderr
    result = subprocess.run([*command, "--token", TOKEN], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 2 and "unrecognized arguments: --token" in result.stderr


@pytest.fixture(params=["variable", "file"])
def guarded(request, iris_bundle, monkeypatch, tmp_path):
    """A server on 0.0.0.0 with a token from $STRATUM_SERVICE_TOKEN or a file."""
    if request.param == "variable":
        monkeypatch.setenv("STRATUM_SERVICE_TOKEN", TOKEN)
    else:
        (tmp_path / "token").write_text(TOKEN + "\n")
        monkeypatch.setenv("STRATUM_SERVICE_TOKEN_FILE", str(tmp_path / "token"))
    server, _ = serve_in_thread(iris_bundle, "0.0.0.0", 0)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_with_a_token_requests_without_it_get_401(guarded):
    body = {"rows": [GOOD]}
    status, answer = call(guarded, "POST", "/predict", body)
    assert status == 401 and "bearer token" in answer["error"]
    for wrong in ("Bearer nope", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer", ""):
        assert call(guarded, "POST", "/predict", body, headers={"Authorization": wrong})[0] \
            == 401
    assert call(guarded, "GET", "/metrics")[0] == 401
    status, answer = call(guarded, "POST", "/predict", body,
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and answer["predictions"] == [0]
    assert call(guarded, "GET", "/health")[0] == 200  # open, for health checks
    status, text = call(guarded, "GET", "/metrics", headers={"Authorization": f"bearer {TOKEN}"})
    assert status == 200
    assert 'stratum_requests_total{endpoint="/predict",method="POST",status="401"} 6.0' in text


def test_insecure_serves_beyond_loopback_without_a_token(iris_bundle):
    server, _ = serve_in_thread(iris_bundle, "0.0.0.0", 0, insecure=True)
    try:
        status, answer = call(server.server_address[1], "POST", "/predict", {"rows": [GOOD]})
        assert status == 200 and json.dumps(answer)
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreadable_token_file_is_said(iris_bundle, monkeypatch, tmp_path):
    monkeypatch.setenv("STRATUM_SERVICE_TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(InsecureBind, match="cannot read"):
        make_server(iris_bundle, "127.0.0.1", 0)


def test_a_deploy_beyond_loopback_needs_the_token_where_it_is_deployed(iris_bundle,
                                                                       monkeypatch):
    """Said before anything is rendered, as the service itself would refuse to start."""
    from stratum_jupyter.deploy.render import plan
    from stratum_jupyter.errors import DeployError

    for name in ("STRATUM_SERVICE_TOKEN", "STRATUM_SERVICE_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(DeployError, match=r"bind: 0.0.0.0 reaches beyond the host, so the "
                                          r"service requires a bearer token"):
        plan(iris_bundle, "local", bind="0.0.0.0")
    assert plan(iris_bundle, "local", bind="127.0.0.1").bind == "127.0.0.1"
    monkeypatch.setenv("STRATUM_SERVICE_TOKEN", "x" * 24)
    assert plan(iris_bundle, "local", bind="0.0.0.0").bind == "0.0.0.0"
