"""The builder widget's Python side: form -> spec, validation keyed by field, generated cells,
messages from the frontend, and the round trip from a (hand-edited) spec cell."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys

import nbformat
import pytest

import stratum_jupyter
from stratum_jupyter import PipelineBuilder, SpecError, load_spec
from stratum_jupyter.codegen import spec_cells, spec_notebook
from stratum_jupyter.spec.model import TASKS
from stratum_jupyter.widgets.builder import EvaluationUnavailable, catalog_payload

from .test_form import PRODUCT_SPEC


def _with_steps(builder: PipelineBuilder, *steps: tuple[str, dict[str, str]],
                name: str = "logreg") -> PipelineBuilder:
    form = copy.deepcopy(builder.form)
    form["candidates"] = [{"name": name, "steps": [
        {"block": block, "params": params} for block, params in steps]}]
    builder.form = form  # as the browser does: a new value each time
    return builder


def _issue(builder: PipelineBuilder, field: str) -> dict:
    found = [i for i in builder.issues if i["field"] == field]
    assert found, f"no issue at {field}: {builder.issues}"
    return found[0]


def test_importing_the_package_does_not_import_widget_libraries():
    code = ("import sys, stratum_jupyter\n"
            "assert 'PipelineBuilder' in stratum_jupyter.__all__\n"
            "heavy = [m for m in ('anywidget', 'ipywidgets', 'sklearn') if m in sys.modules]\n"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_state_to_spec_and_yaml():
    builder = _with_steps(PipelineBuilder(task="classification"),
                          ("StandardScaler", {}),
                          ("LogisticRegression", {"C": "0.1, 1.0", "max_iter": "1000"}))
    assert builder.issues == []
    spec = builder.spec
    assert spec.task == "classification"
    assert spec.candidates[0].steps[1].params == {"C": [0.1, 1.0], "max_iter": 1000}
    assert spec.candidates[0].grid_size() == 2
    assert load_spec(builder.to_yaml()).to_dict() == spec.to_dict()
    assert "C: [0.1, 1.0]" in builder.to_yaml()


def test_a_new_builder_says_what_is_missing():
    builder = PipelineBuilder(task="regression")
    assert [i["field"] for i in builder.issues] == ["candidates[0].steps"]
    assert builder.catalog["task"] == "regression"
    with pytest.raises(SpecError, match=r"candidates\[0\]\.steps"):
        builder.spec  # noqa: B018


def test_validation_messages_are_keyed_by_field_as_the_user_types():
    builder = _with_steps(PipelineBuilder(), ("LogisticRegression", {"C": "0.1, -1"}))
    issue = _issue(builder, "candidates[0].steps[0].LogisticRegression.C")
    assert issue["path"] == ["candidates", 0, "steps", 0, "LogisticRegression", "C"]
    assert "must be a float in the range (0.0, inf]" in issue["message"]  # scikit-learn's words
    assert issue["allowed"] == "a float in (0, inf]"
    # Typing on fixes it: the issue goes away.
    _with_steps(builder, ("LogisticRegression", {"C": "0.1, 1"}))
    assert builder.issues == []


def test_unknown_names_get_suggestions_and_metrics_must_fit_the_task():
    builder = _with_steps(PipelineBuilder(), ("StandardScaler", {"with_meen": "True"}),
                          ("LogisticRegression", {}))
    form = copy.deepcopy(builder.form)
    form["evaluation"]["metrics"] = ["r2"]
    builder.form = form
    param = _issue(builder, "candidates[0].steps[0].StandardScaler.with_meen")
    assert "with_mean" in param["suggestions"]
    metric = _issue(builder, "evaluation.metrics[0]")
    assert "regression" in metric["message"]


def test_order_and_task_fit_are_checked():
    builder = _with_steps(PipelineBuilder(), ("LogisticRegression", {}), ("StandardScaler", {}))
    assert "comes after the final estimator" in _issue(builder, "candidates[0].steps[1]")["message"]
    _with_steps(builder, ("StandardScaler", {}), ("LinearRegression", {}))
    assert "classifier" in _issue(builder, "candidates[0].steps[1]")["message"]


def test_several_candidates_and_evaluation_settings():
    builder = PipelineBuilder(spec=PRODUCT_SPEC)
    assert [c["name"] for c in builder.form["candidates"]] == ["logreg", "forest"]
    assert builder.spec.to_dict() == PRODUCT_SPEC
    form = copy.deepcopy(builder.form)
    form["evaluation"].update(cv="", holdout="0.25", select_by="accuracy")
    builder.form = form
    spec = builder.spec
    assert spec.evaluation.holdout == 0.25 and spec.select_by == "accuracy"


def test_invalid_task_is_a_clear_error():
    with pytest.raises(SpecError, match="'classify' is not a task"):
        PipelineBuilder(task="classify")


def test_catalog_payload_draws_palette_and_forms():
    payload = catalog_payload("classification")
    names = {b["name"]: b for b in payload["blocks"]}
    assert {"StandardScaler", "LogisticRegression"} <= set(names)
    assert not {"LinearRegression", "KMeans"} & {n for n, b in names.items()
                                                 if b["kind"] != "transformer"}
    c = next(p for p in names["LogisticRegression"]["params"] if p["name"] == "C")
    assert c["default_repr"] == "1.0" and c["allowed"] and c["doc"]
    assert "accuracy" in payload["metrics"] and payload["default_metric"] == "accuracy"
    json.dumps(payload)  # it goes over the wire


@pytest.mark.parametrize("task", TASKS)
def test_the_catalog_payload_is_strict_json(task):
    """No inf/NaN: ipywidgets refuses them ("Out of range float values are not JSON
    compliant") and prints a warning above the widget."""
    json.dumps(catalog_payload(task), allow_nan=False)
    state = PipelineBuilder(task=task).get_state()
    json.dumps({k: v for k, v in state.items() if k != "_css"}, allow_nan=False)


def test_infinite_choices_travel_as_the_text_to_type():
    blocks = {b["name"]: b for b in catalog_payload("regression")["blocks"]}
    trials = next(p for p in blocks["RANSACRegressor"]["params"] if p["name"] == "max_trials")
    assert trials["choices"] == [".inf"]
    builder = _with_steps(PipelineBuilder(task="regression"),
                          ("RANSACRegressor", {"max_trials": trials["choices"][0]}))
    assert builder.issues == []
    assert builder.spec.candidates[0].steps[0].params == {"max_trials": math.inf}
    again = PipelineBuilder(task="regression", spec=builder.spec_dict())
    assert again.form["candidates"][0]["steps"][0]["params"] == {"max_trials": ".inf"}


def test_generate_gives_the_codegen_cells_and_reports_problems():
    builder = _with_steps(PipelineBuilder(), ("StandardScaler", {}), ("SVC", {"C": "1, 10"}))
    cells = builder.generate()
    expected = spec_cells(builder.spec, "runs/stratum")
    assert [c["source"] for c in cells] == [c.source for c in expected]
    assert all("stratum-generated" in c["metadata"]["tags"] for c in cells)
    assert cells[0]["metadata"]["stratum"]["role"] == "spec"

    _with_steps(builder, ("SVC", {"C": "-1"}))
    builder.handle_message({"event": "generate"})  # the button
    assert builder.status["level"] == "error"
    assert any("SVC.C" in d for d in builder.status["details"])


def test_frontend_answers_are_recorded_and_shown():
    builder = PipelineBuilder()
    builder.handle_message({"event": "inserted", "count": 6})
    assert builder.last_insert == {"handled": True, "count": 6}
    assert builder.status["message"] == "inserted 6 cells below"
    builder.handle_message({"event": "fallback", "reason": "no handler"})
    assert builder.last_insert["handled"] is False
    assert "extension is not active" in builder.status["message"]


@pytest.mark.skipif(hasattr(stratum_jupyter, "evaluate"),
                    reason="stratum_jupyter.evaluate exists: see test_evaluate_shows_leaderboard")
def test_evaluate_without_the_evaluator_says_so():
    builder = _with_steps(PipelineBuilder(), ("LogisticRegression", {}))
    with pytest.raises(EvaluationUnavailable, match="evaluation is unavailable"):
        builder.evaluate()
    builder.handle_message({"event": "evaluate"})
    assert builder.status["level"] == "error"
    assert "evaluation is unavailable" in builder.status["message"]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(stratum_jupyter, "evaluate"),
                    reason="stratum_jupyter.evaluate is not on this branch yet")
def test_evaluate_shows_leaderboard(tmp_path):
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True, as_frame=True)
    builder = _with_steps(PipelineBuilder(), ("StandardScaler", {}),
                          ("LogisticRegression", {"C": "0.1, 1", "max_iter": "500"}))
    builder.out_dir = str(tmp_path)  # the best model is saved under it
    result = builder.evaluate(X, y)
    assert builder.leaderboard["state"] == "done"
    assert len(builder.leaderboard["rows"]) == len(result.leaderboard) == 2
    assert builder.status["level"] == "success"


# -- round trip -------------------------------------------------------------------------------
def _spec_cell():
    return spec_cells(load_spec(PRODUCT_SPEC))[0]


def test_from_cell_round_trip():
    for source in (_spec_cell(), _spec_cell().source, spec_notebook(load_spec(PRODUCT_SPEC))):
        builder = PipelineBuilder.from_cell(source)
        assert builder.spec_dict() == PRODUCT_SPEC
        assert builder.issues == [] and builder.status == {}


def test_from_cell_reads_a_notebook_file(tmp_path):
    path = tmp_path / "pipeline.ipynb"
    nbformat.write(spec_notebook(load_spec(PRODUCT_SPEC)), path)
    assert PipelineBuilder.from_cell(str(path)).spec.to_dict() == PRODUCT_SPEC


def test_from_cell_after_a_hand_edit():
    source = _spec_cell().source.replace("C: [0.1, 1.0, 10.0]", "C: [1, 100]\n      tol: 0.001")
    builder = PipelineBuilder.from_cell(source)
    params = builder.spec.candidates[0].steps[1].params
    assert params == {"C": [1, 100], "max_iter": 1000, "tol": 0.001}


def test_an_invalid_hand_edit_gives_the_validators_messages_not_a_traceback():
    source = _spec_cell().source.replace("C: [0.1, 1.0, 10.0]", "C: [-1, 1]").replace(
        "RandomForestClassifier", "RandomForestClasifier")
    builder = PipelineBuilder.from_cell(source)
    assert builder.status["level"] == "error"
    fields = {i["field"]: i for i in builder.issues}
    assert "must be a float" in fields["candidates[0].steps[1].LogisticRegression.C"]["message"]
    assert "RandomForestClassifier" in fields["candidates[1].steps[0]"]["suggestions"]
    # The form keeps what was written, so the user can fix it in the builder.
    assert builder.form["candidates"][0]["steps"][1]["params"]["C"] == "-1, 1"
    with pytest.raises(SpecError) as info:
        PipelineBuilder.from_cell(source, strict=True)
    assert "candidates[0].steps[1].LogisticRegression.C" in str(info.value)


@pytest.mark.parametrize(("source", "message"), [
    ('from stratum_jupyter import load_spec\nspec = load_spec("""\nversion: 1\n  task: [\n""")',
     "not valid YAML/JSON at line"),
    ('from stratum_jupyter import load_spec\nspec = load_spec("""version: 1"""',
     "not valid Python"),
    ("x = 1", "does not call load_spec"),
])
def test_unreadable_cells_are_reported_in_the_builder(source, message):
    builder = PipelineBuilder.from_cell(source)
    assert builder.status["level"] == "error"
    assert any(message in d for d in builder.status["details"]), builder.status
    with pytest.raises(SpecError, match=message):
        PipelineBuilder.from_cell(source, strict=True)


def test_from_cell_without_arguments_uses_the_last_spec_cell_of_the_session():
    from IPython.testing import globalipapp

    shell = globalipapp.get_ipython()  # the suite's one shell (see the `ip` fixture)
    shell.run_cell(_spec_cell().source, store_history=True)
    shell.run_cell("from stratum_jupyter import PipelineBuilder\n"
                   "b = PipelineBuilder.from_cell()", store_history=True).raise_error()
    assert shell.user_ns["b"].spec_dict() == PRODUCT_SPEC
