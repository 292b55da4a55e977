"""A leaderboard that mixes Keras and scikit-learn candidates, on a real LocalCluster."""

from __future__ import annotations

from tests.marks import SLOW_TENSORFLOW

pytestmark = SLOW_TENSORFLOW

SPEC = """
version: 1
task: classification
evaluation: {cv: 3, metrics: [accuracy, f1_macro], select_by: f1_macro, random_state: 0}
candidates:
  - name: logreg
    steps:
      - StandardScaler: {}
      - LogisticRegression: {C: [0.1, 1.0], max_iter: 1000}
  - name: net
    steps:
      - StandardScaler: {}
      - KerasClassifier:
          layers: [{units: 16}]
          epochs: 25
          learning_rate: 0.02
          random_state: 0
"""


def test_mixed_leaderboard_on_a_local_cluster(client, tmp_path):
    import sys

    from sklearn.datasets import load_iris

    from stratum_jupyter import evaluate, load_model

    X, y = load_iris(return_X_y=True, as_frame=True)
    result = evaluate(SPEC, X, y, client=client, display="none")
    # TensorFlow is imported in the workers that trained the network
    worker_modules = client.run(lambda: "tensorflow" in sys.modules)
    board = result.leaderboard
    assert set(board["candidate"]) == {"logreg", "net"} and len(board) == 3
    assert not result.failures
    assert board["f1_macro"].is_monotonic_decreasing
    net = board[board["candidate"] == "net"].iloc[0]
    assert net["f1_macro"] > 0.6
    assert any(worker_modules.values())
    best = result.save(tmp_path / "best")
    model = load_model(best)
    assert (model.predict(X) == result.best.model.predict(X)).all()
