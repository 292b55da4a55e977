"""evaluation.ensemble in generated code: scikit-learn's own ensemble class passed to
evaluate (ruff-clean), and a generated notebook run under papermill shows the ensemble in
its leaderboard with its members."""

from __future__ import annotations

import pytest

from stratum_jupyter.codegen import script_source, spec_notebook
from stratum_jupyter.spec import load_spec
from tests.codegen.test_generated_evaluation import _ruff

SPEC = """version: 1
task: classification
data: {source: 'sklearn:iris'}
evaluation:
  cv: 3
  random_state: 0
  ensemble: %s
candidates:
  - name: logreg
    steps:
      - StandardScaler: {}
      - LogisticRegression: {C: [0.1, 1.0], max_iter: 500}
  - name: nb
    steps:
      - GaussianNB: {}
  - name: tree
    steps:
      - DecisionTreeClassifier: {max_depth: 3, random_state: 0}
"""


@pytest.mark.parametrize(("ensemble", "code"), [
    ("{}", ['ensemble = VotingClassifier(estimators=[], voting="soft")']),
    ("{method: hard_voting, k: 2, members: top_configurations}",
     ['ensemble = VotingClassifier(estimators=[], voting="hard")']),
    ("{method: stacking, final_estimator: {LogisticRegression: {C: 0.5}}, cv: 4}",
     ["ensemble = StackingClassifier(", "final_estimator=LogisticRegression(C=0.5),",
      "cv=4,"]),
])
def test_ensemble_is_scikit_learns_class_and_passes_ruff(ensemble, code, tmp_path):
    script = script_source(load_spec(SPEC % ensemble), "runs/x")
    assert all(part in script for part in code) and "    ensemble=ensemble,\n" in script
    _ruff(tmp_path, "script.py", script)


def test_regression_voting():
    spec = load_spec(SPEC.replace("classification", "regression").replace(
        "LogisticRegression: {C: [0.1, 1.0], max_iter: 500}", "Ridge: {}").replace(
        "GaussianNB: {}", "Lasso: {}").replace("DecisionTreeClassifier", "DecisionTreeRegressor")
        .replace("sklearn:iris", "sklearn:diabetes") % "{}")
    assert "ensemble = VotingRegressor(estimators=[])" in script_source(spec)


@pytest.mark.slow
def test_generated_notebook_ranks_the_ensemble(cluster, tmp_path, monkeypatch):
    import json

    from tests.evaluation.test_magic_cli import _run

    spec = load_spec(SPEC % "{method: stacking, cv: 3}")
    done = _run(spec_notebook(spec, out_dir="runs/gen"), tmp_path, monkeypatch, cluster)
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                   for c in done.cells for o in c.get("outputs", []))
    import pandas as pd

    board = pd.read_csv(tmp_path / "runs/gen/best/leaderboard.csv", dtype={"members": str})
    (members,) = board.loc[board["candidate"] == "ensemble (stacking)", "members"]
    assert len(members.split("; ")) == 3 and "logreg C=" in members
    assert "ensemble (stacking)" in text and members in text  # the notebook's leaderboard
    assert "[5/5] ensemble (stacking): accuracy" in text
    profile = json.loads((tmp_path / "runs/gen/best/profile.json").read_text())
    assert profile["spec"]["evaluation"]["ensemble"] == {"method": "stacking", "cv": 3}
