"""Hypothesis: random and mutated specs give a valid spec or a SpecError, never anything else."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stratum_jupyter.errors import SpecError
from stratum_jupyter.spec import load_spec
from tests.conftest import VALID

FIELD_NAMES = ["version", "task", "data", "evaluation", "candidates", "name", "steps", "cv",
               "metrics", "select_by", "random_state", "holdout", "search", "n_iter", "source",
               "target", "features", "drop", "C", "max_iter", "n_estimators", "max_depth",
               "LogisticRegression", "StandardScaler", "RandomForestClassifier", "KMeans",
               "SimpleImputer", "fill_value", "solver", "penalty", "class_weight"]

scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(FIELD_NAMES + ["classification", "sklearn:iris", "accuracy"]))
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8) | st.integers(),
                      children, max_size=4),
    max_leaves=20,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _paths(child, (*prefix, i))


def _check(spec):
    try:
        load_spec(spec)
    except SpecError as exc:
        assert exc.issues, "a SpecError must carry issues"
        for issue in exc.issues:
            assert str(issue)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_random_documents(doc):
    _check(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_valid_spec(data):
    spec = copy.deepcopy(VALID)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(spec) if p]
        path = data.draw(st.sampled_from(paths))
        parent = spec
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        if action == "replace":
            parent[path[-1]] = data.draw(values)
        elif action == "delete" and isinstance(parent, dict | list):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(FIELD_NAMES))] = data.draw(values)
        elif isinstance(parent, list):
            parent.insert(0, data.draw(values))
    _check(spec)
