from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stratum_jupyter.monitor import make_samplers
from stratum_jupyter.monitor.containers import NO_DOCKER, ContainerSampler

REPO = Path(__file__).resolve().parents[2]
ENGINE_SCRIPT = REPO / "scripts" / "docker-engine.sh"  # the deploy feature's test engine
BASE_IMAGE = os.environ.get("STRATUM_BASE_IMAGE", "stratum-test/bookworm-python:1")


def engine_reachable() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        client.close()
        return True
    except Exception:
        return False


def test_no_engine_is_one_clear_line(tmp_path, monkeypatch):
    # An engine may run here (the deploy tests start one): point at a socket that does not.
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    sampler = ContainerSampler(["iris-svc"])
    assert not sampler.available
    assert sampler.message.startswith(NO_DOCKER)
    assert "\n" not in sampler.message
    assert sampler.sample(time.time()) == []
    sampler.close()
    # a deploy bundle that names its container brings the container sampler along
    (tmp_path / "deploy.json").write_text(json.dumps(
        {"url": "http://127.0.0.1:9", "container": "iris-svc"}))
    samplers = make_samplers(services=[tmp_path])
    assert [type(s).__name__ for s in samplers] == ["ServiceSampler", "ContainerSampler"]
    assert samplers[1].message.startswith(NO_DOCKER)


@pytest.fixture(scope="module")
def docker_client() -> Iterator[Any]:
    """The reachable engine, else the one scripts/docker-engine.sh starts for the tests."""
    docker = pytest.importorskip("docker")
    saved = os.environ.get("DOCKER_HOST")
    if not engine_reachable():
        if not ENGINE_SCRIPT.is_file():
            pytest.skip("no Docker engine reachable, and no scripts/docker-engine.sh")
        done = subprocess.run(["bash", str(ENGINE_SCRIPT), "start"], capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            pytest.skip(f"no Docker engine here: {done.stderr.strip()[-300:]}")
        os.environ["DOCKER_HOST"] = done.stdout.strip().rpartition("DOCKER_HOST=")[2]
    client = docker.from_env()
    try:
        yield client
    finally:
        client.close()
        if saved is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = saved


@pytest.mark.docker
@pytest.mark.slow
def test_stats_of_a_real_container(docker_client):
    import docker

    try:
        docker_client.images.get(BASE_IMAGE)
    except docker.errors.ImageNotFound:
        if not ENGINE_SCRIPT.is_file():
            pytest.skip(f"no image {BASE_IMAGE} to run a container from")
        subprocess.run(["bash", str(ENGINE_SCRIPT), "base-image"], check=True, timeout=900)
    name = f"stratum-monitor-test-{uuid.uuid4().hex[:8]}"
    busy = "x = bytearray(96 << 20)\nwhile True: pass"  # 96 MiB and one busy core
    container = docker_client.containers.run(BASE_IMAGE, ["python3", "-c", busy], name=name,
                                             network_mode="none", detach=True)
    sampler = ContainerSampler([name])
    try:
        assert sampler.available, sampler.message
        time.sleep(1.0)
        sampler.sample(time.time())
        time.sleep(1.0)
        rows = sampler.sample(time.time())
    finally:
        sampler.close()
        container.remove(force=True)
    values = {(r.entity, r.metric): r.value for r in rows}
    assert values[(name, "up")] == 1
    assert values[(name, "cpu_percent")] > 15  # one busy core; less when the machine is shared
    assert values[(name, "memory_bytes")] > 90 * 2**20
    assert values[(name, "memory_limit_bytes")] > 0
