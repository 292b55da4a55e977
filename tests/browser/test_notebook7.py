"""The builder and the live monitor in Jupyter Notebook 7 (issue 22, item 6): the same
jupyter server as the lab tests, its /notebooks/ page; the labextension is loaded there too,
so generated cells go in below the builder."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .labtools import wait_stable_kernel
from .test_builder import BUILDER, ROLES, STDERR, _drop_block, _wait_text
from .test_monitor_live import PANEL, POINTS_JS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("notebook", minversion="7", reason="Jupyter Notebook 7 is not installed")

CELLS = ".jp-NotebookPanel .jp-Notebook .jp-Cell"


def _run(page, index: int) -> None:
    cell = page.locator(CELLS).nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Shift+Enter")


def test_builder_and_monitor_in_notebook_7(lab, page):
    name = "nb7.ipynb"
    monitor = "%load_ext stratum_jupyter\n%stratum_monitor --kernel --interval 0.5"
    lab.write_notebook(name, [BUILDER, monitor])
    page.goto(f"{lab.url}notebooks/{name}?token={lab.token}")
    page.locator(CELLS).first.wait_for(timeout=60_000)
    assert page.locator(".jp-LabShell").count() == 0  # Notebook 7's shell, not the lab's
    wait_stable_kernel(lab, name)
    _run(page, 0)
    builder = page.get_by_test_id("stratum-builder")
    builder.wait_for(timeout=120_000)
    _drop_block(page, "LogisticRegression")
    _wait_text(page.get_by_test_id("stratum-issues"), "the spec is valid")
    page.get_by_test_id("stratum-generate").click()
    _wait_text(page.get_by_test_id("stratum-status"), rf"inserted {len(ROLES)} cells below")
    expect(page.locator(CELLS)).to_have_count(2 + len(ROLES))
    assert page.locator(CELLS).nth(0).locator(STDERR).count() == 0

    _run(page, 1 + len(ROLES))  # the monitor, now last
    page.locator(PANEL).wait_for(timeout=120_000)
    page.wait_for_function(f"({POINTS_JS})() >= 3", timeout=60_000)
