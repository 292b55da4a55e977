"""How much CPU the monitor's samplers cost at 2 Hz (target: at most 1 % of one core).

Samples, every 0.5 s: the kernel (host, cores, process tree), the workers of a real
2-worker LocalCluster (through the scheduler), the GPUs (NVML; on a machine without one
this is the "no NVIDIA GPU found" path) and one service's Prometheus /metrics (served by a
separate process, so serving it is not counted). Two figures:

- sampler thread: CPU time of the monitor's own thread, per sampler;
- whole process: this process's CPU while monitoring minus the same span idle (this also
  counts the Dask client's event loop answering the monitor's scheduler requests).

    python benchmarks/bench_monitor.py [--seconds 20] [--interval 0.5] [--check]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
import time
from collections import defaultdict

SERVICE = textwrap.dedent("""
    import http.server, sys
    from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
    from prometheus_client import generate_latest
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    requests = Counter("stratum_requests", "requests", registry=registry)
    latency = Histogram("stratum_predict_latency_seconds", "latency", registry=registry)
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.inc(); latency.observe(0.002)
            body = generate_latest(registry)
            self.send_response(200); self.send_header("Content-Length", str(len(body)))
            self.end_headers(); self.wfile.write(body)
        def log_message(self, *a): pass
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
""")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="span of each phase")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between ticks")
    parser.add_argument("--check", action="store_true", help="exit 1 above the 1 %% target")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    from stratum_jupyter.monitor import GPUSampler, KernelSampler, Monitor, ServiceSampler
    from stratum_jupyter.monitor.workers import WorkersSampler

    service = subprocess.Popen([sys.executable, "-c", SERVICE], stdout=subprocess.PIPE,
                               text=True)
    port = int(service.stdout.readline())
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=40)
    client = Client(cluster)
    try:
        time.sleep(2.0)  # let the cluster settle
        cpu0 = time.process_time()
        time.sleep(args.seconds)
        idle = time.process_time() - cpu0

        samplers = [KernelSampler(), WorkersSampler(client), GPUSampler(),
                    ServiceSampler(f"http://127.0.0.1:{port}")]
        cost: dict[str, float] = defaultdict(float)
        for sampler in samplers:
            _instrument(sampler, cost)
        monitor = Monitor(samplers, interval=args.interval, window=120,
                          duration=args.seconds)
        cpu0 = time.process_time()
        monitor.start()
        monitor.wait()
        busy = time.process_time() - cpu0
        ticks = len(monitor.ticks)
        rows = sum(len(r) for _, r in monitor.ticks)
    finally:
        client.close()
        cluster.close()
        service.kill()
        service.wait()

    thread_pct = 100.0 * sum(cost.values()) / args.seconds
    process_pct = 100.0 * max(busy - idle, 0.0) / args.seconds
    print(f"{ticks} ticks at {1 / args.interval:g} Hz over {args.seconds:g} s, "
          f"{rows / max(ticks, 1):.0f} samples per tick")
    for name, seconds in sorted(cost.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<10} {1000 * seconds / max(ticks, 1):6.2f} ms CPU per tick")
    if monitor.notes:
        print("  notes: " + "; ".join(monitor.notes))
    print(f"sampler thread CPU: {thread_pct:.2f} % of one core")
    print(f"whole process CPU over idle: {process_pct:.2f} % of one core "
          f"(idle {100 * idle / args.seconds:.2f} %, monitoring {100 * busy / args.seconds:.2f} %)")
    worst = max(thread_pct, process_pct)
    verdict = "within" if worst <= 1.0 else "ABOVE"
    print(f"samplers CPU at {1 / args.interval:g} Hz: {worst:.2f} % of one core "
          f"({verdict} the 1 % target)")
    return 1 if args.check and worst > 1.0 else 0


def _instrument(sampler, cost: dict[str, float]) -> None:
    """Count the CPU time of the monitor thread inside ``sampler.sample``."""
    sample = sampler.sample

    def timed(now):
        start = time.thread_time()
        try:
            return sample(now)
        finally:
            cost[sampler.source] += time.thread_time() - start

    sampler.sample = timed


if __name__ == "__main__":
    sys.exit(main())
