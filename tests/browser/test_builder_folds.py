"""The builder's folds in a real JupyterLab: pick TimeSeriesSplit, set its parameters and
the column the rows are sorted by; a bad parameter is shown beside its field; the spec the
builder emits (in its generated cells) holds the splitter, and the generated code builds it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .labtools import open_notebook, run_cell
from .test_builder import ROLES, _assert_no_stderr, _drop_block, _save, _wait_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CO2 = Path(__file__).resolve().parents[1] / "data" / "co2.csv"
BUILDER = ("from stratum_jupyter import PipelineBuilder\n\n"
           "builder = PipelineBuilder(task='regression')\nbuilder")


def test_the_builder_emits_the_splitter_picked(lab, page):
    shutil.copy(CO2, lab.root_dir / "co2.csv")
    open_notebook(page, lab, "folds.ipynb", [BUILDER])
    run_cell(page, 0)
    page.get_by_test_id("stratum-builder").wait_for(timeout=90_000)
    page.locator('input[data-field="data.source"]').fill("csv:co2.csv")
    page.locator('input[data-field="data.target"]').fill("co2")
    _drop_block(page, "Ridge")
    splitter = page.get_by_test_id("stratum-splitter")
    offered = splitter.locator("option").all_inner_texts()
    assert offered == ["k folds", "KFold", "RepeatedKFold", "GroupKFold", "TimeSeriesSplit",
                       "ShuffleSplit"]  # regression: no stratified splitters
    expect(page.locator('input[data-field="evaluation.cv"]')).to_have_count(1)
    splitter.select_option("TimeSeriesSplit")
    expect(page.locator('input[data-field="evaluation.cv"]')).to_have_count(0)
    gap = page.get_by_test_id("splitter-gap")
    expect(gap).to_have_attribute("placeholder", "0")
    page.get_by_test_id("splitter-n_splits").fill("4")
    gap.fill("-1")
    slot = page.locator('[data-issue-for="evaluation.cv.TimeSeriesSplit.gap"]')
    _wait_text(slot, r"must be an int in the range \[0, inf\); got -1")
    gap.fill("7")
    page.get_by_test_id("stratum-order-by").fill("date")
    _wait_text(page.get_by_test_id("stratum-issues"), "the spec is valid")
    _assert_no_stderr(page, 0)

    page.get_by_test_id("stratum-generate").click()
    _wait_text(page.get_by_test_id("stratum-status"), rf"inserted {len(ROLES)} cells below")
    _save(page)
    cells = lab.read_notebook("folds.ipynb").cells
    spec = cells[1].metadata["stratum"]["spec"]
    assert spec["evaluation"]["cv"] == {"TimeSeriesSplit": {"n_splits": 4, "gap": 7}}
    assert spec["data"] == {"source": "csv:co2.csv", "target": "co2", "order_by": "date"}
    code = "".join(cell.source for cell in cells)
    assert "folds = TimeSeriesSplit(n_splits=4, gap=7)" in code
    assert 'X = X.sort_values("date", kind="stable", na_position="last")' in code
