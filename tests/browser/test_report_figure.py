"""``%stratum_report`` in a real JupyterLab: the diagnostic plots of a saved run of the raw
penguins table draw in the cell's output (inline BokehJS), and the bundle's report.html
draws with no network at all; the importance plot names the table's own columns. The page
is the README's screenshot (docs/images/report.png)."""

from __future__ import annotations

import importlib.util
import shutil

from .labtools import BOKEH_FIGURES_JS, REPO, open_notebook, run_cell, screenshot

REPORT = ".stratum-report"
# The importance plot's categories: the columns of the table as read.
FACTORS_JS = """() => {
    for (const doc of window.Bokeh.documents) {
        for (const model of doc.all_models) {
            if (model.type === 'Figure' && model.name === 'importance_summary')
                return model.y_range.factors;
        }
    }
    return [];
}"""
PLOTS = sorted(["confusion_matrix", "roc_curve", "precision_recall_curve",
                "calibration_curve", "importance_summary", "fold_spread",
                *(["shap_summary"] if importlib.util.find_spec("shap") else [])])


def _run(tmp_path):
    from stratum_jupyter import evaluate
    from stratum_jupyter.evaluation import cluster as clusters
    from stratum_jupyter.evaluation import inprocess
    from tests.diagnostics.test_importance import penguins_spec

    spec = penguins_spec(diagnostics={"importance": True, "n_repeats": 3})
    spec["candidates"].append({"name": "forest", "steps": [
        {"RandomForestClassifier": {"n_estimators": [30], "max_depth": [3, None]}}]})
    start, inprocess.START_S = inprocess.START_S, 1e9
    try:
        evaluate(spec, display="none", out=tmp_path / "run")
    finally:
        inprocess.START_S = start
        clusters.close_local()
    return tmp_path / "run"


def test_report_in_the_notebook_and_offline(lab, page, tmp_path):
    run_dir = _run(tmp_path)
    open_notebook(page, lab, "report.ipynb", ["%load_ext stratum_jupyter",
                                              f"%stratum_report {run_dir}"])
    run_cell(page, 0)
    cell = run_cell(page, 1, timeout_ms=120_000)
    report = cell.locator(REPORT)
    report.locator("canvas").first.wait_for(timeout=60_000)
    page.wait_for_function(f"() => ({BOKEH_FIGURES_JS})().length >= {len(PLOTS)}", timeout=30_000)
    assert sorted(set(page.evaluate(BOKEH_FIGURES_JS))) == PLOTS
    factors = page.evaluate(FACTORS_JS)
    assert {"island", "sex", "bill_length_mm"} <= set(factors)
    assert not [f for f in factors if "__" in f or "onehot" in f]
    screenshot(page, "report-notebook", report)
    assert not [e for e in page.console_errors if "Bokeh" in e]

    html = (run_dir / "best" / "report.html").read_text()
    static = page.context.new_page()
    static.route("**/*", lambda route: route.abort())  # inline resources: no network needed
    static.set_content(html)
    static.locator(f"{REPORT} canvas").first.wait_for(timeout=30_000)
    static.wait_for_function(f"() => ({BOKEH_FIGURES_JS})().length >= {len(PLOTS)}", timeout=30_000)
    assert sorted(set(static.evaluate(BOKEH_FIGURES_JS))) == PLOTS
    shot = screenshot(static, "report-page")
    shutil.copyfile(shot, REPO / "docs" / "images" / "report.png")
