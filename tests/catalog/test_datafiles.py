"""Data files as people have them (field case 24): the source that reads a file by its
compound suffix, compressed CSV files detected through their decompressor, Excel and JSON
tables read as the CSV is (dates, roles, markers of missing cells alike), and a workbook
handed to the CSV reader named as one."""

from __future__ import annotations

import pandas as pd
import pytest

from stratum_jupyter.catalog.csvfiles import head_bytes
from stratum_jupyter.catalog.datafiles import file_scheme, json_options
from stratum_jupyter.catalog.sources import file_source
from stratum_jupyter.catalog.tables import read_table
from stratum_jupyter.errors import DataError
from tests.catalog.planes import CSV_LIKE, OTHERS, write_variants

SCHEMES = {"planes.csv.gz": "csv", "x.CSV.ZIP": "csv", "x.csv.bz2": "csv", "x.csv.xz": "csv",
           "x.tsv": "csv", "x.tab": "csv", "x.txt": "csv", "x.tsv.gz": "csv",
           "x.parquet": "parquet", "x.pq": "parquet", "x.xlsx": "excel", "x.xlsm": "excel",
           "x.jsonl": "json", "x.ndjson": "json", "x.json": "json", "x.jsonl.gz": "json",
           "dir.v2/x.csv": "csv"}


@pytest.fixture(scope="module")
def planes(tmp_path_factory):
    return write_variants(tmp_path_factory.mktemp("planes"))


@pytest.mark.parametrize(("name", "scheme"), SCHEMES.items())
def test_a_file_names_its_source_by_its_compound_suffix(name, scheme):
    assert file_scheme(name) == scheme
    assert file_source(name) == f"{scheme}:{name}"


@pytest.mark.parametrize(("name", "message"), [
    ("x.xls", "'x.xls' is an Excel 97-2003 workbook, which stratum does not read: open it in "
              "Excel or LibreOffice and save it as .xlsx (then read it with excel:<path>) or "
              "export the sheet to CSV"),
    ("x.gz", "'x.gz' is not a data file stratum reads (allowed: .csv, .tsv, .tab, .txt "
             "(also compressed: .gz, .zip, .bz2, .xz), .parquet, .xlsx, .jsonl, .ndjson, "
             ".json)"),
    ("x.xlsx.gz", "'x.xlsx.gz' is not a data file stratum reads"),
    ("x.h5", "'x.h5' is not a data file stratum reads"),
])
def test_other_files_are_refused_naming_what_is_read(name, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")
                       .replace(".", r"\.")):
        file_source(name)


def _source(name: str, path) -> str:
    return f"{'csv' if name in CSV_LIKE else file_scheme(name)}:{path}"


@pytest.mark.parametrize("name", [*CSV_LIKE, *OTHERS])
def test_every_variant_reads_as_the_plain_csv(planes, name):
    plain = read_table(f"csv:{planes['planes.csv']}", target="seats", drop=["tailnum"])
    table = read_table(_source(name, planes[name]), target="seats", drop=["tailnum"])
    pd.testing.assert_frame_equal(table.X, plain.X)
    pd.testing.assert_series_equal(table.y, plain.y)
    said = {"planes.tsv": "separator '\\t'", "planes.tsv.gz": "separator '\\t'",
            "planes-eu.csv.zip": "separator ';', decimal mark ','"}
    assert [n for n in table.notes if "detected" in n] == (
        [f"read {planes[name]} with {said[name]} (detected; set data.sep"
         + (", data.decimal to fix them)" if "eu" in name else " to fix it)")]
        if name in said else [])


def test_detection_reads_the_head_through_the_decompressor(planes):
    plain = planes["planes.csv"].read_bytes()
    for name in ("planes.csv.gz", "planes.csv.zip", "planes.csv.bz2"):
        assert head_bytes(planes[name]) == plain, name
    assert head_bytes(f"https://example.org/{planes['planes.csv.gz'].name}") is None


@pytest.mark.parametrize("name", ["planes-xlsx.csv", "planes.xlsx"])
def test_a_workbook_given_to_the_csv_reader_is_named_as_one(planes, name):
    path = planes[name]
    with pytest.raises(DataError) as info:
        read_table(f"csv:{path}", target="seats")
    assert str(info.value) == (
        f"data.source: {path} is an Excel workbook, not a CSV file: read it with source "
        f"excel:{path} (data.sheet picks the sheet) or export the sheet to CSV "
        "(allowed: excel:<path>)")


def test_a_legacy_workbook_given_to_the_csv_reader_is_named_as_one(tmp_path):
    path = tmp_path / "old.csv"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(DataError, match="is an Excel 97-2003 workbook, not a CSV file: open "
                                        "it in Excel or LibreOffice and save it as .xlsx"):
        read_table(f"csv:{path}", target="seats")


def test_a_sheet_is_chosen_by_name_or_index_and_a_missing_one_is_named(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"a": [1, 2], "y": [0, 1]}).to_excel(book, sheet_name="notes", index=False)
        pd.DataFrame({"b": [3, 4], "y": [1, 0]}).to_excel(book, sheet_name="data", index=False)
    assert list(read_table(f"excel:{path}", target="y").X) == ["a"]
    assert list(read_table(f"excel:{path}", target="y", options={"sheet": "data"}).X) == ["b"]
    assert list(read_table(f"excel:{path}", target="y", options={"sheet": 1}).X) == ["b"]
    with pytest.raises(DataError) as info:
        read_table(f"excel:{path}", target="y", options={"sheet": "Data "})
    assert info.value.fields == ["data.sheet"]
    assert str(info.value) == (f"data.sheet: {path} has no sheet 'Data ' (allowed: notes, data, "
                               "or a 0-based index); did you mean 'data'?")
    with pytest.raises(DataError, match="has no sheet 2"):
        read_table(f"excel:{path}", target="y", options={"sheet": 2})


def _messy() -> pd.DataFrame:
    """Year-first dates as text, a number column with '?' and -999 markers, a code column."""
    return pd.DataFrame({
        "when": ["2024-03-01", "2024-03-02", None, "2024-03-04"],
        "mass": [3.5, "?", 4.25, -999], "code": [10, 20, 10, 30],
        " name ": ["a", "b", "a", "b"], "y": [0, 1, 0, 1]})


def test_dates_roles_and_missing_markers_apply_to_every_source_alike(tmp_path):
    frame = _messy()
    frame.to_csv(tmp_path / "m.csv", index=False)
    frame.to_excel(tmp_path / "m.xlsx", index=False)
    frame.to_json(tmp_path / "m.jsonl", orient="records", lines=True)
    frame.to_json(tmp_path / "m.json", orient="records")
    options = {"na_values": ["?", -999]}
    roles = {"code": "categorical"}
    plain = read_table(f"csv:{tmp_path / 'm.csv'}", target="y", roles=roles, options=options)
    assert str(plain.X["when"].dtype).startswith("datetime64")
    assert plain.X["mass"].dtype == "float64" and plain.X["mass"].isna().sum() == 2
    assert list(plain.X) == ["when", "mass", "code", "name"]
    for source in ("excel:m.xlsx", "json:m.jsonl", "json:m.json"):
        scheme, name = source.split(":")
        table = read_table(f"{scheme}:{tmp_path / name}", target="y", roles=roles,
                           options=options)
        pd.testing.assert_frame_equal(table.X, plain.X, obj=source)
        pd.testing.assert_series_equal(table.y, plain.y, obj=source)
        assert [n.split(": ", 1)[1] for n in table.notes] == \
            [n.split(": ", 1)[1] for n in plain.notes], source


def test_a_json_file_of_records_per_line_is_read_as_json_lines(tmp_path):
    path = tmp_path / "export.json"
    path.write_text('{"a": 1, "y": 0}\n{"a": 2, "y": 1}\n')
    assert json_options(path)["lines"] is True
    assert read_table(f"json:{path}", target="y").X["a"].tolist() == [1, 2]
    (tmp_path / "array.json").write_text('[\n  {"a": 1, "y": 0},\n  {"a": 2, "y": 1}\n]\n')
    assert json_options(tmp_path / "array.json")["lines"] is False


def test_a_sheet_on_another_source_is_refused_before_any_reading():
    from stratum_jupyter.errors import SpecError
    from stratum_jupyter.spec import load_spec
    from tests.conftest import VALID

    spec = {**VALID, "data": {"source": "csv:x.csv", "target": "y", "sheet": "data"}}
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    assert info.value.fields == ["data.sheet"]
    assert "a sheet is read from an Excel workbook, not a csv: source" in str(info.value)
    spec["data"] = {"source": "excel:x.xlsx", "target": "y", "sheet": 0}
    assert load_spec(spec).data.sheet == 0


def test_a_legacy_workbook_named_as_an_excel_source_gets_the_way_out(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(DataError, match=r"old\.xlsx is an Excel 97-2003 workbook, which "
                                        r"stratum does not read: open it in Excel"):
        read_table(f"excel:{path}", target="y")
