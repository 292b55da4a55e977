"""The builder's layout reads at 1280x800 and 1920x1080 (issue 22, item 4): candidates wrap
onto new rows (no horizontal scrollbar inside the candidate area), parameter names are
never cut, placeholders are whole or carry a tooltip. Checked from the DOM; the
screenshots are kept under test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .labtools import open_notebook, run_cell, screenshot
from .test_builder import BUILDER, _drop_block

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MEASURE = """(root) => {
  const canvas = root.querySelector('[data-testid="stratum-canvas"]');
  const cut = (el) => el.scrollWidth > el.clientWidth + 1;
  const ctx = document.createElement('canvas').getContext('2d');
  const placeholders = [...root.querySelectorAll('input[placeholder]')].map((input) => {
    const style = getComputedStyle(input);
    ctx.font = `${style.fontSize} ${style.fontFamily}`;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { field: input.dataset.field || input.dataset.testid || input.placeholder,
             whole: ctx.measureText(input.placeholder).width <= room + 1,
             tooltip: input.title === input.placeholder };
  });
  return {
    canvasScrolls: canvas.scrollWidth > canvas.clientWidth + 1,
    candidatesCut: [...canvas.querySelectorAll('.stratum-candidate')].filter(cut).length,
    tops: [...canvas.querySelectorAll('.stratum-candidate')].map((c) => c.offsetTop),
    namesCut: [...root.querySelectorAll('.stratum-param-name, .stratum-step-name')]
      .filter(cut).map((e) => e.textContent),
    names: root.querySelectorAll('.stratum-param-name').length,
    placeholders,
  };
}"""


def test_candidates_wrap_and_names_read_at_two_sizes(lab, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_notebook(page, lab, "layout.ipynb", [BUILDER])
    run_cell(page, 0)
    builder = page.get_by_test_id("stratum-builder")
    builder.wait_for(timeout=90_000)
    blocks = ["RandomForestClassifier", "GradientBoostingClassifier", "LogisticRegression",
              "KNeighborsClassifier"]
    _drop_block(page, blocks[0])
    for c, block in enumerate(blocks[1:], start=1):
        page.get_by_test_id("stratum-add-candidate").click()
        expect(page.get_by_test_id(f"candidate-{c}")).to_be_visible()
        _drop_block(page, block, candidate=c)
    page.get_by_test_id("step-0-0").click()  # the forest's long parameter names
    page.get_by_test_id("param-min_weight_fraction_leaf").wait_for()
    for width, height in ((1280, 800), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)  # the layout settles
        found = builder.evaluate(MEASURE)
        screenshot(page, f"pipeline-builder-{width}x{height}", builder)
        assert not found["canvasScrolls"], (width, found)
        assert found["candidatesCut"] == 0, (width, found)
        assert len(set(found["tops"])) >= 2 or width >= 1920, found  # wrapped: a new row
        assert found["names"] > 10 and found["namesCut"] == [], (width, found)
        for ph in found["placeholders"]:
            assert ph["whole"] or ph["tooltip"], (width, ph)
        source = next(p for p in found["placeholders"] if p["field"] == "data.source")
        assert source["whole"], (width, source)
