"""``stratum demo``: run the quickstart end to end and say where everything is."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="Run the quickstart notebook end to end (headless).")
    p.add_argument("--workdir", default="runs/demo", help="Where to put the outputs.")
    p.add_argument("--fast", action="store_true", help="Smaller grids and fewer folds.")
    p.add_argument("--port", type=int, default=None, help="The service's port (default: free).")
    p.set_defaults(func=demo)


def demo(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    out = run_demo(args.workdir, fast=args.fast, port=args.port)
    board = out["leaderboard"]
    keep = [c for c in board.columns if not c.endswith("_std") and c != "error"]
    print(board[keep].to_string(index=False, max_colwidth=50))
    print()
    print(f"executed notebook: {out['executed']}")
    print(f"leaderboard:       {out['leaderboard_csv']}")
    print(f"model bundle:      {out['best']}")
    print(f"deploy bundle:     {out['deploy']}")
    print(f"monitor record:    {out['monitor']}")
    return 0
