"""The table the builder shows: the columns of the data, each with the kind of data the
spec's column selectors see in it, a few example values and its missing values, read from a
sample (the first :data:`SAMPLE_ROWS` rows) in a thread, so that neither displaying the
builder nor typing a path waits for a file.

What is read: the spec's ``data.source`` when there is one (the columns' roles can then be
changed and are recorded in the spec's ``data``), else the kernel's variable named first in
the builder's data field (``X``), shown as it is (a spec records roles for a data source
only). Each column's inferred kind is the first selector of
:data:`stratum_jupyter.spec.pipeline.SELECTOR_DTYPES` whose dtypes pandas' ``select_dtypes``
picks it for, as ``make_column_selector`` does when the pipeline runs.

The payload sent to the view (the widget's ``columns`` state), strict JSON::

    {"state": "idle" | "loading" | "ready" | "error", "message": str, "origin": str,
     "editable": bool, "roles": [...ROLES], "default_target": str, "rows": int,
     "sampled": bool, "columns": [{"name", "dtype", "kind", "examples", "missing",
                                   "holds", "holds_note"}]}

``holds`` is what the column holds as the evaluation decides it
(:func:`stratum_jupyter.catalog.column_kinds.column_kinds`, on the sample): ``text`` (free
text, vectorised), ``identifier`` (left out), ``high_cardinality`` (categories folded), or
its plain kind; ``holds_note`` says why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..spec.model import SELECTORS
from .spec_cell import user_ns

SAMPLE_ROWS = 1000  # rows read for the table: its kinds, examples and missing counts
EXAMPLES = 3  # example values shown per column
EXAMPLE_CHARS = 40
TARGET, DROPPED = "target", "dropped"
#: What a column's role can be: a kind of data (``data.roles``), the label, or left out.
ROLES: tuple[str, ...] = (*SELECTORS, TARGET, DROPPED)
IDLE_MESSAGE = ("Name a data source (sklearn:iris, csv:path.csv, excel:path.xlsx, "
                "json:path.jsonl) or define {name} in the kernel to see the table's columns.")


@dataclass(frozen=True)
class Origin:
    """Where the table comes from: ``key`` tells one origin from another, ``label`` names
    it to the user, ``read`` returns a sample of it (a DataFrame)."""

    key: tuple[Any, ...]
    label: str
    editable: bool
    read: Callable[[], Any]
    default_target: str = ""


def table_origin(source: str, data_vars: str) -> Origin | None:
    """The table to show for a data source (``csv:x.csv``) or, without one, for the kernel
    variable named first in ``data_vars``; None when there is neither."""
    source = source.strip()
    if source:
        default = "target" if source.partition(":")[0] == "sklearn" else ""
        return Origin(("source", source), source, True, lambda: read_sample(source), default)
    names = data_vars.replace(",", " ").split()
    namespace = user_ns()
    if not names or namespace is None or names[0] not in namespace:
        return None
    value = namespace[names[0]]
    return Origin(("kernel", names[0], id(value)), f"the kernel's {names[0]}", False,
                  lambda: frame_sample(value))


def idle_payload(data_vars: str) -> dict[str, Any]:
    names = data_vars.replace(",", " ").split()
    return {"state": "idle", "message": IDLE_MESSAGE.format(name=names[0] if names else "X")}


def read_sample(source: str, rows: int = SAMPLE_ROWS) -> Any:
    """The first ``rows`` rows of a data source as a DataFrame (a CSV, JSON-lines or Parquet
    file is read no further), read as the evaluation reads it: a CSV file's separator,
    decimal mark and encoding detected, an Excel workbook's first sheet."""
    import pandas as pd

    from ..catalog import datafiles
    from ..catalog.csvfiles import csv_options
    from ..catalog.sources import SKLEARN_DATASETS, SOURCES, split_source

    scheme, location = split_source(source)
    if scheme == "csv":
        kind = datafiles.workbook_kind(location)
        if kind is not None:
            raise ValueError(datafiles.workbook_message(location, kind))
        frame = pd.read_csv(location, nrows=rows, **csv_options(location))
        return frame.rename(columns=str.strip)
    if scheme == "parquet":
        return _parquet_head(location, rows)
    if scheme == "excel":
        return datafiles.read_excel(location, nrows=rows)
    if scheme == "json":
        return datafiles.read_json(location, nrows=rows)
    if scheme == "sklearn":
        if location not in SKLEARN_DATASETS:
            raise ValueError(f"unknown scikit-learn data set {location!r} (known: "
                             f"{', '.join(SKLEARN_DATASETS)})")
        import sklearn.datasets

        return getattr(sklearn.datasets, f"load_{location}")(as_frame=True).frame.head(rows)
    raise ValueError(f"unknown data source scheme {scheme!r} (known: {', '.join(SOURCES)})")


def _parquet_head(path: str, rows: int) -> Any:
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    batch = next(file.iter_batches(batch_size=rows), None)
    return (batch.to_pandas() if batch is not None
            else file.schema_arrow.empty_table().to_pandas())


def frame_sample(value: Any, rows: int = SAMPLE_ROWS) -> Any:
    """The first ``rows`` rows of an in-memory table (DataFrame, Series or array)."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return value.head(rows)
    if isinstance(value, pd.Series):
        return value.head(rows).to_frame()
    array = np.asarray(value[:rows])
    return pd.DataFrame(array.reshape(len(array), -1) if array.ndim != 2 else array)


def infer_kinds(frame: Any) -> dict[str, str]:
    """Each column's kind of data: the first column selector whose dtypes pick it (columns
    no selector picks are left out); text columns of year-first dates are ``datetime``, as
    reading the file makes them (:func:`~stratum_jupyter.catalog.roles.date_columns`)."""
    from ..catalog.arrowtypes import plain_columns
    from ..catalog.roles import date_columns
    from ..spec.pipeline import SELECTOR_DTYPES

    frame = plain_columns(frame)[0]  # pyarrow-backed columns as the evaluation takes them
    kinds: dict[str, str] = {str(name): "datetime" for name in date_columns(frame)}
    for kind, dtypes in SELECTOR_DTYPES.items():
        for name in frame.select_dtypes(include=list(dtypes)).columns:
            kinds.setdefault(str(name), kind)
    return kinds


def describe_table(frame: Any, origin: Origin) -> dict[str, Any]:
    """The ``ready`` payload of a sample (see the module's docstring)."""
    from ..catalog.column_kinds import column_kinds

    kinds = infer_kinds(frame)
    holds = column_kinds(frame)  # what the automatic preprocessing makes of each column
    columns = [{"name": str(name), "dtype": str(frame.dtypes.iloc[i]),
                "kind": kinds.get(str(name), ""), "examples": examples(frame.iloc[:, i]),
                "missing": int(frame.iloc[:, i].isna().sum()),
                **_holds(holds.get(str(name)))}
               for i, name in enumerate(frame.columns)]
    return {"state": "ready", "message": "", "origin": origin.label,
            "editable": origin.editable, "roles": list(ROLES),
            "default_target": origin.default_target, "rows": len(frame),
            "sampled": len(frame) >= SAMPLE_ROWS, "columns": columns}


def _holds(kind: Any) -> dict[str, str]:
    """``holds``: the column's kind as the evaluation decides it (catalog.column_kinds:
    text, identifier, high_cardinality, ...), ``holds_note``: why and what happens to it."""
    if kind is None:
        return {"holds": "", "holds_note": ""}
    return {"holds": kind.kind, "holds_note": kind.reason}


def examples(series: Any, count: int = EXAMPLES) -> list[str]:
    """The first ``count`` distinct values of a column that are not missing, as text."""
    present = series.dropna()
    try:
        present = present.drop_duplicates()
    except TypeError:  # unhashable values (lists, dicts): the first ones, repeated or not
        pass
    return [_short(str(value)) for value in present.head(count)]


def _short(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS - 1] + "\u2026"


def read_payload(origin: Origin) -> dict[str, Any]:
    """The table's payload, or an ``error`` payload saying in a line why it cannot be read
    (never a traceback)."""
    try:
        return describe_table(origin.read(), origin)
    except Exception as exc:  # shown in the widget: any reader's failure is a message
        return {"state": "error", "origin": origin.label,
                "message": f"could not read the table of {origin.label}: {_reason(exc)}"}


def _reason(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"no such file: {exc.filename or exc}"
    return f"{type(exc).__name__}: {exc}"


class TableLoader:
    """Reads the table in a thread and hands its payload to ``show``: the latest request
    wins, after ``delay`` seconds (typing a path reads once, not once per key)."""

    def __init__(self, show: Callable[[dict[str, Any]], None], delay: float = 0.3):
        self.show, self.delay = show, delay
        self.key: tuple[Any, ...] | None = ("nothing shown yet",)
        self._generation = 0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def request(self, origin: Origin | None, idle: dict[str, Any], force: bool = False
                ) -> None:
        """Show ``origin``'s table (``idle`` when None); a no-op when it is already shown
        or on its way, unless ``force``."""
        key = origin.key if origin is not None else None
        if key == self.key and not force:
            return
        with self._lock:
            self.key = key
            self._generation += 1
            if self._timer is not None:
                self._timer.cancel()
            if origin is None:
                self.show(idle)
                return
            self.show({"state": "loading", "origin": origin.label,
                       "message": f"reading the columns of {origin.label}\u2026"})
            self._timer = threading.Timer(self.delay, self._read, (self._generation, origin))
            self._timer.daemon = True
            self._timer.start()

    def _read(self, generation: int, origin: Origin) -> None:
        payload = read_payload(origin)
        with self._lock:
            if generation == self._generation:
                self.show(payload)

    def wait(self, timeout: float = 30.0) -> None:
        """Wait until the table asked for last has been shown."""
        timer = self._timer
        if timer is not None:
            timer.join(timeout)
