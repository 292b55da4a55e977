"""A model that splits dates into parts (``DatetimeFeatures``): its bundle saves and loads
back, the prediction service (in the package, and from a deploy bundle where
stratum_jupyter is not installed) answers what ``load_model().predict`` answers, and an edge
(ONNX) deploy is refused naming the step."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from stratum_jupyter.bundle import load_model, read_profile, save_bundle
from stratum_jupyter.catalog.roles import apply_roles
from stratum_jupyter.deploy.render import plan, render
from stratum_jupyter.errors import DeployError
from tests.catalog.dated import dated_table
from tests.servicetools import call, predict_without_stratum, serving


@pytest.fixture(scope="module")
def dated_model():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from stratum_jupyter.spec.pipeline import auto_columns_step

    X, y = dated_table()
    X = apply_roles(X, {"day": "datetime"})
    columns = auto_columns_step(dates=True)
    model = Pipeline([(columns.name, columns.estimator()),
                      ("logisticregression", LogisticRegression(max_iter=2000))]).fit(X, y)
    return model, X, y


@pytest.fixture(scope="module")
def dated_bundle(tmp_path_factory, dated_model):
    model, X, y = dated_model
    return save_bundle(model, tmp_path_factory.mktemp("dated") / "best", X=X, y=y,
                       task="classification", candidate="logreg")


def _rows(frame):
    """Request rows: dates as ISO 8601 text, gaps as null."""
    return [{name: None if pd.isna(v) else v.isoformat() if isinstance(v, pd.Timestamp)
             else v for name, v in row.items()} for row in frame.to_dict(orient="records")]


def test_the_bundle_loads_back_and_records_dates_as_text(dated_bundle, dated_model):
    model, X, _ = dated_model
    assert (load_model(dated_bundle).predict(X) == model.predict(X)).all()
    profile = read_profile(dated_bundle)
    row = profile["sample_rows"][0]
    assert pd.Timestamp(row["when"]) == X["when"].iloc[0] or row["when"] is None
    assert all(isinstance(r["day"], str | None) for r in profile["sample_rows"])
    json.dumps(profile, allow_nan=False)  # strict JSON


def test_the_local_service_answers_what_load_model_predicts(dated_bundle, dated_model,
                                                            tmp_path):
    _, X, _ = dated_model
    out = tmp_path / "local"
    render(plan(dated_bundle, "local"), out)
    assert (out / "service" / "dates.py").is_file()
    rows = _rows(X.head(12))
    with serving(out) as port:
        status, body = call(port, "POST", "/predict", {"rows": rows})
        bad = call(port, "POST", "/predict", {"rows": [{**rows[0], "when": "soon"}]})
    assert status == 200, body
    expected = load_model(dated_bundle).predict(X.head(12))
    assert body["predictions"] == expected.tolist()
    assert any(r["when"] is None for r in rows)  # a missing date is imputed
    assert bad[0] == 422 and "soon" in json.dumps(bad[1])


def test_the_bundle_service_loads_it_without_stratum_jupyter(dated_bundle, dated_model,
                                                              tmp_path):
    """In the Docker image only service/ is there: the copy of catalog/dates.py beside it
    stands for the module the skops file names."""
    _, X, _ = dated_model
    out = tmp_path / "local"
    render(plan(dated_bundle, "local"), out)
    answers = predict_without_stratum(out, _rows(X.head(8)))
    assert answers == load_model(dated_bundle).predict(X.head(8)).tolist()


def test_an_edge_deploy_is_refused_naming_the_date_step(dated_bundle):
    with pytest.raises(DeployError) as caught:
        plan(dated_bundle, "edge-arm64")
    (problem,) = caught.value.violations
    assert problem.startswith("conversion: skl2onnx cannot convert preprocessing > datetime "
                              "> datetimefeatures (DatetimeFeatures): ")
    assert "use --convert none" in problem
    assert plan(dated_bundle, "local").conversion == "none"


@pytest.mark.docker
@pytest.mark.slow
def test_the_docker_image_serves_the_date_model(docker_engine, dated_bundle, dated_model,
                                               tmp_path, free_port):
    """The image holds service/ and model/ only (no stratum_jupyter): the model with the
    date step loads and answers what load_model().predict answers."""
    from stratum_jupyter.deploy import deploy
    from stratum_jupyter.deploy.run import stop

    _, X, _ = dated_model
    out = tmp_path / "cloud"
    result = deploy(dated_bundle, "cloud-x86", out, port=free_port,
                    base_image=docker_engine["base_image"], run=True)
    try:
        import urllib.request

        rows = _rows(X.head(10))
        request = urllib.request.Request(f"{result.url}/predict", method="POST",
                                         data=json.dumps({"rows": rows}).encode())
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = json.loads(answer.read())
        assert body["predictions"] == load_model(dated_bundle).predict(X.head(10)).tolist()
    finally:
        stop(out)
