"""Latency and throughput of the deploy bundle's prediction service (Starlette on uvicorn,
``python -m service`` as the bundle runs it), single-row requests, and the same against
``mlflow models serve`` on the same model where MLflow is installed.

    python benchmarks/bench_service.py [--requests 2000] [--clients 4]
                                       [--mlflow-python /path/to/python-with-mlflow]

Only loopback traffic (127.0.0.1, free ports); every loop is bounded; both servers are
stopped at the end (SIGTERM). MLflow is optional: without it only the service's figures are
printed. The run's conditions (cores, load average before and after) are printed with the
figures: on a shared machine, compare runs made together only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MLFLOW_SAVE = """
import sys, skops.io, mlflow.sklearn
path = sys.argv[1]
model = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
mlflow.sklearn.save_model(model, sys.argv[2])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"no answer on port {port}{path} within {timeout}s")


def measure(port: int, path: str, body: bytes, requests: int, clients: int, warmup: int
            ) -> dict[str, float]:
    """Sequential single-row latency (one keep-alive client), then throughput with
    ``clients`` concurrent keep-alive clients."""
    headers = {"Content-Type": "application/json"}

    def one(conn: http.client.HTTPConnection) -> float:
        start = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"{path} answered {resp.status}")
        return time.perf_counter() - start

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(warmup):
        one(conn)
    lat = sorted(one(conn) for _ in range(requests))
    conn.close()

    per_client = max(1, requests // clients)

    def worker() -> None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(per_client):
            one(c)
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return {"p50_ms": 1000 * statistics.median(lat),
            "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))],
            "sequential_rps": len(lat) / sum(lat),
            "concurrent_rps": per_client * clients / elapsed}


def check_answer(port: int, body: bytes) -> None:
    """The service answers in its documented shape: labels, probabilities keyed by class."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/predict", body=body, headers={"Content-Type": "application/json"})
    answer = json.loads(conn.getresponse().read())
    conn.close()
    if not (answer.get("predictions") and isinstance(answer.get("probabilities", [{}])[0], dict)):
        raise SystemExit(f"unexpected answer: {answer}")


def conditions() -> dict[str, float]:
    load1, load5, _ = os.getloadavg()
    return {"cores": float(os.cpu_count() or 0), "load1": load1, "load5": load5}


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def find_mlflow(explicit: str | None) -> str | None:
    candidates = [explicit] if explicit else [sys.executable]
    for python in candidates:
        if python and subprocess.run([python, "-c", "import mlflow"],
                                     capture_output=True).returncode == 0:
            return python
    return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--mlflow-python", help="A Python with mlflow, skops and the same "
                        "scikit-learn (default: this one, if it has mlflow).")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--json", help="Also write the figures to this file.")
    args = parser.parse_args()
    results = compare(args)
    show(results, args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


def compare(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """The service, then ``mlflow models serve`` (where installed), on one iris pipeline:
    figures by server name, with the run's conditions before and after."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from stratum_jupyter.bundle import save_bundle
    from stratum_jupyter.deploy.render import plan, render

    X, y = load_iris(return_X_y=True, as_frame=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    row = X.iloc[[17]].to_dict(orient="records")
    results: dict[str, dict[str, float]] = {}
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="stratum-bench-") as tmp:
        tmp_path = Path(tmp)
        model_dir = save_bundle(model, tmp_path / "model", X=X, y=y, task="classification")
        bundle = tmp_path / "bundle"
        render(plan(model_dir, "local"), bundle)
        try:
            port = free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "service", "--host", "127.0.0.1", "--port", str(port)],
                cwd=bundle, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            procs.append(proc)
            wait_for(port, "/health", proc)
            check_answer(port, json.dumps({"rows": row}).encode())
            results["run conditions before"] = conditions()
            results["stratum service"] = measure(
                port, "/predict", json.dumps({"rows": row}).encode(), args.requests,
                args.clients, args.warmup)
            stop(proc)

            mlflow_python = find_mlflow(args.mlflow_python)
            if mlflow_python is None:
                print("mlflow: not installed here (pass --mlflow-python); no comparison")
            else:
                subprocess.run([mlflow_python, "-c", MLFLOW_SAVE, str(model_dir / "model.skops"),
                                str(tmp_path / "mlflow-model")], check=True)
                port = free_port()
                # mlflow starts uvicorn/gunicorn from PATH: its own environment's bin first
                env = {**os.environ, "MLFLOW_TRACKING_URI": (tmp_path / "mlruns").as_uri(),
                       "PATH": str(Path(mlflow_python).parent) + os.pathsep
                       + os.environ.get("PATH", "")}
                proc = subprocess.Popen(
                    [mlflow_python, "-m", "mlflow", "models", "serve", "-m",
                     str(tmp_path / "mlflow-model"), "--env-manager", "local", "-h",
                     "127.0.0.1", "-p", str(port), "-w", "1"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True, env=env)
                procs.append(proc)
                wait_for(port, "/ping", proc)
                results["mlflow models serve"] = measure(
                    port, "/invocations", json.dumps({"dataframe_records": row}).encode(),
                    args.requests, args.clients, args.warmup)
        finally:
            for p in procs:
                stop(p)
    results["run conditions after"] = conditions()
    return results


def show(results: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    """The figures as a table, and the ratios (added to ``results``) where MLflow ran."""
    before, after = results["run conditions before"], results["run conditions after"]
    print(f"{before['cores']:.0f} cores; load average {before['load1']:.2f} before, "
          f"{after['load1']:.2f} after")
    print(f"single-row requests: {args.requests} sequential, then {args.clients} clients")
    print(f"{'server':<22}{'p50 ms':>9}{'p99 ms':>9}{'seq req/s':>11}{'conc req/s':>12}")
    for name, r in results.items():
        if name.startswith("run conditions"):
            continue
        print(f"{name:<22}{r['p50_ms']:>9.3f}{r['p99_ms']:>9.3f}{r['sequential_rps']:>11.0f}"
              f"{r['concurrent_rps']:>12.0f}")
    if "mlflow models serve" in results:
        ours, theirs = results["stratum service"], results["mlflow models serve"]
        ratios = {"p50_latency": theirs["p50_ms"] / ours["p50_ms"],
                  "p99_latency": theirs["p99_ms"] / ours["p99_ms"],
                  "concurrent_throughput": ours["concurrent_rps"] / theirs["concurrent_rps"]}
        results["ratio (mlflow / stratum latency, stratum / mlflow throughput)"] = ratios
        print("ratio: mlflow p50 / ours {p50_latency:.2f}x, p99 {p99_latency:.2f}x; "
              "our throughput / mlflow's {concurrent_throughput:.2f}x".format(**ratios))


if __name__ == "__main__":
    sys.exit(main())
