"""Tuple parameters in a spec: written as YAML lists (``ngram_range: [1, 2]``; a grid axis
of them ``[[1, 1], [1, 2]]``), validated as the tuples they become, built and generated as
tuples (field case 19, spec-tfidf-ngram.yaml). And "did you mean" by the spec's task."""

from __future__ import annotations

import ast
import copy

import pytest

from stratum_jupyter.codegen import script_source
from stratum_jupyter.errors import SpecError
from stratum_jupyter.spec import collect_issues, load_spec, validate_spec
from stratum_jupyter.spec.model import is_grid_axis
from stratum_jupyter.spec.pipeline import columns_step, pipeline_steps
from tests.codegen.test_python import ruff

# Field case 19's spec-tfidf-ngram.yaml, its data a small copy of the reviews.
NGRAM_YAML = """\
version: 1
name: reviews-tfidf-ngram
task: classification
data: {source: "csv:tests/data/reviews-small.csv", target: verdict}
preprocessing: none
evaluation: {cv: 3, metrics: [accuracy, roc_auc], random_state: 0}
candidates:
  - name: tfidf-logreg
    steps:
      - TfidfVectorizer: {ngram_range: [[1, 1], [1, 2]], min_df: 2, sublinear_tf: true}
      - LogisticRegression: {C: [1.0, 10.0], max_iter: 2000}
  - name: bigrams
    steps:
      - TfidfVectorizer: {ngram_range: [1, 2]}
      - LogisticRegression: {}
"""

SCALERS = {
    "version": 1, "task": "regression",
    "preprocessing": {"columns": [
        {"select": "numeric", "name": "robust",
         "steps": [{"RobustScaler": {"quantile_range": [[10, 90], [25.0, 75.0]]}}]}]},
    "candidates": [{"name": "minmax", "steps": [
        {"MinMaxScaler": {"feature_range": [-1, 1]}}, {"Ridge": {}}]}],
}


def test_a_flat_list_is_one_value_and_a_list_of_lists_an_axis():
    assert not is_grid_axis("TfidfVectorizer", "ngram_range", [1, 2])
    assert is_grid_axis("TfidfVectorizer", "ngram_range", [[1, 1], [1, 2]])
    assert is_grid_axis("TfidfVectorizer", "ngram_range", [[1, 2]])  # field case 19's
    assert not is_grid_axis("MinMaxScaler", "feature_range", [0.0, 1.0])
    assert is_grid_axis("TfidfVectorizer", "min_df", [1, 2])  # scalars: an axis, as ever
    # A parameter that takes a tuple or None (nothing else): a flat list is one value.
    assert not is_grid_axis("PatchExtractor", "patch_size", [4, 4])


def test_the_field_case_spec_validates_and_builds_tuples():
    spec = load_spec(NGRAM_YAML)
    ((tfidf, _), (bigrams, _)) = (pipeline_steps(c) for c in spec.candidates)
    assert tfidf.grid == {"tfidfvectorizer__ngram_range": [(1, 1), (1, 2)]}
    assert bigrams.params == {"ngram_range": (1, 2)}
    assert bigrams.estimator().get_params()["ngram_range"] == (1, 2)
    bigrams.estimator()._validate_params()  # scikit-learn's own check passes
    assert spec.to_dict()["candidates"][1]["steps"][0] == {
        "TfidfVectorizer": {"ngram_range": [1, 2]}}  # the spec itself keeps the list


def test_column_rules_and_steps_build_tuples():
    spec = validate_spec(SCALERS)
    (scaler, _) = pipeline_steps(spec.candidates[0])
    assert scaler.params == {"feature_range": (-1, 1)}
    step = columns_step(spec.preprocessing)
    assert step.grid == {"preprocessing__robust__robustscaler__quantile_range":
                         [(10, 90), (25.0, 75.0)]}


@pytest.mark.parametrize(("value", "fragment"), [
    ([1, 2, 3], "ngram_range of TfidfVectorizer takes 2 values, like its default [1, 1]; "
                "got 3"),
    ([[1, 1], [2]], "takes 2 values, like its default [1, 1]; got 1"),
    ("1,2", "takes a list of 2 values like [1, 1]; got '1,2'"),
    (2, "takes a list of 2 values like [1, 1]; got 2"),
])
def test_bad_tuples_are_named_without_contradiction(value, fragment):
    spec = load_spec(NGRAM_YAML).to_dict()
    spec["candidates"][1]["steps"][0]["TfidfVectorizer"]["ngram_range"] = value
    issues = collect_issues(spec)
    assert len(issues) == 1
    issue = issues[0]
    assert issue.field == "candidates[1].steps[0].TfidfVectorizer.ngram_range"
    assert fragment in issue.message
    assert "instance of 'tuple'" not in str(issue)  # never "must be a tuple (allowed: a list)"
    assert issue.allowed == "a list of 2 values like [1, 1] (passed as a tuple)"


def test_generated_code_writes_tuples_and_passes_ruff(tmp_path):
    spec = load_spec(NGRAM_YAML)
    source = script_source(spec)
    assert "TfidfVectorizer(ngram_range=(1, 2))" in source
    assert '"tfidfvectorizer__ngram_range": [(1, 1), (1, 2)]' in source
    scalers = script_source(validate_spec(SCALERS))
    assert "MinMaxScaler(feature_range=(-1, 1))" in scalers
    assert '"preprocessing__robust__robustscaler__quantile_range": [\n' \
        '                    (10, 90),\n                    (25.0, 75.0),\n' in scalers
    for name, text in (("ngram.py", source), ("scalers.py", scalers)):
        ast.parse(text)
        path = tmp_path / name
        path.write_text(text)
        result = ruff(path, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr


def _unknown(task: str, steps: list, where: str = "candidates") -> list:
    spec = {"version": 1, "task": task, "candidates": [{"name": "a", "steps": steps}]}
    if where == "columns":
        spec["candidates"][0]["steps"] = ["Ridge" if task == "regression" else "KMeans"]
        spec["preprocessing"] = {"columns": [{"select": "numeric", "steps": steps}]}
    return collect_issues(spec)


def test_did_you_mean_offers_only_blocks_of_the_task():
    (issue,) = _unknown("regression", ["RandomForrestClassifier"])
    assert issue.suggestions == ("RandomForestRegressor",)
    assert issue.allowed == "a block for regression (`stratum blocks --task regression`)"
    (issue,) = _unknown("classification", ["RandomForrestRegressor"])
    assert issue.suggestions == ("RandomForestClassifier",)
    (issue,) = _unknown("clustering", ["StandardScaler", "GaussianMixtur"])
    assert issue.suggestions[0] == "GaussianMixture"
    assert "BayesianGaussianMixture" in issue.suggestions
    # Transformers stay offered for any task; column rules offer transformers only.
    (issue,) = _unknown("regression", ["StandardScalr", "Ridge"])
    assert issue.suggestions[0] == "StandardScaler"
    (issue,) = _unknown("regression", ["RandomForrestRegressor"], where="columns")
    assert "RandomForestRegressor" not in issue.suggestions
    assert issue.allowed == "a transformer block (`stratum blocks`)"


def test_a_stacking_final_estimator_is_suggested_among_the_tasks_estimators():
    spec = {"version": 1, "task": "regression", "candidates": [{"name": "a", "steps": ["Ridge"]}],
            "evaluation": {"ensemble": {"method": "stacking",
                                        "final_estimator": "LogisticRegresion"}}}
    (issue,) = collect_issues(spec)
    assert "LogisticRegression" not in issue.suggestions
    assert issue.allowed == "a regressor block (`stratum blocks --task regression`)"
    spec["evaluation"]["ensemble"]["final_estimator"] = "Rige"
    (issue,) = collect_issues(spec)
    assert issue.suggestions[0] == "Ridge"


def test_an_unknown_task_still_gets_suggestions_from_the_whole_catalog():
    spec = {"version": 1, "task": "forecasting",
            "candidates": [{"name": "a", "steps": ["RandomForrestClassifier"]}]}
    with pytest.raises(SpecError) as info:
        validate_spec(copy.deepcopy(spec))
    block = [i for i in info.value.issues if i.field == "candidates[0].steps[0]"]
    assert block and block[0].suggestions[0] == "RandomForestClassifier"
