"""A deployment's lifecycle on a Docker target, on the real engine: status, a redeploy under
load with no failed request (the new container takes over the old one's listening socket),
rollback, stop (container removed, port free)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from stratum_jupyter.cli import main
from stratum_jupyter.deploy import deploy, lifecycle
from stratum_jupyter.deploy.run import docker_client

from .test_lifecycle import Client, port_is_free, stump  # noqa: F401 - stump is a fixture

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def predict(url: str, rows: list[dict]) -> list:
    req = urllib.request.Request(f"{url}/predict", data=json.dumps({"rows": rows}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return list(json.loads(resp.read())["predictions"])


def test_docker_status_redeploy_without_failures_rollback_and_stop(
        docker_engine, iris_bundle, iris_split, stump, tmp_path, free_port):  # noqa: F811
    from stratum_jupyter.bundle import load_model

    _, X_test, _, _ = iris_split
    rows = X_test.to_dict(orient="records")
    first_answer = load_model(iris_bundle).predict(X_test).tolist()
    tree, stump_bundle = stump
    second_answer = tree.predict(X_test).tolist()
    out = tmp_path / "dep"
    # one name: each new container starts beside the old one of the same name, then takes it
    how = {"port": free_port, "name": "svc", "base_image": docker_engine["base_image"],
           "run": True, "on_event": print}
    first = deploy(iris_bundle, "cloud-x86", out, **how)
    engine = docker_client()

    def ours() -> list[str]:  # the containers of this deployment, running or not
        return sorted(c.name for c in engine.containers.list(all=True)
                      if f"-{free_port}" in c.name)

    try:
        found = lifecycle.status(out)
        assert found["health"] == "ok" and found["target"] == "cloud-x86"
        assert found["url"] == first.url and found["uptime_s"] >= 0
        assert found["requests"]["/health"]["200"] >= 1

        client = Client(first.url, rows)
        client.start()
        while len(client.answers) < 5 and client.is_alive():
            client.join(0.05)
        second = deploy(stump_bundle, "cloud-x86", out, **how)
        name = first.record["container"]
        assert second.record["container"] == name
        assert second.record["container_id"] != first.record["container_id"]
        seen = len(client.answers)
        while len(client.answers) < seen + 20 and client.is_alive():
            client.join(0.05)
        client.done.set()
        client.join(30)
        assert client.failures == []
        assert client.answers[0] == first_answer and client.answers[-1] == second_answer
        logs = engine.containers.get(name).logs().decode()
        assert f"took over the listening socket 127.0.0.1:{free_port}" in logs
        assert ours() == [name]  # the first model's container is gone, the new one renamed

        back = lifecycle.rollback(out, on_event=print)
        assert back.record["container_id"] != second.record["container_id"]
        assert ours() == [name] and len(lifecycle.history(out)) == 1
        assert predict(first.url, rows) == first_answer
    finally:
        assert main(["stop", str(out)]) == 0
    assert port_is_free(free_port)
    assert ours() == []
    assert lifecycle.status(out)["health"] == "stopped"
