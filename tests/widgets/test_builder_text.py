"""Where no widget frontend renders (plain IPython, a notebook viewer), the builder is shown
as readable text (issue 22, item 6)."""

from __future__ import annotations

from stratum_jupyter import PipelineBuilder

from .test_builder import _with_steps


def test_the_text_form_says_what_was_built(ip):
    builder = _with_steps(PipelineBuilder(task="classification"), ("StandardScaler", {}),
                          ("LogisticRegression", {"C": "0.1, 1", "max_iter": ""}))
    builder.form = {**builder.form, "data": {**builder.form["data"],
                                             "source": "csv:penguins.csv", "drop": ["sex"]}}
    builder.leaderboard = {"state": "done", "rows": [], "columns": [],
                           "best": {"candidate": "logreg", "steps": "StandardScaler",
                                    "metric": "accuracy", "score": 0.95},
                           "model_dir": "runs/stratum/best"}
    text = repr(builder)
    lines = text.splitlines()
    assert lines[:3] == ["Pipeline builder (classification): 1 candidate(s)",
                         "  logreg: StandardScaler \u2192 LogisticRegression(C=0.1, 1)",
                         "data: csv:penguins.csv, dropped sex"]
    assert "1 problem(s) left:" in lines
    assert "  data.target: choose the column to predict: set its role to" in text
    assert ("last evaluation: best logreg (StandardScaler), accuracy 0.9500; saved to "
            "runs/stratum/best") in lines
    assert lines[-1].startswith("(the text form of the pipeline builder")
    # What a frontend without widgets shows: the bundle's text/plain is that text.
    data, _metadata = builder._repr_mimebundle_()
    assert data["text/plain"] == text
    formatted, _ = ip.display_formatter.format(builder)
    assert formatted["text/plain"] == text
    assert len(text) < 2000  # no traitlets dump of the catalog
