"""deploy.json: one reader and writer, used by deploy, stop and the monitor alike."""

from __future__ import annotations

import json

import pytest

from stratum_jupyter.deploy.api import read_deploy_record
from stratum_jupyter.deploy.record import DEPLOY_JSON, read_record, record_path, write_record
from stratum_jupyter.deploy.run import stop
from stratum_jupyter.monitor.services import Service, resolve_service


def test_a_record_round_trips(tmp_path):
    written = write_record(tmp_path, {
        "target": "cloud-x86", "kind": "container", "image": "stratum/iris:abc",
        "container": "stratum-iris-8080", "url": "http://127.0.0.1:8080", "changed": 1})
    assert record_path(tmp_path) == tmp_path / DEPLOY_JSON
    assert written["deployed_at"].endswith("+00:00")
    assert read_record(tmp_path) == written == read_deploy_record(str(tmp_path))
    assert json.loads((tmp_path / "deploy.json").read_text()) == written
    # the monitor reads the same record
    assert resolve_service(tmp_path) == Service(tmp_path.name, "http://127.0.0.1:8080",
                                                "stratum-iris-8080")


def test_a_process_record_round_trips(tmp_path):
    record = {"target": "local", "kind": "process", "url": "http://127.0.0.1:9000",
              "process": {"pid": 123, "python": "/usr/bin/python3", "log": "run/service.log"}}
    assert {k: v for k, v in write_record(tmp_path, record).items()
            if k != "deployed_at"} == record
    assert read_record(tmp_path)["process"]["pid"] == 123


def test_missing_and_malformed_records(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_record(tmp_path)
    assert stop(tmp_path, on_event=lambda line: None) is False
    (tmp_path / "deploy.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="not an object"):
        read_record(tmp_path)
