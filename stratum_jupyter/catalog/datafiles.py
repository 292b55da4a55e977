"""Data files as people have them: which source reads a file (by its compound suffix, so
``planes.csv.gz`` is a CSV file), how Excel workbooks and JSON tables are read, and a
workbook handed to the CSV reader recognised by its first bytes.

The evaluation, the builder and generated code read these files with the same calls:
``pandas.read_excel(path, sheet_name=...)`` and ``pandas.read_json(path,
**json_options(path))``, then :func:`mark_missing` for ``data.na_values``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Compressions pandas reads by suffix (``compression="infer"``).
COMPRESSIONS = (".gz", ".bz2", ".zip", ".xz", ".zst")
#: Which source reads a file, by its suffix (after a compression suffix, if any).
KINDS = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv",
         ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel", ".xlsm": "excel",
         ".jsonl": "json", ".ndjson": "json", ".json": "json"}
ALLOWED = (".csv, .tsv, .tab, .txt (also compressed: .gz, .zip, .bz2, .xz), .parquet, "
           ".xlsx, .jsonl, .ndjson, .json")
#: What to do with a legacy workbook (openpyxl reads .xlsx only).
XLS_WAY_OUT = ("open it in Excel or LibreOffice and save it as .xlsx (then read it with "
               "excel:<path>) or export the sheet to CSV")
_XLSX_MAGIC, _OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_JSON_LINES = (".jsonl", ".ndjson")


def suffixes(path: str | Path) -> tuple[str, str]:
    """``planes.csv.gz`` -> ``(".csv", ".gz")``; ``planes.csv`` -> ``(".csv", "")``."""
    name = Path(str(path)).name.lower()
    compression = next((c for c in COMPRESSIONS if name.endswith(c)), "")
    return Path(name[: len(name) - len(compression)]).suffix, compression


def file_scheme(path: str | Path) -> str:
    """The source scheme that reads a local data file (``csv``, ``parquet``, ``excel``,
    ``json``), by its compound suffix. Raises ValueError for any other file, naming what is
    read (a legacy ``.xls`` workbook: with the way out)."""
    base, compression = suffixes(path)
    name = Path(str(path)).name
    if base == ".xls":
        raise ValueError(f"{name!r} is an Excel 97-2003 workbook, which stratum does not "
                         f"read: {XLS_WAY_OUT}")
    scheme = KINDS.get(base)
    if scheme is None or (compression and scheme in ("parquet", "excel")):
        raise ValueError(f"{name!r} is not a data file stratum reads (allowed: {ALLOWED})")
    return scheme


def workbook_kind(path: str | Path) -> str | None:
    """``"xlsx"`` or ``"xls"`` when the local file at ``path`` is an Excel workbook by its
    first bytes (a zip holding ``xl/``, or an OLE compound file), else None."""
    text = str(path)
    if "://" in text:
        return None
    try:
        with open(text, "rb") as fh:
            magic = fh.read(4)
        if magic == _OLE_MAGIC:
            return "xls"
        if magic == _XLSX_MAGIC:
            with zipfile.ZipFile(text) as archive:
                if any(n.startswith("xl/") for n in archive.namelist()):
                    return "xlsx"
    except (OSError, zipfile.BadZipFile):  # reading the table names the problem
        return None
    return None


def workbook_message(location: str, kind: str) -> str:
    """Why a workbook is not read as CSV, and the way out."""
    if kind == "xls":
        return (f"{location} is an Excel 97-2003 workbook, not a CSV file: {XLS_WAY_OUT}")
    return (f"{location} is an Excel workbook, not a CSV file: read it with source "
            f"excel:{location} (data.sheet picks the sheet) or export the sheet to CSV")


def json_options(path: str | Path) -> dict[str, Any]:
    """The keyword arguments of ``pandas.read_json`` that read ``path`` as stratum does: one
    record per line for ``.jsonl``/``.ndjson`` (or a ``.json`` file whose first lines are
    records), else an array of records. Values keep their JSON types; dates are found as in
    a CSV file (:func:`~stratum_jupyter.catalog.roles.with_dates`), not by column names."""
    import pandas as pd

    from .csvfiles import head_bytes

    lines = suffixes(path)[0] in _JSON_LINES
    if not lines:
        head = (head_bytes(path) or b"").lstrip()
        lines = head[:1] == b"{" and b"\n{" in head.rstrip()
    options: dict[str, Any] = {"lines": lines, "dtype": False}
    if int(pd.__version__.split(".")[0]) < 3:  # pandas 3 converts no dates with dtype=False
        options.update(convert_dates=False, keep_default_dates=False)
    return options


def read_excel(location: str, sheet: str | int | None = None, nrows: int | None = None
               ) -> Any:
    """One sheet of a workbook (default: the first; ``sheet``: its name or 0-based index) as
    a DataFrame, header names as trimmed text. A sheet the workbook lacks raises
    :class:`~stratum_jupyter.errors.DataError` naming the sheets there are."""
    import pandas as pd

    from ..errors import DataError, SpecIssue
    from ..suggest import close_matches

    if workbook_kind(location) == "xls":  # pandas would ask for xlrd
        raise DataError([SpecIssue(("data", "source"), f"{location} is an Excel 97-2003 "
                                   f"workbook, which stratum does not read: {XLS_WAY_OUT}",
                                   value=f"excel:{location}")])
    with pd.ExcelFile(location) as book:
        names = [str(n) for n in book.sheet_names]
        index = sheet if isinstance(sheet, int) else 0
        missing = sheet not in names if isinstance(sheet, str) \
            else not 0 <= index < len(names)
        if missing:
            raise DataError([SpecIssue(
                ("data", "sheet"), f"{location} has no sheet {sheet!r}", value=sheet,
                allowed=", ".join(names) + ", or a 0-based index",
                suggestions=close_matches(str(sheet), names))])
        frame = pd.read_excel(book, sheet_name=0 if sheet is None else sheet, nrows=nrows)
    return frame.rename(columns=_strip)


def read_json(location: str, nrows: int | None = None) -> Any:
    """A JSON table (:func:`json_options`) as a DataFrame; header names trimmed."""
    import pandas as pd

    options = json_options(location)
    if nrows is not None and options["lines"]:
        options["nrows"] = nrows
    frame = pd.read_json(location, **options)
    return (frame if nrows is None else frame.head(nrows)).rename(columns=_strip)


def mark_missing(frame: Any, na_values: Sequence[Any] | None) -> Any:
    """``frame`` with the cells equal to one of ``na_values`` missing (what ``read_csv``'s
    ``na_values`` does, for tables read otherwise); a column left with numbers only becomes
    numeric. The same frame when ``na_values`` is empty."""
    if not na_values:
        return frame
    import pandas as pd

    markers = {str(v) for v in na_values}
    numbers = [v for v in na_values if isinstance(v, int | float) and not isinstance(v, bool)]
    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        hit = series.astype(str).str.strip().isin(markers) & series.notna()
        if numbers and pd.api.types.is_numeric_dtype(series):
            hit |= series.isin(numbers)
        if hit.any():
            kept = series.mask(hit)
            as_numbers = pd.to_numeric(kept, errors="coerce")
            frame[column] = as_numbers if as_numbers.notna().sum() == kept.notna().sum() \
                else kept
    return frame


def _strip(name: Any) -> str:
    """A header cell as the spec names it: its text (a workbook's may be a number)."""
    return str(name).strip()
