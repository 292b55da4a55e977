"""The chunks of INPUT on the Dask cluster (or sent to ``--url``): at most two per worker
thread in flight, so the kernel holds a few chunks and each worker one per thread; each
answer written as its part as it arrives; progress as the evaluation logs it; Ctrl-C
cancels what is in flight and keeps the parts written."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .output import Output
from .sources import Chunk, ChunkError

PROGRESS_EVERY_S = 5.0  # at most one progress line this often


@dataclass
class Outcome:
    """What a scoring run did: parts and rows in OUTPUT, how many parts were already there
    (skipped), its wall time and where it ran."""

    out: Path
    parts: int
    rows: int
    skipped: int
    seconds: float
    where: str

    def line(self) -> str:
        scored = self.parts - self.skipped
        rate = f", {self.rows / self.seconds:,.0f} rows/s" if self.seconds and scored else ""
        skip = f" ({self.skipped} already written and whole, skipped)" if self.skipped else ""
        return (f"{self.rows:,} rows in {self.parts} part(s) of {self.out}{skip}: "
                f"{self.seconds:.1f} s{rate}")


class Pool:
    """Where chunks are scored: ``submit(chunk) -> future``; ``wait_any``; ``cancel``."""

    where = ""
    threads = 1

    def submit(self, chunk: Chunk) -> Any:
        raise NotImplementedError

    def wait_any(self, futures: Sequence[Any]) -> set[Any]:
        raise NotImplementedError

    def cancel(self, futures: Sequence[Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the pool holds (the model on the workers, threads)."""

    def read_here(self, chunk: Chunk) -> Chunk:
        """``chunk`` with its rows read by the kernel (one a worker could not read)."""
        raise NotImplementedError


class Progress:
    """``part 12 written (120,000 rows so far of 1,000,000; 8,100 rows/s)``, at most every
    :data:`PROGRESS_EVERY_S` seconds."""

    def __init__(self, log: Callable[[str], None], total_rows: int | None):
        self.log, self.total = log, total_rows
        self.began = self.last = time.monotonic()
        self.rows = self.scored = 0

    def part(self, index: int, rows: int, *, skipped: bool = False) -> None:
        self.rows += rows
        if skipped:
            return
        self.scored += rows
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            of = f" of {self.total:,}" if self.total else ""
            rate = self.scored / max(now - self.began, 1e-9)
            self.log(f"part {index} written ({self.rows:,} rows so far{of}; "
                     f"{rate:,.0f} rows/s)")


def run(chunks: Iterator[Chunk], pool: Pool, output: Output, progress: Progress,
        on_part: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Score every chunk not already in ``output``; ``(parts, skipped)``. ChunkError (the
    first refused chunk) or KeyboardInterrupt cancel what is in flight; the parts written
    stay, and a rerun resumes from them."""
    pending: dict[Any, Chunk] = {}
    parts = skipped = 0
    try:
        for chunk in chunks:
            parts += 1
            if output.done(chunk.index, chunk.start, chunk.rows):
                skipped += 1
                progress.part(chunk.index, chunk.rows, skipped=True)
                continue
            while len(pending) >= 2 * pool.threads:
                _collect(pool, pending, output, progress, on_part)
            pending[pool.submit(chunk)] = chunk
        while pending:
            _collect(pool, pending, output, progress, on_part)
    except BaseException:
        pool.cancel(list(pending))
        raise
    return parts, skipped


def _collect(pool: Pool, pending: dict[Any, Chunk], output: Output, progress: Progress,
             on_part: Callable[[int], None] | None) -> None:
    from .worker_io import NotShared

    for future in sorted(pool.wait_any(list(pending)), key=lambda f: pending[f].index):
        chunk = pending.pop(future)
        try:
            answer = future.result()
        except NotShared:  # this worker does not see the files: the kernel reads the chunk
            pending[pool.submit(pool.read_here(chunk))] = chunk
            continue
        if isinstance(answer, int):  # the worker wrote the part itself
            output.record(chunk.index, chunk.start, answer)
        else:
            output.write(chunk.index, chunk.start, answer)
        progress.part(chunk.index, chunk.rows)
        if on_part is not None:
            on_part(chunk.index)


class ClusterPool(Pool):
    """Chunks as Dask tasks; the model's bytes scattered to every worker once. Where the
    workers see INPUT and OUTPUT as the kernel does (:meth:`share`), a task gets a chunk's
    place and writes its part (:mod:`.worker_io`); else the kernel sends the rows."""

    def __init__(self, client: Any, blob: Any, carry: Sequence[str]):
        from ..evaluation import cluster, progress_lines

        self.client, self.carry = client, list(carry)
        info = cluster.describe(client)
        self.where, self.threads = progress_lines.where(info), max(1, info["threads"])
        self.model = client.scatter(blob, broadcast=True, hash=False)
        self.token = blob.digest[:12]
        self.shared: Any = None  # worker_io.Shared once share() found it holds
        self.read_by_kernel = 0  # chunks a worker could not read after all

    def share(self, shared: Any, chunks: Sequence[Chunk]) -> bool:
        """Whether every worker sees the files of ``chunks`` and ``shared.out`` as the
        kernel does (then tasks read and write them); asked of each worker once."""
        from .worker_io import probe

        first = list({c.place.file: c for c in chunks if c.place is not None}.values())
        with self.client.as_current():
            seen = self.client.run(probe, shared, first)
        if seen and all(seen.values()):
            self.shared = shared
        return self.shared is not None

    def submit(self, chunk: Chunk) -> Any:
        from .scoring import score
        from .worker_io import score_place

        key = f"stratum-predict-{self.token}-{chunk.index}-{time.monotonic_ns()}"
        if chunk.table is None:
            return self.client.submit(score_place, self.model, self.shared, chunk.index,
                                      chunk.start, chunk.place, self.carry, key=key,
                                      pure=False)
        # the chunk goes straight to a worker, not through the scheduler inside the task
        data = self.client.scatter(chunk.table, hash=False)
        return self.client.submit(score, self.model, data, chunk.start, self.carry, key=key,
                                  pure=False)

    def read_here(self, chunk: Chunk) -> Chunk:
        from .worker_io import NotShared, check_file, read

        try:
            check_file(chunk.place)
        except NotShared:
            raise ChunkError(f"INPUT {chunk.place.file!r} changed or went away while it was "
                             "being scored (its size or modification time differ): run the "
                             "command again to score it from the start") from None
        self.read_by_kernel += 1
        return Chunk(chunk.index, chunk.start, read(self.shared, chunk.place))

    def wait_any(self, futures: Sequence[Any]) -> set[Any]:
        from distributed import wait

        with self.client.as_current():  # a client of the caller's need not be the default
            return set(wait(futures, return_when="FIRST_COMPLETED").done)

    def cancel(self, futures: Sequence[Any]) -> None:
        if futures:
            self.client.cancel(list(futures))

    def close(self) -> None:
        self.client.cancel([self.model])


class ServicePool(Pool):
    """Chunks sent to a deployed service by a few threads of this process."""

    threads = 4

    def __init__(self, url: str, names: Sequence[str], carry: Sequence[str]):
        from concurrent.futures import ThreadPoolExecutor

        from .. import envvars

        self.url, self.names, self.carry = url, list(names), list(carry)
        self.token = envvars.SERVICE_TOKEN.get()
        self.where = f"at the service {url} ({self.threads} requests at a time)"
        self.executor = ThreadPoolExecutor(self.threads, thread_name_prefix="stratum-predict")

    def submit(self, chunk: Chunk) -> Any:
        from .remote import post_chunk

        return self.executor.submit(post_chunk, self.url, chunk.table, chunk.start,
                                    self.names, self.carry, self.token)

    def wait_any(self, futures: Sequence[Any]) -> set[Any]:
        from concurrent.futures import FIRST_COMPLETED, wait

        return set(wait(futures, return_when=FIRST_COMPLETED).done)

    def cancel(self, futures: Sequence[Any]) -> None:
        for future in futures:
            future.cancel()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


__all__ = ["ChunkError", "ClusterPool", "Outcome", "Pool", "Progress", "ServicePool", "run"]
