"""Hypothesis: random raw tables (mixed dtypes, gaps, odd headers, string labels) written as
CSV files, and specs over them, give a leaderboard or a StratumError naming the column or
field, never another exception."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stratum_jupyter import evaluate
from stratum_jupyter.errors import StratumError

pytestmark = pytest.mark.slow

ROWS = 40
HEADERS = st.text(alphabet=string.ascii_letters + string.digits + " _-éß", min_size=1,
                  max_size=10)
KINDS = ("float", "int", "text", "bool", "empty")


def _column(draw: st.DrawFn, kind: str) -> list:
    gap = draw(st.sampled_from([0.0, 0.1, 0.5]))
    values = {"float": st.floats(-1e3, 1e3), "int": st.integers(0, 100),
              "text": st.sampled_from(["a", "b", "c;d", "é", " x "]),
              "bool": st.booleans(), "empty": st.none()}[kind]
    cells = draw(st.lists(values, min_size=ROWS, max_size=ROWS))
    holes = draw(st.lists(st.floats(0, 1), min_size=ROWS, max_size=ROWS))
    return [None if h < gap else v for v, h in zip(cells, holes, strict=True)]


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, str]:
    """A table of 1-5 feature columns of random kinds with random gaps, and a label column
    of 2-3 string classes (some labels may be missing)."""
    names = draw(st.lists(HEADERS, min_size=2, max_size=6, unique_by=lambda s: s.strip()))
    target, features = names[0], names[1:]
    frame = {name: _column(draw, draw(st.sampled_from(KINDS))) for name in features}
    classes = draw(st.sampled_from([["yes", "no"], ["Adelie", "Gentoo", "Chinstrap"]]))
    labels = draw(st.lists(st.sampled_from(classes), min_size=ROWS, max_size=ROWS))
    missing = draw(st.sets(st.integers(0, ROWS - 1), max_size=3))
    frame[target] = [None if i in missing else v for i, v in enumerate(labels)]
    return pd.DataFrame(frame), target


SPEC = """
version: 1
task: classification
data: {{source: "csv:{path}", target: {target!r}}}
evaluation: {{cv: 3, random_state: 0, metrics: {metrics}}}
candidates:
  - name: logreg
    steps: [{{LogisticRegression: {{max_iter: 500}}}}]
  - name: tree
    steps: [{{DecisionTreeClassifier: {{max_depth: [2, 4]}}}}]
"""


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(table=tables(), sep=st.sampled_from([",", ";", "\t"]),
       metrics=st.sampled_from(["[accuracy]", "[f1_macro, accuracy]", "[roc_auc]"]))
def test_random_tables_give_a_leaderboard_or_a_stratum_error(client, table, sep, metrics):
    frame, target = table
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.csv"
        frame.to_csv(path, sep=sep, index=False)
        spec = SPEC.format(path=path.as_posix(), target=target, metrics=metrics)
        try:
            result = evaluate(spec, display="none", refit=False)
        except StratumError as exc:
            assert str(exc).strip()
            return
    board = result.leaderboard
    assert len(board) == 3 and set(board["candidate"]) == {"logreg", "tree"}
    usable = [c for c in frame.columns if c != target and frame[c].notna().any()]
    if usable:  # the automatic preprocessing makes any such table learnable
        assert (board["status"] == "ok").all(), board[["candidate", "error"]].to_string()


DATES_SPEC = """
version: 1
task: classification
data: {{source: "csv:{path}", target: label, roles: {roles}}}
evaluation: {{cv: 3, random_state: 0}}
candidates:
  - name: logreg
    steps: [{{LogisticRegression: {{max_iter: 500}}}}]
"""


@st.composite
def dated_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, str]]:
    """1-3 columns of ISO dates (with or without times, one format per column; gaps; some
    empty), named in data.roles, beside a number column; labels alternate yes/no."""
    import datetime as dt

    moments = st.datetimes(dt.datetime(1960, 1, 1), dt.datetime(2040, 1, 1))
    names = draw(st.lists(HEADERS, min_size=1, max_size=3,
                          unique_by=lambda s: s.strip().lower()).filter(
        lambda ns: all(n.strip() and n.strip().lower() not in ("label", "x") for n in ns)))
    frame: dict[str, list] = {"x": list(range(ROWS))}
    for name in names:
        form = draw(st.sampled_from(["%Y-%m-%d", "%Y-%m-%d %H:%M:%S"]))
        gap = draw(st.sampled_from([0.0, 0.2, 1.0]))
        cells = draw(st.lists(moments, min_size=ROWS, max_size=ROWS))
        holes = draw(st.lists(st.floats(0, 1), min_size=ROWS, max_size=ROWS))
        frame[name] = [None if h < gap else v.strftime(form)
                       for v, h in zip(cells, holes, strict=True)]
    frame["label"] = ["yes" if i % 2 else "no" for i in range(ROWS)]
    return pd.DataFrame(frame), {name.strip(): "datetime" for name in names}


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(table=dated_tables())
def test_random_date_columns_are_split_into_parts(client, table):
    """Date columns (read as dates by data.roles) of random dates, times, gaps and headers:
    a leaderboard whose every row is scored, or a StratumError naming the column."""
    import json

    frame, roles = table
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dates.csv"
        frame.to_csv(path, index=False)
        spec = DATES_SPEC.format(path=path.as_posix(), roles=json.dumps(roles))
        try:
            result = evaluate(spec, display="none", refit=False)
        except StratumError as exc:
            assert any(name in str(exc) for name in roles), str(exc)
            return
    board = result.leaderboard
    assert len(board) == 1
    assert (board["status"] == "ok").all(), board[["candidate", "error"]].to_string()
