"""The builder's folds: it offers scikit-learn's splitters (per task) with their
parameters, the group column and the row order; the form and the spec both ways; the
builder emits the splitter the user picked, and its problems are named field by field."""

from __future__ import annotations

import copy

from stratum_jupyter import PipelineBuilder
from stratum_jupyter.widgets.builder import catalog_payload
from stratum_jupyter.widgets.form import empty_form, form_to_spec, spec_to_form


def test_the_splitters_are_offered_with_their_parameters():
    regression = {s["name"]: s for s in catalog_payload("regression")["splitters"]}
    assert list(regression) == ["KFold", "RepeatedKFold", "GroupKFold", "TimeSeriesSplit",
                                "ShuffleSplit"]
    assert [(p["name"], p["default"]) for p in regression["TimeSeriesSplit"]["params"]] == [
        ("n_splits", "5"), ("max_train_size", "None"), ("test_size", "None"), ("gap", "0")]
    assert regression["GroupKFold"]["groups"] and regression["TimeSeriesSplit"]["time"]
    classification = [s["name"] for s in catalog_payload("classification")["splitters"]]
    assert {"StratifiedKFold", "StratifiedGroupKFold",
            "RepeatedStratifiedKFold"} <= set(classification)


def test_form_and_spec_both_ways():
    form = empty_form("regression")
    assert form_to_spec(form)["evaluation"]["cv"] == 5  # no splitter: the fold count
    form["evaluation"].update(splitter="TimeSeriesSplit",
                              splitter_params={"n_splits": "5", "gap": "7", "test_size": ""})
    form["data"].update(source="csv:co2.csv", target="co2", order_by="date")
    spec = form_to_spec(form)
    assert spec["evaluation"]["cv"] == {"TimeSeriesSplit": {"n_splits": 5, "gap": 7}}
    assert spec["data"] == {"source": "csv:co2.csv", "target": "co2", "order_by": "date"}
    back = spec_to_form(copy.deepcopy(spec))
    assert back["evaluation"]["splitter"] == "TimeSeriesSplit" and back["evaluation"]["cv"] == ""
    assert back["evaluation"]["splitter_params"] == {"n_splits": "5", "gap": "7"}
    assert form_to_spec(back) == spec


def test_the_builder_emits_the_splitter_and_names_its_problems():
    builder = PipelineBuilder(task="regression")
    form = copy.deepcopy(builder.form)
    form["data"].update(source="csv:sites.csv", target="y", groups="site")
    form["evaluation"].update(splitter="GroupKFold", splitter_params={"n_splits": "3"})
    form["candidates"] = [{"name": "ridge", "steps": [{"block": "Ridge", "params": {}}]}]
    builder.form = form
    assert builder.issues == []
    assert builder.spec.evaluation.cv == {"GroupKFold": {"n_splits": 3}}
    assert builder.spec.data.groups == "site"
    assert "GroupKFold(n_splits=3)" in "".join(c.source for c in builder.cells())
    form = copy.deepcopy(form)  # a new form (the trait holds the old one)
    form["evaluation"]["splitter_params"] = {"n_splits": "1"}
    form["data"]["groups"] = ""
    builder.form = form
    fields = {issue["field"] for issue in builder.issues}
    assert fields == {"evaluation.cv.GroupKFold.n_splits", "data.groups"}
