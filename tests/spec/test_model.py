"""Spec v1: loading from every form and dumping back losslessly."""

from __future__ import annotations

import json

import pytest
import yaml

from stratum_jupyter.spec import dump_spec, json_schema, load_spec
from tests.conftest import SPECS


def test_yaml_round_trip_is_lossless(valid_spec):
    spec = load_spec(valid_spec)
    again = load_spec(dump_spec(spec))
    assert again.to_dict() == valid_spec == spec.to_dict()


def test_json_round_trip(valid_spec):
    text = dump_spec(load_spec(valid_spec), fmt="json")
    assert json.loads(text) == valid_spec
    assert load_spec(text).to_dict() == valid_spec


def test_only_written_fields_are_dumped(valid_spec):
    del valid_spec["evaluation"]
    spec = load_spec(valid_spec)
    assert "evaluation" not in spec.to_dict()
    assert spec.metrics == ["accuracy"] and spec.select_by == "accuracy"
    assert spec.evaluation.cv == 5


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.name)
def test_example_specs_are_valid_and_round_trip(path):
    spec = load_spec(path)
    assert load_spec(dump_spec(spec)).to_dict() == spec.to_dict()
    assert spec.to_dict() == yaml.safe_load(path.read_text()) | spec.to_dict()


def test_yaml_reads_exponent_floats_as_floats():
    spec = load_spec("""
version: 1
task: classification
candidates:
  - name: a
    steps: [{LogisticRegression: {C: [1e-3, 1E2], tol: 1e-4}}]
""")
    params = spec.candidates[0].steps[0].params
    assert params["C"] == [0.001, 100.0] and params["tol"] == 1e-4


def test_step_shorthands(valid_spec):
    valid_spec["candidates"][0]["steps"] = ["StandardScaler", {"LogisticRegression": None}]
    spec = load_spec(valid_spec)
    assert [s.block for s in spec.candidates[0].steps] == ["StandardScaler", "LogisticRegression"]
    assert spec.to_dict()["candidates"][0]["steps"] == [{"StandardScaler": {}},
                                                        {"LogisticRegression": {}}]


def test_grid_axes_and_size(valid_spec):
    spec = load_spec(valid_spec)
    assert spec.candidates[0].grid_size() == 2
    assert spec.candidates[1].grid_size() == 4
    step = spec.candidates[0].steps[1]
    assert step.grid_axes() == {"C": [0.1, 1.0]} and step.fixed_params() == {"max_iter": 500}


def test_json_schema_accepts_the_examples():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    assert schema["title"].startswith("stratum_jupyter pipeline spec")
    for path in SPECS.glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 1, "task": "classification", "candidates": [
            {"name": "a", "steps": [{"A": {}, "B": {}}]}]}, schema)


def test_load_from_file_paths(tmp_path, valid_spec):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(valid_spec))
    assert load_spec(path).to_dict() == valid_spec
    assert load_spec(str(path)).to_dict() == valid_spec


def test_infinite_parameters_round_trip_through_json():
    """JSON has no infinity: to_dict writes it as "inf", which validation reads back as the
    float (for parameters that take floats), so to_dict -> validate -> to_dict is the
    identity; the text stays text where a parameter takes it."""
    import json
    import math

    from stratum_jupyter.spec import load_spec
    from stratum_jupyter.spec.validate import validate_spec

    spec = load_spec("""
version: 1
task: classification
candidates:
  - {name: grid, steps: [{KNeighborsClassifier: {p: [1, .inf]}}]}
""")
    data = spec.to_dict()
    assert data["candidates"][0]["steps"] == [{"KNeighborsClassifier": {"p": [1, "inf"]}}]
    again = validate_spec(json.loads(json.dumps(data, allow_nan=False)))
    assert again.to_dict() == data
    assert again.candidates[0].steps[0].params["p"] == [1, math.inf]
    from stratum_jupyter.errors import SpecError

    with pytest.raises(SpecError, match=r"penalty: 'inf' is not allowed"):  # text stays text
        validate_spec({"version": 1, "task": "classification", "candidates": [
            {"name": "a", "steps": [{"LogisticRegression": {"penalty": "inf"}}]}]})
