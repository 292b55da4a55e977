"""The builder's leaderboard in a real JupyterLab (issue 23): a click on a row draws its
diagnostic plots (the report's Bokeh figures, the user's class labels, legends beside the
data); two ticked rows are compared side by side, the same plots in the same order. The
comparison's screenshot is the README's (docs/images/builder-compare.png)."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from .labtools import BOKEH_FIGURES_JS, REPO, open_notebook, run_cell, screenshot
from .test_builder import BUILDER, _assert_no_stderr, _two_candidates, _wait_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SETUP = ("from sklearn.datasets import load_iris\n"
         "X, y = load_iris(return_X_y=True, as_frame=True)\n"
         "y = y.map(dict(enumerate(['setosa', 'versicolor', 'virginica'])))")
ROW = '[data-testid="stratum-leaderboard-row"]'
TASK_PLOTS = ["confusion_matrix", "roc_curve", "precision_recall_curve", "calibration_curve"]
# Per figure (by name) as BokehJS built it: its categorical x factors, and whether its
# legend sits in the panel right of the plot area (outside the data).
FIGURES_JS = """() => {
    const out = {};
    for (const doc of window.Bokeh.documents) {
        for (const m of doc.all_models) {
            if (m.type !== 'Figure' || !m.name) continue;
            out[m.name] = {factors: m.x_range.factors || [],
                           legend_right: m.right.some((r) => r.type === 'Legend'),
                           legend_inside: m.center.some((r) => r.type === 'Legend')};
        }
    }
    return out;
}"""


def _evaluate(page) -> None:
    """Three configurations (two logistic regressions and a tree), evaluated on 3 folds."""
    _two_candidates(page, max_depth=2)
    page.get_by_test_id("stratum-evaluate").click()
    _wait_text(page.get_by_test_id("stratum-best"), r"Best: ", timeout=240_000)


def _rendered(page, configs: list[str]) -> list[list[str]]:
    """Wait until the plots of ``configs`` are drawn; each pane's plot names."""
    plots = page.get_by_test_id("stratum-plots")
    expect(plots).to_have_attribute("data-state", "shown", timeout=60_000)
    panes = plots.get_by_test_id("stratum-plot-pane")
    expect(panes).to_have_count(len(configs))
    assert panes.evaluate_all("els => els.map(e => e.dataset.config)") == configs
    drawn = plots.locator('[data-testid="stratum-plot"][data-rendered="true"]')
    for i in range(drawn.count()):  # BokehJS drew a canvas in every drawn plot
        drawn.nth(i).locator("canvas").first.wait_for(timeout=30_000)
    return [pane.locator('[data-testid="stratum-plot"]').evaluate_all(
        "els => els.map(e => e.dataset.plot)") for pane in panes.all()]


def test_click_a_row_then_compare_two(lab, page):
    page.set_viewport_size({"width": 1400, "height": 2400})  # the plots in one screenshot
    open_notebook(page, lab, "plots.ipynb", [SETUP, BUILDER])
    run_cell(page, 0)
    run_cell(page, 1)
    builder = page.get_by_test_id("stratum-builder")
    builder.wait_for(timeout=90_000)
    _evaluate(page)
    rows = page.locator(ROW)
    expect(rows).to_have_count(3)
    configs = rows.evaluate_all("els => els.map(e => e.dataset.config)")
    assert configs[0].startswith("logreg") and all(configs), configs
    expect(page.get_by_test_id("stratum-compare")).to_be_disabled()

    # A click on the best row: its plots, as the report draws them.
    rows.nth(0).click()
    expect(rows.nth(0)).to_have_attribute("aria-selected", "true")
    [names] = _rendered(page, configs[:1])
    assert names[:4] == TASK_PLOTS and "fold_spread" in names, names
    figures = page.evaluate(FIGURES_JS)
    assert set(TASK_PLOTS) <= set(figures)
    assert figures["confusion_matrix"]["factors"] == ["setosa", "versicolor", "virginica"]
    for name in ("roc_curve", "precision_recall_curve", "fold_spread"):
        assert figures[name]["legend_right"] and not figures[name]["legend_inside"], name
    screenshot(page, "builder-plots-row", page.get_by_test_id("stratum-plots"))

    # Two rows ticked and compared: the same plots side by side.
    rows.nth(0).get_by_test_id("stratum-compare-pick").check()
    rows.nth(2).get_by_test_id("stratum-compare-pick").check()
    compare = page.get_by_test_id("stratum-compare")
    expect(compare).to_be_enabled()
    expect(compare).to_contain_text(f"Compare {configs[0]} and {configs[2]}")
    compare.click()
    expect(page.get_by_test_id("stratum-plots")).to_have_attribute("data-mode", "compare")
    left, right = _rendered(page, [configs[0], configs[2]])
    assert left == right and left[:4] == TASK_PLOTS, (left, right)
    assert rows.evaluate_all("els => els.map(e => e.getAttribute('aria-selected'))") == [
        "true", "false", "true"]
    names = page.evaluate(BOKEH_FIGURES_JS)
    assert names.count("roc_curve") >= 3  # the row's and both sides of the comparison
    shot = screenshot(page, "builder-compare", page.get_by_test_id("stratum-plots"))
    shutil.copyfile(shot, REPO / "docs" / "images" / "builder-compare.png")
    boxes = page.get_by_test_id("stratum-plot-pane").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().left)")
    assert boxes[0] < boxes[1]  # side by side
    assert not [e for e in page.console_errors if "Bokeh" in e or "stratum" in e]
    _assert_no_stderr(page, 1)
