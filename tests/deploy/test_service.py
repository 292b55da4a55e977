"""The prediction service over real HTTP (a server thread on 127.0.0.1, a free port)."""

import http.client
import shutil

import numpy as np
import pytest

from stratum_jupyter.bundle import load_model
from tests.servicetools import call, serving, shipped_service


@pytest.fixture(scope="module")
def service_module(iris_bundle, tmp_path_factory):
    """Import the shipped service/ package the way the bundle runs it."""
    from stratum_jupyter.deploy.render import plan, render

    out = tmp_path_factory.mktemp("svc") / "bundle"
    render(plan(iris_bundle, "cloud-x86"), out)
    with shipped_service(out) as server:
        yield server, out


@pytest.fixture(scope="module")
def server(service_module):
    module, out = service_module
    srv, thread = module.serve_in_thread(out / "model")
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()
    assert not thread.is_alive()


def probability_rows(body):
    """The answer's probabilities (one {class: p} per row) as a matrix in class order."""
    return [[row[str(c)] for c in body["classes"]] for row in body["probabilities"]]


def test_health(server):
    status, body = call(server, "GET", "/health")
    assert status == 200 and body["status"] == "ok" and len(body["features"]) == 4
    assert body["runtime"] == "sklearn" and body["nullable"] == []  # no imputer: no nulls


def test_predict_equals_model_predict_on_held_out_rows(server, iris_bundle, iris_split):
    _, X_test, _, _ = iris_split
    rows = X_test.to_dict(orient="records")
    status, body = call(server, "POST", "/predict", {"rows": rows})
    assert status == 200
    model = load_model(iris_bundle)
    assert body["predictions"] == model.predict(X_test).tolist()
    assert body["classes"] == [0, 1, 2] and set(body["probabilities"][0]) == {"0", "1", "2"}
    np.testing.assert_allclose(probability_rows(body), model.predict_proba(X_test))


GOOD = {"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4,
        "petal width (cm)": 0.2}


@pytest.mark.parametrize("payload,status,needle", [
    ({"rows": [{**GOOD, "sepal length (cm)": "big"}]}, 422, "expected a number"),
    ({"rows": [{**GOOD, "sepal length (cm)": True}]}, 422, "expected a number"),
    ({"rows": [{**GOOD, "sepal length (cm)": None}]}, 422,
     "rows[0].sepal length (cm): null is not allowed (the model cannot take a missing value"),
    ({"rows": [{**GOOD, "sepal length (cm)": 10**400}]}, 422, "number too large"),
    ({"rows": [{**GOOD, "sepal length (cm)": [1]}]}, 422, "expected a number, got [1]"),
    ({"rows": [{**GOOD, "sepal length (cm)": {"a": "\u00e9\u4e2d"}}]}, 422, "expected a number"),
    ({"rows": [{k: v for k, v in GOOD.items() if k != "petal width (cm)"}]}, 422,
     "missing feature(s) 'petal width (cm)'"),
    ({"rows": [{**GOOD, "colour": 1}]}, 422, "unknown feature(s) 'colour'"),
    ({"rows": []}, 422, "non-empty list"),
    ({"rows": "all"}, 422, "non-empty list"),
    ({"rows": [1, 2]}, 422, "must be an object"),
    ({"data": [GOOD]}, 422, '{"rows"'),
    ({"rows": [GOOD], "extra": 1}, 422, "unknown top-level field(s): 'extra'"),
    ([GOOD], 422, '{"rows"'),
    ({"rows": [GOOD] * 10001}, 413, "too many rows"),
])
def test_bad_payloads_get_4xx_with_a_message(server, payload, status, needle):
    got, body = call(server, "POST", "/predict", payload)
    assert got == status
    assert needle in (body["error"] + " ".join(body.get("errors", [])))


@pytest.mark.parametrize("raw,needle", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (b'{"rows": [' + b"[" * 5000 + b"]" * 5000 + b"]}", "recursion limit"),
    (b'{"rows": [{"a": "\\ud800"}]}', "not valid JSON"),
    (b'{"rows": [{"a": 1' + b"0" * 5000 + b'}]}', "number too large"),
])
def test_malformed_bodies_get_400(server, raw, needle):
    status, body = call(server, "POST", "/predict", raw=raw)
    assert status == 400 and needle in body["error"]


def test_nan_and_infinity_literals_get_422_naming_row_and_field(server):
    raw = b'{"rows": [{"sepal length (cm)": NaN, "sepal width (cm)": Infinity, ' \
          b'"petal length (cm)": 1, "petal width (cm)": 1}]}'
    status, body = call(server, "POST", "/predict", raw=raw)
    assert status == 422
    assert "rows[0].sepal length (cm): NaN is not allowed" in body["errors"][0]
    assert "rows[0].sepal width (cm): number too large" in body["errors"][1]


def test_wrong_paths_and_methods(server):
    assert call(server, "GET", "/predict")[0] == 405
    assert call(server, "DELETE", "/health")[0] == 405
    assert call(server, "BREW", "/health")[0] in {400, 405}
    status, body = call(server, "GET", "/admin")
    assert status == 404 and "/predict" in body["allowed"]
    status, text = call(server, "GET", "/metrics")
    assert 'stratum_requests_total{endpoint="unknown",method="GET",status="404"}' in text
    assert 'stratum_requests_total{endpoint="/predict",method="GET",status="405"}' in text


def test_oversized_body_is_refused_before_reading(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    conn.putrequest("POST", "/predict")
    conn.putheader("Content-Length", str(100 * 2**20))
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 413
    conn.close()


def test_metrics_count_requests_latency_cpu_and_memory(server):
    call(server, "POST", "/predict", {"rows": [GOOD]})
    call(server, "POST", "/predict", {"rows": [{}]})
    status, text = call(server, "GET", "/metrics")
    assert status == 200
    assert 'stratum_requests_total{endpoint="/predict",method="POST",status="200"}' in text
    assert 'stratum_requests_total{endpoint="/predict",method="POST",status="422"}' in text
    assert 'stratum_request_duration_seconds_bucket{endpoint="/predict",le="0.005"}' in text
    assert "stratum_predicted_rows_total" in text
    assert "process_cpu_seconds_total" in text and "process_resident_memory_bytes" in text
    assert 'stratum_model_info{candidate="logreg",kind="sklearn",runtime="sklearn"} 1.0' in text


def test_onnx_service_matches_the_original(iris_bundle, iris_split, tmp_path):
    from stratum_jupyter.deploy.render import plan, render

    out = tmp_path / "edge"
    render(plan(iris_bundle, "edge-arm64"), out)
    _, X_test, _, _ = iris_split
    with serving(out) as port:
        status, body = call(port, "POST", "/predict", {"rows": X_test.to_dict(orient="records")})
    assert status == 200
    model = load_model(iris_bundle)
    assert body["predictions"] == model.predict(X_test).tolist()
    np.testing.assert_allclose(probability_rows(body), model.predict_proba(X_test), atol=1e-4)


def test_array_model_service(diabetes_bundle, tmp_path):
    from sklearn.datasets import load_diabetes

    shutil.copytree(diabetes_bundle, tmp_path / "m")
    from stratum_jupyter.deploy.render import plan, render

    render(plan(tmp_path / "m", "cloud-x86"), tmp_path / "b")
    X, _ = load_diabetes(return_X_y=True)
    rows = [{f"x{i}": float(v) for i, v in enumerate(r)} for r in X[:7]]
    with serving(tmp_path / "b") as port:
        status, body = call(port, "POST", "/predict", {"rows": rows})
    assert status == 200 and "probabilities" not in body
    np.testing.assert_allclose(body["predictions"], load_model(diabetes_bundle).predict(X[:7]))
