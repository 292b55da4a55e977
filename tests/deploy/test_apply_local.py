"""The ``local`` target deployed for real through ansible-runner (a process on 127.0.0.1)."""

import json
import urllib.error
import urllib.request

import pytest

from stratum_jupyter.bundle import load_model
from stratum_jupyter.deploy import deploy
from stratum_jupyter.deploy.run import stop
from tests.servicetools import post_json

pytestmark = pytest.mark.slow


def test_local_deploy_predicts_rejects_and_is_idempotent(iris_bundle, iris_split, tmp_path,
                                                         free_port):
    # A hostile folder name: it reaches Ansible and the process only as data.
    out = tmp_path / "dep $(touch pwned) 'q' {{ 6*7 }}"
    events: list[str] = []
    first = deploy(iris_bundle, "local", out, port=free_port, apply=True,
                   on_event=events.append)
    try:
        assert first.url == f"http://127.0.0.1:{free_port}"
        record = json.loads((out / "deploy.json").read_text())
        assert record["target"] == "local" and record["url"] == first.url
        assert record["kind"] == "process" and record["process"]["pid"] > 0
        assert record["changed"] >= 1
        assert any(e.startswith("changed: [localhost] Start the prediction service")
                   for e in events)

        _, X_test, _, _ = iris_split
        status, body = post_json(first.url, {"rows": X_test.to_dict(orient="records")})
        assert status == 200
        assert body["predictions"] == load_model(iris_bundle).predict(X_test).tolist()
        for bad in ({"rows": [{"x": 1}]}, {"rows": []}, {"nope": 1}):
            status, body = post_json(first.url, bad)
            assert 400 <= status < 500 and body["error"]

        events.clear()
        second = deploy(iris_bundle, "local", out, port=free_port, apply=True,
                        on_event=events.append)
        assert second.record["changed"] == 0
        assert "RECAP ok=2, changed=0, failures=0, skipped=0" in events
        assert second.record["process"]["pid"] == record["process"]["pid"]
        assert not list(tmp_path.rglob("pwned"))

        # a new model in the same bundle folder: the process is restarted (changed=1)
        from sklearn.tree import DecisionTreeClassifier

        from stratum_jupyter.bundle import save_bundle

        X_train, _, y_train, _ = iris_split
        tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X_train, y_train)
        other = save_bundle(tree, tmp_path / "tree", X=X_train, y=y_train,
                            task="classification")
        third = deploy(other, "local", out, port=free_port, apply=True, on_event=events.append)
        assert third.record["changed"] == 1
        assert third.record["process"]["pid"] != record["process"]["pid"]
        status, body = post_json(third.url, {"rows": X_test.to_dict(orient="records")})
        assert status == 200 and body["predictions"] == tree.predict(X_test).tolist()
    finally:
        assert stop(out, on_event=events.append)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{first.url}/health", timeout=2)


def test_apply_leaves_the_interrupt_handler_in_place(tmp_path, ctrl_c):
    """ansible-runner sets its own SIGINT handler; after an apply Ctrl-C must still work."""
    import signal

    from stratum_jupyter.deploy.run import own_signal_handlers

    before = signal.getsignal(signal.SIGINT)
    with own_signal_handlers():
        from ansible_runner.utils import signal_handler

        signal_handler()  # what ansible_runner.run does in the main thread
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)


def test_a_failed_start_shows_the_service_s_own_error(iris_bundle, tmp_path, free_port):
    """The model breaks after rendering: the apply fails with the service's own error (the
    tail of run/service.log), not only Ansible's "non-zero return code"."""
    from stratum_jupyter.deploy.render import plan, render
    from stratum_jupyter.deploy.run import apply
    from stratum_jupyter.errors import StratumError

    out = tmp_path / "dep"
    render(plan(iris_bundle, "local", port=free_port), out)
    (out / "model" / "model.skops").write_bytes(b"not a skops file")
    events: list[str] = []
    with pytest.raises(StratumError) as info:
        apply(out, on_event=events.append)
    failed = [e for e in events if e.startswith("FAILED: [localhost] Start the prediction")]
    assert failed and "the service exited with code 1" in failed[0]
    assert "BadZipFile" in failed[0]
    assert "the service's log" in str(info.value) and "BadZipFile" in str(info.value)
