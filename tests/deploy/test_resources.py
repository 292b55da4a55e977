"""A model bundle that carries a rightsizing recommendation (``stratum profile --slo-p99 ...
--rps ...``) is deployed with its limits: the Dockerfile, the README's run command, the
playbook's variables, bundle.json, and the container the engine runs, read back."""

import json
import shutil

import pytest
import yaml

from stratum_jupyter.bundle.sizing import Goal, Recommendation, Rightsizing, write_rightsizing
from stratum_jupyter.deploy import deploy
from stratum_jupyter.deploy.render import plan, render
from stratum_jupyter.deploy.run import docker_client, stop
from stratum_jupyter.errors import DeployError

from .test_render import UnsafeLoader, lint_bundle

MEMORY = 256 * 2**20
LIMITS = ["--cpus", "0.5", "--memory", str(MEMORY), "--memory-swap", str(MEMORY)]


@pytest.fixture
def sized_bundle(iris_bundle, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(iris_bundle, copy)
    write_rightsizing(copy, Rightsizing(
        goal=Goal(p99_ms=50.0, rps=20.0),
        recommendation=Recommendation(cpus=0.5, memory_bytes=MEMORY, workers=1, threads=3,
                                      p99_ms=12.0, throughput_rps=300.0),
        measured_with="docker", measured_at="2026-12-01T03:00:00+00:00",
        table="profile/results.csv"))
    return copy


def _vars(out):
    return yaml.load((out / "ansible/vars.yml").read_text(), Loader=UnsafeLoader)


def test_container_bundle_renders_the_limits(sized_bundle, tmp_path):
    out = tmp_path / "cloud"
    manifest = render(plan(sized_bundle, "cloud-x86"), out)
    assert manifest["resources"]["cpus"] == 0.5
    assert manifest["resources"]["memory_bytes"] == MEMORY
    assert manifest["resources"]["threads"] == 3
    assert json.loads((out / "bundle.json").read_text())["resources"] == manifest["resources"]
    dockerfile = (out / "Dockerfile").read_text()
    assert "ENV STRATUM_PREDICT_THREADS=3\n" in dockerfile
    assert f'io.stratum.memory-bytes="{MEMORY}"' in dockerfile
    assert f"docker run {' '.join(LIMITS)} ..." in dockerfile
    run_line = [ln for ln in (out / "README.md").read_text().splitlines()
                if ln.strip().startswith("docker run --detach")][0]
    assert " ".join(LIMITS) in run_line
    assert _vars(out)["stratum_run_options"] == LIMITS
    lint_bundle(out)


def test_gpu_and_process_bundles_keep_their_options(sized_bundle, tmp_path):
    gpu = tmp_path / "gpu"
    render(plan(sized_bundle, "gpu-cuda"), gpu)
    assert _vars(gpu)["stratum_run_options"] == ["--gpus", "all", *LIMITS]
    local = tmp_path / "local"
    render(plan(sized_bundle, "local"), local)
    assert _vars(local)["stratum_environment"] == {"STRATUM_PREDICT_THREADS": "3"}
    role = (local / "ansible/roles/stratum_process/tasks/main.yml").read_text()
    assert 'environment: "{{ stratum_environment | default({}) }}"' in role
    lint_bundle(local)  # (test_render runs ansible-lint over the same roles)


def test_without_a_recommendation_nothing_is_limited(iris_bundle, sized_bundle, tmp_path):
    out = render(plan(iris_bundle, "cloud-x86"), tmp_path / "plain")
    assert out["resources"] is None
    assert "STRATUM_PREDICT_THREADS" not in (tmp_path / "plain/Dockerfile").read_text()
    assert _vars(tmp_path / "plain")["stratum_run_options"] == []
    # a goal that no configuration met: recorded, and nothing limited either
    write_rightsizing(sized_bundle, Rightsizing(goal=Goal(1.0, 1e6), recommendation=None,
                                                measured_with="local", measured_at="now"))
    assert render(plan(sized_bundle, "cloud-x86"), tmp_path / "none")["resources"] is None


def test_a_malformed_recommendation_is_named(sized_bundle):
    profile = json.loads((sized_bundle / "profile.json").read_text())
    profile["rightsizing"]["recommendation"]["cpus"] = "$(id)"
    (sized_bundle / "profile.json").write_text(json.dumps(profile))
    with pytest.raises(DeployError, match="rightsizing: .*not a number"):
        plan(sized_bundle, "cloud-x86")


@pytest.mark.docker
@pytest.mark.slow
def test_the_container_runs_with_the_limits(docker_engine, sized_bundle, tmp_path, free_port):
    out = tmp_path / "cloud"
    events: list[str] = []
    result = deploy(sized_bundle, "cloud-x86", out, port=free_port, name="sized",
                    base_image=docker_engine["base_image"], run=True, on_event=events.append)
    try:
        assert f"limits from the bundle's rightsizing: {' '.join(LIMITS)}" in events
        assert any(e.startswith("rightsizing from ") and "at 20 requests/s" in e
                   for e in events)
        record = json.loads((out / "deploy.json").read_text())
        assert record["resources"]["cpus"] == 0.5 and record["resources"]["threads"] == 3
        container = docker_client().containers.get(record["container"])
        host = container.attrs["HostConfig"]
        assert host["NanoCpus"] == 500_000_000
        assert host["Memory"] == MEMORY and host["MemorySwap"] == MEMORY
        assert "STRATUM_PREDICT_THREADS=3" in container.attrs["Config"]["Env"]
        image = docker_client().images.get(result.image)
        assert image.labels["io.stratum.cpus"] == "0.5"
    finally:
        stop(out, on_event=events.append)
