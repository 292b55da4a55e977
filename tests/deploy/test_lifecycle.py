"""A deployment's lifecycle on the ``local`` target: status, a redeploy under load with no
failed request, rollback, stop (the port is free), and the user's list of deployments."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request

import pytest

from stratum_jupyter.cli import main
from stratum_jupyter.deploy import deploy, lifecycle, registry
from stratum_jupyter.errors import StratumError

pytestmark = pytest.mark.slow


class Client(threading.Thread):
    """Posts the same rows in a loop (new connection each time) until stopped or ``limit``
    requests; keeps every answer's predictions and every failure."""

    def __init__(self, url: str, rows: list[dict], limit: int = 20000,
                 headers: dict[str, str] | None = None, pause: float = 0.0):
        super().__init__(daemon=True)
        self.pause = pause
        self.url, self.body, self.limit = url, json.dumps({"rows": rows}).encode(), limit
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.answers: list[list] = []
        self.failures: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set() and len(self.answers) + len(self.failures) < self.limit:
            req = urllib.request.Request(f"{self.url}/predict", data=self.body, method="POST",
                                         headers=self.headers)
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    self.answers.append(json.loads(resp.read())["predictions"])
            except (OSError, ValueError) as exc:
                self.failures.append(repr(exc))
            self.done.wait(self.pause)


@pytest.fixture
def stump(iris_split, tmp_path):
    """A second model that answers differently from the iris bundle's on the test rows."""
    from sklearn.tree import DecisionTreeClassifier

    from stratum_jupyter.bundle import save_bundle

    X_train, _, y_train, _ = iris_split
    tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X_train, y_train)
    return tree, save_bundle(tree, tmp_path / "stump", X=X_train, y=y_train,
                             task="classification", candidate="stump")


def port_is_free(port: int) -> bool:
    """Nothing listens there and a server can bind it (as servers do, over the TIME_WAIT
    connections the loop's clients leave)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_status_redeploy_without_failures_rollback_and_stop(iris_bundle, iris_split, stump,
                                                            tmp_path, free_port, capsys):
    from stratum_jupyter.bundle import load_model

    _, X_test, _, _ = iris_split
    rows = X_test.to_dict(orient="records")
    first_answer = load_model(iris_bundle).predict(X_test).tolist()
    tree, stump_bundle = stump
    second_answer = tree.predict(X_test).tolist()
    assert first_answer != second_answer
    out = tmp_path / "dep"
    first = deploy(iris_bundle, "local", out, port=free_port, apply=True, on_event=print)
    try:
        found = lifecycle.status(out)
        assert found["health"] == "ok" and found["target"] == "local"
        assert found["url"] == first.url and found["uptime_s"] >= 0
        capsys.readouterr()
        assert main(["status", str(out), "--json"]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert shown["requests"]["/health"]["200"] >= 1  # status's own /health call
        assert [d["state"] for d in registry.deployments()] == ["running"]

        client = Client(first.url, rows)
        client.start()
        second = deploy(stump_bundle, "local", out, port=free_port, apply=True,
                        on_event=print)
        assert second.record["process"]["pid"] != first.record["process"]["pid"]
        while len(client.answers) < 20 and client.is_alive():
            client.join(0.05)
        client.done.set()
        client.join(30)
        assert client.failures == []
        log = (out / "run" / "service.log").read_text()
        assert f"took over the listening socket 127.0.0.1:{free_port}" in log
        assert client.answers[0] == first_answer and client.answers[-1] == second_answer
        assert {tuple(a) for a in client.answers} == {tuple(first_answer),
                                                      tuple(second_answer)}
        assert len(lifecycle.history(out)) == 2

        back = lifecycle.rollback(out, on_event=print)
        assert back.url == first.url and len(lifecycle.history(out)) == 1
        with urllib.request.urlopen(urllib.request.Request(
                f"{first.url}/predict", data=json.dumps({"rows": rows}).encode(),
                headers={"Content-Type": "application/json"}), timeout=10) as resp:
            assert json.loads(resp.read())["predictions"] == first_answer
        with pytest.raises(StratumError, match="no earlier model"):
            lifecycle.rollback(out, on_event=print)
    finally:
        assert main(["stop", str(out)]) == 0
    assert port_is_free(free_port)
    assert lifecycle.status(out)["health"] == "stopped"
    assert [d["state"] for d in registry.deployments()] == ["stopped"]
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{first.url}/health", timeout=2)


def test_lifecycle_of_a_folder_without_a_deployment(tmp_path, capsys, ip):
    from IPython.core.error import UsageError

    assert main(["status", str(tmp_path)]) == 1
    assert "holds no deploy.json" in capsys.readouterr().err
    assert main(["deployment", "status"]) == 2
    assert main(["deployments", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert ip.run_line_magic("stratum_deployment", "list --json") == []
    with pytest.raises(UsageError, match="holds no deploy.json"):
        ip.run_line_magic("stratum_deployment", f"stop {tmp_path}")


def test_metrics_are_read_by_endpoint_and_status():
    text = ("# HELP x\nstratum_requests_total{endpoint=\"/predict\",method=\"POST\","
            "status=\"200\"} 7.0\nstratum_requests_total{endpoint=\"/predict\",method=\"POST\","
            "status=\"400\"} 2.0\nprocess_start_time_seconds 1.7e9\n"
            "stratum_predicted_rows_total 21.0\n")
    found = lifecycle.parse_metrics(text)
    assert found["requests"] == {"/predict": {"200": 7, "400": 2}}
    assert found["process_start_time_seconds"] == 1.7e9
    assert found["stratum_predicted_rows_total"] == 21.0


def test_stop_on_ansible_hosts_runs_the_stop_playbook(iris_bundle, tmp_path, free_port):
    """A container deployed through --apply --inventory is removed by ansible/stop.yml on
    each host (here this machine, where no such container runs: nothing changes)."""
    import sys

    from stratum_jupyter.deploy.record import read_record, write_record
    from stratum_jupyter.deploy.render import plan, render

    out = tmp_path / "dep"
    render(plan(iris_bundle, "cloud-x86", port=free_port), out)
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("[stratum_cloud_x86]\nlocalhost ansible_connection=local "
                         f"ansible_become=false ansible_python_interpreter={sys.executable}\n")
    write_record(out, {"target": "cloud-x86", "kind": "container", "hosts": ["localhost"],
                       "url": f"http://localhost:{free_port}",
                       "how": {"inventory": str(inventory)}})
    events: list[str] = []
    lifecycle.stop(out, on_event=events.append)
    assert "ok: [localhost] Look for the container" in events
    assert "skipping: [localhost] Remove the container" in events
    assert "ok: [localhost] Wait until the service's port is free" in events
    assert read_record(out)["stopped_at"]
    assert lifecycle.status(out)["health"] == "stopped"


def test_a_new_model_that_fails_to_start_leaves_the_old_one_serving(iris_bundle, tmp_path,
                                                                     free_port):
    from stratum_jupyter.deploy.render import plan, render
    from stratum_jupyter.deploy.run import apply

    out = tmp_path / "dep"
    first = deploy(iris_bundle, "local", out, port=free_port, apply=True, on_event=print)
    try:
        render(plan(iris_bundle, "local", port=free_port), out)
        (out / "model" / "model.skops").write_bytes(b"not a skops file")
        with pytest.raises(StratumError, match="BadZipFile"):
            apply(out, on_event=print)
        assert lifecycle.status(out)["health"] == "ok"
        with urllib.request.urlopen(f"{first.url}/health", timeout=5) as resp:
            assert json.loads(resp.read())["pid"] == first.record["process"]["pid"]
    finally:
        lifecycle.stop(out, on_event=print)
    assert port_is_free(free_port)
