"""The builder's table of the data: a sample read in a thread, each column's kind as the
spec's column selectors see it, roles recorded in the spec's data section and read back."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from stratum_jupyter import PipelineBuilder, load_spec
from stratum_jupyter.codegen import spec_cells
from stratum_jupyter.spec.model import SELECTORS
from stratum_jupyter.widgets.columns import (
    DROPPED,
    ROLES,
    SAMPLE_ROWS,
    TARGET,
    Origin,
    TableLoader,
    infer_kinds,
    read_payload,
)
from stratum_jupyter.widgets.esm import HERE

PENGUINS = Path(__file__).resolve().parents[1] / "data" / "penguins.csv"
STEPS = [{"name": "logreg", "steps": [{"LogisticRegression": {"max_iter": 500}}]}]


def _spec(source: str, **data: object) -> dict:
    return {"version": 1, "task": "classification", "data": {"source": source, **data},
            "candidates": STEPS}


def _loaded(builder: PipelineBuilder) -> dict:
    builder.refresh_columns(force=False, wait=True)
    json.dumps(builder.columns, allow_nan=False)  # it goes over the wire
    return builder.columns


def _by_name(payload: dict) -> dict[str, dict]:
    return {c["name"]: c for c in payload["columns"]}


def test_kinds_are_inferred_as_the_column_selectors_pick_columns():
    frame = pd.DataFrame({
        "n": [1.5, None], "i": [1, 2], "s": ["a", "b"], "o": pd.Series(["a", 1], dtype=object),
        "c": pd.Categorical(["x", "y"]), "b": [True, False],
        "nb": pd.array([True, None], dtype="boolean"),
        "t": pd.to_datetime(["2020-01-01", "2021-01-01"]),
        "tz": pd.to_datetime(["2020-01-01", "2021-01-01"]).tz_localize("UTC"),
        "text_date": ["2020/01/31", None], "day_first": ["31/01/2020", "01/02/2020"]})
    assert infer_kinds(frame) == {"n": "numeric", "i": "numeric", "s": "categorical",
                                  "o": "categorical", "c": "categorical", "b": "boolean",
                                  "nb": "boolean", "t": "datetime", "tz": "datetime",
                                  "text_date": "datetime", "day_first": "categorical"}


def test_a_csv_source_shows_its_columns_kinds_examples_and_missing_values():
    builder = PipelineBuilder(spec=_spec(f"csv:{PENGUINS}", target="species"))
    payload = _loaded(builder)
    assert payload["state"] == "ready" and payload["editable"] is True
    assert payload["roles"] == [*SELECTORS, TARGET, DROPPED] == list(ROLES)
    assert payload["rows"] == 344 and payload["sampled"] is False
    columns = _by_name(payload)
    assert list(columns) == ["species", "island", "bill_length_mm", "bill_depth_mm",
                             "flipper_length_mm", "body_mass_g", "sex", "year"]
    assert columns["island"]["kind"] == "categorical"
    assert columns["island"]["examples"] == ["Torgersen", "Biscoe", "Dream"]
    assert columns["year"] == {"name": "year", "dtype": "int64", "kind": "numeric",
                               "examples": ["2007", "2008", "2009"], "missing": 0,
                               "holds": "numeric", "holds_note": ""}
    assert columns["sex"]["missing"] == 11 and columns["sex"]["examples"] == ["male", "female"]


def test_each_columns_kind_is_shown_as_the_evaluation_decides_it(tmp_path):
    """Free text, identifiers and many categories, as catalog.column_kinds (the evaluation's
    one decision) says: the same kinds and reasons the evaluation's log gives."""
    from stratum_jupyter.catalog.column_kinds import column_kinds
    from stratum_jupyter.catalog.tables import read_table

    path = tmp_path / "reviews.csv"
    rows = 60
    frame = pd.DataFrame({
        "review": [f"review number {i} says the film was {'good' if i % 2 else 'bad'}"
                   for i in range(rows)],
        "movie": [f"movie {i % 30}" for i in range(rows)],
        "genre": ["drama", "comedy", "horror"] * (rows // 3),
        "score": [i * 0.5 for i in range(rows)],
        "label": [i % 2 for i in range(rows)]})
    frame.to_csv(path)  # with its index: a column headed "Unnamed: 0"
    payload = _loaded(PipelineBuilder(spec=_spec(f"csv:{path}", target="label")))
    holds = {name: col["holds"] for name, col in _by_name(payload).items()}
    assert holds == {"Unnamed: 0": "identifier", "review": "text",
                     "movie": "high_cardinality", "genre": "categorical",
                     "score": "numeric", "label": "numeric"}
    evaluation = column_kinds(read_table(f"csv:{path}", target="label").X)
    for name, kind in evaluation.items():
        assert _by_name(payload)[name]["holds"] == kind.kind
        assert _by_name(payload)[name]["holds_note"] == kind.reason
    assert "11 folded" in _by_name(payload)["movie"]["holds_note"]


def test_only_a_sample_of_the_first_rows_is_read(tmp_path):
    frame = pd.DataFrame({"x": range(SAMPLE_ROWS * 3), "y": ["a", "b", "c"] * SAMPLE_ROWS})
    frame.to_csv(tmp_path / "big.csv", index=False)
    frame.to_parquet(tmp_path / "big.parquet", row_group_size=SAMPLE_ROWS // 2)
    for source in (f"csv:{tmp_path / 'big.csv'}", f"parquet:{tmp_path / 'big.parquet'}"):
        payload = _loaded(PipelineBuilder(spec=_spec(source, target="y")))
        assert (payload["rows"], payload["sampled"]) == (SAMPLE_ROWS, True), source
        assert _by_name(payload)["y"]["kind"] == "categorical"


def test_the_refresh_button_reads_the_file_again(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,x\n")
    builder = PipelineBuilder(spec=_spec(f"csv:{path}", target="b"))
    assert [c["name"] for c in _loaded(builder)["columns"]] == ["a", "b"]
    path.write_text("a,b,c\n1,x,2020-01-01\n")
    builder.refresh_columns(force=False, wait=True)  # the same source: not read again
    assert len(builder.columns["columns"]) == 2
    builder.handle_message({"event": "columns"})
    builder.refresh_columns(force=False, wait=True)
    assert [c["name"] for c in builder.columns["columns"]] == ["a", "b", "c"]


def test_a_scikit_learn_source_shows_its_target_column():
    payload = _loaded(PipelineBuilder(spec=_spec("sklearn:iris")))
    assert payload["default_target"] == "target"
    assert _by_name(payload)["target"]["kind"] == "numeric"


@pytest.mark.parametrize(("source", "message"), [
    ("csv:no/such/file.csv", r"could not read the table of csv:no/such/file\.csv: no such "
                             r"file: no/such/file\.csv$"),
    ("parquet:{bad}", r"could not read the table of parquet:.*bad\.parquet: \w+"),
    ("sklearn:irises", r"unknown scikit-learn data set 'irises'"),
    ("hdf:x.h5", r"unknown data source scheme 'hdf' \(known: sklearn, csv, parquet, excel, json\)"),
    ("x.csv", r"expected '<scheme>:<location>'"),
])
def test_a_table_that_cannot_be_read_is_a_message_not_a_traceback(tmp_path, source, message):
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    builder = PipelineBuilder(spec=_spec(source.format(bad=bad)))
    payload = _loaded(builder)
    assert payload["state"] == "error"
    assert re.search(message, payload["message"]), payload["message"]
    assert "Traceback" not in payload["message"] and "\n" not in payload["message"]


def test_without_data_the_builder_says_how_to_get_a_table():
    builder = PipelineBuilder(data_vars="features labels")
    assert builder.columns == {"state": "idle", "message": (
        "Name a data source (sklearn:iris, csv:path.csv, excel:path.xlsx, json:path.jsonl) or "
        "define features in the kernel to see the table's columns.")}


def test_the_kernels_X_is_shown_read_only():
    from IPython.testing import globalipapp

    shell = globalipapp.get_ipython()  # the suite's one shell (see the `ip` fixture)
    shell.user_ns["X"] = pd.read_csv(PENGUINS).drop(columns="species")
    try:
        builder = PipelineBuilder()
        payload = _loaded(builder)
        assert payload["origin"] == "the kernel's X" and payload["editable"] is False
        assert _by_name(payload)["island"]["kind"] == "categorical"
        shell.user_ns["X"] = [[1.0, 2.0], [3.0, None]]  # another object: read again
        builder.refresh_columns(force=False, wait=True)
        assert [c["name"] for c in builder.columns["columns"]] == ["0", "1"]
        assert builder.columns["columns"][1]["missing"] == 1
    finally:
        shell.user_ns.pop("X", None)


def test_reading_never_blocks_and_the_latest_source_wins():
    release = threading.Event()
    shown: list[dict] = []

    def slow():
        release.wait(10)
        return pd.DataFrame({"a": [1]})

    loader = TableLoader(shown.append, delay=0.05)
    started = time.monotonic()
    loader.request(Origin(("source", "a"), "a", True, slow), {})
    loader.request(Origin(("source", "b"), "b", True, lambda: pd.DataFrame({"b": ["x"]})), {})
    assert time.monotonic() - started < 0.5
    loader.wait()
    release.set()
    time.sleep(0.1)
    assert [s["state"] for s in shown] == ["loading", "loading", "ready"]
    assert shown[-1]["origin"] == "b" and shown[-1]["columns"][0]["kind"] == "categorical"
    loader.request(Origin(("source", "b"), "b", True, slow), {})  # the same: nothing to do
    assert len(shown) == 3


def test_a_failing_reader_gives_an_error_payload():
    def broken():
        raise RuntimeError("disk on fire")

    payload = read_payload(Origin(("source", "x"), "csv:x.csv", True, broken))
    assert payload == {"state": "error", "origin": "csv:x.csv", "message":
                       "could not read the table of csv:x.csv: RuntimeError: disk on fire"}


# -- roles in the spec ------------------------------------------------------------------------
def test_roles_target_and_drop_go_into_the_spec_and_the_generated_cells():
    builder = PipelineBuilder(spec=_spec(f"csv:{PENGUINS}"))
    form = json.loads(json.dumps(builder.form))
    form["data"].update(target="species", drop=["sex"], roles={"year": "categorical"})
    builder.form = form  # as the view does when a role is chosen
    assert builder.issues == []
    data = builder.spec.data
    assert (data.target, data.drop, data.roles) == ("species", ["sex"], {"year": "categorical"})
    spec_cell = builder.generate()[0]
    assert spec_cell["metadata"]["stratum"]["spec"]["data"] == {
        "source": f"csv:{PENGUINS}", "target": "species", "drop": ["sex"],
        "roles": {"year": "categorical"}}
    assert "roles: {year: categorical}" in "".join(spec_cell["source"])


def test_a_spec_with_roles_loads_back_into_the_builder():
    spec = _spec(f"csv:{PENGUINS}", target="species", features=["island", "year", "sex"],
                 drop=["sex"], roles={"year": "categorical"})
    builder = PipelineBuilder.from_cell(spec_cells(load_spec(spec))[0])
    assert builder.form["data"] == {"source": f"csv:{PENGUINS}", "target": "species",
                                    "drop": ["sex"], "roles": {"year": "categorical"},
                                    "features": ["island", "year", "sex"], "groups": "",
                                    "order_by": ""}
    assert builder.spec_dict()["data"] == spec["data"] and builder.issues == []


def test_a_wrong_role_is_reported_beside_the_table():
    builder = PipelineBuilder(spec=_spec(f"csv:{PENGUINS}", target="species",
                                         roles={"year": "text"}))
    assert builder.form["data"]["roles"] == {"year": "text"}
    assert any(i["field"].startswith("data.roles") for i in builder.issues), builder.issues


def test_the_view_names_the_roles_that_are_not_kinds_as_python_does():
    text = (HERE / "builder_columns.js").read_text(encoding="utf-8")
    assert f'const TARGET_ROLE = "{TARGET}";' in text
    assert f'const DROPPED_ROLE = "{DROPPED}";' in text
    for path in HERE.glob("*.js"):  # the kinds themselves come from the kernel
        code = path.read_text(encoding="utf-8")
        assert not [k for k in SELECTORS if re.search(rf"[\"'`]{k}[\"'`]", code)], path.name



def test_the_builder_reads_the_files_people_have_as_the_evaluation_does(tmp_path):
    """Field case 24: the table of a TSV in gzip, a workbook and JSON lines, sampled."""
    from stratum_jupyter.catalog.tables import read_table
    from tests.catalog.planes import write_variants

    paths = write_variants(tmp_path)
    plain = read_table(f"csv:{paths['planes.csv']}")
    for source in (f"csv:{paths['planes.tsv.gz']}", f"csv:{paths['planes-eu.csv.zip']}",
                   f"excel:{paths['planes.xlsx']}", f"json:{paths['planes.jsonl']}",
                   f"json:{paths['planes.json']}"):
        payload = _loaded(PipelineBuilder(spec=_spec(source, target="seats")))
        assert payload["state"] == "ready", (source, payload.get("message"))
        assert [c["name"] for c in payload["columns"]] == list(plain.X), source
        assert _by_name(payload)["year"]["kind"] == "numeric", source
        assert payload["rows"] == 500, source
    payload = _loaded(PipelineBuilder(spec=_spec(f"csv:{paths['planes-xlsx.csv']}")))
    assert payload["state"] == "error"
    assert "is an Excel workbook, not a CSV file: read it with source excel:" in \
        payload["message"]
