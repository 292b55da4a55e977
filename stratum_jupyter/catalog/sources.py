"""Data sources a spec can name: ``sklearn:<name>``, ``csv:<path>``, ``parquet:<path>``,
``excel:<path>``, ``json:<path>``; a local data file names its source by its compound suffix
(``stratum evaluate --data planes.csv.gz``; see :mod:`.datafiles`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

SKLEARN_DATASETS = {
    "iris": "classification",
    "wine": "classification",
    "breast_cancer": "classification",
    "digits": "classification",
    "diabetes": "regression",
}


@dataclass(frozen=True)
class Source:
    """A kind of data source, addressed as ``<scheme>:<location>``."""

    scheme: str
    doc: str
    needs_target: bool

    def to_dict(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "doc": self.doc, "needs_target": self.needs_target}


SOURCES = {
    "sklearn": Source("sklearn", "A data set bundled with scikit-learn: "
                      + ", ".join(SKLEARN_DATASETS), needs_target=False),
    "csv": Source("csv", "A CSV file (path or URL; also .tsv, .tab, .txt, and compressed: "
                  ".gz, .zip, .bz2, .xz) read with pandas.read_csv; its separator, decimal "
                  "mark and encoding are detected unless data.sep, data.decimal, "
                  "data.encoding say them.", needs_target=True),
    "parquet": Source("parquet", "A Parquet file read with pandas.read_parquet.",
                      needs_target=True),
    "excel": Source("excel", "An Excel workbook (.xlsx, .xlsm) read with pandas.read_excel "
                    "(openpyxl): its first sheet, or data.sheet (a name or a 0-based "
                    "index). A legacy .xls workbook is not read: save it as .xlsx.",
                    needs_target=True),
    "json": Source("json", "A JSON table read with pandas.read_json: one record per line "
                   "(.jsonl, .ndjson) or an array of records (.json).", needs_target=True),
}


def file_source(path: str | Path) -> str:
    """The source of a local data file, by its compound suffix: ``data/x.csv.gz`` ->
    ``"csv:data/x.csv.gz"``, ``x.xlsx`` -> ``"excel:x.xlsx"``; raises ValueError for any
    other kind of file (naming the kinds read; a legacy ``.xls``: with the way out)."""
    from .datafiles import file_scheme

    return f"{file_scheme(path)}:{path}"


def split_source(source: str) -> tuple[str, str]:
    """``"csv:data/x.csv"`` -> ``("csv", "data/x.csv")``; raises ValueError when malformed."""
    scheme, sep, location = source.partition(":")
    if not sep or not location:
        raise ValueError(f"expected '<scheme>:<location>', got {source!r}")
    return scheme, location


def load_data(source: str, target: str | None = None, features: list[str] | None = None,
              drop: list[str] | None = None, *, roles: dict[str, str] | None = None,
              **read_options: Any) -> tuple[Any, Any]:
    """Load ``(X, y)`` as pandas objects; ``y`` is None when there is no target (clustering).

    ``read_options``: a CSV's ``sep``, ``decimal``, ``encoding``, ``na_values`` (what is left
    out is detected); ``roles``: ``{column: numeric|categorical|boolean|datetime}``. A column
    named here that the table lacks, or a value that does not fit its role, raises
    :class:`~stratum_jupyter.errors.DataError` (a ValueError). See :mod:`.tables`."""
    from .tables import read_table

    table = read_table(source, target=target, features=features, drop=drop or (),
                       roles=roles, options=read_options)
    return table.X, table.y
