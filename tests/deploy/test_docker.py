"""A real image build and run on a private Docker engine (host network, offline base image)."""

import json
import urllib.error
import urllib.request

import pytest

from stratum_jupyter.bundle import load_model
from stratum_jupyter.deploy import deploy
from stratum_jupyter.deploy.run import docker_client, stop

from .conftest import HOSTILE
from .test_lifecycle import Client, stump  # noqa: F401 - stump is a fixture

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def post(url, payload, headers=None):
    req = urllib.request.Request(f"{url}/predict", data=json.dumps(payload).encode(),
                                 method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_build_and_run_the_image(docker_engine, iris_bundle, iris_split, tmp_path, free_port):
    out = tmp_path / "cloud"
    events: list[str] = []
    result = deploy(iris_bundle, "cloud-x86", out, port=free_port, name=HOSTILE,
                    base_image=docker_engine["base_image"], run=True, on_event=events.append)
    try:
        assert result.url == f"http://127.0.0.1:{free_port}"
        assert any("Successfully tagged" in e or "naming to" in e for e in events)
        record = json.loads((out / "deploy.json").read_text())
        assert record["image"] == result.image and record["url"] == result.url

        _, X_test, _, _ = iris_split
        status, body = post(result.url, {"rows": X_test.to_dict(orient="records")})
        assert status == 200
        assert body["predictions"] == load_model(iris_bundle).predict(X_test).tolist()
        status, body = post(result.url, {"rows": [{"sepal length (cm)": "x"}]})
        assert status == 422 and body["errors"]

        client = docker_client()
        image = client.images.get(result.image)
        labels = image.labels
        assert labels["org.opencontainers.image.title"] == \
            HOSTILE.replace("\n", " ").replace("\\", "/")
        assert labels["io.stratum.platform"] == "linux/amd64"
        assert image.attrs["Config"]["User"] == "10001:10001"
        assert image.attrs["Config"]["Healthcheck"]["Test"][1:] == [
            "/opt/venv/bin/python", "-m", "service.healthcheck"]
        container = client.containers.get(record["container"])
        assert container.attrs["HostConfig"]["NetworkMode"] == "host"
        assert container.attrs["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
        uid = container.exec_run(["id", "-u"]).output.decode().strip()
        assert uid == "10001"
        assert container.exec_run(["/opt/venv/bin/python", "-m", "service.healthcheck"]
                                  ).exit_code == 0
    finally:
        stop(out, on_event=events.append)


def test_container_playbook_lifecycle_on_this_machine(docker_engine, iris_bundle, iris_split,
                                                      stump, tmp_path, free_port,  # noqa: F811
                                                      monkeypatch):
    """The cloud-x86 playbook's bundle/image/container roles for real, through
    ansible-runner, against this machine's engine (the engine role is switched off: it is
    already running, without systemd here): idempotent; the controller's token file carried
    to the host in a file only the container's user reads, and asked for; another model,
    then a rollback, replace the container without a failed request; stop.yml removes it."""
    import os
    import sys

    from stratum_jupyter.deploy import lifecycle

    token = "t0ken-" + "x" * 20
    (tmp_path / "mine").write_text(token + "\n")
    monkeypatch.setenv("STRATUM_SERVICE_TOKEN_FILE", str(tmp_path / "mine"))
    monkeypatch.delenv("STRATUM_SERVICE_TOKEN", raising=False)
    carried = tmp_path / "etc" / "token"
    out = tmp_path / "cloud"
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("[stratum_cloud_x86]\nlocalhost ansible_connection=local "
                         f"ansible_python_interpreter={sys.executable}\n")
    extra = {"stratum_install_engine": False, "stratum_build_network": "host",
             "stratum_base_image": docker_engine["base_image"],
             "stratum_install_dir": str(tmp_path / "opt"), "stratum_token_file": str(carried)}
    events: list[str] = []
    how = {"port": free_port, "name": "pb-test", "apply": True, "inventory": inventory,
           "extra_vars": extra, "on_event": events.append}
    first = deploy(iris_bundle, "cloud-x86", out, **how).record
    client = docker_client()
    url = f"http://127.0.0.1:{free_port}"
    try:
        assert first["changed"] >= 4, events  # token, copy, build, run
        assert first["url"] == f"http://localhost:{free_port}"
        container = client.containers.get("stratum-pb-test")
        assert container.attrs["Config"]["Image"] == first["image"]
        assert carried.read_text() == token + "\n"
        mode = os.stat(carried)
        assert (mode.st_mode & 0o777, mode.st_uid) == (0o600, 10001)
        assert not any(token in line for line in events)
        assert not any(token in e for e in container.attrs["Config"]["Env"])
        assert token not in " ".join(container.attrs["Args"])
        _, X_test, _, _ = iris_split
        rows = {"rows": X_test.to_dict(orient="records")}
        first_answer = load_model(iris_bundle).predict(X_test).tolist()
        assert post(url, rows)[0] == 401
        status, body = post(url, rows, {"Authorization": f"Bearer {token}"})
        assert (status, body["predictions"]) == (200, first_answer)
        assert lifecycle.status(out)["health"] == "ok"  # with the token of this environment
        events.clear()
        assert deploy(iris_bundle, "cloud-x86", out, **how).record["changed"] == 0, events

        # another model, then a rollback, while a client loops: none fails
        tree, stump_bundle = stump
        # paced: Ansible takes a while, and the client must outlast the rollback
        loop = Client(url, rows["rows"], headers={"Authorization": f"Bearer {token}"},
                      limit=10**6, pause=0.02)
        loop.start()
        while len(loop.answers) < 5 and loop.is_alive():
            loop.join(0.05)
        deploy(stump_bundle, "cloud-x86", out, **how)
        assert post(url, rows, {"Authorization": f"Bearer {token}"})[1]["predictions"] == \
            tree.predict(X_test).tolist()
        lifecycle.rollback(out, on_event=events.append)
        assert loop.is_alive()  # still sending: its last answers come after the rollback
        seen = len(loop.answers)
        while len(loop.answers) < seen + 5 and loop.is_alive():
            loop.join(0.05)
        loop.done.set()
        loop.join(30)
        assert loop.failures == []
        assert tree.predict(X_test).tolist() in loop.answers
        assert loop.answers[0] == loop.answers[-1] == first_answer
        assert sorted(c.name for c in client.containers.list(all=True)
                      if c.name.startswith("stratum-pb-test")) == ["stratum-pb-test"]
    finally:
        lifecycle.stop(out, on_event=events.append)
    assert not [c for c in client.containers.list(all=True) if c.name.startswith("stratum-pb")]
    assert lifecycle.status(out)["health"] == "stopped"
