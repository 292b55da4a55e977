"""stratum predict against a real service (``python -m stratum_jupyter.serving``): the
cluster's answers are the service's, and ``--url`` sends the chunks to it."""

from __future__ import annotations

import pandas as pd
import pytest

from stratum_jupyter.batch import remote
from stratum_jupyter.batch.api import predict_file
from stratum_jupyter.batch.sources import ChunkError
from tests.servicetools import free_port, post_json, service_process

TOKEN = "batch-scoring-test-token-0123456789"


@pytest.fixture(scope="module")
def service(iris_bundle):
    with service_process(iris_bundle, env={"STRATUM_SERVICE_TOKEN": TOKEN}) as (_, port):
        yield f"http://127.0.0.1:{port}"


def _service_answer(url: str, rows: pd.DataFrame) -> dict:
    import json
    import urllib.request

    body = json.dumps({"rows": rows.to_dict(orient="records")}).encode()
    request = urllib.request.Request(f"{url}/predict", data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_cluster_answers_as_the_service_and_url_sends_the_chunks_to_it(
        client, service, iris_bundle, iris_csv, iris_rows, tmp_path, monkeypatch):
    predict_file(iris_bundle, str(iris_csv), tmp_path / "cluster", chunk_rows=16,
                 columns=["id"], client=client, log=print)
    batch = pd.read_parquet(tmp_path / "cluster")
    online = _service_answer(service, iris_rows.drop(columns=["id"]))
    assert batch["prediction"].tolist() == online["predictions"]
    for c in online["classes"]:  # JSON floats read back bit for bit
        assert batch[f"proba_{c}"].tolist() == [p[str(c)] for p in online["probabilities"]]

    monkeypatch.setenv("STRATUM_SERVICE_TOKEN", TOKEN)
    lines: list[str] = []
    predict_file(iris_bundle, str(iris_csv), tmp_path / "url", chunk_rows=16, columns=["id"],
                 url=service, log=lines.append)
    assert f"at the service {service}" in lines[0]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "url"), batch)


def test_url_without_the_token_names_the_rows_the_service_refused(service, iris_bundle,
                                                                  iris_csv, tmp_path,
                                                                  monkeypatch):
    monkeypatch.delenv("STRATUM_SERVICE_TOKEN", raising=False)
    with pytest.raises(ChunkError, match=r"rows \d+-\d+: the service answered 401"):
        predict_file(iris_bundle, str(iris_csv), tmp_path / "out", chunk_rows=16,
                     columns=["id"], url=service, log=print)
    assert post_json(service, {"rows": []})[0] == 401  # (the service wants the token)


def test_url_retries_connection_errors_then_names_the_rows(iris_bundle, iris_csv, tmp_path,
                                                           monkeypatch):
    monkeypatch.setattr(remote, "RETRIES", 2)  # 0.5 + 1 s of pauses, not 7.5
    nowhere = f"http://127.0.0.1:{free_port()}"
    # Chunks are in flight together: whichever gives up first is named, by its rows.
    with pytest.raises(ChunkError, match=r"rows \d+-\d+: .* did not answer after 3 tries"):
        predict_file(iris_bundle, str(iris_csv), tmp_path / "out", chunk_rows=16,
                     columns=["id"], url=nowhere, log=print)
