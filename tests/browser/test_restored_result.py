"""The builder's last result after a kernel restart or a reopened notebook (issue 22): the
evaluation itself lived in a kernel that is gone, so a builder displayed again comes back
with its leaderboard and offers the next steps (deploy, monitor, report) only while the
model they need is still saved; once that folder is gone it says to evaluate again instead
of offering a cell that would fail."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from playwright.sync_api import expect

from stratum_jupyter import PipelineBuilder
from stratum_jupyter.widgets.state import METADATA_KEY

from ..widgets.test_builder import _with_steps
from .labtools import open_notebook, run_cell, screenshot
from .test_builder import BUILDER, _assert_no_stderr, _wait_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_restored_builder_offers_deploy_only_while_its_model_is_saved(lab, page,
                                                                        monkeypatch):
    from sklearn.datasets import load_iris

    from stratum_jupyter.evaluation import inprocess

    # The evaluation runs in another process (this one, in-process: no cluster started for
    # it), as in a kernel since restarted; the notebook keeps what its view wrote into the
    # cell's metadata.
    monkeypatch.delenv("STRATUM_SCHEDULER", raising=False)
    monkeypatch.setattr(inprocess, "START_S", 1e9)
    monkeypatch.chdir(lab.root_dir)
    X, y = load_iris(return_X_y=True, as_frame=True)
    ran = _with_steps(PipelineBuilder(task="classification"), ("StandardScaler", {}),
                      ("LogisticRegression", {"max_iter": "500"}))
    ran.out_dir = "restored/runs"
    ran.evaluate(X, y)
    path = lab.write_notebook("restored.ipynb", [BUILDER])
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].metadata[METADATA_KEY] = {"version": 1, "builders": [ran.saved]}
    nbformat.write(nb, path)

    open_notebook(page, lab, "restored.ipynb")
    run_cell(page, 0)
    builder = page.get_by_test_id("stratum-builder")
    status = builder.get_by_test_id("stratum-status")
    _wait_text(status, "restored from this notebook", timeout=120_000)
    _wait_text(status, "its model in restored/runs/best")
    expect(builder.get_by_test_id("stratum-leaderboard-title")).to_contain_text(
        "from before this builder was displayed again")
    expect(builder.get_by_test_id("stratum-model-dir")).to_have_text("restored/runs/best")
    expect(builder.get_by_test_id("stratum-next-code-deploy")).to_contain_text(
        "%stratum_deploy restored/runs/best --target local")
    expect(builder.get_by_test_id("stratum-next-deploy")).to_be_visible()
    screenshot(page, "pipeline-builder-restored-result",
               builder.get_by_test_id("stratum-leaderboard"))

    # The saved model is gone (another run cleaned it up): the builder, displayed again
    # from the notebook, keeps the leaderboard but offers no cell that would fail.
    shutil.rmtree(lab.root_dir / "restored" / "runs")
    run_cell(page, 0)
    builder = page.get_by_test_id("stratum-builder")
    _wait_text(builder.get_by_test_id("stratum-status"), "not its model", timeout=120_000)
    _wait_text(builder.get_by_test_id("stratum-best"), re.escape(
        "No model saved: the model this leaderboard saved to restored/runs/best is no "
        "longer there; press Evaluate to train and save it again"))
    expect(builder.get_by_test_id("stratum-best")).to_contain_text("Best: logreg")
    expect(builder.get_by_test_id("stratum-next")).to_have_count(0)
    expect(builder.get_by_test_id("stratum-next-deploy")).to_have_count(0)
    expect(builder.get_by_test_id("stratum-evaluate")).to_be_enabled()
    _assert_no_stderr(page, 0)
