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


# Columns read for what they hold (catalog/column_kinds.py): free text, identifiers and
# many categories, beside a number column, with gaps; evaluated in this process.
WORDS = st.sampled_from(["good", "bad", "film", "plot", "dull", "fine", "the", "a", "ok"])
COLUMN_KINDS = ("sentences", "row_numbers", "codes", "many_categories", "number")


def _kind_column(draw: st.DrawFn, kind: str, rows: int) -> list:
    gap = draw(st.sampled_from([0.0, 0.1]))
    if kind == "sentences":
        cells = [" ".join(draw(st.lists(WORDS, min_size=1, max_size=8))) + f" {i}"
                 for i in range(rows)]
    elif kind == "row_numbers":
        start = draw(st.integers(-5, 5))
        cells = draw(st.permutations(list(range(start, start + rows))))
        gap = 0.0
    elif kind == "codes":
        cells = draw(st.permutations([f"ID-{i:04d}" for i in range(rows)]))
    elif kind == "many_categories":
        cells = draw(st.lists(st.integers(0, 60).map(lambda i: f"cat {i}"),
                              min_size=rows, max_size=rows))
    else:
        cells = draw(st.lists(st.floats(-1e3, 1e3), min_size=rows, max_size=rows))
    holes = draw(st.lists(st.floats(0, 1), min_size=rows, max_size=rows))
    return [None if h < gap else v for v, h in zip(cells, holes, strict=True)]


@st.composite
def kind_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, bool]:
    """1-4 columns of the kinds above (a header may repeat, as pandas then renames it
    ``x.1``; the file may be written with its index) and a yes/no label."""
    kinds = draw(st.lists(st.sampled_from(COLUMN_KINDS), min_size=1, max_size=4))
    names = [f"c{i}_id" if kind == "row_numbers" else f"c{i}" for i, kind in enumerate(kinds)]
    if len(names) > 1 and draw(st.booleans()):
        names[-1] = names[0]  # a duplicated header
    frame = pd.DataFrame({f"__{i}": _kind_column(draw, kind, ROWS)
                          for i, kind in enumerate(kinds)})
    frame.columns = names
    frame["label"] = draw(st.lists(st.sampled_from(["yes", "no"]), min_size=ROWS,
                                   max_size=ROWS).filter(lambda ls: ls.count("yes") > 5
                                                         and ls.count("no") > 5))
    return frame, draw(st.booleans())


KINDS_SPEC = """
version: 1
task: classification
data: {{source: "csv:{path}", target: label}}
evaluation: {{cv: 3, random_state: 0}}
candidates:
  - name: logreg
    steps: [{{LogisticRegression: {{max_iter: 500}}}}]
"""


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(table=kind_tables())
def test_text_identifier_and_many_category_columns(in_process, table):
    """A leaderboard whose row is scored, or a StratumError naming a column."""
    frame, with_index = table
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kinds.csv"
        frame.to_csv(path, index=with_index)
        try:
            result = evaluate(KINDS_SPEC.format(path=path.as_posix()), display="none",
                              refit=False)
        except StratumError as exc:
            assert any(name in str(exc) for name in (*frame.columns, "Unnamed: 0")), str(exc)
            return
    board = result.leaderboard
    assert len(board) == 1
    assert (board["status"] == "ok").all(), board[["candidate", "error"]].to_string()


def test_many_categories_and_free_text_never_explode_in_memory(in_process, tmp_path):
    """20,000 rows: 10,000 categories, free text, row numbers. The evaluation's peak
    allocations (tracemalloc, modules already imported) stay under twice the table's own
    size plus a fixed 64 MiB (the fitted models, scikit-learn's working copies): one-hot
    encoding every category densely would take 1.6 GB."""
    import tracemalloc

    import numpy as np

    rows = 20_000
    rng = np.random.default_rng(0)
    words = np.array(["good", "bad", "film", "plot", "dull", "fine", "the", "a", "ok"])
    frame = pd.DataFrame({
        "id": np.arange(rows), "shop": [f"shop {i}" for i in rng.integers(0, 10_000, rows)],
        "note": [" ".join(rng.choice(words, 6)) + f" {i}" for i in range(rows)],
        "x": rng.normal(size=rows)})
    frame["label"] = np.where(frame["x"] > 0, "yes", "no")
    path, small = tmp_path / "big.csv", tmp_path / "small.csv"
    frame.to_csv(path, index=False)
    frame.head(300).to_csv(small, index=False)
    size = int(frame.memory_usage(deep=True).sum())
    # The same work on 300 rows first: the modules it imports are not the data's cost.
    evaluate(KINDS_SPEC.format(path=small.as_posix()), display="none", refit=False)
    tracemalloc.start()
    try:
        result = evaluate(KINDS_SPEC.format(path=path.as_posix()), display="none",
                          refit=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.cluster["in_process"]  # all the work was traced here
    assert (result.leaderboard["status"] == "ok").all()
    assert peak < 2 * size + 64 * 2**20, (peak, size)


# -- numbers with thousands separators, pyarrow-backed tables --------------------------------
THOUSANDS_SPEC = """
version: 1
task: classification
data: {{source: "csv:{path}", target: label{thousands}}}
evaluation: {{cv: 3, random_state: 0}}
candidates:
  - name: logreg
    steps: [{{LogisticRegression: {{max_iter: 500}}}}]
"""


@st.composite
def thousands_tables(draw: st.DrawFn) -> pd.DataFrame:
    """Random tables (as :func:`tables` draws them) plus 1-2 columns of numbers written with
    ',' thousands separators (``12,500``; gaps; some plain numbers), a label ``label``."""
    frame, target = draw(tables())
    frame = frame.rename(columns={target: "label"})
    frame.columns = [c if c == "label" else f"{c}{i}" for i, c in enumerate(frame.columns)]
    for i in range(draw(st.integers(1, 2))):
        cells = draw(st.lists(st.one_of(st.none(), st.integers(0, 10**7),
                                        st.floats(0, 1e6).map(lambda v: round(v, 2))),
                              min_size=ROWS, max_size=ROWS))
        frame[f"amount {i}"] = [None if v is None else f"{v:,}" for v in cells]
    return frame


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(frame=thousands_tables(), sep=st.sampled_from([",", ";", "\t"]),
       thousands=st.booleans())
def test_thousands_separated_numbers_give_a_leaderboard_or_a_stratum_error(client, frame,
                                                                           sep, thousands):
    """With or without ``data.thousands: ","``: a leaderboard or a StratumError naming a
    column or a field; with it, the amounts are numbers."""
    from stratum_jupyter.catalog.tables import read_data
    from stratum_jupyter.spec import load_spec

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "amounts.csv"
        frame.to_csv(path, sep=sep, index=False)
        option = ', thousands: ","' if thousands else ""
        spec = THOUSANDS_SPEC.format(path=path.as_posix(), thousands=option)
        try:
            table = read_data(load_spec(spec).data)
            result = evaluate(spec, display="none", refit=False)
        except StratumError as exc:
            assert any(name in str(exc) for name in [*frame.columns, "data."]), str(exc)
            return
    amounts = [c for c in table.X.columns if c.startswith("amount")]
    if thousands:
        for column in amounts:
            expected = pd.to_numeric(frame[column].str.replace(",", ""))
            assert table.X[column].astype("float64").tolist() == pytest.approx(
                expected.tolist(), nan_ok=True), column
    else:
        noted = " ".join(table.notes)
        assert all(f"column {c!r}" in noted for c in amounts
                   if table.X[c].dtype.kind not in "if"), table.notes
    assert len(result.leaderboard) == 1


@st.composite
def arrow_tables(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.Series]:
    """Random tables (as :func:`tables` draws them) made pyarrow-backed, as
    ``pd.read_csv(..., dtype_backend="pyarrow")`` gives them, a few more Arrow types beside
    (large strings, dictionaries, timestamps, decimals); the label too at random."""
    import pyarrow as pa

    frame, target = draw(tables())
    y = frame.pop(target)
    frame = frame.convert_dtypes(dtype_backend="pyarrow")
    extra = draw(st.sets(st.sampled_from(["large", "dictionary", "timestamp", "decimal"])))
    words = pa.array([["a", "b", None][i % 3] for i in range(ROWS)])
    if "large" in extra:
        frame["large"] = pd.arrays.ArrowExtensionArray(words.cast(pa.large_string()))
    if "dictionary" in extra:
        frame["dictionary"] = pd.arrays.ArrowExtensionArray(words.dictionary_encode())
    if "timestamp" in extra:
        frame["timestamp"] = pd.Series(pd.date_range("2020-01-01", periods=ROWS, freq="36h")
                                       ).where(lambda s: s.index % 4 > 0).astype(
            pd.ArrowDtype(pa.timestamp("us")))
    if "decimal" in extra:
        import decimal

        frame["decimal"] = pd.arrays.ArrowExtensionArray(pa.array(
            [decimal.Decimal(i) / 4 if i % 5 else None for i in range(ROWS)],
            type=pa.decimal128(10, 2)))
    if draw(st.booleans()):
        y = y.astype(pd.ArrowDtype(pa.string()))
    return frame, y


ARROW_SPEC = """
version: 1
task: classification
evaluation: {cv: 3, random_state: 0, metrics: [accuracy]}
candidates:
  - name: logreg
    steps: [{LogisticRegression: {max_iter: 500}}]
  - name: tree
    steps: [{DecisionTreeClassifier: {max_depth: [2, 4]}}]
"""


def _peak_bytes(func):
    """``(result, peak bytes)`` of ``func()``: Python and NumPy allocations (tracemalloc)
    and what the Arrow memory pool holds more at the end."""
    import tracemalloc

    import pyarrow as pa

    arrow_before = pa.total_allocated_bytes()
    tracemalloc.start()
    try:
        result = func()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak + max(pa.total_allocated_bytes() - arrow_before, 0)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(table=arrow_tables())
def test_pyarrow_backed_tables_give_a_leaderboard_or_a_stratum_error(client, table):
    """A pyarrow-backed table through the Python API: a leaderboard whose rows are scored
    wherever a column has values, or a StratumError naming the column; taking its columns as
    pandas dtypes needs at most 2x the table's memory, the larger of the Arrow table and the
    pandas one (a bool takes a bit in Arrow, two bytes in pandas; checked on the table
    repeated 500 times, plus 1 MiB of fixed costs)."""
    from stratum_jupyter.catalog.arrowtypes import plain_columns

    X, y = table
    try:
        result = evaluate(ARROW_SPEC, X, y, display="none", refit=False)
    except StratumError as exc:
        assert any(str(name) in str(exc) for name in [*X.columns, "target"]), str(exc)
    else:
        board = result.leaderboard
        assert len(board) == 3
        if any(X[c].notna().any() for c in X.columns):
            assert (board["status"] == "ok").all(), board[["candidate", "error"]].to_string()
    big = pd.concat([X] * 500, ignore_index=True)
    plain, peak = _peak_bytes(lambda: plain_columns(big)[0])
    size = max(int(t.memory_usage(deep=True).sum()) for t in (big, plain))
    # 1 MiB for what any call allocates whatever the data (NumPy and pandas' own buffers)
    assert peak <= 2 * size + 2**20, (peak, size, dict(big.dtypes))
