"""Chunks the workers read and parts they write themselves, where they see INPUT and OUTPUT
as the kernel does (the same files under the same paths: one machine, or a shared
filesystem).

Then the kernel sends each worker a chunk's place (file, first row, rows), not its rows, and
gets back a part's row count, not its answers: no chunk crosses the network twice, a worker
holds only the chunk it scores (none queued), and the kernel, whose process also runs a
LocalCluster's scheduler, is left with the manifest (bench_serving.py section 3 measures
what that buys).

Whether they do is decided, never assumed: INPUT must be Parquet whose row groups are at
most :data:`MAX_GROUP_CHUNKS` chunks (a worker decodes the row groups its chunk overlaps;
a file of one 1M-row group would be decoded once per chunk) or ``.npy``; every worker must
see each input file with the kernel's size and modification time and a token the kernel
wrote into OUTPUT (:func:`probe`). Each task checks both again before it reads or writes
(a worker that joined later, a file replaced meanwhile) and raises :class:`NotShared`, upon
which the kernel reads that chunk itself and sends it, as it does for CSV input.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .sources import Chunk, ChunkError, Source

MAX_GROUP_CHUNKS = 2  # a row group of at most this many chunks: each is decoded <= 2x
TOKEN_PREFIX = ".stratum-visible-"  # hidden: readers of the parts folder skip it


class NotShared(Exception):
    """This worker does not see the file or the folder as the kernel does."""


@dataclass(frozen=True)
class Place:
    """Where a chunk's rows are: ``rows`` rows of ``file`` from row ``offset`` (0-based),
    with the file's size and modification time (ns) as the kernel saw them."""

    file: str
    offset: int
    rows: int
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Shared:
    """What a worker needs to read and write a chunk: INPUT's kind, the columns it reads,
    OUTPUT's folder and the token proving it is the kernel's."""

    kind: str
    columns: tuple[str, ...]
    out: str
    token: str


def places(source: Source, chunk_rows: int) -> tuple[list[Chunk] | None, str]:
    """INPUT's chunks by place (each :class:`Chunk` with ``place`` and no table), the same
    chunks :func:`.sources.chunks` reads (``chunk_rows`` rows, files not joined), from the
    files' metadata alone; ``(None, why not)`` where workers cannot read them alone."""
    if source.kind not in ("parquet", "npy"):
        return None, {"csv": "INPUT is CSV, which is read in order",
                      "images": "INPUT is a folder of images"}.get(
            source.kind, f"INPUT is a {source.kind} file")
    out: list[Chunk] = []
    start = 0
    for file in source.files:
        stat = file.stat()
        rows, biggest = _rows(source.kind, file)
        if biggest > MAX_GROUP_CHUNKS * chunk_rows:
            return None, (f"{file.name} has row groups of up to {biggest:,} rows, more than "
                          f"{MAX_GROUP_CHUNKS} chunks of {chunk_rows:,}; written with "
                          f"row_group_size={chunk_rows}, the workers would read it")
        for offset in range(0, rows, chunk_rows):
            n = min(chunk_rows, rows - offset)
            out.append(Chunk(len(out), start, None, Place(
                str(file.resolve()), offset, n, stat.st_size, stat.st_mtime_ns)))
            start += n
    return out, ""


def _rows(kind: str, file: Path) -> tuple[int, int]:
    """The file's rows and its largest row group's (a ``.npy``: no groups)."""
    if kind == "npy":
        import numpy as np

        return int(np.load(file, mmap_mode="r").shape[0]), 0
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(file).metadata
    groups = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
    return int(meta.num_rows), max(groups, default=0)


def token(out: Path) -> str:
    """Write a fresh token file into OUTPUT; its name (the workers look for it)."""
    name = f"{TOKEN_PREFIX}{uuid.uuid4().hex}"
    (out / name).write_text("stratum predict: proves a worker sees this folder\n", "utf-8")
    return name


def probe(shared: Shared, chunks: Sequence[Chunk]) -> bool:
    """On a worker: whether it sees every file of ``chunks`` and OUTPUT as the kernel does."""
    try:
        for place in {c.place for c in chunks if c.place is not None}:
            check(shared, place)
    except NotShared:
        return False
    return True


def check(shared: Shared, place: Place) -> None:
    """NotShared unless ``place``'s file has the size and modification time the kernel saw
    (:func:`check_file`) and OUTPUT holds the kernel's token."""
    check_file(place)
    if not (Path(shared.out) / shared.token).is_file():
        raise NotShared(shared.out)


def check_file(place: Place) -> None:
    """NotShared unless ``place``'s file is there with the size and modification time the
    kernel saw when it planned the chunks."""
    try:
        stat = os.stat(place.file)
    except OSError:
        raise NotShared(place.file) from None
    if (stat.st_size, stat.st_mtime_ns) != (place.size, place.mtime_ns):
        raise NotShared(place.file)


def read(shared: Shared, place: Place) -> Any:
    """The chunk's rows as a pyarrow Table of ``shared.columns`` (what
    :func:`.sources.chunks` gives for the same rows)."""
    import pyarrow as pa

    if shared.kind == "npy":
        import numpy as np

        part = np.asarray(np.load(place.file, mmap_mode="r")[place.offset:place.offset +
                                                              place.rows])
        return pa.table([pa.array(part[:, j]) for j in range(part.shape[1])],
                        names=list(shared.columns))
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(place.file)
    meta, first = parquet.metadata, 0
    groups: list[int] = []
    begin = 0
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        if begin + n > place.offset and begin < place.offset + place.rows:
            if not groups:
                first = begin
            groups.append(g)
        begin += n
    table = parquet.read_row_groups(groups, columns=list(shared.columns), use_threads=False)
    return table.slice(place.offset - first, place.rows)


def score_place(blob: Any, shared: Shared, index: int, start: int, place: Place,
                carry: Sequence[str]) -> int:
    """On a worker: read the chunk at ``place``, score it as :func:`.scoring.score` does and
    write its part into OUTPUT; the part's rows. NotShared where this worker does not see
    the files as the kernel does; ChunkError as ``score`` raises it, or naming the file."""
    from .output import write_part
    from .scoring import score

    check(shared, place)
    try:
        table = read(shared, place)
    except (ValueError, TypeError, OSError) as exc:  # pyarrow's ArrowInvalid is one
        raise ChunkError(f"INPUT {place.file!r}, rows {start}-{start + place.rows - 1} (file "
                         f"rows from {place.offset}): {' '.join(str(exc).split())[:400]}"
                         ) from None
    answers = score(blob, table, start, carry)
    write_part(Path(shared.out), index, answers)
    return int(answers.num_rows)
