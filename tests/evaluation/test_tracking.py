"""--mlflow: an evaluation tracked in a temporary MLflow file store, read back with
MLflow's own client: the parent run and its spec, one nested run per configuration with
the leaderboard's metrics, the best model loaded by ``mlflow.pyfunc`` predicting as ours."""

from __future__ import annotations

import json

import numpy as np
import pytest

from stratum_jupyter.evaluation.paramnames import short_names

pytestmark = pytest.mark.slow

SPEC = """version: 1
name: tracked
task: classification
evaluation:
  cv: 3
  metrics: [accuracy, neg_log_loss]
  random_state: 0
  ensemble: {method: soft_voting, k: 2}
candidates:
  - name: logreg
    steps:
      - StandardScaler: {}
      - LogisticRegression: {C: [0.1, 1.0], max_iter: 500}
  - name: nb
    steps:
      - GaussianNB: {}
"""


def test_mlflow_runs_metrics_spec_and_model(ip, cluster, tmp_path, capsys, monkeypatch):
    pytest.importorskip("mlflow")
    import mlflow.pyfunc
    from mlflow.tracking import MlflowClient, is_tracking_uri_set
    from sklearn.datasets import load_iris

    ip.user_ns["X"], ip.user_ns["y"] = load_iris(return_X_y=True, as_frame=True)
    store = (tmp_path / "store").as_uri()
    result = ip.run_cell_magic(
        "stratum_evaluate",
        f"--data X y --scheduler {cluster.scheduler_address} --display none --mlflow {store}",
        SPEC)
    out = capsys.readouterr().out
    run_id = result.tracking["run_id"]
    assert f"MLflow run {run_id}" in out and store in out
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 reading a file store

    client = MlflowClient(tracking_uri=store)
    parent = client.get_run(run_id)
    experiment = client.get_experiment(parent.info.experiment_id)
    assert experiment.name == "stratum tracked"
    assert parent.data.params["select_by"] == "accuracy"
    spec_file = client.download_artifacts(run_id, "spec.json", str(tmp_path))
    assert json.loads(open(spec_file).read())["name"] == "tracked"
    children = client.search_runs(
        [experiment.experiment_id], f"tags.mlflow.parentRunId = '{run_id}'")
    assert len(children) == len(result.results) == 4  # 3 configurations + the ensemble
    board = result.leaderboard
    by_name = {c.info.run_name: c for c in children}
    for res in result.results:
        child = by_name[res.config.label]
        row = board[(board["candidate"] == res.config.candidate)
                    & (board["params"].map(repr) == repr(short_names(res.config.params)))].iloc[0]
        for metric in ("accuracy", "neg_log_loss"):
            assert child.data.metrics[metric] == pytest.approx(row[metric], abs=1e-12)
            history = client.get_metric_history(child.info.run_id, f"{metric}_fold")
            assert [h.value for h in sorted(history, key=lambda h: h.step)] == \
                pytest.approx(res.fold_values(metric), abs=1e-12)
    ensemble = by_name[result.results[-1].config.label]
    assert ensemble.data.tags["kind"] == "ensemble"
    assert ensemble.data.params["members"] == "; ".join(result.results[-1].config.members)

    assert not is_tracking_uri_set()  # the process's own setting is kept
    mlflow.set_tracking_uri(store)
    try:
        model = mlflow.pyfunc.load_model(result.tracking["model_uri"])
    finally:
        mlflow.set_tracking_uri(None)
    X = ip.user_ns["X"]
    np.testing.assert_array_equal(np.asarray(model.predict(X)), result.best_model.predict(X))
    assert model.metadata.signature is not None
    assert "version 1" in result.tracking["registered"]
