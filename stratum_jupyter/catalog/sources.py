"""Data sources a spec can name: ``sklearn:<name>``, ``csv:<path>``, ``parquet:<path>``; a
local data file names its source by its suffix (``stratum evaluate --data FILE``)."""

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
    "csv": Source("csv", "A CSV file (path or URL) read with pandas.read_csv; its separator, "
                  "decimal mark and encoding are detected unless data.sep, data.decimal, "
                  "data.encoding say them.", needs_target=True),
    "parquet": Source("parquet", "A Parquet file read with pandas.read_parquet.",
                      needs_target=True),
}


FILE_SCHEMES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def file_source(path: str | Path) -> str:
    """The source of a local data file, by its suffix: ``data/x.csv`` -> ``"csv:data/x.csv"``;
    raises ValueError for any other kind of file."""
    scheme = FILE_SCHEMES.get(Path(path).suffix.lower())
    if scheme is None:
        raise ValueError(f"{Path(path).name!r} is not a .csv or .parquet file")
    return f"{scheme}:{path}"


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
