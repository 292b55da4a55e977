"""``python -m service [--host H] [--port P] [--model-dir DIR]``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .app import serve


def main() -> None:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(prog="service", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("STRATUM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("STRATUM_PORT", "8080")))
    parser.add_argument("--model-dir", default=os.environ.get("STRATUM_MODEL_DIR",
                                                              str(here.parent / "model")))
    args = parser.parse_args()
    serve(args.model_dir, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
