"""An image model's service in containers on the Docker engine with ``--cpus``/``--memory``
(issue 24, item 6): the profile's container runs with exactly the configuration's limits
(``docker inspect``: HostConfig.NanoCpus, Memory), answers a PNG as the model answers it in
process, and the measured row holds the container's latency, host CPU and memory.

The image model is an ONNX network over 8x8 grey digits, bundled by ``save_model`` from a
folder of PNGs: its image installs onnxruntime (a TensorFlow image would cost minutes)."""

import base64
import json

import numpy as np
import pytest

from stratum_jupyter import save_model
from stratum_jupyter.deploy.run import docker_client
from stratum_jupyter.profiling.grid import Config
from stratum_jupyter.profiling.measure import Load, free_port, measure
from stratum_jupyter.profiling.runners import DockerRunner
from tests.bundle.onnx_models import softmax_net
from tests.servicetools import call
from tests.serving.bundles import digits, png, softmax_regression

pytestmark = [pytest.mark.docker, pytest.mark.slow]

LIMITS = Config(cpus=0.5, memory_bytes=192 * 2**20, threads=1, concurrency=2)


@pytest.fixture
def image_bundle(tmp_path):
    folder = tmp_path / "pngs"
    folder.mkdir()
    images = digits()[0][:4]
    for i, image in enumerate(images):
        (folder / f"{i}.png").write_bytes(png(image))
    net = softmax_net(*softmax_regression(), input_shape=[None, 8, 8, 1], name="image")
    bundle = save_model(net, tmp_path / "digits", X=folder, classes=list(range(10)),
                        image={"scale": 1 / 255})
    return bundle, [png(image) for image in images]


def test_an_image_model_container_runs_under_its_limits(docker_engine, image_bundle,
                                                        tmp_path):
    bundle, pngs = image_bundle
    client = docker_client()
    runner = DockerRunner(bundle, tmp_path / "work", client=client,
                          base_image=docker_engine["base_image"], log=lambda line: None)
    running = runner.start(LIMITS, free_port())
    try:
        port = int(running.url.rsplit(":", 1)[1])
        (container,) = client.containers.list(filters={"name": running.cpu[0]})
        host = container.attrs["HostConfig"]
        assert host["NanoCpus"] == 500_000_000
        assert host["Memory"] == host["MemorySwap"] == 192 * 2**20
        status, answer = call(port, "POST", "/predict", raw=pngs[0],
                              headers={"Content-Type": "image/png"})
        status_b64, answer_b64 = call(port, "POST", "/predict", {"instances": [
            {"b64": base64.b64encode(p).decode()} for p in pngs]})
    finally:
        running.stop()
    from stratum_jupyter import load_model

    expected = load_model(bundle).predict(np.asarray(json.loads(
        (bundle / "profile.json").read_text())["sample_instances"], dtype=np.float32))
    assert status == 200 and answer["predictions"] == [int(expected[0])], answer
    assert status_b64 == 200 and answer_b64["predictions"] == [int(v) for v in expected]
    row = measure(runner, LIMITS, [{"b64": base64.b64encode(pngs[1]).decode()}],
                  Load(duration=1.0, max_requests=100, warmup=2), "instances")
    assert row["status"] == "ok" and row["errors"] == 0, row["error"]
    assert row["requests"] > 5 and 0 < row["p50_ms"] <= row["p99_ms"]
    assert row["cpu_percent"] > 0 and 20 * 2**20 < row["peak_memory_bytes"] < 192 * 2**20
    assert not client.containers.list(all=True, filters={"name": running.cpu[0]})
