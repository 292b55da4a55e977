from __future__ import annotations

import time

import pytest

from stratum_jupyter.monitor.containers import NO_DOCKER, ContainerSampler


def engine_reachable() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        client.close()
        return True
    except Exception:
        return False


ENGINE = engine_reachable()


@pytest.mark.skipif(ENGINE, reason="a Docker engine is reachable here")
def test_no_engine_is_one_clear_line():
    sampler = ContainerSampler(["iris-svc"])
    assert not sampler.available
    assert sampler.message.startswith(NO_DOCKER)
    assert "\n" not in sampler.message
    assert sampler.sample(time.time()) == []
    sampler.close()


@pytest.mark.docker
@pytest.mark.skipif(not ENGINE, reason="no Docker engine reachable (scripts/docker-engine.sh "
                                       "starts one in CI)")
def test_stats_of_running_containers():
    import docker

    client = docker.from_env()
    running = client.containers.list()
    if not running:
        pytest.skip("the Docker engine runs no container to sample")
    sampler = ContainerSampler()
    try:
        sampler.sample(time.time())
        time.sleep(1.0)
        rows = sampler.sample(time.time())
    finally:
        sampler.close()
        client.close()
    names = {r.entity for r in rows}
    assert names == {c.name for c in running}
    by_key = {(r.entity, r.metric): r.value for r in rows}
    for name in names:
        assert by_key[(name, "up")] == 1
        assert by_key[(name, "memory_bytes")] > 0
        assert by_key[(name, "cpu_percent")] >= 0
