"""Benchmark: what the diagnostics (evaluation.diagnostics: the out-of-fold predictions of
the best configurations kept, and the permutation importance of the best, per fold on the
cluster) add to an evaluation's wall time, on bench_evaluate.py's grids. Target: at most
1.10x the same evaluation with ``diagnostics: false``.

Both runs of a pair use the same cluster (2 worker processes, 1 thread each), folds and
grid; who goes first alternates (the load of other processes drifts). The medians of the
ratios are printed, with each run's wall and the importance's share of it.

Run: ``python benchmarks/bench_diagnostics.py [--repeat N] [--quick] [--in-process]``
(``make bench`` runs it on the cluster, then in process: there the CPU time of the one
process is what the diagnostics add, robust to the load of other processes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_evaluate import WORKERS, children_cpu, cpu_since, scenarios, warm_up  # noqa: E402

TARGET = 1.10


def spec_for(diagnostics: Any) -> dict[str, Any]:
    """The settings the candidates dict is evaluated with (its one candidate's steps are
    the dict's own pipeline)."""
    return {"version": 1, "task": "classification",
            "evaluation": {"metrics": ["accuracy"], "diagnostics": diagnostics},
            "candidates": [{"name": "case", "steps": [{"LogisticRegression": {}}]}]}


def timed(case: dict[str, Any], folds: Any, client: Any, diagnostics: Any
          ) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds (the workers' and this process's: robust to the load of
    other processes, where wall times are not) and the result."""
    from stratum_jupyter import evaluate
    from stratum_jupyter.evaluation import inprocess

    # In process (no client): every fit in this process, never moved to a cluster.
    start_s = inprocess.START_S
    inprocess.START_S = start_s if client is not None else 1e9
    try:
        cpu, own = children_cpu(), time.process_time()
        start = time.perf_counter()
        result = evaluate({"case": (case["pipeline"], case["grid"])}, case["X"], case["y"],
                          client=client, cv=folds, spec=spec_for(diagnostics),
                          display="none")
        wall = time.perf_counter() - start
    finally:
        inprocess.START_S = start_s
    return wall, cpu_since(cpu) + time.process_time() - own, result


def main() -> None:
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from stratum_jupyter.evaluation.cluster import local_client

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="Smaller data (a smoke run).")
    parser.add_argument("--only", choices=["a", "b", "d"], help="Run one scenario.")
    parser.add_argument("--in-process", action="store_true",
                        help="Evaluate in this process (no cluster): its CPU time is what "
                             "the diagnostics add, whatever else loads the machine.")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; "
          + ("in process" if args.in_process else f"local cluster of {WORKERS} workers"))
    client = None if args.in_process else local_client(n_workers=WORKERS)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    if client is not None:
        warm_up(client)
    summary = []
    for name, case in scenarios(args.quick).items():
        if args.only and not name.startswith(args.only):
            continue
        print(f"\n== {name} (target: with diagnostics <= {TARGET:.2f}x without)")
        ratios, cpu_ratios = [], []
        for rep in range(args.repeat):
            runs = {}
            for setting in ((False, True) if rep % 2 == 0 else (True, False)):
                runs[setting] = timed(case, folds, client, setting)
            (off, off_cpu, _), (on, on_cpu, result) = runs[False], runs[True]
            ratios.append(on / off)
            cpu_ratios.append(on_cpu / off_cpu)
            d = result.diagnostics
            print(f"  run {rep + 1}: without {off:6.2f} s | with {on:6.2f} s = "
                  f"{on / off:.3f}x wall, {on_cpu / off_cpu:.3f}x CPU ({on_cpu:.1f} vs "
                  f"{off_cpu:.1f} CPU s) | kept {len(d.kept)}, importance of "
                  f"{d.importance()['column'].nunique()} columns | load "
                  f"{os.getloadavg()[0]:.2f}", flush=True)
            if rep == 0:  # "auto" leaves the importance out where it would cost > 10 %
                for note in (n for n in d.notes if "importance" in n):
                    print(f"    note: {note}")
        summary.append((name, float(np.median(ratios)), float(np.median(cpu_ratios)),
                        len(ratios)))
    print_summary(summary)


def print_summary(summary: list[tuple[str, float, float, int]]) -> None:
    """The ratios in one table, each as the overhead in per cent, and the verdict."""
    print(f"\n== diagnostics overhead: an evaluation with diagnostics (defaults) / without "
          f"(diagnostics: false), medians of pairs; load average now "
          f"{os.getloadavg()[0]:.2f}")
    for name, wall, cpu, n in summary:
        print(f"  {name:<20} wall {wall:.3f}x ({(wall - 1) * 100:+5.1f} %)  CPU {cpu:.3f}x "
              f"({(cpu - 1) * 100:+5.1f} %)  over {n} pairs  target <= {TARGET:.2f}x wall: "
              f"{'met' if wall <= TARGET else 'NOT met'}")
    met = sum(wall <= TARGET for _, wall, _, _ in summary)
    print(f"  diagnostics overhead target (<= {(TARGET - 1) * 100:.0f} % of the wall time) "
          f"met on {met} of {len(summary)} grids")


if __name__ == "__main__":
    main()
