"""A winning ensemble (scikit-learn's VotingClassifier over the members' pipelines) is
deployed to ``local`` and answers what ``load_model(...).predict`` answers; it converts
to ONNX (checked against the model by the deploy step)."""

import numpy as np
import pytest

from stratum_jupyter import evaluate, load_model
from stratum_jupyter.deploy import deploy
from stratum_jupyter.deploy.run import stop
from tests.evaluation.test_ensemble import _candidates
from tests.servicetools import post_json

pytestmark = pytest.mark.slow


def test_winning_ensemble_served_locally(client, tmp_path, free_port):
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(300, n_features=10, n_informative=5, random_state=0)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(10)])
    candidates = {k: v for k, v in _candidates().items() if k != "logreg"}
    result = evaluate(candidates, X, y, client=client, metrics=["neg_log_loss"], cv=3,
                      random_state=0, ensemble="soft_voting", display="none")
    assert result.best is not None and len(result.best.members) == 3
    bundle = result.save(tmp_path / "best")
    out = tmp_path / "dep"
    served = deploy(bundle, "local", out, port=free_port, apply=True)
    try:
        rows = X.head(25)
        status, body = post_json(served.url, {"rows": rows.to_dict(orient="records")})
        assert status == 200
        expected = load_model(bundle).predict(rows)
        np.testing.assert_array_equal(body["predictions"], expected.tolist())
    finally:
        assert stop(out)
    deploy(bundle, "local", tmp_path / "onnx", convert="onnx", check=True,
           on_event=lambda _: None)
    assert list((tmp_path / "onnx").rglob("model.onnx"))
