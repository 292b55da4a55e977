"""Issue 24's serving targets, side by side in one run, four sections, each printing what
it measured, the ratio, the target and a verdict, with the load average:

1. **latency**: the service's p50 on Keras Xception at batch 1 (over HTTP, a PNG body;
   :mod:`xception_latency`) <= 1.05x the in-process ``model.predict`` latency of the same
   decoding, preparation and model (also printed: against ``predict_on_batch``, and a JSON
   tensor body against ``json.loads`` + ``model.predict``);
2. **batching**: adaptive batching >= 1.5x the unbatched throughput at 8 concurrent clients,
   with p99 <= 2x the unbatched p99 (bench_batching.py: a 100-tree forest, single rows);
3. **predict**: ``stratum predict`` rows/s >= 0.8x in-process predict rows/s x workers, and
   peak memory per worker <= 2x one chunk + the model (bench_predict.py);
4. **mlflow**: the tabular service's throughput >= 2x ``mlflow models serve``'s
   (bench_service.py; skipped where MLflow is not installed).

    python benchmarks/bench_serving.py [--quick] [--only latency,batching,predict,mlflow]
                                       [--image-size 299] [--rounds 3]

The machine may be shared: the load average is printed with every figure; compare runs
made together only. ``--quick``: a smoke run (fewer requests and rows, 160x160 images).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_batching  # noqa: E402
import bench_predict  # noqa: E402
import bench_service  # noqa: E402
import xception_latency  # noqa: E402

SECTIONS = ("latency", "batching", "predict", "mlflow")


def verdict(value: float, target: float, most: bool) -> str:
    """``1.02x (target <= 1.05x): met``; ``most``: the target is an upper bound."""
    ok = value <= target if most else value >= target
    return f"{value:.2f}x (target {'<=' if most else '>='} {target}x): " \
           f"{'met' if ok else 'NOT met'}"


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def latency(args: argparse.Namespace) -> list[str]:
    size = args.image_size or (160 if args.quick else 299)
    requests = 5 if args.quick else args.latency_requests
    print(f"\n== 1. latency: Xception {size}x{size}, batch 1, {args.rounds} rounds x "
          f"{requests} requests per side | {load()}", flush=True)
    got = xception_latency.measure(size, requests, args.rounds)
    med, ratio = got["median_ms"], got["ratios"]
    print(f"  PNG body ({got['png_bytes'] / 1e3:.0f} kB): service p50 {med['service_png']:.1f} "
          f"ms, in process (Pillow decode + scaling + model.predict) {med['predict_png']:.1f} "
          f"ms, with predict_on_batch {med['on_batch_png']:.1f} ms")
    print(f"  service / in-process predict_on_batch: {ratio['png_vs_on_batch']:.2f}x "
          "(what the service itself adds: HTTP, Starlette, a thread hop)")
    print(f"  v2 binary tensor (1 FP32 array): service {med['service_binary']:.1f} ms vs "
          f"model.predict on the array {med['predict_binary']:.1f} ms = "
          f"{ratio['binary_vs_predict']:.2f}x")
    print(f"  JSON tensor ({got['json_bytes'] / 1e6:.1f} MB): service {med['service_json']:.1f} "
          f"ms vs json.loads + model.predict {med['predict_json']:.1f} ms = "
          f"{ratio['json_vs_predict']:.2f}x")
    return [f"latency (Xception {size}, PNG, p50 service / in-process model.predict): "
            f"{verdict(ratio['png_vs_predict'], 1.05, True)} | {load()}"]


def batching(args: argparse.Namespace) -> list[str]:
    print(f"\n== 2. batching: 8 clients, forest bundle | {load()}", flush=True)
    ns = argparse.Namespace(clients=8, requests=400 if args.quick else 1200, max_batch=8,
                            wait_ms=2.0)
    got = bench_batching.compare(ns)
    return [f"batching throughput (batched / unbatched): "
            f"{verdict(got['throughput'], 1.5, False)} | {load()}",
            f"batching p99 (batched / unbatched): {verdict(got['p99'], 2, True)} | {load()}"]


def predict(args: argparse.Namespace) -> list[str]:
    print(f"\n== 3. predict: stratum predict on the Dask cluster | {load()}", flush=True)
    ns = argparse.Namespace(rows=200_000 if args.quick else 1_000_000, chunk_rows=50_000,
                            workers=os.cpu_count() or 2)
    got = bench_predict.compare(ns)
    lines = []
    for name, r in got.items():
        lines += [f"predict {name} rows/s (/ in-process x workers): "
                  f"{verdict(r['throughput'], 0.8, False)} | {load()}",
                  f"predict {name} peak memory per worker (/ one chunk + model): "
                  f"{verdict(r['memory'], 2, True)} | {load()}"]
    return lines


def mlflow(args: argparse.Namespace) -> list[str]:
    print(f"\n== 4. mlflow: tabular service vs mlflow models serve | {load()}", flush=True)
    ns = argparse.Namespace(requests=300 if args.quick else 2000, clients=4,
                            warmup=20 if args.quick else 100, mlflow_python=args.mlflow_python)
    results: dict[str, Any] = bench_service.compare(ns)
    bench_service.show(results, ns)
    if "mlflow models serve" not in results:
        return ["mlflow: not installed here; no comparison (NOT measured)"]
    ratio = results["stratum service"]["concurrent_rps"] \
        / results["mlflow models serve"]["concurrent_rps"]
    return [f"tabular service throughput / mlflow models serve: {verdict(ratio, 2, False)} "
            f"| {load()}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="A smoke run.")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"Sections to run, comma-separated ({', '.join(SECTIONS)}).")
    parser.add_argument("--image-size", type=int, default=None,
                        help="Xception's input size (default 299; 160 with --quick).")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency-requests", type=int, default=20,
                        help="Requests per side and round in the latency section.")
    parser.add_argument("--mlflow-python", help="A Python with mlflow (default: this one).")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"--only: unknown section(s) {unknown} (allowed: {', '.join(SECTIONS)})")
    print(f"machine: {os.cpu_count()} cores; {load()} before start (other processes share "
          "these cores: figures vary with their load)")
    runs = {"latency": latency, "batching": batching, "predict": predict, "mlflow": mlflow}
    summary = [line for name in SECTIONS if name in chosen for line in runs[name](args)]
    print("\n== summary\n" + "\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
