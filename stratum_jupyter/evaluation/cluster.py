"""Which Dask cluster evaluates: the caller's, the current one, a named scheduler, or a
LocalCluster started once per process and reused.

Order: an explicit ``client``; an explicit ``scheduler`` address; the current
``distributed`` client; ``STRATUM_SCHEDULER``; else a LocalCluster bound to 127.0.0.1 (its
dashboard too), closed when the process exits. Nothing here assumes the workers share this
machine: data travels to them through Dask only.

The LocalCluster's workers are processes, which start by importing the main module (Python's
"spawn"). A script that calls ``evaluate()`` at its top level, without an ``if __name__ ==
"__main__":`` guard, would evaluate again in every worker: for such a script the cluster runs
in threads of this process instead (said in one line on stderr), and a worker process that
imports a script never starts a cluster of its own.
"""

from __future__ import annotations

import ast
import atexit
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

from .. import envvars
from ..errors import EvaluationError

_lock = threading.Lock()
_local: dict[str, Any] = {}  # "cluster", "client" of the per-process LocalCluster
_starting: dict[str, Any] = {}  # "thread", "error", "closed" of its start in the background
_remote: dict[str, Any] = {}  # scheduler address -> Client
# The per-process LocalCluster's workers: housekeeping slower or off (see _new_local).
QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
}


def get_client(client: Any = None, scheduler: str | None = None) -> Any:
    """The ``distributed.Client`` to evaluate on (see the module docstring for the order)."""
    chosen = given_client(client, scheduler)
    return chosen if chosen is not None else local_client()


def given_client(client: Any = None, scheduler: str | None = None) -> Any:
    """The client the caller chose: ``client``, ``scheduler``, the current client or
    ``STRATUM_SCHEDULER``; None where the per-process LocalCluster is the one to use."""
    if client is not None:
        return client
    if scheduler:
        return _connect(scheduler)
    current = _current_client()
    if current is not None:
        return current
    env = envvars.SCHEDULER.get()
    if env:
        return _connect(env)
    return None


def _current_client() -> Any:
    """The running current ``distributed`` client; none without importing distributed
    (seconds in a fresh kernel) when nothing has imported it: then there is none."""
    if "distributed" not in sys.modules:
        return None
    from distributed import default_client

    try:
        current = default_client()
    except ValueError:
        return None
    return current if current.status == "running" else None


def start_local_for_kernel() -> None:
    """Start the per-process LocalCluster in the background in a kernel with a live
    frontend (a person at JupyterLab) where an evaluation would use it (no current client,
    no ``STRATUM_SCHEDULER``). Not in scripts, terminals or papermill runs: they may end
    long before it is up, and an evaluation there starts it when its work needs it."""
    from ..frontend import has_live_frontend

    if not has_live_frontend():
        return
    if envvars.SCHEDULER.get() or _current_client() is not None:
        return
    start_local()


def _connect(address: str) -> Any:
    from distributed import Client

    with _lock:
        existing = _remote.get(address)
        if existing is not None and existing.status == "running":
            return existing
        try:
            client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise EvaluationError(
                f"could not connect to the Dask scheduler at {address!r}: {exc}") from None
        _remote[address] = client
        return client


def local_state() -> str:
    """The per-process LocalCluster, without waiting: ``running``, ``starting`` (in the
    background) or ``stopped``."""
    client = _local.get("client")
    if client is not None and client.status == "running":
        return "running"
    thread = _starting.get("thread")
    return "starting" if thread is not None and thread.is_alive() else "stopped"


def start_local(n_workers: int | None = None) -> None:
    """Start the per-process LocalCluster in a background thread, unless it runs or is
    starting already (or this is a worker importing the main script): the caller goes on,
    and :func:`local_client` waits for it."""
    if importing_main_in_worker():
        return
    with _lock:
        if local_state() != "stopped":
            return
        thread = threading.Thread(target=_start_in_thread, args=(n_workers,), daemon=True,
                                  name="stratum-local-cluster")
        _starting.update(thread=thread, error=None, closed=False)
        thread.start()


def _start_in_thread(n_workers: int | None) -> None:
    try:
        _new_local(n_workers)
    except BaseException as exc:  # kept for local_client to report
        _starting["error"] = exc
    if _starting.get("closed"):  # close_local() came while it started: nobody wants it
        close_local(wait=False)


def local_client(n_workers: int | None = None) -> Any:
    """The LocalCluster of this process: started on first use (or by :func:`start_local`),
    then reused. Waiting for it can be interrupted (Ctrl-C): the start goes on in the
    background and a later call finds it."""
    if importing_main_in_worker():
        raise EvaluationError(
            "evaluate() ran while a worker process imported the main script: call it under "
            "if __name__ == \"__main__\": (or pass a Client)")
    start_local(n_workers)
    thread = _starting.get("thread")
    while thread is not None and thread.is_alive():
        thread.join(0.05)
    client = _local.get("client")
    if client is not None and client.status == "running":
        return client
    error = _starting.get("error")
    if isinstance(error, EvaluationError):
        raise error
    raise EvaluationError(f"could not start a local Dask cluster ({error!r})")


def _new_local(n_workers: int | None) -> None:
    import copy

    import dask
    from distributed import Client, LocalCluster

    processes = workers_may_be_processes()
    if not processes:
        print(f"stratum: the local Dask cluster runs in threads: {_main_file()} calls "
              "evaluate() outside an 'if __name__ == \"__main__\":' guard, which worker "
              "processes need (put the call under it to use processes)", file=sys.stderr,
              flush=True)
    workers = n_workers or max(1, min(os.cpu_count() or 1, 8))
    # One thread per worker process: model fits hold the GIL or use BLAS threads of
    # their own. A worker's housekeeping competes with the fit for the GIL and the
    # CPU: the statistical profiler (the dashboard's Profile page) samples every thread
    # each 10 ms, the event loop ticks every 20 ms, memory is polled every 100 ms.
    # Together ~5% of every fit; this evaluation cluster keeps them slower or off.
    # (The dashboard's Profile page stays empty: the README says how to have one.)
    # The nannies pass ``config`` to every worker process they start, those added later
    # (adaptive scaling) too, as whole top-level sections (it replaces ``distributed``);
    # the set() covers workers run as threads of this process.
    with dask.config.set(QUIET):
        section = {"distributed": copy.deepcopy(dask.config.get("distributed"))}
        try:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=processes,
                protocol="tcp://", host="127.0.0.1", dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR, **({"config": section} if processes else {}),
            )
        except Exception as exc:  # e.g. "Nanny failed to start"
            raise EvaluationError(
                f"could not start a local Dask cluster ({type(exc).__name__}: {exc}); in "
                "a script, call evaluate() under if __name__ == \"__main__\": (or pass "
                "a Client)") from None
    client = Client(cluster, set_as_default=False)
    with _lock:
        _local.update(cluster=cluster, client=client)
    atexit.register(close_local, wait=False)  # again: before distributed's exit handlers
    from .kernel_exit import close_cluster_at_kernel_shutdown

    close_cluster_at_kernel_shutdown(lambda: close_local(wait=False))


def _main_file() -> str | None:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return str(path) if path else None


def workers_may_be_processes() -> bool:
    """Whether worker processes can import the main module without evaluating again: it is
    not a file (a notebook kernel, ``python -c``, standard input), processes are forked, or
    the file has a top-level ``if __name__ == "__main__":`` and calls no ``evaluate`` outside
    it (read with ``ast``). A file that cannot be read is taken as guarded, as before."""
    path = _main_file()
    if path is None:
        return True
    import dask

    if dask.config.get("distributed.worker.multiprocessing-method", "spawn") == "fork":
        return True
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return True
    guarded = False
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_test(node.test):
            guarded = True
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                and any(_calls_evaluate(n) for n in ast.walk(node)):
            return False
    return guarded


def _is_main_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    return (any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
            and any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides))


def _calls_evaluate(node: ast.AST) -> bool:
    """``evaluate(...)``, ``stratum_jupyter.evaluate(...)``, ``builder.evaluate()``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "evaluate") or (
        isinstance(func, ast.Attribute) and func.attr == "evaluate")


def importing_main_in_worker() -> bool:
    """A child process (a Dask worker) running the main script as ``__mp_main__``: while
    multiprocessing imports it (``_inheriting``, the flag multiprocessing checks itself), or
    after."""
    import multiprocessing

    if getattr(multiprocessing.current_process(), "_inheriting", False):
        return True
    return getattr(sys.modules.get("__mp_main__"), "__name__", None) == "__mp_main__"


def close_local(*, wait: bool = True) -> None:
    """Close the per-process LocalCluster (done automatically at exit, without waiting for a
    start in progress: its worker processes end with this one)."""
    thread = _starting.get("thread")
    if thread is not None and thread.is_alive():
        _starting["closed"] = True
        if wait and thread is not threading.current_thread():
            thread.join()
    with _lock:
        client, cluster = _local.pop("client", None), _local.pop("cluster", None)
    # Workers leave with the data scattered to them: the scheduler's lament is no news.
    scheduler_log = logging.getLogger("distributed.scheduler")
    level = scheduler_log.level
    scheduler_log.setLevel(logging.CRITICAL)
    try:
        for obj in (client, cluster):
            if obj is not None:
                try:
                    obj.close()
                except Exception:  # closing at interpreter exit must never raise
                    pass
    finally:
        scheduler_log.setLevel(level)


def close_remote() -> None:
    with _lock:
        clients = list(_remote.values())
        _remote.clear()
    for client in clients:
        try:
            client.close()
        except Exception:
            pass


atexit.register(close_local, wait=False)
atexit.register(close_remote)


def check_workers(client: Any) -> None:
    """Workers run stratum_jupyter's task functions: say clearly when they cannot. (The
    per-process LocalCluster's workers run this very Python: no round trip to ask them.)"""
    if client is _local.get("client"):
        return

    def probe() -> bool:
        import importlib.util

        return importlib.util.find_spec("stratum_jupyter") is not None

    try:
        found = client.run(probe)
    except Exception:  # no workers yet (adaptive scaling from zero): tasks will wait
        return
    missing = sorted(addr for addr, ok in found.items() if not ok)
    if missing:
        raise EvaluationError(
            f"the Dask workers {', '.join(missing)} cannot import stratum_jupyter: install "
            "stratum-jupyter (and the libraries of your pipelines) in the workers' "
            "environment")


def describe(client: Any) -> dict[str, Any]:
    """Scheduler address, dashboard link and worker count, for displays and profiles;
    ``local``: the client's cluster is a ``distributed.LocalCluster`` (not a scheduler it
    was only given the address of)."""
    from distributed import LocalCluster

    info = client.scheduler_info() if client.status == "running" else {}
    workers = info.get("workers", {})
    return {
        "scheduler": getattr(client.scheduler, "address", None),
        "dashboard": _dashboard(client),
        "workers": len(workers),
        "threads": sum(w.get("nthreads", 1) for w in workers.values()),
        "local": isinstance(getattr(client, "cluster", None), LocalCluster),
    }


def _dashboard(client: Any) -> str | None:
    try:
        return client.dashboard_link
    except Exception:  # no dashboard (bokeh missing on the scheduler, or disabled)
        return None


def adapt(client: Any, minimum: int, maximum: int) -> str:
    """Turn on adaptive scaling where the cluster object supports it; says what happened."""
    if minimum < 0 or maximum < max(minimum, 1):
        raise EvaluationError(
            f"--adapt {minimum} {maximum}: need 0 <= MIN <= MAX and MAX >= 1")
    cluster = getattr(client, "cluster", None)
    if cluster is None or not hasattr(cluster, "adapt"):
        return ("adaptive scaling is not available: this client has no cluster object "
                "(connected by address); scale the cluster where it was created")
    cluster.adapt(minimum=minimum, maximum=maximum)
    return f"adaptive scaling on: {minimum} to {maximum} workers"
