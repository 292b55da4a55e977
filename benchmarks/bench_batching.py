"""Adaptive batching against none, side by side in one run: throughput and p99 latency of
single-row ``/predict`` requests from concurrent clients, to the service run as its own
process (``python -m stratum_jupyter.serving``) without and with ``--max-batch``.

    python benchmarks/bench_batching.py [--clients 8] [--requests 1200] [--max-batch 8]
                                        [--wait-ms 2]

The model is a random forest (100 trees) on iris, whose per-call cost is most of a
single-row prediction's, as for most tree ensembles and neural networks. Only loopback
traffic; both servers are stopped at the end. The load average is printed with the figures:
on a shared machine, compare runs made together only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_service import free_port, wait_for  # noqa: E402


def make_bundle(out: Path) -> tuple[Path, list[bytes]]:
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier

    from stratum_jupyter.bundle import save_bundle

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y)
    path = save_bundle(model, out / "forest", X=X, y=y, task="classification",
                       candidate="forest")
    bodies = [json.dumps({"rows": [row]}).encode() for row in X.to_dict("records")]
    return path, bodies


def load(port: int, bodies: list[bytes], requests: int, clients: int) -> dict[str, float]:
    """``clients`` threads, each on one keep-alive connection, ``requests`` in all."""
    latencies: list[float] = []
    lock, start = threading.Lock(), threading.Barrier(clients + 1)

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        start.wait()
        for i in range(k, requests, clients):
            began = time.perf_counter()
            conn.request("POST", "/predict", bodies[i % len(bodies)],
                         {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - began)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {"rps": requests / wall, "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1]}


def run(bundle: Path, bodies: list[bytes], args: argparse.Namespace, batch: int) -> dict:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "stratum_jupyter.serving", "--host", "127.0.0.1", "--port",
         str(port), "--model-dir", str(bundle), "--max-batch", str(batch),
         "--batch-wait-ms", str(args.wait_ms)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        env={**os.environ, "STRATUM_PREDICT_THREADS": "2"})
    try:
        wait_for(port, "/health", proc)
        load(port, bodies, min(200, args.requests), args.clients)  # warm-up
        return load(port, bodies, args.requests, args.clients)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument("--wait-ms", type=float, default=2.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    compare(parser.parse_args())


def compare(args: argparse.Namespace) -> dict[str, float]:
    """Unbatched, then batched, on one forest bundle; the figures printed; ``{"throughput":
    batched / unbatched req/s, "p99": batched / unbatched p99}``."""
    with tempfile.TemporaryDirectory() as tmp:
        bundle, bodies = make_bundle(Path(tmp))
        print(f"cores {os.cpu_count()}, load before {os.getloadavg()[0]:.1f}; "
              f"{args.clients} clients, {args.requests} single-row requests")
        plain = run(bundle, bodies, args, 1)
        batched = run(bundle, bodies, args, args.max_batch)
        print(f"load after {os.getloadavg()[0]:.1f}")
    for name, figures in (("unbatched", plain), (f"max_batch {args.max_batch}, wait "
                                                  f"{args.wait_ms} ms", batched)):
        print(f"{name:>28}: {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.2f} ms  "
              f"p99 {figures['p99_ms']:7.2f} ms")
    ratios = {"throughput": batched["rps"] / plain["rps"],
              "p99": batched["p99_ms"] / plain["p99_ms"]}
    print(f"throughput {ratios['throughput']:.2f}x (target >= 1.5x), "
          f"p99 {ratios['p99']:.2f}x (target <= 2x)")
    return ratios


if __name__ == "__main__":
    main()
