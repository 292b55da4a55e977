"""A model of a table with free text and identifier columns (preprocessing auto: TF-IDF per
text column, identifiers left out) is deployed to ``local`` and answers rows that hold no
identifier, as ``load_model(...).predict`` does; ONNX conversion is refused naming the text
vectorizer."""

from __future__ import annotations

import json
import socket

import numpy as np
import pandas as pd
import pytest

from stratum_jupyter import evaluate, load_model
from stratum_jupyter.deploy import deploy
from stratum_jupyter.deploy.run import stop
from stratum_jupyter.errors import DeployError
from stratum_jupyter.evaluation import cluster as clusters
from stratum_jupyter.evaluation import inprocess
from tests.servicetools import post_json

pytestmark = pytest.mark.slow
PORTS = range(18130, 18140)  # this suite's ports for text models


def _port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {PORTS}")


@pytest.fixture
def text_bundle(tmp_path, monkeypatch):
    monkeypatch.delenv("STRATUM_SCHEDULER", raising=False)
    monkeypatch.setattr(inprocess, "START_S", 1e9)  # small work: in this process
    clusters.close_local()
    rows = 150
    rng = np.random.default_rng(0)
    good = rng.integers(0, 2, rows)
    opinions = np.array(["a dull and tired story", "a fine and moving story"])
    frame = pd.DataFrame({
        "review": [f"{opinions[g]} about film {i}" for i, g in enumerate(good)],
        "genre": rng.choice(["drama", "comedy", "horror"], rows),
        "verdict": np.where(good == 1, "fresh", "rotten")})
    path = tmp_path / "reviews.csv"
    frame.to_csv(path)  # with its index: "Unnamed: 0", an identifier
    spec = f"""
version: 1
task: classification
data: {{source: "csv:{path}", target: verdict}}
evaluation: {{cv: 3, random_state: 0}}
candidates:
  - name: logreg
    steps: [LogisticRegression]
"""
    result = evaluate(spec, display="none")
    return result.save(tmp_path / "best"), frame.drop(columns=["verdict"])


def test_a_text_model_is_served_without_its_identifiers(text_bundle, tmp_path):
    bundle, X = text_bundle
    schema = json.loads((bundle / "profile.json").read_text())["input_schema"]
    assert [f["name"] for f in schema["features"]] == ["review", "genre"]
    out = tmp_path / "dep"
    served = deploy(bundle, "local", out, port=_port(), apply=True)
    try:
        rows = pd.DataFrame({"review": ["a fine and moving story about a new film",
                                        "a dull and tired story about another film"],
                             "genre": ["drama", "western"]})  # an unseen genre too
        status, body = post_json(served.url, {"rows": rows.to_dict(orient="records")})
        assert status == 200, body
        expected = load_model(bundle).predict(rows)
        assert body["predictions"] == expected.tolist() == ["fresh", "rotten"]
        assert len(body["probabilities"]) == 2
        status, body = post_json(served.url, {"rows": X.head(5).to_dict(orient="records")})
        assert status == 200 and len(body["predictions"]) == 5
    finally:
        assert stop(out)


def test_onnx_conversion_of_a_text_model_is_refused_naming_the_step(text_bundle, tmp_path):
    bundle, _ = text_bundle
    with pytest.raises(DeployError) as info:
        deploy(bundle, "edge-arm64", tmp_path / "edge", convert="onnx",
               on_event=lambda _: None)
    assert ("preprocessing > text-review > tfidfvectorizer (TfidfVectorizer) is not "
            "converted") in str(info.value)
    assert "--convert none" in str(info.value)
