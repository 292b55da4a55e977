"""Field case 24: ``stratum evaluate --data FILE`` and a spec's source read the data files
people have (compressed CSV, TSV, Excel, JSON lines and arrays) and score them exactly as
the plain CSV; a workbook given to the CSV reader, or a legacy .xls, is named with the way
out, before any work."""

from __future__ import annotations

import json

import pytest

from stratum_jupyter.cli import main
from tests.catalog.planes import CSV_LIKE, OTHERS, SPEC, write_variants


@pytest.fixture(scope="module")
def planes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planes")
    paths = write_variants(folder)
    spec = folder / "spec.yaml"
    spec.write_text(SPEC.format(source=f"csv:{paths['planes.csv']}"))
    return spec, paths


def _scores(capsys, args: list[str]) -> dict[str, dict]:
    capsys.readouterr()
    code = main(["evaluate", *args, "--display", "none", "--json", "-"])
    out = capsys.readouterr().out
    assert code == 0, out
    board = json.loads(out[out.index("\n{") + 1:])["leaderboard"]
    return {row["candidate"]: {m: row[m] for m in ("r2", "r2_std", "mae", "mae_std")}
            for row in board}


def test_every_variant_scores_exactly_as_the_plain_csv(planes, capsys):
    spec, paths = planes
    plain = _scores(capsys, [str(spec)])
    assert set(plain) == {"ridge", "forest"} and plain["forest"]["r2"] > 0.5
    for name in (*CSV_LIKE, *OTHERS):
        assert _scores(capsys, [str(spec), "--data", str(paths[name]),
                                "--target", "seats"]) == plain, name


@pytest.mark.parametrize("name", ["planes.csv.gz", "planes-eu.csv.zip", "planes.xlsx",
                                  "planes.jsonl"])
def test_a_spec_names_the_variant_as_its_source(planes, capsys, tmp_path, name):
    spec, paths = planes
    scheme = {"planes.xlsx": "excel", "planes.jsonl": "json"}.get(name, "csv")
    own = tmp_path / "own.yaml"
    own.write_text(SPEC.format(source=f"{scheme}:{paths[name]}"))
    plain = _scores(capsys, [str(spec)])
    assert _scores(capsys, [str(own)]) == plain
    assert main(["validate", str(own)]) == 0


def test_a_workbook_given_to_the_csv_reader_is_named_with_the_way_out(planes, capsys,
                                                                         tmp_path):
    _, paths = planes
    spec = tmp_path / "xlsx-as-csv.yaml"
    spec.write_text(SPEC.format(source=f"csv:{paths['planes-xlsx.csv']}"))
    capsys.readouterr()
    assert main(["evaluate", str(spec), "--display", "text"]) == 2
    captured = capsys.readouterr()
    assert f"{paths['planes-xlsx.csv']} is an Excel workbook, not a CSV file: read it with " \
           f"source excel:{paths['planes-xlsx.csv']}" in captured.err
    assert "data.sep" not in captured.err and "evaluating" not in captured.out


def test_a_legacy_workbook_is_refused_with_the_way_out(planes, capsys, tmp_path):
    spec, paths = planes
    capsys.readouterr()
    assert main(["evaluate", str(spec), "--data", str(paths["planes.xls"]),
                 "--target", "seats"]) == 2
    err = capsys.readouterr().err
    assert "'planes.xls' is an Excel 97-2003 workbook, which stratum does not read: open it " \
           "in Excel or LibreOffice and save it as .xlsx" in err
    ole = tmp_path / "legacy.csv"  # an OLE compound file under a CSV name
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert main(["evaluate", str(spec), "--data", str(ole), "--target", "seats"]) == 2
    assert f"{ole} is an Excel 97-2003 workbook, not a CSV file" in capsys.readouterr().err


def test_a_spec_on_a_workbook_sheet_evaluates_a_csv_file_given_by_data(planes, capsys,
                                                                        tmp_path):
    spec, paths = planes
    book = tmp_path / "book.yaml"
    book.write_text(SPEC.format(source=f"excel:{paths['planes.xlsx']}")
                    .replace("target: seats,", "target: seats, sheet: planes,"))
    assert _scores(capsys, [str(book)]) == _scores(
        capsys, [str(book), "--data", str(paths["planes.csv.gz"])])
