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
    """The features of a table model (input_schema kind dataframe or array). Tensor and
    image bundles need the service's readers for those kinds (:func:`serving_reader`)."""
    from ..serving.inputs import read_features

    schema = profile.get("input_schema") or {}
    kind = schema.get("kind", "dataframe")
    if kind not in TABLE_KINDS:
        serving_reader(kind)
    features = read_features(schema)
    if not features:
        raise BadInput("BUNDLE: its profile.json records no input_schema features (a bundle "
                       "saved by an older stratum_jupyter?): save it again")
    return features


def serving_reader(kind: str) -> Any:
    """THE SEAM for tensor and image bundles: the service's own reader of that
    ``input_schema`` kind (decoding and preparation, docs/model-inputs.md), which the
    serving package is adding (issue 24 item 7). Until it exists, a clear refusal."""
    raise BadInput(f"BUNDLE: its input_schema kind is {kind!r}; stratum predict scores "
                   f"table models ({', '.join(TABLE_KINDS)}: CSV, Parquet or .npy files) in "
                   "this version; tensor and image bundles wait for the service's readers "
                   "of those kinds")


def predict_file(bundle: str | Path, input: str, out: str | Path, *,
                 chunk_rows: int = CHUNK_ROWS, columns: Sequence[str] = (),
                 url: str | None = None, scheduler: str | None = None, client: Any = None,
                 log: Callable[[str], None] = print,
                 on_part: Callable[[int], None] | None = None) -> driver.Outcome:
    """Score INPUT (CSV/Parquet files, a glob, a folder of parts, or ``.npy``) with the
    bundle's model into OUTPUT (``part-NNNNN.parquet`` of ``chunk_rows`` rows each and
    ``_manifest.json``): columns ``row``, the carried ``columns``, ``prediction`` and
    ``proba_<class>``. On the Dask cluster (``client``, ``scheduler``, the current client,
    ``$STRATUM_SCHEDULER``, else a LocalCluster), or with ``url`` by a deployed service.
    BadInput before any work (a bundle, INPUT columns, OUTPUT or option that cannot work);
    ChunkError for a chunk refused while running (parts written are kept, a rerun resumes)."""
    if chunk_rows < 1:
        raise BadInput(f"--chunk-rows: {chunk_rows} is too small (allowed: 1 or more)")
    bundle = Path(bundle)
    features = table_features(read_profile(bundle))
    names = [f.name for f in features]
    source = resolve(input, names)
    if source.kind == "npy" and (read_profile(bundle).get("input_schema") or {}).get(
            "kind") == "dataframe":
        raise BadInput(f"INPUT: {input!r} is a .npy array, which has no column names; this "
                       "model takes a table with named columns (allowed: CSV or Parquet)")
    carry = list(dict.fromkeys(columns))
    check_columns(source, features, carry)
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
    try:
        parts, skipped = driver.run(chunks(source, features, carry, chunk_rows), pool,
                                    output, driver.Progress(log, total), on_part)
    except (KeyboardInterrupt, ChunkError) as exc:
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else "stopped at a chunk"
        log(f"{what}: {len(output.parts)} part(s) written are kept in {out}; run the same "
            "command again to resume")
        raise
    finally:
        pool.close()
    rows = sum(int(p["rows"]) for p in output.parts.values())
    output.finish(parts, rows)
    outcome = driver.Outcome(Path(out), parts, rows, skipped, time.monotonic() - began,
                             pool.where)
    log(f"scored {outcome.line()}")
    return outcome


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
