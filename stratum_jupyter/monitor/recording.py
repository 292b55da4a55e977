"""Recording samples to CSV or Parquet (chosen by the file's extension), and reading back."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from .base import COLUMNS, MonitorError, Sample

__all__ = ["Recorder", "read_record", "check_record_path", "FORMATS"]

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def check_record_path(path: str | Path) -> tuple[Path, str]:
    """The path and format of a record file; a clear error for anything else."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise MonitorError(f"--record: {str(path)!r} has an unsupported extension "
                           f"{path.suffix!r} (allowed: .csv, .parquet)")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise MonitorError("--record: Parquet needs pyarrow (pip install pyarrow), or "
                               "record to a .csv file") from None
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    return path, fmt


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")


class Recorder:
    """Appends each tick's samples to a file. CSV is written and flushed every tick, so a
    killed kernel still leaves a readable record; Parquet is written in row groups and gets
    its footer on :meth:`close` (which the monitor calls on stop and at interpreter exit).

    ``target`` may also be a text stream (``sys.stdout``), written as CSV.
    """

    def __init__(self, target: str | Path | IO[str], *, row_group: int = 5000) -> None:
        self._lock = threading.Lock()
        self._rows = 0
        self._pending: list[Sample] = []
        self._row_group = row_group
        self._writer: Any = None
        self._closed = False
        if isinstance(target, io.TextIOBase) or hasattr(target, "write"):
            self.path, self.format = None, "csv"
            self._file: Any = target
            self._owns_file = False
        else:
            self.path, self.format = check_record_path(target)
            self._owns_file = True
            self._file = open(self.path, "w", newline="") if self.format == "csv" else None
            if self.format == "parquet":
                self._writer = _parquet_writer(self.path)
        if self.format == "csv":
            self._csv = csv.writer(self._file)
            self._csv.writerow(COLUMNS)
            self._file.flush()

    @property
    def rows(self) -> int:
        return self._rows

    def write(self, samples: Iterable[Sample]) -> None:
        samples = list(samples)
        with self._lock:
            if self._closed:
                return
            if self.format == "csv":
                self._csv.writerows((iso(s.time), s.source, s.entity, s.metric, repr(s.value))
                                    for s in samples)
                self._file.flush()
            else:
                self._pending.extend(samples)
                if len(self._pending) >= self._row_group:
                    self._flush_parquet()
            self._rows += len(samples)

    def _flush_parquet(self) -> None:
        import pyarrow as pa

        if not self._pending:
            return
        rows = self._pending
        self._pending = []
        table = pa.table({  # same schema as _parquet_writer
            "time": pa.array([int(s.time * 1000) for s in rows], pa.timestamp("ms", tz="UTC")),
            "source": pa.array([s.source for s in rows], pa.string()),
            "entity": pa.array([s.entity for s in rows], pa.string()),
            "metric": pa.array([s.metric for s in rows], pa.string()),
            "value": pa.array([s.value for s in rows], pa.float64()),
        })
        self._writer.write_table(table)

    def close(self) -> None:
        """Flush and close; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self.format == "csv":
                if self._owns_file and self._file is not None:
                    self._file.close()
                elif self._file is not None:
                    self._file.flush()
                self._file = None
            else:
                self._flush_parquet()
                self._writer.close()


def _parquet_writer(path: Path) -> Any:
    """A writer opened now, with pyarrow's lazy imports done now: the last row group may
    be written at interpreter exit, when importing is no longer possible."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pa.array([0.0])  # pyarrow imports pandas on its first array from a list
    schema = pa.schema([("time", pa.timestamp("ms", tz="UTC")), ("source", pa.string()),
                        ("entity", pa.string()), ("metric", pa.string()),
                        ("value", pa.float64())])
    return pq.ParquetWriter(str(path), schema)


def read_record(path: str | Path) -> Any:
    """A record as a pandas DataFrame (columns ``time`` (UTC datetimes), ``source``,
    ``entity``, ``metric``, ``value``)."""
    import pandas as pd

    path, fmt = check_record_path(path)
    if fmt == "csv":
        frame = pd.read_csv(path, dtype={"source": str, "entity": str, "metric": str})
        frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601")
        return frame
    return pd.read_parquet(path)


def samples_from_frame(frame: Any) -> list[Sample]:
    """Rows of a record frame back as samples (for plotting a record)."""
    import pandas as pd

    seconds = (frame["time"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    return [Sample(float(t), str(src), str(ent), str(met), float(val)) for t, src, ent, met, val
            in zip(seconds, frame["source"], frame["entity"], frame["metric"], frame["value"],
                   strict=True)]
