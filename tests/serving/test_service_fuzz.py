"""A hypothesis fuzz of /predict: 1,000 generated bodies (wrong types, huge numbers, nested
values, unicode, nulls, missing and extra fields, bytes that are not JSON) see only 2xx and
4xx answers, each 4xx with a message, and /metrics counts every one under /predict."""

from __future__ import annotations

import http.client
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stratum_jupyter.bundle import save_bundle
from tests.servicetools import call, metric
from tests.serving.test_service_inputs import CATEGORICAL, NUMERIC, mixed_model

EXAMPLES = 1000

leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10**400), 10**400),
    st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**400, -(10**400)]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
json_values = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
good = {
    "island": st.sampled_from(["Biscoe", "Dream", "Torgersen", "Atlantis"]) | st.none(),
    "sex": st.sampled_from(["male", "female", "\N{PENGUIN}"]) | st.none(),
    "year": st.integers(2007, 2009),
    **{name: st.floats(10, 6000) | st.none() for name in NUMERIC[:4]},
}


@st.composite
def rows(draw):
    row = {}
    for name, values in good.items():
        choice = draw(st.sampled_from(["good"] * 17 + ["any"] * 2 + ["missing"]))
        if choice != "missing":
            row[name] = draw(json_values if choice == "any" else values)
    if draw(st.sampled_from([False] * 4 + [True])):
        row[draw(st.text(max_size=10))] = draw(json_values)
    return row


table = st.lists(rows(), min_size=1, max_size=4).map(lambda r: {"rows": r})
shapes = {"table": table,
          "extra": st.lists(rows(), max_size=2).map(lambda r: {"rows": r, "extra": True}),
          "object": st.dictionaries(st.text(max_size=6), json_values, max_size=3),
          "any": json_values}
payloads = st.sampled_from(["table"] * 6 + ["extra", "object", "any"]).flatmap(shapes.get)
bodies = payloads.map(lambda p: json.dumps(p).encode()) | st.binary(max_size=64)


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    import pandas as pd

    from stratum_jupyter.serving.server import serve_in_thread
    from tests.serving.test_service_inputs import DATA

    frame = pd.read_csv(DATA)
    X, y = frame[NUMERIC + CATEGORICAL], frame["species"]
    path = save_bundle(mixed_model(X, y, "error"), tmp_path_factory.mktemp("fuzz") / "m",
                       X=X, y=y, task="classification")
    server, _ = serve_in_thread(path)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_fuzzed_bodies_get_2xx_or_4xx_and_are_all_counted(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    before = metric(call(port, "GET", "/metrics")[1], "stratum_requests_total",
                    endpoint="/predict")
    sent = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(bodies)
    def check(body):
        conn.request("POST", "/predict", body=body,
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        answer = json.loads(response.read())
        sent.append(body)
        assert 200 <= response.status < 300 or 400 <= response.status < 500, (body, answer)
        if response.status >= 400:
            assert answer["error"]
            for error in answer.get("errors", []):
                assert error.startswith("rows"), error
        else:
            assert len(answer["predictions"]) == len(json.loads(body)["rows"])

    check()
    conn.close()
    assert len(sent) >= EXAMPLES
    after = metric(call(port, "GET", "/metrics")[1], "stratum_requests_total",
                   endpoint="/predict")
    assert after - before == len(sent)
