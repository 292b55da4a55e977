"""Validation: every invalid spec gives a SpecError naming the field, the value and what is
allowed; every problem of a spec is reported at once."""

from __future__ import annotations

import copy

import pytest

from stratum_jupyter.errors import SpecError
from stratum_jupyter.spec import collect_issues, load_spec
from tests.conftest import VALID


def _set(path, value):
    def mutate(spec):
        node = spec
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return mutate


def _delete(path):
    def mutate(spec):
        node = spec
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
    return mutate


LOGREG = ("candidates", 0, "steps", 1, "LogisticRegression")
FOREST = ("candidates", 1, "steps", 0, "RandomForestClassifier")

# (id, mutation, the field the error must name, a piece of the message)
INVALID = [
    ("version-2", _set(("version",), 2), "version", "not supported"),
    ("version-string", _set(("version",), "1"), "version", "not supported"),
    ("version-missing", _delete(("version",)), "version", "missing"),
    ("task-typo", _set(("task",), "clasification"), "task", "classification"),
    ("task-missing", _delete(("task",)), "task", "missing"),
    ("unknown-top-field", _set(("candidate",), []), "candidate", "unknown field"),
    ("candidates-empty", _set(("candidates",), []), "candidates", "at least 1"),
    ("candidates-not-list", _set(("candidates",), "logreg"), "candidates", "valid list"),
    ("candidate-no-name", _delete(("candidates", 0, "name")), "candidates[0].name", "missing"),
    ("candidate-empty-name", _set(("candidates", 0, "name"), ""), "candidates[0].name",
     "at least 1"),
    ("candidate-dup-name", _set(("candidates", 1, "name"), "logreg"), "candidates[1].name",
     "duplicate"),
    ("candidate-no-steps", _set(("candidates", 0, "steps"), []), "candidates[0].steps",
     "at least 1"),
    ("candidate-extra", _set(("candidates", 0, "stepz"), []), "candidates[0].stepz",
     "unknown field"),
    ("step-two-keys", _set(("candidates", 0, "steps", 0), {"StandardScaler": {}, "PCA": {}}),
     "candidates[0].steps[0]", "exactly one key"),
    ("unknown-block", _set(("candidates", 1, "steps", 0),
                           {"RandomForrestClassifier": {}}), "candidates[1].steps[0]",
     "RandomForestClassifier"),
    ("unknown-param", _set((*LOGREG, "penality"), "l2"), f"{'candidates[0].steps[1]'}"
     ".LogisticRegression.penality", "penalty"),
    ("param-out-of-range", _set((*LOGREG, "C"), -1.0), "candidates[0].steps[1]"
     ".LogisticRegression.C", "range"),
    ("param-grid-value-out-of-range", _set((*LOGREG, "C"), [1.0, 0.0]),
     "candidates[0].steps[1].LogisticRegression.C", "0.0"),
    ("param-bad-choice", _set((*LOGREG, "solver"), "magic"),
     "candidates[0].steps[1].LogisticRegression.solver", "lbfgs"),
    ("param-wrong-type", _set((*FOREST, "n_estimators"), "many"),
     "candidates[1].steps[0].RandomForestClassifier.n_estimators", "int"),
    ("param-float-for-int", _set((*FOREST, "max_depth"), 2.5),
     "candidates[1].steps[0].RandomForestClassifier.max_depth", "int"),
    ("param-empty-grid", _set((*FOREST, "max_depth"), []),
     "candidates[1].steps[0].RandomForestClassifier.max_depth", "empty"),
    ("param-object-only", _set(("candidates", 0, "steps", 0), {"SelectKBest": {
        "score_func": "chi2"}}), "candidates[0].steps[0].SelectKBest.score_func", "object"),
    ("params-not-mapping", _set(("candidates", 0, "steps", 0), {"StandardScaler": [1]}),
     "candidates[0].steps[0].StandardScaler", "mapping"),
    ("transformer-after-estimator", _set(("candidates", 0, "steps"), [
        {"LogisticRegression": {}}, {"StandardScaler": {}}]), "candidates[0].steps[1]",
     "after the final estimator"),
    ("estimator-in-middle", _set(("candidates", 0, "steps"), [
        {"LogisticRegression": {}}, {"RandomForestClassifier": {}}]), "candidates[0].steps[0]",
     "only the last step"),
    ("estimator-wrong-task", _set(("candidates", 1, "steps", 0), {"RandomForestRegressor": {}}),
     "candidates[1].steps[0]", "RandomForestClassifier"),
    ("only-transformers", _set(("candidates", 0, "steps"), [{"StandardScaler": {}}]),
     "candidates[0].steps[0]", "ends with a classifier"),
    ("metric-unknown", _set(("evaluation", "metrics"), ["accuracy", "f1_macor"]),
     "evaluation.metrics[1]", "f1_macro"),
    ("metric-wrong-task", _set(("evaluation", "metrics"), ["accuracy", "r2"]),
     "evaluation.metrics[1]", "regression"),
    ("metric-duplicate", _set(("evaluation", "metrics"), ["accuracy", "accuracy"]),
     "evaluation.metrics[1]", "twice"),
    ("metrics-empty", _set(("evaluation", "metrics"), []), "evaluation.metrics", "at least 1"),
    ("select-by-not-a-metric", _set(("evaluation", "select_by"), "roc_auc"),
     "evaluation.select_by", "not among the metrics"),
    ("cv-one", _set(("evaluation", "cv"), 1), "evaluation.cv", "number of folds (2 to 100)"),
    ("cv-string", _set(("evaluation", "cv"), "5"), "evaluation.cv", "number of folds"),
    ("cv-bool", _set(("evaluation", "cv"), True), "evaluation.cv", "number of folds"),
    ("cv-float", _set(("evaluation", "cv"), 2.5), "evaluation.cv", "number of folds"),
    ("cv-and-holdout", _set(("evaluation", "holdout"), 0.2), "evaluation.holdout", "either"),
    ("holdout-too-big", _set(("evaluation", "holdout"), 1.5), "evaluation.holdout", "less than"),
    ("random-state-negative", _set(("evaluation", "random_state"), -1),
     "evaluation.random_state", "greater than"),
    ("search-unknown", _set(("evaluation", "search"), "genetic"), "evaluation.search", "grid"),
    ("n-iter-zero", _set(("candidates", 0, "n_iter"), 0), "candidates[0].n_iter", "greater"),
    ("evaluation-extra", _set(("evaluation", "folds"), 5), "evaluation.folds", "unknown field"),
    ("data-source-scheme", _set(("data", "source"), "hdf5:x.h5"), "data.source", "csv:"),
    ("data-sklearn-unknown", _set(("data", "source"), "sklearn:iriss"), "data.source", "iris"),
    ("data-sklearn-wrong-task", _set(("data", "source"), "sklearn:diabetes"), "data.source",
     "regression data set"),
    ("data-csv-no-target", _set(("data",), {"source": "csv:data.csv"}), "data.target",
     "label column"),
    ("data-extra", _set(("data", "worksheet"), 1), "data.worksheet", "unknown field"),
]


@pytest.mark.parametrize("mutate, field, fragment", [c[1:] for c in INVALID],
                         ids=[c[0] for c in INVALID])
def test_invalid_spec_names_its_field(mutate, field, fragment):
    spec = copy.deepcopy(VALID)
    mutate(spec)
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    err = info.value
    assert field in err.fields, f"{field} not in {err.fields}:\n{err}"
    issue = next(i for i in err.issues if i.field == field)
    assert fragment.lower() in str(issue).lower(), str(issue)


def test_at_least_thirty_invalid_specs():
    assert len(INVALID) >= 30


def test_all_problems_reported_at_once():
    spec = copy.deepcopy(VALID)
    spec["version"] = 2
    spec["evaluation"]["metrics"] = ["accuracy", "r2"]
    spec["candidates"][1]["steps"] = [{"RandomForrestClassifier": {}}]
    spec["candidates"][0]["steps"][1]["LogisticRegression"]["C"] = -3
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    fields = info.value.fields
    assert {"version", "evaluation.metrics[1]", "candidates[1].steps[0]",
            "candidates[0].steps[1].LogisticRegression.C"} <= set(fields)
    assert "4 problems" in str(info.value) or len(fields) >= 4


def test_unknown_block_suggests_close_matches():
    spec = copy.deepcopy(VALID)
    spec["candidates"][1]["steps"] = [{"RandomForrestClassifier": {}}]
    issue = collect_issues(spec)[0]
    assert issue.suggestions[0] == "RandomForestClassifier"
    assert "did you mean 'RandomForestClassifier'" in str(issue)


def test_param_error_says_what_is_allowed():
    spec = copy.deepcopy(VALID)
    spec["candidates"][0]["steps"][1]["LogisticRegression"]["C"] = 0
    (issue,) = collect_issues(spec)
    assert issue.value == 0
    assert issue.allowed == "a float in (0, inf]"


def test_issue_serialises():
    spec = copy.deepcopy(VALID)
    spec["task"] = "regresion"
    data = collect_issues(spec)[0].to_dict()
    assert data["field"] == "task" and "regression" in data["suggestions"]


@pytest.mark.parametrize("not_a_mapping", [None, 3, "just text", [1, 2]])
def test_non_mapping_specs(not_a_mapping):
    with pytest.raises(SpecError) as info:
        load_spec(not_a_mapping if not isinstance(not_a_mapping, str) else not_a_mapping)
    assert info.value.issues


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(SpecError, match="line 4"):
        load_spec("version: 1\ntask: classification\ncandidates: [\n  - x: {\n")


def test_missing_file():
    with pytest.raises(SpecError, match="cannot read"):
        load_spec("no/such/spec.yaml")


def test_valid_regression_and_clustering_specs():
    load_spec({"version": 1, "task": "regression", "evaluation": {"metrics": ["rmse", "r2"]},
               "candidates": [{"name": "r", "steps": ["StandardScaler", {"Ridge": {
                   "alpha": [0.1, 1.0]}}]}]})
    load_spec({"version": 1, "task": "clustering", "evaluation": {"metrics": ["silhouette"]},
               "candidates": [{"name": "k", "steps": ["StandardScaler", {"KMeans": {
                   "n_clusters": [2, 3]}}]}]})


def test_unknown_key_that_looks_like_a_union_tag():
    """Found by test_fuzz: a user's key "~" was taken for a union tag and dropped."""
    (issue,) = collect_issues({**copy.deepcopy(VALID), "~": None})
    assert issue.field == "~" and issue.message == "unknown field"
