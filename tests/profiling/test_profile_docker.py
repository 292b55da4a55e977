"""``profile(runner="docker")`` on the private engine: containers with --cpus/--memory over
2 CPU limits x 2 memory limits (one too small for the model: OOM-killed), and rightsizing."""

import pytest

from stratum_jupyter.bundle.sizing import Goal
from stratum_jupyter.deploy.run import docker_client
from stratum_jupyter.profiling.api import profile
from stratum_jupyter.profiling.grid import expand
from stratum_jupyter.profiling.measure import Load
from stratum_jupyter.profiling.runners import DockerRunner

from .checks import check_rightsizing, check_table

pytestmark = [pytest.mark.docker, pytest.mark.slow]

TOO_SMALL = 64 * 2**20  # the service with scikit-learn loaded holds about 130 MiB


def test_docker_profile_and_rightsizing(docker_engine, iris_bundle, tmp_path):
    out = tmp_path / "profile"
    configs = expand(cpus=["0.5", "1"], memory=["64m", "512m"], threads=[2], batch_size=[1],
                     concurrency=[2])
    goal = Goal(p99_ms=250.0, rps=10.0)
    lines: list[str] = []
    result = profile(iris_bundle, out, configs, load=Load(duration=1.0, max_requests=600),
                     goal=goal, runner="docker", base_image=docker_engine["base_image"],
                     log=lines.append)
    assert result.runner == "docker"
    assert any("docker containers of stratum/profile:" in line for line in lines)
    assert any("OOM-killed at its 64m limit" in line for line in lines), lines
    table = check_table(out, "docker", TOO_SMALL)
    runner = DockerRunner(iris_bundle, tmp_path / "again", client=docker_client(),
                          base_image=docker_engine["base_image"], log=lines.append)
    assert runner.image == result.runner_detail.split()[3]  # the same image, reused
    assert "reusing image" in lines[-1]
    check_rightsizing(iris_bundle, table, goal, runner)
    client = docker_client()
    assert not client.containers.list(all=True, filters={"name": "stratum-profile-"})
