"""The builder in a real JupyterLab, as a workshop student meets it (issue 22): a fresh
builder shows no stderr, no parser jargon and no red field before the student touches one;
Evaluate names the winning estimator, ranks by a named metric, saves the model and offers
deploying it as a cell; right-click "Edit in Pipeline Builder" acts on the cell under the
pointer, selected or not."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .labtools import notebook_cells, open_notebook, run_cell, screenshot, select_cell
from .test_builder import BUILDER, SETUP, _assert_no_stderr, _two_candidates, _wait_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JARGON = re.compile(r"after validation|Input should|List should|String should|"
                    r"Field required|validation error")


def test_a_fresh_builder_is_quiet_until_touched(lab, page):
    open_notebook(page, lab, "fresh.ipynb", [BUILDER])
    run_cell(page, 0)
    builder = page.get_by_test_id("stratum-builder")
    builder.wait_for(timeout=90_000)
    expect(builder.get_by_test_id("stratum-issues")).to_contain_text(
        "To do: 1 problem left", timeout=30_000)
    page.wait_for_timeout(1_000)  # the columns section fills in from a background read
    _assert_no_stderr(page, 0)
    assert not JARGON.search(builder.inner_text()), builder.inner_text()
    assert builder.locator(".stratum-invalid").count() == 0
    assert builder.locator(".stratum-issue-msg").count() == 0
    summary = builder.get_by_test_id("stratum-issues")
    summary.locator("summary").click()
    expect(summary).to_contain_text("this candidate has no blocks yet: drag a block")

    # Touching the data source shows its issues, not the target's (not reached yet).
    builder.locator('input[data-field="data.source"]').fill("csv:nowhere.csv")
    page.wait_for_timeout(1_500)
    assert builder.locator('input[data-field="data.target"].stratum-invalid').count() == 0
    # A pressed button shows every issue beside its field, in words.
    builder.get_by_test_id("stratum-generate").click()
    target = builder.locator('.stratum-issue[data-issue-for="data.target"]')
    _wait_text(target, "choose the column to predict: set its role to")
    expect(builder.locator('input[data-field="data.target"]')).to_have_class(
        re.compile("stratum-invalid"))
    _wait_text(builder.get_by_test_id("stratum-status"), "fix 2 problem")
    assert not JARGON.search(builder.inner_text()), builder.inner_text()
    _assert_no_stderr(page, 0)


def test_evaluate_names_the_winner_saves_it_and_offers_deploy(lab, page):
    open_notebook(page, lab, "results.ipynb", [SETUP, BUILDER])
    run_cell(page, 0)
    run_cell(page, 1)
    builder = page.get_by_test_id("stratum-builder")
    builder.wait_for(timeout=90_000)
    _two_candidates(page, max_depth=1)

    page.get_by_test_id("stratum-evaluate").click()
    best = page.get_by_test_id("stratum-best")
    _wait_text(best, r"Best: logreg", timeout=240_000)
    _wait_text(best, r"StandardScaler \u2192 LogisticRegression; C=1\), accuracy 0\.9")
    title = page.get_by_test_id("stratum-leaderboard-title")
    _wait_text(title, "ranked by accuracy, mean over the folds")
    row = page.locator('[data-testid="stratum-leaderboard"] tr[data-best="true"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text("\u2605 best")
    expect(row).to_contain_text("StandardScaler \u2192 LogisticRegression")
    expect(row).to_contain_text("C=1")
    board_text = page.get_by_test_id("stratum-leaderboard").inner_text()
    assert "__" not in board_text and "DecisionTreeClassifier" in board_text
    expect(page.get_by_test_id("stratum-model-dir")).to_have_text("runs/stratum/best")
    assert (lab.root_dir / "runs/stratum/best/model.skops").is_file()
    _wait_text(page.get_by_test_id("stratum-status"), r"saved to runs/stratum/best")
    screenshot(page, "pipeline-builder-results", builder)

    deploy = page.get_by_test_id("stratum-next-code-deploy")
    expect(deploy).to_have_text("%stratum_deploy runs/stratum/best --target local "
                                "--out deploy/logreg --apply")
    page.get_by_test_id("stratum-next-deploy").click()
    expect(notebook_cells(page)).to_have_count(3)
    source = notebook_cells(page).nth(2).locator(".cm-content").inner_text()
    assert source.startswith("%stratum_deploy runs/stratum/best --target local")
    _assert_no_stderr(page, 1)


def test_edit_in_builder_acts_on_the_cell_under_the_pointer(lab, page):
    spec = ('from stratum_jupyter import load_spec\n\nspec = load_spec("""\nversion: 1\n'
            'task: classification\ncandidates:\n  - name: knn\n    steps:\n'
            '      - KNeighborsClassifier: {n_neighbors: 3}\n""")')
    open_notebook(page, lab, "menu.ipynb", ["x = 1", spec])
    select_cell(page, 0)  # the other cell is the active one
    notebook_cells(page).nth(1).locator(".jp-InputArea-editor").click(button="right")
    item = page.locator('.lm-Menu-item[data-command="stratum:edit-in-builder"]')
    expect(item).to_be_visible()
    item.click()
    second = page.get_by_test_id("stratum-builder")
    second.wait_for(timeout=90_000)
    expect(notebook_cells(page)).to_have_count(3)
    assert notebook_cells(page).nth(2).locator(".cm-content").inner_text().startswith(
        "from stratum_jupyter import PipelineBuilder")
    expect(second.get_by_test_id("candidate-0").locator("input").first).to_have_value("knn")
    # On a cell that is no spec cell the entry is not offered.
    page.keyboard.press("Escape")
    notebook_cells(page).nth(0).locator(".jp-InputArea-editor").click(button="right")
    expect(page.locator(".lm-Menu").first).to_be_visible()
    assert item.count() == 0 or not item.is_visible()
