"""``stratum demo``: run the example pipeline end to end and say where everything is."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="Run the example pipeline end to end (headless).")
    p.add_argument("--workdir", default="runs/demo", help="Where to put the outputs.")
    p.add_argument("--cv", type=int, default=5, help="Cross-validation folds.")
    p.set_defaults(func=demo)


def demo(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    out = run_demo(args.workdir, cv=args.cv)
    board = out["leaderboard"]
    hidden = [c for c in board.columns if c.endswith("_std") or c == "score_time"
              or (c == "error" and board[c].isna().all())]
    print(board.drop(columns=hidden).to_string(index=False, max_colwidth=60))
    print()
    print(f"generated notebook: {out['generated']}")
    print(f"executed notebook:  {out['executed']}")
    print(f"best model:         {out['best']}")
    return 0
