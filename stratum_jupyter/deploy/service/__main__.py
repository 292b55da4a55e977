"""``python -m service [--host H] [--port P] [--model-dir DIR]``."""

from __future__ import annotations

import argparse
from pathlib import Path

try:  # in the stratum_jupyter package
    from ... import envvars
except ImportError:  # in a deploy bundle, where render() copies envvars.py beside the service
    from . import envvars  # type: ignore[no-redef, attr-defined]
from .app import serve


def main() -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(prog="service", description=__doc__)
    parser.add_argument("--host", default=envvars.HOST.get())
    parser.add_argument("--port", type=int, default=envvars.PORT.get_int())
    parser.add_argument("--model-dir",
                        default=envvars.MODEL_DIR.get() or str(here.parent / "model"))
    args = parser.parse_args()
    serve(args.model_dir, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
