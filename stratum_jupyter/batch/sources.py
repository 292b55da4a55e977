"""INPUT of ``stratum predict``: one or more CSV or Parquet files (a file, a glob or a folder
of parts) or a ``.npy`` array, checked against the bundle's input schema before any work,
then read a chunk at a time (pyarrow's streaming CSV reader, ``ParquetFile.iter_batches``,
a memory-mapped ``.npy``): the whole file is never in memory."""

from __future__ import annotations

import glob
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StratumError

SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".npy": "npy"}
ROW = "row"  # the output column of each row's position in INPUT (0-based, files in order)
CSV_BLOCK = 1 << 20  # bytes the CSV reader parses at a time


class BadInput(StratumError, ValueError):
    """INPUT, OUTPUT or an option that cannot work, found before any chunk is scored (the
    command answers it as bad input: exit code 2)."""


class ChunkError(StratumError):
    """A chunk the reader or the model refused, named by its rows."""


@dataclass(frozen=True)
class Source:
    """INPUT resolved: its ``kind`` (csv, parquet, npy), its ``files`` in the order their
    rows are numbered, and its ``columns`` (the first file's; every file must have them)."""

    kind: str
    files: tuple[Path, ...]
    columns: tuple[str, ...]
    label: str

    def rows(self) -> int | None:
        """The number of rows where the files say it without being read (Parquet's
        metadata, a ``.npy`` header); None for CSV."""
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            return sum(pq.ParquetFile(f).metadata.num_rows for f in self.files)
        if self.kind == "images":
            return len(self.files)
        if self.kind in ("npy", "tensor"):
            import numpy as np

            return sum(int(np.load(f, mmap_mode="r").shape[0]) for f in self.files)
        return None

    def fingerprint(self) -> list[list[Any]]:
        """What a rerun compares to resume: each file's name, size and modification time."""
        out = []
        for f in self.files:
            stat = f.stat()
            out.append([str(f.resolve()), stat.st_size, stat.st_mtime_ns])
        return out


def resolve(given: str, feature_names: Sequence[str]) -> Source:
    """INPUT as a :class:`Source`: a file, a glob (``data/part-*.parquet``) or a folder (its
    ``.csv``/``.parquet``/``.npy`` files); BadInput for none, a mix of kinds, or an unknown
    suffix."""
    path = Path(given)
    if any(ch in given for ch in "*?["):
        files = [Path(p) for p in sorted(glob.glob(given)) if Path(p).is_file()]
    elif path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    elif path.is_file():
        files = [path]
    else:
        raise BadInput(f"INPUT: {given!r} does not exist (allowed: a CSV, Parquet or .npy "
                       "file, a glob, or a folder of such files)")
    if not files:
        raise BadInput(f"INPUT: {given!r} holds no .csv, .parquet or .npy file")
    kinds = {SUFFIXES.get(f.suffix.lower()) for f in files}
    if None in kinds:
        odd = next(f for f in files if f.suffix.lower() not in SUFFIXES)
        raise BadInput(f"INPUT: {str(odd)!r} is not a file stratum predict reads (allowed: "
                       f"{', '.join(sorted(SUFFIXES))})")
    if len(kinds) > 1:
        raise BadInput(f"INPUT: {given!r} mixes {' and '.join(sorted(str(k) for k in kinds))} "
                       "files (allowed: files of one kind)")
    kind = str(kinds.pop())
    return Source(kind, tuple(files), tuple(_columns(kind, files[0], feature_names)), given)


def _columns(kind: str, file: Path, feature_names: Sequence[str]) -> list[str]:
    if kind == "parquet":
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(file).schema_arrow.names)
    if kind == "csv":
        import pyarrow.csv as csv

        return list(csv.open_csv(file, read_options=csv.ReadOptions(
            block_size=CSV_BLOCK)).schema.names)
    import numpy as np

    shape = np.load(file, mmap_mode="r").shape
    if len(shape) != 2:
        raise BadInput(f"INPUT: {str(file)!r} holds an array of shape {list(shape)} (allowed "
                       "for a table model: 2-D, rows x features)")
    if shape[1] != len(feature_names):
        raise BadInput(f"INPUT: {str(file)!r} has {shape[1]} columns; the model takes "
                       f"{len(feature_names)} ({', '.join(feature_names[:10])})")
    return list(feature_names)


def check_columns(source: Source, features: Sequence[Any], carry: Sequence[str]) -> None:
    """BadInput, before any work, naming the columns the model needs that INPUT lacks, the
    columns it has that are neither features nor carried (``--columns``), the carried ones
    it lacks, and features whose type cannot be the recorded one."""
    names = [f.name for f in features]
    have = set(source.columns)
    problems = []
    missing = [n for n in names if n not in have]
    if missing:
        problems.append(f"missing column(s) {', '.join(map(repr, missing))}")
    extra = [c for c in source.columns if c not in names and c not in carry]
    if extra:
        problems.append(f"extra column(s) {', '.join(map(repr, extra))} (carry them into the "
                        "output with --columns, or leave them out of INPUT)")
    absent = [c for c in carry if c not in have]
    if absent:
        problems.append(f"--columns {', '.join(map(repr, absent))} not in INPUT")
    clash = [c for c in carry if c == ROW or c == "prediction" or c.startswith("proba_")]
    if clash:
        problems.append(f"--columns {', '.join(map(repr, clash))} would overwrite an output "
                        f"column ({ROW}, prediction, proba_<class>)")
    problems += _type_problems(source, features)
    if problems:
        raise BadInput(f"INPUT {source.label!r} does not match the model's input schema: "
                       f"{'; '.join(problems)} (the model takes: {', '.join(names)})")


def _type_problems(source: Source, features: Sequence[Any]) -> list[str]:
    """Parquet columns of text where the model takes numbers, and numbers where it takes
    text (CSV values are converted to the recorded types as they are read)."""
    if source.kind != "parquet":
        return []
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.ParquetFile(source.files[0]).schema_arrow
    out = []
    for f in features:
        if f.name not in schema.names:
            continue
        t = schema.field(f.name).type
        if pa.types.is_dictionary(t):
            t = t.value_type
        text = pa.types.is_string(t) or pa.types.is_large_string(t)
        if f.kind in {"float", "int", "bool"} and text:
            out.append(f"column {f.name!r} holds text ({t}); the model takes {f.dtype}")
    return out


@dataclass(frozen=True)
class Chunk:
    """Rows ``start``..``start + rows`` of INPUT (0-based, files in order), the ``index``-th
    chunk; ``table`` holds the features and the carried columns, or is None where the
    workers read the rows themselves from ``place`` (:class:`.worker_io.Place`)."""

    index: int
    start: int
    table: Any
    place: Any = None

    @property
    def rows(self) -> int:
        return int(self.table.num_rows if self.table is not None else self.place.rows)

    @property
    def stop(self) -> int:
        return self.start + self.rows


def chunks(source: Source, features: Sequence[Any], carry: Sequence[str],
           chunk_rows: int) -> Iterator[Chunk]:
    """INPUT as chunks of ``chunk_rows`` rows (the last of each file shorter): files are not
    joined, so a chunk's rows always come from one file. ChunkError for a file the reader
    refuses, naming the file and the rows it was reading."""
    wanted = [f.name for f in features] + [c for c in carry if c not in
                                           {f.name for f in features}]
    index = start = 0
    for file in source.files:
        read = 0
        try:
            for table in _rebatch(_batches(source.kind, file, features, wanted, chunk_rows),
                                  chunk_rows):
                yield Chunk(index, start, table)
                index, start, read = index + 1, start + table.num_rows, read + table.num_rows
        except (ValueError, TypeError, OSError) as exc:  # pyarrow's ArrowInvalid is one
            raise ChunkError(f"INPUT {str(file)!r}, rows {start}-{start + chunk_rows - 1} "
                             f"(file rows from {read}): {' '.join(str(exc).split())[:400]}"
                             ) from None


def _batches(kind: str, file: Path, features: Sequence[Any], wanted: list[str],
             chunk_rows: int) -> Iterator[Any]:
    import pyarrow as pa

    if kind == "parquet":
        import pyarrow.parquet as pq

        yield from pq.ParquetFile(file).iter_batches(batch_size=chunk_rows, columns=wanted)
    elif kind == "csv":
        import pyarrow.csv as csv

        types = {f.name: _arrow_type(f) for f in features}
        reader = csv.open_csv(file, read_options=csv.ReadOptions(block_size=CSV_BLOCK),
                              convert_options=csv.ConvertOptions(column_types=types,
                                                                 include_columns=wanted))
        yield from reader
    else:
        import numpy as np

        array = np.load(file, mmap_mode="r")
        for begin in range(0, array.shape[0], chunk_rows):
            part = np.asarray(array[begin:begin + chunk_rows])
            yield pa.RecordBatch.from_arrays([pa.array(part[:, j]) for j in range(part.shape[1])],
                                             names=wanted)


def _arrow_type(feature: Any) -> Any:
    import pyarrow as pa

    return {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}.get(
        feature.kind, pa.string())


def _rebatch(batches: Iterator[Any], size: int) -> Iterator[Any]:
    """Record batches of any size as tables of exactly ``size`` rows (the last shorter)."""
    import pyarrow as pa

    held: list[Any] = []
    count = 0
    for batch in batches:
        while batch.num_rows:
            take = min(size - count, batch.num_rows)
            held.append(batch.slice(0, take))
            count += take
            batch = batch.slice(take)
            if count == size:
                yield pa.Table.from_batches(held)
                held, count = [], 0
    if count:
        yield pa.Table.from_batches(held)
