"""Clustering: configurations that cannot label new rows (AgglomerativeClustering, DBSCAN:
no ``predict``) are ranked but said, before ranking, to be unsaveable; the saved model is
the best one that can label new rows, and when none can, nothing is saved (no crash)."""

from __future__ import annotations

import ast

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from stratum_jupyter import evaluate, load_model, read_profile
from stratum_jupyter.codegen import script_source
from stratum_jupyter.commands.evaluate import save
from stratum_jupyter.spec import load_spec
from tests.codegen.test_python import ruff

CANDIDATES = [
    {"name": "agg", "steps": [{"AgglomerativeClustering": {"n_clusters": 3}}]},
    {"name": "km", "steps": [{"KMeans": {"n_clusters": [2, 5], "random_state": 0}}]},
    {"name": "gm", "steps": [{"GaussianMixture": {"n_components": [2, 4],
                                                  "random_state": 0}}]},
]


@pytest.fixture(scope="module")
def blobs() -> pd.DataFrame:
    X, _ = make_blobs(200, centers=3, random_state=0)
    return pd.DataFrame(X, columns=["a", "b"])


def _spec(candidates):
    return {"version": 1, "task": "clustering",
            "evaluation": {"cv": 3, "random_state": 0}, "candidates": candidates}


@pytest.mark.slow  # the bundle is saved, profiled and loaded back (~9 s on a busy machine)
def test_the_best_clusterer_with_predict_is_saved(in_process, blobs, tmp_path, capsys):
    result = evaluate(_spec(CANDIDATES), blobs, display="text", out=tmp_path)
    out = capsys.readouterr().out
    before = out.index("[1/5]")
    note = ("agg (AgglomerativeClustering) cannot label new rows (no predict): ranked, but "
            "not saved for serving; the best configuration that can label new rows is saved")
    assert 0 <= out.index(note) < before  # said before any result is ranked
    board = result.leaderboard
    assert list(board["rank"]) == [1, 2, 3, 4, 5] and (board["status"] == "ok").all()
    assert board.iloc[0]["candidate"] == "agg"  # the leaderboard still ranks it first
    runner_up = board.iloc[1]
    assert result.best.candidate == runner_up["candidate"] == "gm"
    assert result.best.params == {"gaussianmixture__n_components": 2}
    assert runner_up["params"] == {"n_components": 2}  # the short name (paramnames.py)
    assert result.best.passed_over == ("agg",)
    assert result.to_dict()["best"]["passed_over"] == ["agg"]
    assert "ranked above it without predict: agg" in out
    profile = read_profile(tmp_path / "best")
    assert profile["candidate"] == "gm"
    assert profile["params"] == {"gaussianmixture__n_components": 2}
    model = load_model(tmp_path / "best")
    np.testing.assert_array_equal(model.predict(blobs), result.best.predict(blobs))
    assert set(model.predict(blobs.head(20))) <= {0, 1, 2}


def test_when_none_can_label_new_rows_nothing_is_saved(in_process, blobs, tmp_path, capsys):
    spec = _spec([CANDIDATES[0], {"name": "dbscan", "steps": [{"DBSCAN": {"eps": 1.0}}]}])
    result = evaluate(spec, blobs, display="text", out=tmp_path / "run")
    out = capsys.readouterr().out
    assert ("no candidate can label new rows (no predict): agg (AgglomerativeClustering), "
            "dbscan (DBSCAN); they are ranked, but no model will be saved") in out
    assert result.best is None and len(result.leaderboard) == 2
    assert result.unsaved.startswith(
        "no configuration can label new rows (AgglomerativeClustering, DBSCAN: no predict)")
    assert f"nothing saved to {tmp_path / 'run' / 'best'}" in out
    assert result.to_dict()["unsaved"] == result.unsaved and result.to_dict()["best"] is None
    assert not (tmp_path / "run" / "best").exists()
    # The command line's and the magic's save: the leaderboard, no model, no error.
    assert save(result, tmp_path / "cli") is None
    assert (tmp_path / "cli" / "leaderboard.csv").exists()
    assert not (tmp_path / "cli" / "best").exists()


def test_generated_clustering_code_saves_only_what_there_is(tmp_path):
    source = script_source(load_spec(_spec(CANDIDATES)))
    assert "    if best is not None:\n        score = best.metrics" in source
    ast.parse(source)
    path = tmp_path / "clustering.py"
    path.write_text(source)
    result = ruff(path, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
