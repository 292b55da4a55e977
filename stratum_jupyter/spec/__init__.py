"""The pipeline spec: models, reading/writing, validation, metric vocabulary.

The models (pydantic) load on first use of a name that needs them (PEP 562): the metric
vocabulary (``spec.metrics``), which every evaluation reads, comes without them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SpecError, SpecIssue
from .metrics import METRICS, metrics_for

if TYPE_CHECKING:  # pragma: no cover
    from .model import SPEC_VERSION, Candidate, DataSpec, EvaluationSpec, PipelineSpec, Step
    from .validate import collect_issues, validate_spec

_LAZY = {name: "stratum_jupyter.spec.model" for name in (
    "SPEC_VERSION", "Candidate", "DataSpec", "EvaluationSpec", "PipelineSpec", "Step")}
_LAZY.update(collect_issues="stratum_jupyter.spec.validate",
             validate_spec="stratum_jupyter.spec.validate")

__all__ = [
    "SPEC_VERSION", "Candidate", "DataSpec", "EvaluationSpec", "PipelineSpec", "Step",
    "SpecError", "SpecIssue", "METRICS", "metrics_for", "load_spec", "dump_spec",
    "validate_spec", "collect_issues", "json_schema",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stratum_jupyter.spec' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def load_spec(source: PipelineSpec | str | Path | dict[str, Any]) -> PipelineSpec:
    """Load and validate a spec from a model, a mapping, YAML/JSON text, or a file path."""
    from .io import read_source
    from .model import PipelineSpec
    from .validate import validate_spec

    if isinstance(source, PipelineSpec):
        return validate_spec(source)
    return validate_spec(read_source(source))


def dump_spec(spec: PipelineSpec, fmt: str = "yaml") -> str:
    """The spec as YAML or JSON text, holding exactly what was written."""
    from .io import dump_json, dump_yaml

    data = spec.to_dict()
    if fmt == "json":
        return dump_json(data)
    if fmt == "yaml":
        return dump_yaml(data)
    raise ValueError(f"unknown format {fmt!r} (allowed: yaml, json)")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of spec v1."""
    from .model import PipelineSpec

    schema = PipelineSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "stratum_jupyter pipeline spec v1"
    step = schema.get("$defs", {}).get("Step")
    if step is not None:  # a step is written {BlockName: {param: value}}
        schema["$defs"]["Step"] = {
            "title": "Step",
            "description": "{BlockName: {param: value}}; a list value is a grid axis, a "
                           "{low, high, log, step} mapping a search distribution "
                           "(#/$defs/Distribution).",
            "anyOf": [
                {"type": "string"},
                {"type": "object", "minProperties": 1, "maxProperties": 1,
                 "additionalProperties": {"anyOf": [{"type": "object"}, {"type": "null"}]}},
            ],
        }
        schema["$defs"]["Distribution"] = _DISTRIBUTION_SCHEMA
    return schema


# A parameter's search distribution (spec.search.Distribution), for search: random, halving
# and bayes; a parameter's value is any JSON, so the Step's schema can only point here.
_DISTRIBUTION_SCHEMA: dict[str, Any] = {
    "title": "Distribution",
    "description": "A search distribution of a numeric parameter: uniform on [low, high] "
                   "(log-uniform with log: true), integers when low, high (and step) are "
                   "integers, e.g. {low: 0.01, high: 10, log: true}. For search: random, "
                   "halving and bayes; search: grid takes lists.",
    "type": "object",
    "properties": {"low": {"type": "number"}, "high": {"type": "number"},
                   "log": {"type": "boolean", "default": False},
                   "step": {"type": "number", "exclusiveMinimum": 0}},
    "required": ["low", "high"],
    "additionalProperties": False,
}
