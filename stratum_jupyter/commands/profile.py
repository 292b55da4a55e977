"""``stratum profile`` / ``%stratum_profile``: the model's prediction service measured under a
grid of CPU and memory limits and server settings, plotted, and rightsized for a goal."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import Shell

if TYPE_CHECKING:
    from ..profiling import ProfileResult

HELP = ("Measure a model's prediction service (latency, throughput, CPU, memory) under a grid "
        "of CPU and memory limits and server settings, plot it, and recommend the smallest "
        "configuration that meets a latency goal.")


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    add = parser.add_argument
    add("model_dir", help="A saved model folder (e.g. runs/iris/best).")
    add("--out", required=True,
        help="The folder for results.csv (and .parquet), profile.html and the image's bundle.")
    add("--cpus", nargs="+", default=["0.5", "1"], metavar="N",
        help="CPU limits in cores (default: 0.5 1; whole cores for --runner local).")
    add("--memory", nargs="+", default=["256m", "1g"], metavar="SIZE",
        help="Memory limits (e.g. 256m 1g; default: 256m 1g). Locally an address-space limit.")
    add("--threads", nargs="+", default=["2"], metavar="N",
        help="Predict threads of the service's one process (STRATUM_PREDICT_THREADS; "
             "default: 2).")
    add("--batch-size", nargs="+", default=["1"], metavar="ROWS",
        help="Rows per /predict request (default: 1).")
    add("--concurrency", nargs="+", default=["4"], metavar="CLIENTS",
        help="Concurrent keep-alive clients (default: 4).")
    add("--max-batch", nargs="+", default=["1"], metavar="N",
        help="The service's adaptive batching: at most N rows or instances joined per model "
             "call (STRATUM_MAX_BATCH; default: 1, off). Every option's values may also be "
             "given comma-separated (--max-batch 1,8).")
    add("--batch-wait-ms", nargs="+", default=["0"], metavar="MS",
        help="How long a batch waits for more requests (STRATUM_BATCH_WAIT_MS, 0-10000; "
             "default: 0); measured only with a --max-batch above 1.")
    add("--duration", type=float, default=2.0, metavar="S",
        help="Seconds of load per configuration (default 2; at most 60).")
    add("--requests", type=int, default=2000, metavar="N",
        help="At most this many requests per configuration (default 2000).")
    add("--request-timeout", type=float, default=10.0, metavar="S",
        help="Seconds a request may take before it counts as failed (default 10; large "
             "image networks on few cores take longer).")
    add("--slo-p99", metavar="LATENCY",
        help="The goal's p99 latency (e.g. 50ms, 0.05s); with --rps, recommend the "
             "smallest configuration that meets it.")
    add("--rps", type=float, metavar="N",
        help="The goal's request rate (requests per second), with --slo-p99.")
    add("--runner", default="auto", choices=("auto", "docker", "local"),
        help="Where the service runs: docker (containers with --cpus/--memory), local (a "
             "process under CPU affinity and RLIMIT_AS) or auto (docker where an engine "
             "enforces limits; default).")
    add("--base-image", help="Build the profiling image on this base image (offline engines).")
    add("--no-record", action="store_true",
        help="Do not write the summary and rightsizing into the bundle's profile.json.")
    add("--plot", metavar="FILE.html",
        help="Also write the panels of the Stratum paper's figure (latency, host CPU, host "
             "memory per configuration and model) to this static page.")
    add("--plot-with", nargs="+", default=[], metavar="DIR",
        help="Earlier profiles' --out folders (other models) drawn beside this one in --plot.")


def run(args: argparse.Namespace, log: Callable[[str], None]) -> ProfileResult:
    """Profile as ``args`` say (ProfileError for a bad value, before anything starts);
    progress lines go to ``log``."""
    from ..bundle.sizing import Goal
    from ..profiling.api import profile
    from ..profiling.grid import ProfileError, expand, parse_duration_ms
    from ..profiling.measure import Load
    from ..profiling.panels import read_results

    configs = expand(cpus=args.cpus, memory=args.memory, threads=args.threads,
                     batch_size=args.batch_size, concurrency=args.concurrency,
                     max_batch=args.max_batch, batch_wait_ms=args.batch_wait_ms)
    if args.plot_with and not args.plot:
        raise ProfileError("--plot-with: give --plot FILE.html to draw them in")
    if args.plot and not str(args.plot).endswith((".html", ".htm")):
        raise ProfileError(f"--plot: {args.plot!r} must name an .html file")
    others = [read_results(folder) for folder in args.plot_with]  # checked before any work
    if (args.slo_p99 is None) != (args.rps is None):
        raise ProfileError("--slo-p99 and --rps: a goal needs both (e.g. --slo-p99 50ms "
                           "--rps 20)")
    goal = None
    if args.slo_p99 is not None:
        if args.rps <= 0:
            raise ProfileError(f"--rps: {args.rps:g} must be above zero")
        goal = Goal(p99_ms=parse_duration_ms(args.slo_p99), rps=float(args.rps))
    if not 0 < args.duration <= 60:
        raise ProfileError(f"--duration: {args.duration:g} is out of range (allowed: above 0, "
                           "at most 60 seconds)")
    if not 1 <= args.requests <= 100_000:
        raise ProfileError(f"--requests: {args.requests} is out of range (allowed: 1-100000)")
    if not 0 < args.request_timeout <= 600:
        raise ProfileError(f"--request-timeout: {args.request_timeout:g} is out of range "
                           "(allowed: above 0, at most 600 seconds)")
    load = Load(duration=args.duration, max_requests=args.requests,
                timeout=args.request_timeout)
    result = profile(args.model_dir, args.out, configs, load=load, goal=goal,
                     runner=args.runner, base_image=args.base_image,
                     record=not args.no_record, log=log)
    if args.plot:
        from ..profiling.panels import panels

        path = panels([*others, result]).save(args.plot)
        result.files["panels"] = path
        log(f"wrote the panels to {path}")
    return result
