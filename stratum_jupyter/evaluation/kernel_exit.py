"""A Jupyter kernel that holds the local Dask cluster still ends promptly when asked to.

On a shutdown request, ipykernel ends the kernel's child processes itself
(``Kernel._progressively_terminate_all_children``): SIGTERM, then sleeps of up to 10 s
between rounds, then SIGKILL. The cluster's nanny and worker processes, and
multiprocessing's resource tracker (which ignores SIGTERM by design), keep it in that loop
past the kernel manager's patience (JupyterLab and jupyter_client wait a few seconds), so
the kernel is killed: no exit handler runs (the monitor's Parquet records lose their
footer) and a restart waits for the kill. Closing the cluster and ending the tracker first
(it ends when its pipe closes) leaves no child to wait for.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["close_cluster_at_kernel_shutdown"]


def close_cluster_at_kernel_shutdown(close: Callable[[], None]) -> bool:
    """Have this process's Jupyter kernel (if it is one) call ``close`` and end
    multiprocessing's resource tracker when it is asked to shut down, before ipykernel
    signals its children. Idempotent; False outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None or not hasattr(kernel, "do_shutdown"):
        return False
    if getattr(kernel.do_shutdown, "_stratum_closes", None) is not None:
        return True
    original = kernel.do_shutdown

    async def do_shutdown(restart: bool) -> Any:
        try:
            close()
            _end_resource_tracker()
        except Exception:  # shutting down must go on whatever happened here
            pass
        reply = original(restart)
        return await reply if inspect.isawaitable(reply) else reply

    do_shutdown._stratum_closes = close  # type: ignore[attr-defined]
    kernel.do_shutdown = do_shutdown
    return True


def _end_resource_tracker() -> None:
    """Close the pipe to multiprocessing's resource tracker and reap it (the cluster's
    semaphores are released by then, so it has nothing left to clean up)."""
    from multiprocessing import resource_tracker

    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        stop()
