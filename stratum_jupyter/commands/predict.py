"""``stratum predict`` / ``%stratum_predict``: batch scoring of CSV, Parquet or ``.npy`` files
(or a folder of images) with a bundle's model, in chunks on the Dask cluster (or by a
deployed service with ``--url``), into a resumable folder of Parquet parts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import BadInput, Shell, add_scheduler_argument

if TYPE_CHECKING:
    from ..batch.driver import Outcome

HELP = ("Score a file too big for one request (CSV or Parquet files, a folder of parts, a "
        ".npy array, or a folder of images for image models) with a saved model, in chunks "
        "on the Dask cluster, with the prediction service's own runtime, into a folder of "
        "Parquet parts that a rerun resumes.")


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    add = parser.add_argument
    add("bundle", help="A saved model folder (e.g. runs/iris/best).")
    add("input", help="A CSV or Parquet file, a glob of them (quoted: 'data/part-*.parquet'), "
                      "a folder of them, a .npy array (models trained on arrays, tensor "
                      "models), or a folder of images (image models).")
    add("--out", required=True, metavar="OUTPUT",
        help="The folder of Parquet parts (part-00000.parquet, ...) and _manifest.json; a "
             "rerun into it skips the parts already written and whole.")
    add("--chunk-rows", type=int, default=50_000, metavar="N",
        help="Rows per chunk and per part (default 50000): a worker holds one chunk per "
             "thread.")
    add("--columns", nargs="+", default=[], metavar="COL",
        help="Input columns to carry into the output beside row, prediction and "
             "proba_<class> (an id column, say); other columns the model does not take are "
             "refused.")
    add_scheduler_argument(add)
    add("--url", metavar="URL",
        help="Send the chunks to this deployed service (POST /predict) instead of the "
             "cluster; its token from $STRATUM_SERVICE_TOKEN.")


def run(args: argparse.Namespace, log: Callable[[str], None]) -> Outcome:
    """Score as ``args`` say; progress lines go to ``log``. BadInput before any work for a
    bundle, INPUT, OUTPUT or option that cannot work; ChunkError (exit 1) for a chunk the
    reader or the model refuses, naming its rows."""
    from ..batch import sources
    from ..batch.api import predict_file

    if args.url and args.scheduler:
        raise BadInput("--url and --scheduler: a service scores the chunks, or the cluster "
                       "does, not both (allowed: one of them)")
    try:
        return predict_file(args.bundle, args.input, args.out, chunk_rows=args.chunk_rows,
                            columns=args.columns, url=args.url, scheduler=args.scheduler,
                            log=log)
    except sources.BadInput as exc:
        raise BadInput(str(exc)) from None
