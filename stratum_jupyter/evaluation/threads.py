"""The threads a fit may use on a Dask worker: its share of the machine's cores.

BLAS (numpy, Ridge) and OpenMP (HistGradientBoosting) start a thread per core by default.
joblib's loky workers (``GridSearchCV(n_jobs=2)``) each get ``cpu_count // n_jobs``; Dask's
workers only where their nanny set ``OMP_NUM_THREADS`` (it does by default, to 1). A worker
started without a nanny, or workers running as threads of one process (the LocalCluster of a
script without an ``if __name__ == "__main__":`` guard), would otherwise run one BLAS/OpenMP
thread per core in every worker thread: more threads than cores, each waiting on the others.

Each task calls :func:`limit` first: in a Dask worker it sets BLAS and OpenMP to
``cores // (worker threads in this process)``, at most the ``OMP_NUM_THREADS`` the worker
was started with. The setting is process-wide (it is what those libraries offer), so it is
applied once per worker thread and again only when the number changes or new libraries were
imported since.

The refit of the best configuration keeps that share too. It used to take every core of the
machine (as ``GridSearchCV``'s refit does in the caller's process, once its workers are done),
but on a worker it is started while the other workers still fit their last folds (speculated,
or beside the importance tasks), and OpenMP threads wait for each other spinning: on a
2-core machine with the other worker busy, a two-thread HistGradientBoosting refit of 20,000
rows took 22 s where one thread takes under 1 s (9-14 s against 0.8 s measured alone at a
load of 12).
"""

from __future__ import annotations

import os
import sys
import threading

_applied = threading.local()  # .key: (threads, modules loaded) last set by this thread


def share() -> int | None:
    """Threads per fit in this Dask worker process (None outside a worker):
    ``cores // worker threads here`` (at least 1), capped by ``OMP_NUM_THREADS``."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:  # not in a task of a worker
        return None
    from distributed.core import Status
    from distributed.worker import Worker
    from joblib import cpu_count  # loky's count: CPU affinity and cgroup quotas count

    here = [w for w in list(getattr(Worker, "_instances", ())) if w.status == Status.running]
    threads = sum(w.state.nthreads for w in here) or worker.state.nthreads
    n = max(1, cpu_count() // max(threads, 1))
    env = os.environ.get("OMP_NUM_THREADS", "")
    if not (env.isdigit() and int(env) > 0):
        return n
    return min(n, int(env))


def limit() -> int | None:
    """Set BLAS/OpenMP threads for the fit this worker thread runs next to :func:`share`
    (see the module docstring); returns it (None outside a worker: nothing is changed)."""
    n = share()
    if n is None:
        return None
    key = (n, len(sys.modules))
    # OpenMP's setting is per thread, BLAS's per process: set again in a new thread, for a
    # new number or after imports (a library loaded since); ~3 ms, not for every task.
    if getattr(_applied, "key", None) != key:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=n)
        _applied.key = key
    return n
