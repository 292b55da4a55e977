"""Batch scoring: ``stratum predict`` rows/s against in-process ``model.predict`` rows/s x
workers (target >= 0.8x), and the workers' peak memory against one chunk + the model (target
<= 2x), on a generated table (1M rows by default, 8 float columns, Parquet).

    python benchmarks/bench_predict.py [--rows 1000000] [--chunk-rows 50000] [--workers N]

Two models: a HistGradientBoostingRegressor (one ``predict`` on both sides) and a
classifier of the same kind (the service answers ``predict`` and ``predict_proba``: the
in-process side does both too, and its ``predict`` alone is printed beside). The in-process
figure is one thread (threadpoolctl), as each worker has one; stratum's is measured warm (the
workers have loaded the model: a first run into another folder; the median of three runs)
and cold. Peak memory per worker: its RSS sampled every 50 ms (psutil, from this process)
during a run, less its RSS before that run, the median of three such runs, against one
chunk's bytes (Arrow table + float64 matrix) + the model's file size.
The load average is printed with the figures: on a shared machine, compare runs made
together only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
import warnings
from pathlib import Path

FEATURES = 8


def make_data(folder: Path, rows: int, chunk_rows: int) -> tuple[Path, object, object]:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, FEATURES))
    y = X @ rng.normal(size=FEATURES) + np.sin(3 * X[:, 0]) + rng.normal(0, 0.1, rows)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(FEATURES)])
    path = folder / "input.parquet"
    frame.to_parquet(path, row_group_size=chunk_rows)
    return path, frame, y


def bundles(folder: Path, frame, y) -> dict[str, Path]:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    from stratum_jupyter.bundle import save_bundle

    train = frame.iloc[:20000]
    out = {}
    reg = HistGradientBoostingRegressor(max_iter=100, random_state=0).fit(train, y[:20000])
    out["regressor"] = save_bundle(reg, folder / "reg", X=train, y=y[:20000],
                                   task="regression", candidate="hgb")
    labels = (y[:20000] > 0).astype(int)
    clf = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(train, labels)
    out["classifier"] = save_bundle(clf, folder / "clf", X=train, y=labels,
                                    task="classification", candidate="hgb")
    return out


def in_process(bundle: Path, frame, with_proba: bool) -> tuple[float, float]:
    """Rows/s of one thread: ``predict`` (and ``predict_proba``) on the whole table as one
    float64 matrix; (with both, predict alone)."""
    from threadpoolctl import threadpool_limits

    from stratum_jupyter.bundle import load_model

    model = load_model(bundle)
    X = frame.to_numpy()  # (a matrix, as the runtime predicts from one: no names checked)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model.predict(X[:1000])
        began = time.perf_counter()
        model.predict(X)
        alone = time.perf_counter() - began
        if with_proba:
            model.predict_proba(X)
        both = time.perf_counter() - began
    return len(X) / both, len(X) / alone


class Sampler:
    """Each worker process's RSS every 50 ms, read with psutil from this process (the
    benchmark's own LocalCluster: its workers are local), so that sampling sends no
    messages to the workers; ``peaks`` per worker address."""

    def __init__(self, pids: dict[str, int]):
        import psutil

        self.processes = {addr: psutil.Process(pid) for addr, pid in pids.items()}
        self.peaks: dict[str, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            for addr, proc in self.processes.items():
                rss = int(proc.memory_info().rss)
                self.peaks[addr] = max(self.peaks.get(addr, 0), rss)
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def rss_now() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def stratum(client, bundle: Path, data: Path, folder: Path, chunk_rows: int,
            repeat: int = 3) -> dict:
    """A cold run (the workers load the model), then ``repeat`` warm runs timed with nothing
    sampling, and ``repeat`` with each worker's RSS sampled (its peak over its RSS before
    that run): the medians (a worker's RSS moves with what its allocators keep between
    runs: one run alone can be off by a chunk either way)."""
    import statistics

    from stratum_jupyter.batch.api import predict_file

    quiet = lambda line: None  # noqa: E731
    began = time.perf_counter()
    outcome = predict_file(bundle, str(data), folder / "cold", chunk_rows=chunk_rows,
                           client=client, log=quiet)
    cold = time.perf_counter() - began
    warm, extra = [], []
    for run in range(repeat):
        began = time.perf_counter()
        predict_file(bundle, str(data), folder / f"warm-{run}", chunk_rows=chunk_rows,
                     client=client, log=quiet)
        warm.append(time.perf_counter() - began)
    for run in range(repeat):
        idle = client.run(rss_now)
        with Sampler(client.run(os.getpid)) as sampler:
            predict_file(bundle, str(data), folder / f"sampled-{run}", chunk_rows=chunk_rows,
                         client=client, log=quiet)
        extra.append(max(sampler.peaks.get(a, 0) - idle[a] for a in idle))
    return {"rows": outcome.rows, "cold_s": cold, "warm_s": statistics.median(warm),
            "extra_mb": statistics.median(extra) / 2**20,
            "spread": (f"warm {min(warm):.2f}-{max(warm):.2f} s, peak over idle "
                       f"{min(extra) / 2**20:.1f}-{max(extra) / 2**20:.1f} MB")}


def chunk_bytes(chunk_rows: int) -> int:
    return chunk_rows * FEATURES * 8 * 2  # the Arrow chunk and the runtime's float matrix


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    compare(parser.parse_args())


def compare(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Both models, printed; ``{model: {"throughput": warm / (in-process x workers),
    "memory": peak over idle / (one chunk + the model)}}``."""
    from distributed import Client, LocalCluster

    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="bench-predict-"))
    try:
        data, frame, y = make_data(folder, args.rows, args.chunk_rows)
        models = bundles(folder, frame, y)
        with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                          host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster, \
                Client(cluster) as client:
            print(f"{args.rows:,} rows x {FEATURES} floats, chunks of {args.chunk_rows:,}, "
                  f"{args.workers} workers x 1 thread on {os.cpu_count()} cores; load "
                  f"{load_before[0]:.1f} before")
            ratios = {name: report(name, bundle, client, data, frame, folder / name, args)
                      for name, bundle in models.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load {os.getloadavg()[0]:.1f} after")
    return ratios


def report(name: str, bundle: Path, client, data: Path, frame, folder: Path, args
           ) -> dict[str, float]:
    one, alone = in_process(bundle, frame, with_proba=name == "classifier")
    got = stratum(client, bundle, data, folder, args.chunk_rows)
    target = one * args.workers
    warm, cold = got["rows"] / got["warm_s"], got["rows"] / got["cold_s"]
    model_mb = (bundle / "model.skops").stat().st_size / 2**20
    allowed = 2 * (chunk_bytes(args.chunk_rows) / 2**20 + model_mb)
    both = " (predict + predict_proba)" if name == "classifier" else ""
    print(f"{name}: in-process {one:,.0f} rows/s per thread{both}"
          + (f" [predict alone {alone:,.0f}]" if name == "classifier" else "")
          + f"; x {args.workers} = {target:,.0f}")
    print(f"  stratum predict warm {warm:,.0f} rows/s = {warm / target:.2f}x (target >= "
          f"0.8x); cold (the workers load the model; a first run also imports the "
          f"libraries) {cold:,.0f} rows/s = {cold / target:.2f}x")
    print(f"  median of 3 runs each ({got['spread']})")
    print(f"  peak memory per worker over idle {got['extra_mb']:.1f} MB vs one chunk + the "
          f"model {allowed / 2:.1f} MB: {got['extra_mb'] / (allowed / 2):.2f}x (target <= 2x)")
    return {"throughput": warm / target, "memory": got["extra_mb"] / (allowed / 2)}


if __name__ == "__main__":
    main()
