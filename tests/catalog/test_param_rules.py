"""Catalog rules for parameters: tuples written as lists (``ngram_range``), the
``target_type`` a block takes from the task, mixtures as clusterers."""

from __future__ import annotations

import numpy as np
import pytest

from stratum_jupyter.catalog import get_catalog
from stratum_jupyter.catalog.cache import block_from_dict
from stratum_jupyter.catalog.targets import target_kind, target_params

TUPLES = [("TfidfVectorizer", "ngram_range", [1, 2]),
          ("CountVectorizer", "ngram_range", [1, 3]),
          ("MinMaxScaler", "feature_range", [-1, 1]),
          ("RobustScaler", "quantile_range", [10.0, 90.0])]


@pytest.mark.parametrize(("block", "name", "value"), TUPLES)
def test_tuple_parameters_take_a_list_and_pass_a_tuple(block, name, value):
    b = get_catalog().get(block)
    info = b.param(name)
    assert info.as_tuple and info.types == ("array",)
    assert b.check_param(name, value) is None  # the list is checked as the tuple it becomes
    assert b.to_python({name: value}) == {name: tuple(value)}
    assert "passed as a tuple" in info.describe() and "a list of 2 values" in info.describe()
    b.load()(**b.to_python({name: value}))._validate_params()  # scikit-learn agrees


@pytest.mark.parametrize(("block", "name", "value"), TUPLES)
def test_tuple_parameters_refuse_a_wrong_length_with_one_clear_message(block, name, value):
    b = get_catalog().get(block)
    message = b.check_param(name, [*value, value[-1]])
    assert message is not None and "takes 2 values" in message and "got 3" in message
    # Not a list: said in a spec's words, never "must be a tuple" beside "allowed: a list".
    message = b.check_param(name, "x")
    assert message == f"{name} of {block} takes a list of 2 values like " \
        f"{b.param(name).default}; got 'x'"


def test_lists_and_other_parameters_are_left_alone():
    catalog = get_catalog()
    # A parameter that takes lists (or any array-like) gets lists; a scalar stays a scalar.
    hist = catalog.get("HistGradientBoostingClassifier")
    assert not hist.param("interaction_cst").as_tuple
    assert hist.to_python({"interaction_cst": [[0, 1]]}) == {"interaction_cst": [[0, 1]]}
    assert catalog.get("LogisticRegression").to_python({"C": 1.0}) == {"C": 1.0}


def test_the_tuple_flag_survives_the_disk_cache():
    block = get_catalog().get("TfidfVectorizer")
    again = block_from_dict(block.to_dict())
    assert again.param("ngram_range").as_tuple
    assert again.to_python({"ngram_range": [1, 2]}) == {"ngram_range": (1, 2)}


def test_target_kind_from_the_task_and_the_target():
    assert target_kind("regression") == "continuous"
    assert target_kind("regression", np.arange(600)) == "continuous"
    assert target_kind("classification", ["a", "b", "a"]) == "binary"
    assert target_kind("classification", [1, 2, 3, None]) == "multiclass"
    assert target_kind("classification") is None  # "auto" reads the labels at fit time
    assert target_kind("clustering", [0, 1]) is None


def test_blocks_with_a_target_type_get_it_unless_the_step_sets_it():
    catalog = get_catalog()
    encoder = catalog.get("TargetEncoder")
    assert target_params(encoder, "continuous", {}) == {"target_type": "continuous"}
    assert target_params(encoder, "multiclass", {"smooth": 1.0}) == {
        "target_type": "multiclass"}
    assert target_params(encoder, "continuous", {"target_type": "binary"}) == {}
    assert target_params(encoder, "continuous", {"target_type": ["binary", "auto"]}) == {}
    assert target_params(encoder, None, {}) == {}
    assert target_params(catalog.get("StandardScaler"), "continuous", {}) == {}


def test_gaussian_mixtures_are_clusterers():
    catalog = get_catalog()
    clusterers = {b.name for b in catalog.for_task("clustering") if b.kind == "clusterer"}
    assert {"GaussianMixture", "BayesianGaussianMixture", "KMeans",
            "AgglomerativeClustering"} <= clusterers
    assert catalog.get("GaussianMixture").kind == "clusterer"
    assert "KernelDensity" not in clusterers  # a density estimator that labels nothing
    assert "GaussianMixture" not in {b.name for b in catalog.for_task("classification")}
