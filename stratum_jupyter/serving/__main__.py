"""``python -m service [--host H] [--port P] [--model-dir DIR] [--insecure]``.

The bearer token comes from ``$STRATUM_SERVICE_TOKEN`` or the file ``$STRATUM_SERVICE_TOKEN_FILE``
names, never from the command line; listening beyond loopback needs one, or ``--insecure``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

try:  # in the stratum_jupyter package
    from .. import envvars
except ImportError:  # in a deploy bundle, where render() copies envvars.py beside the service
    from . import envvars  # type: ignore[no-redef, attr-defined]
from .auth import InsecureBind
from .server import serve


def main(argv: list[str] | None = None) -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(prog="service", description=__doc__)
    parser.add_argument("--host", default=envvars.HOST.get())
    parser.add_argument("--port", type=int, default=envvars.PORT.get_int())
    parser.add_argument("--model-dir",
                        default=envvars.MODEL_DIR.get() or str(here.parent / "model"))
    parser.add_argument("--insecure", action="store_true",
                        help="serve on a non-loopback address without a bearer token")
    parser.add_argument("--handoff", metavar="PATH",
                        help="a Unix socket: take over the listening socket of the process "
                             "this one replaces from it, and offer this one's there")
    parser.add_argument("--max-batch", type=int, default=None, metavar="N",
                        help="adaptive batching: join concurrent requests into one model call "
                             "of at most N rows or instances (STRATUM_MAX_BATCH; 1: off)")
    parser.add_argument("--batch-wait-ms", type=float, default=None, metavar="MS",
                        help="adaptive batching: how long a batch waits for more requests "
                             "while it has room (STRATUM_BATCH_WAIT_MS; default 0)")
    args = parser.parse_args(argv)
    if args.max_batch is not None and args.max_batch < 1:
        parser.error(f"--max-batch {args.max_batch}: at least 1")
    if args.batch_wait_ms is not None and not 0 <= args.batch_wait_ms <= 10000:
        parser.error(f"--batch-wait-ms {args.batch_wait_ms}: from 0 to 10000")
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        serve(args.model_dir, host=args.host, port=args.port, insecure=args.insecure,
              handoff=args.handoff, max_batch=args.max_batch,
              batch_wait_ms=args.batch_wait_ms)
    except InsecureBind as exc:
        parser.exit(2, f"service: {exc}\n")


if __name__ == "__main__":
    main()
