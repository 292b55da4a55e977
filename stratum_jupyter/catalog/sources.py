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
    "csv": Source("csv", "A CSV file (path or URL) read with pandas.read_csv.", needs_target=True),
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
              drop: list[str] | None = None) -> tuple[Any, Any]:
    """Load ``(X, y)`` as pandas objects; ``y`` is None when there is no target (clustering)."""
    import pandas as pd

    scheme, location = split_source(source)
    if scheme == "sklearn":
        import sklearn.datasets

        if location not in SKLEARN_DATASETS:
            raise ValueError(f"unknown sklearn data set {location!r}")
        bunch = getattr(sklearn.datasets, f"load_{location}")(as_frame=True)
        frame = bunch.frame
        target = target or "target"
    elif scheme == "csv":
        frame = pd.read_csv(location)
    elif scheme == "parquet":
        frame = pd.read_parquet(location)
    else:
        raise ValueError(f"unknown data source scheme {scheme!r}")
    if target and target not in frame.columns:
        raise ValueError(f"target {target!r} is not a column of {location} "
                         f"(columns: {', '.join(map(str, frame.columns))})")
    y = frame.pop(target) if target else None
    if features:
        frame = frame[list(features)]
    if drop:
        frame = frame.drop(columns=list(drop))
    return frame, y
