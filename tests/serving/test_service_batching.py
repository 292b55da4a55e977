"""Adaptive batching (issue 24, item 3): concurrent clients' requests are joined into model
calls of at most ``max_batch`` rows (``/metrics`` shows more than one request per call), and
every client gets the answer an unbatched service gives it (labels exactly, probabilities
to 1e-12); a request the model
refuses gets its own 422 while the ones joined with it are answered."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from stratum_jupyter.serving.server import Settings, serve_in_thread
from tests.servicetools import call, metric
from tests.serving.bundles import digits, onnx_digits

CLIENTS, REQUESTS = 8, 12


def same(got, alone, rtol=1e-12):
    """The same status, labels and classes; probabilities and outputs to ``rtol`` (a BLAS
    product of a row can differ in its last bit with the rows beside it: so it does between
    two unbatched requests of a different number of rows)."""
    (status, a), (expected_status, b) = got, alone
    assert status == expected_status, (a, b)
    if status != 200:
        assert a == b
        return
    if "outputs" in a:
        assert [(o["name"], o["shape"]) for o in a["outputs"]] == \
            [(o["name"], o["shape"]) for o in b["outputs"]]
        a_data = [o["data"] for o in a["outputs"]]
        b_data = [o["data"] for o in b["outputs"]]
        assert a_data[0] == b_data[0]  # labels
        np.testing.assert_allclose(a_data[1], b_data[1], rtol=rtol, atol=1e-15)
        return
    assert a["predictions"] == b["predictions"] and a.get("classes") == b.get("classes")
    np.testing.assert_allclose([list(p.values()) for p in a["probabilities"]],
                               [list(p.values()) for p in b["probabilities"]], rtol=rtol,
                               atol=1e-15)


def serving(model_dir, **settings):
    server, _ = serve_in_thread(model_dir, settings=Settings(host="127.0.0.1", port=0,
                                                             **settings))
    return server, server.server_address[1]


def concurrently(port, bodies, path="/predict"):
    """Each of CLIENTS threads sends its share of ``bodies``; the answers in body order."""
    answers = [None] * len(bodies)
    start = threading.Barrier(CLIENTS)

    def client(k):
        start.wait()
        for i in range(k, len(bodies), CLIENTS):
            answers[i] = call(port, "POST", path, bodies[i])

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


@pytest.fixture(scope="module")
def iris_servers(iris_bundle):
    plain, plain_port = serving(iris_bundle)
    batched, batched_port = serving(iris_bundle, max_batch=8, batch_wait_ms=30, threads=2)
    yield plain_port, batched_port
    for server in (plain, batched):
        server.shutdown()
        server.server_close()


def test_concurrent_table_requests_are_joined_and_answered_as_unbatched(iris_servers,
                                                                         iris_split):
    plain, batched = iris_servers
    _, X_test, _, _ = iris_split
    records = X_test.to_dict("records")
    bodies = [{"rows": records[i % 40:i % 40 + 1 + i % 3]} for i in range(CLIENTS * REQUESTS)]
    bodies[5] = {"rows": [{**records[0], "petal width (cm)": "wide"}]}
    joined = concurrently(batched, bodies)
    for body, got in zip(bodies, joined, strict=True):
        same(got, call(plain, "POST", "/predict", body))
    assert joined[5][0] == 422 and "petal width (cm)" in joined[5][1]["errors"][0]
    scraped = call(batched, "GET", "/metrics")[1]
    calls = metric(scraped, "stratum_batch_requests_count")
    assert metric(scraped, "stratum_batch_requests_sum") == len(bodies) - 1  # the 422: at reading
    assert calls < len(bodies) - 1, "no two requests were joined"


def test_a_lone_client_is_not_kept_waiting(iris_bundle, iris_split):
    """With nothing else in flight a request is predicted at once: 10 requests one after
    another to a service that would wait 1 s for company take far less than 10 x 1 s,
    and each is its own model call."""
    import time

    _, X_test, _, _ = iris_split
    server, port = serving(iris_bundle, max_batch=8, batch_wait_ms=1000, threads=1)
    try:
        call(port, "POST", "/predict", {"rows": X_test.iloc[:1].to_dict("records")})
        began = time.perf_counter()
        for i in range(10):
            assert call(port, "POST", "/predict",
                        {"rows": X_test.iloc[i:i + 1].to_dict("records")})[0] == 200
        assert time.perf_counter() - began < 5.0  # (waiting: >= 10 s)
        scraped = call(port, "GET", "/metrics")[1]
        assert metric(scraped, "stratum_batch_requests_count") == 11
    finally:
        server.shutdown()
        server.server_close()


def test_v2_requests_are_batched_too(iris_servers, iris_split):
    plain, batched = iris_servers
    _, X_test, _, _ = iris_split
    rows = X_test.to_numpy()
    bodies = [{"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP64",
                           "data": rows[i:i + 2].tolist()}]} for i in range(CLIENTS * 4)]
    assert len(rows) >= CLIENTS * 4 + 1
    for body, got in zip(bodies, concurrently(batched, bodies, "/v2/models/logreg/infer"),
                         strict=True):
        same(got, call(plain, "POST", "/v2/models/logreg/infer", body))


def test_image_instances_are_joined_with_the_same_answers(tmp_path):
    path = onnx_digits(tmp_path / "digits")
    X, _ = digits()
    plain, plain_port = serving(path)
    batched, batched_port = serving(path, max_batch=16, batch_wait_ms=30)
    try:
        bodies = [{"instances": X[i:i + 1 + i % 2].tolist()} for i in range(CLIENTS * 6)]
        for body, got in zip(bodies, concurrently(batched_port, bodies), strict=True):
            assert got[0] == 200, got
            same(got, call(plain_port, "POST", "/predict", body), rtol=1e-6)
    finally:
        for server in (plain, batched):
            server.shutdown()
            server.server_close()


def test_the_service_takes_batching_flags():
    from stratum_jupyter.serving.__main__ import main

    for argv in (["--max-batch", "0"], ["--batch-wait-ms", "-1"]):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2


def test_batching_is_read_from_the_bundle_unless_set(tmp_path, monkeypatch):
    import json

    from stratum_jupyter.serving.server import make_server

    path = onnx_digits(tmp_path / "digits")
    profile = json.loads((path / "profile.json").read_text())
    profile["serving"] = {"max_batch": 4, "batch_wait_ms": 5}
    (path / "profile.json").write_text(json.dumps(profile))
    server, port = serving(path)
    try:
        assert call(port, "GET", "/health")[1]["batching"] == {"max_batch": 4,
                                                               "batch_wait_ms": 5.0}
    finally:
        server.shutdown()
        server.server_close()
    monkeypatch.setenv("STRATUM_MAX_BATCH", "2")
    server = make_server(path, port=0)
    assert server.predictor.batching == {"max_batch": 2, "batch_wait_ms": 5.0}
    server.server_close()
    monkeypatch.setenv("STRATUM_MAX_BATCH", "0")
    with pytest.raises(ValueError, match="max_batch 0"):
        make_server(path, port=0)
