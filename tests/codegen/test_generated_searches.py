"""Generated code per search strategy: distributions as scipy.stats objects, halving as
scikit-learn's HalvingGridSearchCV / HalvingRandomSearchCV, bayes as an Optuna study; ruff
clean, and (slow) run under papermill to a saved bundle."""

from __future__ import annotations

import copy

import nbformat
import numpy as np
import pandas as pd
import pytest

from stratum_jupyter.codegen import script_source, spec_cells, spec_notebook
from stratum_jupyter.notebooks import run_notebook
from stratum_jupyter.spec import load_spec
from tests.codegen.test_generated_evaluation import _notebook_as_module, _ruff

FOREST = {"name": "forest", "steps": [{"RandomForestClassifier": {
    "n_estimators": [5, 10], "max_depth": [2, 4]}}]}
LR = {"name": "lr", "steps": ["StandardScaler", {"LogisticRegression": {
    "C": {"low": 0.01, "high": 10, "log": True}, "max_iter": {"low": 100, "high": 300}}}]}


def _spec(search: str, **evaluation) -> dict:
    settings = {"random": {"n_iter": 3}, "halving": {"n_iter": 4},
                "bayes": {"n_trials": 6}}.get(search, {})
    lr = LR if search != "grid" else {"name": "lr", "steps": [
        "StandardScaler", {"LogisticRegression": {"C": [0.1, 1.0]}}]}
    return {"version": 1, "task": "classification", "data": {"source": "sklearn:iris"},
            "evaluation": {"cv": 3, "search": search, "random_state": 0, **settings,
                           **evaluation},
            "candidates": copy.deepcopy([FOREST, lr])}


@pytest.mark.parametrize("search", ["grid", "random", "halving", "bayes"])
@pytest.mark.parametrize("test", [None, 0.2])
def test_every_strategy_generates_ruff_clean_code(search, test, tmp_path):
    spec = load_spec(_spec(search, **({"test": test} if test else {})))
    script = script_source(spec, "runs/x")
    _ruff(tmp_path, "script.py", script)
    cells = spec_cells(spec, "runs/x", parameters=True)
    _ruff(tmp_path, "notebook.py", _notebook_as_module(cells), "--extend-ignore", "B018")
    assert ("HalvingGridSearchCV" in script) == (search == "halving")
    assert ("optuna.create_study(" in script) == (search == "bayes")
    assert 'result.save(Path(out_dir) / "best")' in script


def test_distributions_are_scipy_stats_objects_in_the_candidates():
    script = script_source(load_spec(_spec("random")))
    assert "from scipy.stats import loguniform, randint" in script
    assert '"logisticregression__C": loguniform(0.01, 10)' in script
    assert '"logisticregression__max_iter": randint(100, 300 + 1)' in script
    spec = _spec("random")
    spec["candidates"][1]["steps"][1]["LogisticRegression"] = {
        "tol": {"low": 0.0001, "high": 0.01}, "max_iter": {"low": 100, "high": 1000, "step": 50},
        "intercept_scaling": {"low": 1, "high": 100, "log": True}}
    script = script_source(load_spec(spec))
    assert '"logisticregression__tol": uniform(0.0001, 0.01 - 0.0001)' in script
    assert '"logisticregression__max_iter": list(range(100, 1000 + 1, 50))' in script
    # scipy has no integers on a log scale: stratum's own, as the spec writes it
    assert ('"logisticregression__intercept_scaling": Distribution.from_mapping(\n'
            '                    {"low": 1, "high": 100, "log": True},') in script
    assert "from stratum_jupyter.spec.search import Distribution" in script


def test_halving_is_scikit_learns_with_the_specs_settings():
    spec = _spec("halving", halving={"factor": 2, "min_resources": 30})
    script = script_source(load_spec(spec))
    assert "from sklearn.experimental import enable_halving_search_cv  # noqa: F401" in script
    assert '"forest": HalvingGridSearchCV(*candidates["forest"], **halving)' in script
    assert ('"lr": HalvingRandomSearchCV(*candidates["lr"], n_candidates=n_iter, **halving)'
            in script)
    assert '"factor": 2,' in script and '"min_resources": 30,' in script
    assert '"resource": "n_samples",' in script and '"cv": folds,' in script
    assert "n_iter = 4" in script and 'search="grid",' in script
    spec = _spec("halving", halving={"resource": "n_estimators"})
    spec["candidates"] = [{"name": "forest", "steps": [{"RandomForestClassifier": {
        "max_depth": [2, 4], "n_estimators": 40}}]}]
    script = script_source(load_spec(spec))
    assert ('resource="randomforestclassifier__n_estimators",\n            max_resources=40,'
            '\n            min_resources=2,' in script)
    assert '"min_resources": "smallest"' not in script
    # the resource is a rung's, not a choice: the winner keeps the spec's n_estimators
    assert "values = {key: [value] for key, value in best if key != search.resource}" in script


def test_bayes_is_an_optuna_study_over_a_conditional_space():
    spec = _spec("bayes", budget="2m", bayes={"n_startup_trials": 3, "pruning": False})
    script = script_source(load_spec(spec))
    assert 'name = trial.suggest_categorical("candidate", ["forest", "lr"])' in script
    assert '"lr:C", 0.01, 10.0, log=True' in script and '"lr:max_iter", 100, 300' in script
    assert '"forest:n_estimators", [5, 10]' in script
    assert "sampler=TPESampler(seed=random_state, n_startup_trials=3)," in script
    assert "pruner=NopPruner()," in script and "cross_val_score(" in script
    assert "n_trials = 6" in script and "budget = 120.0" in script
    assert "study.optimize(objective, n_trials=n_trials, timeout=budget)" in script
    pruned = script_source(load_spec(_spec("bayes")))
    assert "pruner=MedianPruner()," in pruned and "trial.should_prune()" in pruned


def test_candidates_keep_their_own_search_beside_the_searched_ones():
    spec = _spec("bayes")
    spec["candidates"].append({"name": "tree", "search": "random", "n_iter": 2, "steps": [
        {"DecisionTreeClassifier": {"max_depth": [1, 2, 3]}}]})
    script = script_source(load_spec(spec))
    assert ('search={"forest": "grid", "lr": "grid", "tree": "random"},' in script)
    assert 'trial.suggest_categorical("candidate", ["forest", "lr"])' in script


def _run(spec: dict, tmp_path):
    nb = spec_notebook(load_spec(spec), "out")
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    run_notebook(src, out, {}, cwd=tmp_path, kernel_name="python3")
    return pd.read_csv(tmp_path / "out" / "best" / "leaderboard.csv")


@pytest.mark.slow
def test_a_halving_notebook_runs_under_papermill(tmp_path):
    board = _run(_spec("halving", test=0.2), tmp_path)
    # one configuration per candidate: its halving search's best, ranked on the same folds
    assert sorted(board["candidate"]) == ["forest", "lr"]
    assert board["accuracy"].is_monotonic_decreasing and board["test_accuracy"].notna().any()
    lr = board.set_index("candidate").loc["lr", "params"]
    assert lr.startswith("C=") and "max_iter=" in lr and "np.float64" not in lr
    assert (tmp_path / "out" / "best" / "model.skops").is_file()


@pytest.mark.slow
def test_a_bayes_notebook_with_groups_runs_under_papermill(tmp_path):
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame["site"] = np.arange(len(frame)) % 10
    frame.to_csv(tmp_path / "iris.csv", index=False)
    spec = _spec("bayes", cv={"GroupKFold": {"n_splits": 3}})
    spec["data"] = {"source": "csv:iris.csv", "target": "target", "groups": "site"}
    board = _run(spec, tmp_path)
    assert set(board["candidate"]) <= {"forest", "lr"} and len(board) >= 1
    assert board["accuracy"].between(0, 1).all()
    assert (tmp_path / "out" / "best" / "model.skops").is_file()


@pytest.mark.parametrize("search", ["random", "halving", "bayes"])
def test_long_parameter_names_and_every_kind_of_distribution_pass_ruff(search, tmp_path):
    spec = {"version": 1, "task": "regression", "data": {"source": "sklearn:diabetes"},
            "evaluation": {"cv": 3, "search": search, "random_state": 0},
            "candidates": [{"name": "hgb", "steps": [{"HistGradientBoostingRegressor": {
                "learning_rate": {"low": 0.01, "high": 0.3, "log": True},
                "max_leaf_nodes": {"low": 8, "high": 128, "log": True},
                "l2_regularization": {"low": 0, "high": 1, "step": 0.1},
                "min_samples_leaf": {"low": 5, "high": 50, "step": 5},
                "loss": ["squared_error", "absolute_error"], "max_iter": 50}}]}]}
    script = script_source(load_spec(spec), "runs/x")
    _ruff(tmp_path, "script.py", script)
    cells = spec_cells(load_spec(spec), "runs/x", parameters=True)
    _ruff(tmp_path, "notebook.py", _notebook_as_module(cells), "--extend-ignore", "B018")
    assert '"histgradientboostingregressor__l2_regularization": (\n' in script


def test_a_metric_of_one_class_scores_the_class_the_evaluation_takes(tmp_path):
    spec = _spec("halving", metrics=["f1"])
    spec["data"] = {"source": "csv:t.csv", "target": "label"}
    script = script_source(load_spec(spec))
    assert "pos_label = default_pos_label(sorted(y_search.dropna().unique()))" in script
    assert "scoring = make_scorer(f1_score, pos_label=pos_label)" in script
    _ruff(tmp_path, "script.py", script)
    spec["evaluation"].update(metrics=["average_precision"], pos_label="yes")
    script = script_source(load_spec(spec))
    assert 'pos_label = "yes"' in script and "default_pos_label" not in script
    assert ('response_method=("decision_function", "predict_proba"),\n        '
            'pos_label=pos_label,') in script
    _ruff(tmp_path, "script.py", script)
