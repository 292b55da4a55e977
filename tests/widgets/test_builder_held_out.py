"""The builder's held-out test field (evaluation.test): form -> spec -> form, a bad value
reported on its field, and generated cells that hold out the same rows."""

from __future__ import annotations

import copy

from stratum_jupyter import PipelineBuilder

from .test_form import PRODUCT_SPEC


def test_held_out_field_round_trips_and_reaches_the_cells():
    builder = PipelineBuilder(spec=PRODUCT_SPEC)
    assert builder.form["evaluation"]["test"] == ""
    form = copy.deepcopy(builder.form)
    form["evaluation"]["test"] = "0.2"
    builder.form = form
    spec = builder.spec
    assert spec.evaluation.test == 0.2
    assert PipelineBuilder(spec=spec.to_dict()).form["evaluation"]["test"] == "0.2"
    source = "\n".join(cell.source for cell in builder.cells())
    assert "held_out = split_test(" in source and "test=held_out," in source
    assert "test = 0.2" in source  # a papermill parameter


def test_a_fraction_outside_0_1_is_reported_on_its_field():
    builder = PipelineBuilder(spec=PRODUCT_SPEC)
    form = copy.deepcopy(builder.form)
    form["evaluation"]["test"] = "1.5"
    builder.form = form
    assert [i.field for i in builder.current_issues()] == ["evaluation.test"]
