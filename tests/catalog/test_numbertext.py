"""Numbers written as text (field issue "Evaluation that understands the table"): ``3,750``
is noted naming the column and an example, with ``data.thousands`` where that option changes
no other column; ``data.thousands`` reads them as numbers, in the evaluation and in generated
code alike; currency and percent signs are read as written by the role ``numeric``."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from stratum_jupyter.catalog.numbertext import number_text_notes, text_number
from stratum_jupyter.catalog.sources import load_data
from stratum_jupyter.catalog.tables import read_data, read_table
from stratum_jupyter.errors import DataError
from stratum_jupyter.spec import load_spec
from tests.codegen.test_data_section import _run_data_section
from tests.conftest import VALID

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def penguins() -> pd.DataFrame:
    return pd.read_csv(DATA / "penguins.csv")


def _thousands_file(tmp_path: Path, penguins: pd.DataFrame, sep: str = ",") -> Path:
    """penguins.csv with body masses written as a spreadsheet shows them: 3,750."""
    frame = penguins.copy()
    frame["body_mass_g"] = frame["body_mass_g"].map(lambda v: f"{v:,.0f}", na_action="ignore")
    path = tmp_path / "thousands.csv"
    frame.to_csv(path, sep=sep, index=False)  # "3,750" quoted where ',' is the separator
    return path


@pytest.mark.parametrize("sep", [",", ";"])
def test_numbers_with_thousands_separators_are_noted_naming_the_option(tmp_path, penguins,
                                                                        sep):
    path = _thousands_file(tmp_path, penguins, sep)
    table = read_table(f"csv:{path}", target="species")
    assert table.X["body_mass_g"].dtype.kind not in "if"  # read as text ...
    (note,) = [n for n in table.notes if "body_mass_g" in n]  # ... and said
    assert note.startswith("column 'body_mass_g' holds numbers written with thousands "
                           "separators (e.g. '3,750'), read as text (categories): set "
                           "data.thousands: ',' to read them as numbers")
    # bill lengths are written 39.1: data.decimal: ',' would make them text, so it is not
    # offered as the other reading of 3,750
    assert "data.decimal" not in note


@pytest.mark.parametrize("sep", [",", ";"])
def test_data_thousands_reads_them_as_numbers(tmp_path, penguins, sep):
    path = _thousands_file(tmp_path, penguins, sep)
    X, _ = load_data(f"csv:{path}", "species", thousands=",")
    pd.testing.assert_series_equal(X["body_mass_g"], penguins["body_mass_g"])
    pd.testing.assert_series_equal(X["bill_length_mm"], penguins["bill_length_mm"])
    assert not [n for n in read_table(f"csv:{path}", target="species",
                                      options={"thousands": ","}).notes
                       if "thousands separators" in n]


def test_generated_code_reads_with_the_same_thousands_mark(tmp_path, penguins, monkeypatch):
    _thousands_file(tmp_path, penguins, ";")
    monkeypatch.chdir(tmp_path)
    spec = copy.deepcopy(VALID)
    spec["data"] = {"source": "csv:thousands.csv", "target": "species", "thousands": ","}
    spec = load_spec(spec)
    X, y = _run_data_section(spec)
    table = read_data(spec.data)
    pd.testing.assert_frame_equal(X, table.X)
    assert X["body_mass_g"].dtype.kind == "f"
    given = copy.deepcopy(VALID)
    given["data"] = {"source": "csv:thousands.csv", "target": "species", "thousands": ",",
                     "sep": ";", "decimal": ".", "encoding": "utf-8"}
    pd.testing.assert_frame_equal(_run_data_section(load_spec(given))[0], table.X)


def test_the_thousands_option_is_not_offered_where_it_changes_another_column():
    frame = pd.DataFrame({"mass": ["3,750", "800", None, "12,500"],
                          "code": ["1,5", "a", "b", "c"]})
    (note,) = number_text_notes(frame, {"sep": ";", "decimal": "."}, skip=set())
    assert "data.thousands: ',' would also change column 'code', where '1,5'" in note
    assert "set data.thousands" not in note and "data.roles: {mass: numeric}" in note


def test_a_single_group_with_a_comma_may_be_a_decimal_comma():
    """3,750 in a ';' file with no other decimals: both readings are named."""
    frame = pd.DataFrame({"mass": ["3,750", "800", "1,250"], "n": [1, 2, 3]})
    (note,) = number_text_notes(frame, {"sep": ";", "decimal": "."}, skip=set())
    assert note.endswith("set data.thousands: ',' to read them as numbers ('3,750' as 3750); "
                         "or, if ',' is their decimal mark ('3,750' as 3.750), set "
                         "data.decimal: ','")
    with_dots = frame.assign(x=[0.5, 1.0, 2.0])
    (note,) = number_text_notes(with_dots, {"sep": ";", "decimal": "."}, skip=set())
    assert "data.decimal" not in note


@pytest.mark.parametrize("text,number", [
    ("3,750", 3750), ("12 %", 12), ("$1,200", 1200), ("€ 3.5", 3.5), ("1 234", 1234),
    ("1'234.5", 1234.5), ("3.5 €", 3.5), ("-12,500,000.25", -12500000.25),
    ("1,5", None), ("$3 %", None), ("12,50", None), ("abc", None),
])
def test_numbers_as_written(text, number):
    assert text_number(text) == number


def test_percent_and_currency_are_noted_and_read_by_the_role_numeric(tmp_path):
    path = tmp_path / "prices.csv"
    pd.DataFrame({"price": ["$1,200", "$3", "$4.50", None], "share": ["12 %", "3 %", "4.5 %", "1%"],
                  "y": ["a", "b", "a", "b"]}).to_csv(path, index=False)
    notes = read_table(f"csv:{path}", target="y").notes
    assert "column 'price' holds numbers written with '$' (e.g. '$1,200'), read as text " \
           "(categories): data.roles: {price: numeric} reads them as numbers as written " \
           "('$1,200' is 1200)" in notes
    assert any(n.startswith("column 'share' holds numbers written with '%'") for n in notes)
    X, _ = load_data(f"csv:{path}", "y", roles={"price": "numeric", "share": "numeric"})
    assert X["price"].tolist()[:3] == [1200.0, 3.0, 4.5] and X["price"].isna().sum() == 1
    assert X["share"].tolist() == [12.0, 3.0, 4.5, 1.0]


def test_the_decimal_comma_hint_is_not_given_where_another_column_has_decimal_points(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("a;b;y\n1,5;2.25;u\n2,5;3.5;v\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_data(f"csv:{path}", "y", roles={"a": "numeric"}, sep=";", decimal=".")
    assert "column 'b' has a decimal point" in str(info.value)
    assert "write data.decimal" not in str(info.value)
    path.write_text("a;b;y\n1,5;2;u\n2,5;3;v\n", encoding="utf-8")
    with pytest.raises(DataError, match="write data.decimal: ','"):
        load_data(f"csv:{path}", "y", roles={"a": "numeric"}, sep=";", decimal=".")


def test_decimal_commas_with_thousands_marks_name_both_options():
    frame = pd.DataFrame({"price": ["1.234,5", "12,25", "3.000.000,75"], "n": [1, 2, 3]})
    (note,) = number_text_notes(frame, {"sep": ";", "decimal": "."}, skip=set())
    assert note == ("column 'price' holds numbers written with decimal commas and thousands "
                    "separators (e.g. '1.234,5'), read as text (categories): set data.decimal: "
                    "',' and data.thousands: '.' to read them as numbers")
    (note,) = number_text_notes(frame.assign(x=[0.5, 1, 2]), {"sep": ";", "decimal": "."},
                                skip=set())
    assert note.endswith("column 'x' has numbers with a decimal point, so no one decimal mark "
                         "reads both: write the file with one")


def test_the_suggested_european_options_read_the_file(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("price;y\n1.234,5;a\n12,25;b\n3.000.000,75;a\n", encoding="utf-8")
    assert any("set data.decimal: ',' and data.thousands: '.'" in n
               for n in read_table(f"csv:{path}", target="y").notes)
    assert not [n for n in read_table(f"csv:{path}", target="y",
                                      options={"decimal": ",", "thousands": "."}).notes
                if "holds numbers" in n]
    X, _ = load_data(f"csv:{path}", "y", decimal=",", thousands=".")
    assert X["price"].tolist() == [1234.5, 12.25, 3000000.75]
    X, _ = load_data(f"csv:{path}", "y", thousands=".")  # the decimal mark follows
    assert X["price"].tolist() == [1234.5, 12.25, 3000000.75]
