"""The builder speaks the student's words (issue 22, item 3): no pydantic phrasing reaches
its issues or its status line, and every message says what to do."""

from __future__ import annotations

import copy
import re

import pytest

from stratum_jupyter import PipelineBuilder, SpecError
from stratum_jupyter.widgets.messages import in_words

JARGON = re.compile(r"after validation|Input should|List should|String should|"
                    r"Field required|validation error")


def _form(builder: PipelineBuilder, **changes) -> PipelineBuilder:
    form = copy.deepcopy(builder.form)
    for path, value in changes.items():
        level = form
        *parents, last = path.split("__")
        for part in parents:
            level = level[part]
        level[last] = value
    builder.form = form
    return builder


def test_a_fresh_builder_says_what_to_do_in_words():
    builder = PipelineBuilder(task="classification")
    (issue,) = builder.issues
    assert issue["field"] == "candidates[0].steps"
    assert issue["message"] == "this candidate has no blocks yet"
    assert issue["todo"].startswith("drag a block from the palette into it")
    assert "List should have" in issue["detail"]  # the validator's words are kept aside
    with pytest.raises(SpecError):
        builder.generate()
    assert builder.status["level"] == "error"
    assert builder.status["details"] == [
        "candidates[0].steps: this candidate has no blocks yet: drag a block from the "
        "palette into it (a model last, e.g. LogisticRegression)"]


def test_no_parser_jargon_for_common_mistakes():
    builder = _form(PipelineBuilder(), data__source="csv:penguins.csv",
                    evaluation__test="2", evaluation__random_state="seed",
                    evaluation__n_iter="0", evaluation__search="random")
    builder.form = {**builder.form, "candidates": [{"name": "", "steps": [
        {"block": "LogisticRegression", "params": {}}]}]}
    said = {i["field"]: i for i in builder.issues}
    assert said["evaluation.test"]["message"] == "this should be less than 1"
    assert said["evaluation.random_state"]["message"] == "this should be a whole number"
    assert said["evaluation.n_iter"]["message"] == "this should be at least 1"
    assert said["candidates[0].name"]["message"] == "the candidate needs a name"
    assert said["data.target"]["todo"].startswith("set its role to \u201ctarget\u201d")
    for issue in builder.issues:
        assert not JARGON.search(issue["message"]), issue
        assert issue["todo"] or issue["allowed"], issue


def test_an_unknown_pydantic_message_loses_its_jargon():
    said = in_words({"field": "evaluation.x", "message": "Input should be a valid tuple"})
    assert said["message"] == "this should be a valid tuple"
