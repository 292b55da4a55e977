"""``%stratum_profile`` in a real JupyterLab: its figure (inline BokehJS) draws in the cell's
output, and the static page it writes draws with no network at all. The notebook's figure
is the README's screenshot (docs/images/profile.png)."""

from __future__ import annotations

import shutil

from .labtools import BOKEH_FIGURES_JS, REPO, open_notebook, run_cell, screenshot

FIGURE = "[data-testid='stratum-profile']"

PANELS = sorted(["p99_ms", "throughput_rps", "cpu_percent", "peak_memory_bytes"])


def test_notebook_figure_and_static_page(lab, page, tmp_path):
    from tests.profiling.conftest import save_iris

    bundle = save_iris(tmp_path / "model")
    out = tmp_path / "profile"
    open_notebook(page, lab, "profile.ipynb", [
        "%load_ext stratum_jupyter",
        f"%stratum_profile {bundle} --out {out} --runner local --cpus 1 2 --memory 1g "
        "--concurrency 2 --duration 1 --requests 300 --slo-p99 500ms --rps 5",
    ])
    run_cell(page, 0)
    cell = run_cell(page, 1, timeout_ms=240_000)
    figure = cell.locator(FIGURE)
    figure.locator("canvas").first.wait_for(timeout=60_000)
    page.wait_for_function(f"() => ({BOKEH_FIGURES_JS})().length >= 4", timeout=30_000)
    assert sorted(set(page.evaluate(BOKEH_FIGURES_JS))) == PANELS
    text = figure.inner_text()
    assert "stratum profile (local)" in text and "recommended for p99 <= 500 ms" in text
    shot = screenshot(page, "profile-notebook", figure)
    shutil.copyfile(shot, REPO / "docs" / "images" / "profile.png")
    assert not [e for e in page.console_errors if "Bokeh" in e]

    html = (out / "profile.html").read_text()
    static = page.context.new_page()
    static.route("**/*", lambda route: route.abort())  # inline resources: no network needed
    static.set_content(html)
    static.locator(f"{FIGURE} canvas").first.wait_for(timeout=30_000)
    static.wait_for_function(f"() => ({BOKEH_FIGURES_JS})().length >= 4", timeout=30_000)
    assert sorted(set(static.evaluate(BOKEH_FIGURES_JS))) == PANELS
    screenshot(static, "profile-page")
