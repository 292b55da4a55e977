"""``predict_file(bundle, input, out)``: a bundle's model over INPUT into OUTPUT's Parquet
parts (what ``stratum predict`` and ``%stratum_predict`` run)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import driver
from .output import Output
from .sources import BadInput, ChunkError, check_columns, chunks, resolve

CHUNK_ROWS = 50_000  # rows per chunk (and per part) unless --chunk-rows says otherwise
TABLE_KINDS = ("dataframe", "array")


def read_profile(bundle: str | Path) -> dict[str, Any]:
    """The bundle's ``profile.json``; BadInput for a folder that is no bundle."""
    path = Path(bundle) / "profile.json"
    if not path.is_file():
        raise BadInput(f"BUNDLE: {str(bundle)!r} is not a saved model folder (no "
                       "profile.json; allowed: a folder saved by stratum evaluate --out, "
                       "save_model or stratum bundle, e.g. runs/iris/best)")
    try:
        return dict(json.loads(path.read_text("utf-8")))
    except ValueError as exc:
        raise BadInput(f"BUNDLE: {str(path)!r} is not valid JSON: {exc}") from None


def table_features(profile: dict[str, Any]) -> list[Any]:
    """The features of a table model (input_schema kind dataframe or array)."""
    from ..serving.inputs import read_features

    features = read_features(profile.get("input_schema") or {})
    if not features:
        raise BadInput("BUNDLE: its profile.json records no input_schema features (a bundle "
                       "saved by an older stratum_jupyter?): save it again")
    return features


def _inputs(bundle: Path, given: str, columns: Sequence[str],
            url: str | None) -> tuple[Any, list[str], list[str], Callable[[int], Any]]:
    """INPUT resolved and checked for the bundle's kind: ``(source, feature names, carried
    columns, chunks(chunk_rows))``; BadInput before any work."""
    schema = read_profile(bundle).get("input_schema") or {}
    kind = schema.get("kind", "dataframe")
    carry = list(dict.fromkeys(columns))
    if kind not in TABLE_KINDS:
        from . import tensors

        if carry or url:
            raise BadInput(f"{'--columns' if carry else '--url'}: not for a {kind} model "
                           "(allowed with table models; images carry their file names)")
        source = tensors.resolve(given, schema)
        carry = [tensors.FILE] if source.kind == "images" else []
        return source, [], carry, lambda n: tensors.chunks(source, n)
    features = table_features(read_profile(bundle))
    names = [f.name for f in features]
    source = resolve(given, names)
    if source.kind == "npy" and kind == "dataframe":
        raise BadInput(f"INPUT: {given!r} is a .npy array, which has no column names; this "
                       "model takes a table with named columns (allowed: CSV or Parquet)")
    check_columns(source, features, carry)
    return source, names, carry, lambda n: chunks(source, features, carry, n)


def predict_file(bundle: str | Path, input: str, out: str | Path, *,
                 chunk_rows: int = CHUNK_ROWS, columns: Sequence[str] = (),
                 url: str | None = None, scheduler: str | None = None, client: Any = None,
                 log: Callable[[str], None] = print,
                 on_part: Callable[[int], None] | None = None) -> driver.Outcome:
    """Score INPUT (CSV/Parquet files, a glob, a folder of parts, or ``.npy``; for tensor
    and image bundles a ``.npy`` of instances or a folder of images) with the bundle's model
    into OUTPUT (``part-NNNNN.parquet`` of ``chunk_rows`` rows each and ``_manifest.json``):
    columns ``row``, the carried ``columns`` (an image's ``file``), ``prediction`` and
    ``proba_<class>``. On the Dask cluster (``client``, ``scheduler``, the current client,
    ``$STRATUM_SCHEDULER``, else a LocalCluster), or with ``url`` by a deployed service.
    BadInput before any work (a bundle, INPUT columns, OUTPUT or option that cannot work);
    ChunkError for a chunk refused while running (parts written are kept, a rerun resumes)."""
    if chunk_rows < 1:
        raise BadInput(f"--chunk-rows: {chunk_rows} is too small (allowed: 1 or more)")
    bundle = Path(bundle)
    source, names, carry, chunks_of = _inputs(bundle, input, columns, url)
    from .scoring import pack

    blob = pack(bundle)
    output = Output(out, {"bundle": blob.digest, "input": source.fingerprint(),
                          "chunk_rows": chunk_rows, "columns": carry})
    output.open()
    total = source.rows()
    pool = _pool(url, scheduler, client, blob, names, carry)
    began = time.monotonic()
    about = f"{total:,} rows" if total is not None else "rows"
    log(f"scoring {input} ({about} in chunks of {chunk_rows:,}) {pool.where}")
    if output.parts:
        log(f"{out} holds {len(output.parts)} part(s) of an earlier run: whole ones are kept")
    token = None
    try:
        planned, token, how = _placed(pool, source, names + [c for c in carry if c not in
                                                              names], chunk_rows, output)
        log(how)
        parts, skipped = driver.run(iter(planned) if planned else chunks_of(chunk_rows),
                                    pool, output, driver.Progress(log, total), on_part)
    except (KeyboardInterrupt, ChunkError) as exc:
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else "stopped at a chunk"
        log(f"{what}: {len(output.parts)} part(s) written are kept in {out}; run the same "
            "command again to resume")
        raise
    finally:
        pool.close()
        if token:
            (output.folder / token).unlink(missing_ok=True)
    read_here = getattr(pool, "read_by_kernel", 0)
    if read_here:
        log(f"{read_here} chunk(s) read by the kernel: a worker did not see INPUT or OUTPUT "
            "as the kernel does")
    rows = sum(int(p["rows"]) for p in output.parts.values())
    output.finish(parts, rows)
    outcome = driver.Outcome(Path(out), parts, rows, skipped, time.monotonic() - began,
                             pool.where)
    log(f"scored {outcome.line()}")
    return outcome


def _placed(pool: driver.Pool, source: Any, columns: list[str], chunk_rows: int,
            output: Output) -> tuple[list[Any] | None, str | None, str]:
    """The chunks by place where the workers read INPUT and write OUTPUT themselves
    (:mod:`.worker_io`), the token written for them, and a line saying who reads and
    writes; ``(None, None, line)`` where the kernel does."""
    from . import worker_io

    if not isinstance(pool, driver.ClusterPool):
        return None, None, "the chunks are read here and sent to the service"
    planned, why = worker_io.places(source, chunk_rows)
    if planned is None:
        return None, None, f"the kernel reads INPUT and sends the chunks to the workers ({why})"
    token = worker_io.token(output.folder)
    shared = worker_io.Shared(source.kind, tuple(columns), str(output.folder.resolve()),
                              token)
    if not pool.share(shared, planned):
        return None, token, ("the kernel reads INPUT and sends the chunks to the workers (a "
                             "worker does not see INPUT or OUTPUT under the kernel's paths)")
    return planned, token, "the workers read INPUT and write the parts themselves"


def _pool(url: str | None, scheduler: str | None, client: Any, blob: Any, names: list[str],
          carry: list[str]) -> driver.Pool:
    if url:
        if not url.startswith(("http://", "https://")):
            raise BadInput(f"--url: {url!r} is not an http(s) address (allowed: e.g. "
                           "http://127.0.0.1:8000, the service's base address)")
        return driver.ServicePool(url, names, carry)
    from ..evaluation.cluster import check_workers, get_client

    chosen = get_client(client, scheduler)
    check_workers(chosen)
    return driver.ClusterPool(chosen, blob, carry)
