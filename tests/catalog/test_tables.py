"""Tables as people have them: separators, decimal commas, encodings, markers of missing
cells, stray spaces and BOMs in headers; data.roles; one message for missing columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stratum_jupyter.catalog import load_data
from stratum_jupyter.catalog.csvfiles import csv_options, detect_separator
from stratum_jupyter.catalog.tables import read_table
from stratum_jupyter.errors import DataError, SpecError

DATA = Path(__file__).resolve().parents[1] / "data"
NUMBERS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]


@pytest.fixture(scope="module")
def penguins() -> pd.DataFrame:
    return pd.read_csv(DATA / "penguins.csv")


def _same_table(X, y, penguins, drop=("island", "sex")):
    expected = penguins.drop(columns=["species", *drop])
    pd.testing.assert_frame_equal(X.reset_index(drop=True), expected, check_dtype=False)
    assert y.tolist() == penguins["species"].tolist()
    assert all(pd.api.types.is_numeric_dtype(X[c]) for c in NUMBERS)


def test_field_case_07_semicolons_and_decimal_commas_are_detected(penguins):
    table = read_table(f"csv:{DATA / 'penguins-eu.csv'}", target="species",
                       drop=["island", "sex"])
    _same_table(table.X, table.y, penguins)
    assert table.notes == (f"read {DATA / 'penguins-eu.csv'} with separator ';', decimal mark "
                           "',' (detected; set data.sep, data.decimal to fix them)",)


@pytest.mark.parametrize("sep,decimal", [(s, d) for s in ",;\t|" for d in ".," if s != d])
def test_every_usual_separator_and_decimal_mark(tmp_path, penguins, sep, decimal):
    path = tmp_path / "t.csv"
    penguins.to_csv(path, sep=sep, decimal=decimal, index=False)
    X, y = load_data(f"csv:{path}", "species", drop=["island", "sex"])
    _same_table(X, y, penguins)
    # given instead of detected: the same table
    X2, _ = load_data(f"csv:{path}", "species", drop=["island", "sex"], sep=sep,
                      decimal=decimal, encoding="utf-8")
    pd.testing.assert_frame_equal(X, X2)


def test_a_header_with_spaces_does_not_fool_the_sniffer():
    # pandas' sep=None sniffs the first line only and picks ' ' here
    lines = ["bill length|body mass|species\n"] + [f"{i}.5|{i}0|Adelie\n" for i in range(30)]
    assert detect_separator(lines) == "|"
    assert detect_separator(["x\n", "1\n", "2\n"]) == ","  # one column: the default


@pytest.mark.parametrize("encoding,detected", [("latin-1", "cp1252"), ("cp1252", "cp1252"),
                                               ("utf-8-sig", None), ("utf-16", "utf-16")])
def test_encodings_and_byte_order_marks(tmp_path, penguins, encoding, detected):
    frame = penguins.assign(island=penguins["island"].str.replace("o", "ø"))
    frame.columns = [" species ", *frame.columns[1:]]  # stray spaces in a header
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False, encoding=encoding)
    table = read_table(f"csv:{path}", target="species")
    assert list(table.X.columns)[:2] == ["island", "bill_length_mm"]
    assert "Biscøe" in set(table.X["island"]) and table.y.iloc[0] == "Adelie"
    if detected is None:
        assert table.notes == ()
    else:
        assert table.notes == (f"read {path} with encoding {detected!r} (detected; set "
                               "data.encoding to fix it)",)
    given = read_table(f"csv:{path}", target="species", options={"encoding": encoding})
    pd.testing.assert_frame_equal(given.X, table.X)


def test_utf8_given_still_drops_the_bom(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfspecies,x\nA,1\nB,2\n")
    X, y = load_data(f"csv:{path}", "species", encoding="utf-8")
    assert y.name == "species" and list(X.columns) == ["x"]


@pytest.mark.parametrize("marker", ["NA", "?", "-", "n/a"])
def test_markers_of_missing_cells(tmp_path, penguins, marker):
    frame = penguins.astype({"body_mass_g": object})
    frame.loc[[10, 20], "body_mass_g"] = marker
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    X, _ = load_data(f"csv:{path}", "species", na_values=[marker])
    assert pd.api.types.is_numeric_dtype(X["body_mass_g"])
    assert X["body_mass_g"].isna().sum() == penguins["body_mass_g"].isna().sum() + 2
    if marker not in ("NA", "n/a"):  # pandas' own markers need no hint
        notes = read_table(f"csv:{path}", target="species").notes
        assert notes == (f"column 'body_mass_g' holds numbers and {marker!r} (2 rows): add "
                         f"{marker!r} to data.na_values to read it as a number column",)


def test_missing_columns_make_one_message_with_close_matches():
    source = f"csv:{DATA / 'penguins.csv'}"
    with pytest.raises(DataError) as info:
        read_table(source, target="Species", features=["bill_length"], drop=["isle"],
                   roles={"yeer": "categorical"})
    err = info.value
    assert isinstance(err, SpecError) and isinstance(err, ValueError)  # exit code 2
    assert err.fields == ["data.target", "data.features[0]", "data.drop[0]", "data.roles.yeer"]
    text = str(err)
    assert "\n" not in text
    assert text.startswith("'Species' (data.target; did you mean 'species'?), 'bill_length' "
                           "(data.features[0]; did you mean 'bill_length_mm' or ")
    assert ", 'isle' (data.drop[0]; did you mean 'island'?) and 'yeer' (data.roles.yeer; did " \
           "you mean 'year'?) are not columns of " in text
    assert text.endswith("penguins.csv; its 8 columns: species, island, bill_length_mm, "
                         "bill_depth_mm, flipper_length_mm, body_mass_g, sex, year")


@pytest.mark.parametrize("sep,wrong", [(";", ","), ("\t", ","), ("|", ","), (",", ";")])
def test_a_wrong_separator_is_named(tmp_path, penguins, sep, wrong):
    path = tmp_path / "t.csv"
    penguins.to_csv(path, sep=sep, index=False)
    with pytest.raises(DataError) as info:
        load_data(f"csv:{path}", "species", sep=wrong)
    assert str(info.value).startswith(f"'species' is not a column of {path} (data.target); "
                                      "its 1 column: species")
    assert str(info.value).endswith(
        f"the file has a single column whose name contains {sep!r}: the separator looks wrong "
        f"(set data.sep: {sep!r}, or leave data.sep out to detect it)")


def test_unreadable_files_are_bad_input(tmp_path):
    with pytest.raises(DataError, match="cannot read .*none.csv"):
        load_data(f"csv:{tmp_path / 'none.csv'}", "y")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"name,y\n" + "é".encode("latin-1") * 3 + b",1\n")
    with pytest.raises(DataError, match="set data.encoding"):
        load_data(f"csv:{bad}", "y", encoding="utf-8")
    with pytest.raises(DataError, match="unknown scikit-learn data set 'irs'.*'iris'"):
        load_data("sklearn:irs")


def test_roles_cast_columns_so_the_preprocessing_treats_them_as_said(tmp_path, penguins):
    from stratum_jupyter.spec.pipeline import auto_columns_step

    frame = penguins.assign(tagged=["yes", "no", "Y", "N"] * 86,
                            seen=["2024-03-31", "2024-04-01", "", "2024-04-03"] * 86,
                            mass=penguins["body_mass_g"].astype("Int64").astype("string"))
    frame.loc[5, "tagged"] = None
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    roles = {"year": "categorical", "tagged": "boolean", "seen": "datetime", "mass": "numeric"}
    X, _ = load_data(f"csv:{path}", "species", roles=roles)
    assert isinstance(X["year"].dtype, pd.CategoricalDtype)
    assert list(X["tagged"].cat.categories) == [False, True] and X["tagged"].iloc[2]
    assert pd.api.types.is_datetime64_any_dtype(X["seen"]) and X["seen"].isna().sum() == 86
    assert X["mass"].dtype == "float64"
    described = auto_columns_step().describe(X)
    assert "categorical [island, sex, year, tagged]" in described and "dropped [seen]" in described
    boolean, _ = load_data(f"csv:{path}", "species", features=["tagged"],
                           roles={"tagged": "boolean"}, na_values=[])
    assert boolean["tagged"].dtype.name == "category"
    complete = frame.assign(tagged=["true", "False"] * 172)
    complete.to_csv(path, index=False)
    X, _ = load_data(f"csv:{path}", "species", roles={"tagged": "boolean"})
    assert X["tagged"].dtype == bool and X["tagged"].tolist()[:2] == [True, False]


@pytest.mark.parametrize("role,values,hint", [
    ("numeric", ["1", "2", "?", "x"], "add the markers of missing cells to data.na_values"),
    ("numeric", ["1", "2,5", "3", "4"], "write data.decimal: ','"),
    ("boolean", ["yes", "no", "maybe", "no"], "allowed: 0, 0.0, 1, 1.0, f, false, n, no, off"),
    ("datetime", ["2024-01-01", "2024-01-02", "someday", "2024-01-04"],
     "write the dates in one format, e.g. 2024-03-31"),
])
def test_a_value_that_does_not_fit_its_role_is_named(tmp_path, role, values, hint):
    path = tmp_path / "t.csv"
    pd.DataFrame({"c": values, "y": [0, 1, 0, 1]}).to_csv(path, index=False, sep=";")
    with pytest.raises(DataError) as info:
        load_data(f"csv:{path}", "y", roles={"c": role}, sep=";", decimal=".")
    assert info.value.fields == ["data.roles.c"]
    bad = {"numeric": "'2,5' (row 1)" if "2,5" in values else "'?' (row 2), 'x' (row 3)"}
    assert str(info.value).startswith(
        f"data.roles.c: column 'c' is {role} by data.roles, but {2 if 'x' in values else 1} "
        f"of its values {'are' if 'x' in values else 'is'} not: "
        f"{bad.get(role, repr(values[2]) + ' (row 2)')}; {hint}")


def test_url_and_compressed_files_are_read_with_the_defaults(tmp_path):
    assert csv_options("https://example.org/x.csv") == {
        "sep": ",", "decimal": ".", "encoding": "utf-8-sig", "skipinitialspace": True}
    assert csv_options(tmp_path / "x.csv.gz", sep=";")["sep"] == ";"
