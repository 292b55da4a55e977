"""The pipeline builder in a real JupyterLab: drag blocks, set a grid, generate cells through
the labextension, run them; the table of the data and its columns' roles; the fallback
without the extension; the new-notebook command. Nothing may print to stderr under the
builder (e.g. ipywidgets' "Message serialization failed")."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from stratum_jupyter.spec.model import TASKS

from .labtools import (
    VISIBLE_NB,
    menu_command,
    notebook_cells,
    open_notebook,
    run_cell,
    run_command,
    screenshot,
    wait_kernel_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SETUP = ("from sklearn.datasets import load_iris\n"
         "X, y = load_iris(return_X_y=True, as_frame=True)")
BUILDER = ("from stratum_jupyter import PipelineBuilder\n\n"
           "builder = PipelineBuilder(task='classification')\nbuilder")
ROLES = ["spec", "imports", "data", "candidates", "evaluation", "save", "diagnostics"]
PENGUINS = Path(__file__).resolve().parents[1] / "data" / "penguins.csv"
STDERR = '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'


def _drop_block(page, name: str, candidate: int = 0) -> None:
    """Search the palette for ``name`` and drag it to the end of a candidate. The builder
    may still be laying itself out (the columns section fills in from a background read),
    so the drop point is measured right before each try, and a drop that did not land (the
    candidate moved under the pointer) is tried again."""
    page.get_by_test_id("stratum-search").fill(name)
    target = page.get_by_test_id(f"candidate-{candidate}")
    steps = page.locator(f'[data-testid^="step-{candidate}-"]')
    before = steps.count()
    for attempt in range(3):
        box = target.bounding_box()
        try:
            page.get_by_test_id(f"block-{name}").drag_to(
                target, target_position={"x": box["width"] / 2, "y": box["height"] - 4},
                timeout=15_000)
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            continue
        try:
            expect(steps).to_have_count(before + 1, timeout=5_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def _two_candidates(page, max_depth: int) -> None:
    """Two candidates (StandardScaler + LogisticRegression with C 0.01 and 1, named logreg; a
    DecisionTreeClassifier of ``max_depth``) on 3 folds: three configurations, valid."""
    _drop_block(page, "StandardScaler")
    _drop_block(page, "LogisticRegression")
    page.get_by_test_id("candidate-0").locator("input").first.fill("logreg")
    page.get_by_test_id("step-0-1").click()
    page.get_by_test_id("param-C").fill("0.01, 1")
    page.get_by_test_id("param-max_iter").fill("500")
    page.get_by_test_id("stratum-add-candidate").click()
    _drop_block(page, "DecisionTreeClassifier", candidate=1)
    page.get_by_test_id("step-1-0").click()
    page.get_by_test_id("param-max_depth").fill(str(max_depth))
    page.locator('input[data-field="evaluation.cv"]').fill("3")
    _wait_text(page.get_by_test_id("stratum-issues"), "the spec is valid")


def _wait_text(locator, pattern: str, timeout: int = 30_000) -> None:
    expect(locator).to_contain_text(re.compile(pattern), timeout=timeout)


def _assert_no_stderr(page, index: int) -> None:
    """Cell ``index`` (the builder's) printed nothing to stderr."""
    stderr = notebook_cells(page).nth(index).locator(STDERR)
    assert stderr.count() == 0, stderr.all_inner_texts()


def _save(page) -> None:
    menu_command(page, "File", "docmanager:save")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.lm-mod-current.jp-mod-dirty')")


def _build_logreg(page) -> None:
    builder = page.get_by_test_id("stratum-builder")
    builder.wait_for(timeout=90_000)
    # The palette's groups and the task choices are drawn from what the kernel sends.
    groups = page.get_by_test_id("stratum-palette").locator(".stratum-group")
    expect(groups).to_have_count(2)
    assert groups.evaluate_all("els => els.map(e => e.dataset.kind)") == [
        "transformer", "classifier"]
    expect(groups.first.locator("summary")).to_contain_text(re.compile(r"^Transformers \(\d+\)$"))
    tasks = page.get_by_test_id("stratum-task").locator("option")
    assert tasks.evaluate_all("els => els.map(e => e.value)") == list(TASKS)
    _drop_block(page, "StandardScaler")
    _drop_block(page, "LogisticRegression")
    steps = page.locator('[data-testid^="step-0-"]')
    assert steps.evaluate_all("els => els.map(e => e.dataset.block)") == [
        "StandardScaler", "LogisticRegression"]
    page.get_by_test_id("candidate-0").locator("input").fill("logreg")
    page.get_by_test_id("step-0-1").click()
    # A value the estimator refuses: the validator's message appears beside the field.
    page.get_by_test_id("param-C").fill("0.1, -1")
    issue = page.locator('.stratum-issue[data-issue-for$="LogisticRegression.C"]')
    _wait_text(issue, r"C.*parameter of LogisticRegression must be a float")
    page.get_by_test_id("param-C").fill("0.1, 1.0")
    page.get_by_test_id("param-max_iter").fill("1000")
    _wait_text(page.get_by_test_id("stratum-issues"), "the spec is valid")
    assert issue.inner_text() == ""
    # Evaluation settings: two metrics, selected by the second.
    page.get_by_test_id("metric-accuracy").check()
    page.get_by_test_id("metric-f1_macro").check()
    page.get_by_test_id("stratum-select-by").select_option("f1_macro")
    _wait_text(page.get_by_test_id("stratum-issues"), "the spec is valid")


def test_drag_blocks_generate_cells_and_run_them(lab, page):
    import nbformat

    from stratum_jupyter import load_spec
    from stratum_jupyter.codegen import spec_cells

    open_notebook(page, lab, "builder.ipynb", [SETUP, BUILDER])
    run_cell(page, 0)
    run_cell(page, 1)
    _build_logreg(page)
    builder = page.get_by_test_id("stratum-builder")
    # The kernel's X (iris) is shown read-only, folded: a spec records roles for a source.
    role = page.locator('[data-testid="stratum-column-role"][data-column="sepal length (cm)"]')
    expect(role).to_have_value("numeric")
    expect(role).to_be_disabled()
    _assert_no_stderr(page, 1)
    screenshot(page, "pipeline-builder", builder)
    summary = page.get_by_test_id("stratum-columns").locator("summary")  # folded: open it
    summary.click()
    expect(role).to_be_visible()
    summary.click()
    expect(role).to_be_hidden()

    page.get_by_test_id("stratum-generate").click()
    _wait_text(page.get_by_test_id("stratum-status"), rf"inserted {len(ROLES)} cells below")
    expect(notebook_cells(page)).to_have_count(2 + len(ROLES))
    assert page.get_by_test_id("stratum-fallback").is_hidden()

    _save(page)
    nb = lab.read_notebook("builder.ipynb")
    generated = nb.cells[2:]
    assert [c.metadata["stratum"]["role"] for c in generated] == ROLES
    assert all("stratum-generated" in c.metadata["tags"] for c in generated)
    expected = load_spec({
        "version": 1, "task": "classification",
        "evaluation": {"cv": 5, "metrics": ["accuracy", "f1_macro"], "select_by": "f1_macro",
                       "random_state": 0},
        "candidates": [{"name": "logreg", "steps": [
            {"StandardScaler": {}},
            {"LogisticRegression": {"C": [0.1, 1.0], "max_iter": 1000}}]}],
    })
    assert generated[0].metadata["stratum"]["spec"] == expected.to_dict()
    want = spec_cells(expected, "runs/stratum")
    assert [c.source for c in generated] == [c.source for c in want]

    for index in range(2, 2 + len(ROLES)):
        run_cell(page, index)
    _save(page)
    nb = nbformat.read(lab.root_dir / "builder.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    board = "".join(o.get("data", {}).get("text/plain", "")
                    for o in nb.cells[2 + ROLES.index("evaluation")].outputs)
    assert "logreg" in board and "f1_macro" in board
    assert (lab.root_dir / "runs/stratum/best/model.skops").is_file()
    screenshot(page, "generated-cells")

    # Evaluate in the widget: the leaderboard, or a clear "unavailable" before the Dask
    # evaluator is merged.
    import stratum_jupyter

    notebook_cells(page).nth(1).scroll_into_view_if_needed()
    page.get_by_test_id("stratum-evaluate").click()
    if hasattr(stratum_jupyter, "evaluate"):
        table = page.get_by_test_id("stratum-leaderboard").locator("table")
        _wait_text(table, "logreg", timeout=180_000)
        _wait_text(page.get_by_test_id("stratum-leaderboard"), r"^Leaderboard(?!.*running)")
        screenshot(page, "pipeline-builder-leaderboard", builder)
    else:
        _wait_text(page.get_by_test_id("stratum-status"), "evaluation is unavailable")

    # Round trip from the generated spec cell, through the context menu.
    notebook_cells(page).nth(2).locator(".jp-InputArea-prompt").click(button="right")
    page.locator('.lm-Menu-item[data-command="stratum:edit-in-builder"]').click()
    second = page.get_by_test_id("stratum-builder").nth(1)
    second.wait_for(timeout=90_000)
    assert notebook_cells(page).nth(3).locator(".cm-content").inner_text().startswith(
        "from stratum_jupyter import PipelineBuilder")
    assert second.get_by_test_id("step-0-1").get_attribute("data-block") == "LogisticRegression"
    assert second.get_by_test_id("candidate-0").locator("input").input_value() == "logreg"
    _wait_text(second.get_by_test_id("stratum-issues"), "the spec is valid")
    _assert_no_stderr(page, 1)
    _assert_no_stderr(page, 3)


def _role(scope, column: str):
    return scope.locator(f'[data-testid="stratum-column-role"][data-column="{column}"]')


def test_the_builder_shows_the_table_and_records_roles(lab, page):
    shutil.copy(PENGUINS, lab.root_dir / "penguins.csv")
    open_notebook(page, lab, "columns.ipynb", [BUILDER])
    run_cell(page, 0)
    page.get_by_test_id("stratum-builder").wait_for(timeout=90_000)
    message = page.get_by_test_id("stratum-columns-message")
    _wait_text(message, "Name a data source")  # no X in this kernel
    source = page.locator('input[data-field="data.source"]')
    source.fill("csv:nowhere.csv")
    _wait_text(message, r"could not read the table of csv:nowhere\.csv: no such file")
    source.fill("csv:penguins.csv")
    columns = page.get_by_test_id("stratum-columns")
    rows = columns.get_by_test_id("stratum-column")
    expect(rows).to_have_count(8)
    _wait_text(columns, r"of csv:penguins\.csv: 8 columns, all 344 rows")
    assert rows.evaluate_all("els => els.map(e => [e.dataset.column, e.dataset.role])") == [
        ["species", "categorical"], ["island", "categorical"], ["bill_length_mm", "numeric"],
        ["bill_depth_mm", "numeric"], ["flipper_length_mm", "numeric"],
        ["body_mass_g", "numeric"], ["sex", "categorical"], ["year", "numeric"]]
    expect(columns.locator('tr[data-column="sex"] td').nth(4)).to_have_text("11")
    expect(columns.locator('tr[data-column="island"]')).to_contain_text("Torgersen, Biscoe")
    # A csv source needs its label: the validator says so until a target is chosen.
    _wait_text(page.get_by_test_id("stratum-issues"), "problem")
    _role(page, "species").select_option("target")
    expect(columns.locator('tr[data-column="species"]')).to_have_attribute("data-role", "target")
    expect(page.locator('input[data-field="data.target"]')).to_have_value("species")
    _role(page, "year").select_option("categorical")
    _role(page, "sex").select_option("dropped")
    expect(columns.locator('tr[data-column="sex"]')).to_have_attribute("data-role", "dropped")
    _drop_block(page, "LogisticRegression")
    _wait_text(page.get_by_test_id("stratum-issues"), "the spec is valid")
    _assert_no_stderr(page, 0)
    screenshot(page, "pipeline-builder-columns", columns)

    page.get_by_test_id("stratum-generate").click()
    _wait_text(page.get_by_test_id("stratum-status"), rf"inserted {len(ROLES)} cells below")
    _save(page)
    spec = lab.read_notebook("columns.ipynb").cells[1].metadata["stratum"]["spec"]
    assert spec["data"] == {"source": "csv:penguins.csv", "target": "species",
                            "drop": ["sex"], "roles": {"year": "categorical"}}
    assert "roles: {year: categorical}" in lab.read_notebook("columns.ipynb").cells[1].source

    # Back into a builder from the generated spec cell: the roles are shown again.
    notebook_cells(page).nth(1).locator(".jp-InputArea-prompt").click(button="right")
    page.locator('.lm-Menu-item[data-command="stratum:edit-in-builder"]').click()
    second = page.get_by_test_id("stratum-builder").nth(1)
    second.wait_for(timeout=90_000)
    expect(_role(second, "year")).to_have_value("categorical", timeout=30_000)
    expect(_role(second, "sex")).to_have_value("dropped")
    expect(_role(second, "species")).to_have_value("target")
    expect(_role(second, "island")).to_have_value("categorical")


def test_without_the_extension_the_cells_are_shown_to_copy(lab, page):
    open_notebook(page, lab, "fallback.ipynb", [BUILDER])
    # Another frontend: nothing handles the widget's request (stopped before the extension).
    page.evaluate("""() => window.addEventListener('stratum:insert-cells',
                       e => e.stopImmediatePropagation(), true)""")
    run_cell(page, 0)
    page.get_by_test_id("stratum-builder").wait_for(timeout=90_000)
    _drop_block(page, "KNeighborsClassifier")
    _drop_block(page, "StandardScaler")
    _drop_block(page, "PCA")
    # Out of order: the validator's message shows on the step; moving it up fixes it.
    _wait_text(page.get_by_test_id("step-0-1"), "comes after the final estimator")
    page.get_by_test_id("step-0-1").get_by_role("button", name="move up").click()
    page.get_by_test_id("remove-step-0-2").click()
    steps = page.locator('[data-testid^="step-0-"]')
    expect(steps).to_have_count(2)
    assert steps.evaluate_all("els => els.map(e => e.dataset.block)") == [
        "StandardScaler", "KNeighborsClassifier"]
    _wait_text(page.get_by_test_id("stratum-issues"), "the spec is valid")
    page.get_by_test_id("stratum-generate").click()
    fallback = page.get_by_test_id("stratum-fallback")
    _wait_text(fallback, "could not be inserted automatically")
    code = page.get_by_test_id("stratum-fallback-code").inner_text()
    assert code.startswith("from stratum_jupyter import load_spec")
    assert "KNeighborsClassifier()" in code
    assert page.get_by_test_id("stratum-copy").is_visible()
    _wait_text(page.get_by_test_id("stratum-status"), "extension is not active")
    expect(notebook_cells(page)).to_have_count(1)
    _assert_no_stderr(page, 0)


def test_new_pipeline_notebook_from_launcher_and_palette(lab, page):
    page.goto(lab.lab_url(workspace="launcher"))
    card = page.locator('.jp-LauncherCard[data-category="Notebook"]',
                        has_text="Pipeline Notebook")
    card.click()
    panel = page.locator(VISIBLE_NB)
    panel.get_by_test_id("stratum-builder").wait_for(timeout=120_000)
    wait_kernel_idle(page)
    assert panel.locator(".jp-Toolbar-kernelName").inner_text().strip() == "Python 3 (Stratum)"
    source = notebook_cells(page).nth(0).locator(".cm-content").inner_text()
    assert "PipelineBuilder(task=\"classification\")" in source
    _assert_no_stderr(page, 0)
    screenshot(page, "new-pipeline-notebook")

    run_command(page, "New Pipeline Notebook (Stratum)")
    page.locator(".lm-TabBar-tab", has_text="Untitled1.ipynb").wait_for()
    page.locator(VISIBLE_NB).get_by_test_id("stratum-builder").wait_for(timeout=120_000)
    names = sorted(p.name for p in lab.root_dir.glob("Untitled*.ipynb"))
    assert names == ["Untitled.ipynb", "Untitled1.ipynb"]
