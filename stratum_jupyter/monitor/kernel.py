"""The kernel's host and process tree, through psutil."""

from __future__ import annotations

import os
import time

from .base import Sample, Sampler

__all__ = ["KernelSampler"]


class KernelSampler(Sampler):
    """Host CPU (mean and per core) and memory; CPU and RSS of one process and its children.

    CPU percentages come from deltas of ``cpu_times`` kept by this object, not from
    ``psutil.cpu_percent``, whose module-wide state two monitors would disturb. The
    process tree is re-listed only every ``tree_refresh`` seconds: listing children walks
    every process of the machine, the costliest thing a tick would otherwise do.
    """

    source = "kernel"

    def __init__(self, pid: int | None = None, *, tree_refresh: float = 5.0) -> None:
        import psutil

        self._psutil = psutil
        self.pid = pid or os.getpid()
        self._root = psutil.Process(self.pid)
        self._tree_refresh = tree_refresh
        self._tree: dict[int, psutil.Process] = {}
        self._tree_listed = -float("inf")
        self._last_cpu = psutil.cpu_times(percpu=True)
        self._last_proc: dict[int, tuple[float, float]] = {}  # pid -> (cpu seconds, monotonic)

    def describe(self) -> str:
        return f"kernel: host and process tree of pid {self.pid}"

    def sample(self, now: float) -> list[Sample]:
        ps = self._psutil
        rows: list[Sample] = []
        cpu_now = ps.cpu_times(percpu=True)
        per_core = [_busy_percent(a, b) for a, b in zip(self._last_cpu, cpu_now, strict=False)]
        self._last_cpu = cpu_now
        if per_core:
            rows.append(self._row(now, "host", "cpu_percent", sum(per_core) / len(per_core)))
        rows.extend(self._row(now, f"cpu{i}", "cpu_percent", v) for i, v in enumerate(per_core))
        mem = ps.virtual_memory()
        rows.append(self._row(now, "host", "memory_used_bytes", mem.total - mem.available))
        rows.append(self._row(now, "host", "memory_total_bytes", mem.total))
        tree = self._tree_rows(now)
        rows.extend(tree)
        rows.extend(self._shares(now, per_core, tree))
        return rows

    def _shares(self, now: float, per_core: list[float], tree: list[Sample]) -> list[Sample]:
        """The kernel's CPU and everything else's, both as shares of the whole machine (so
        other processes' load is not read as the student's kernel): ``kernel
        host_share_percent`` and ``host others_cpu_percent``."""
        kernel = next((r.value for r in tree if r.metric == "cpu_percent"), None)
        if not per_core or kernel is None:
            return []
        share = min(100.0, kernel / len(per_core))
        host = sum(per_core) / len(per_core)
        return [self._row(now, "kernel", "host_share_percent", share),
                self._row(now, "host", "others_cpu_percent", max(0.0, host - share))]

    def _tree_rows(self, now: float) -> list[Sample]:
        ps = self._psutil
        mono = time.monotonic()
        if mono - self._tree_listed >= self._tree_refresh:
            self._tree_listed = mono
            try:
                procs = [self._root, *self._root.children(recursive=True)]
            except ps.Error:
                return [self._row(now, "kernel", "up", 0)]
            self._tree = {p.pid: self._tree.get(p.pid, p) for p in procs}
        tree_cpu = tree_rss = 0.0
        own_rss = 0.0
        alive = 0
        for pid, proc in list(self._tree.items()):
            try:
                with proc.oneshot():
                    times = proc.cpu_times()
                    rss = proc.memory_info().rss
            except ps.Error:  # ended since it was listed
                self._tree.pop(pid, None)
                self._last_proc.pop(pid, None)
                continue
            alive += 1
            seconds = times.user + times.system
            last = self._last_proc.get(pid)
            self._last_proc[pid] = (seconds, mono)
            if last is not None and mono > last[1]:
                tree_cpu += 100.0 * max(seconds - last[0], 0.0) / (mono - last[1])
            tree_rss += rss
            if pid == self.pid:
                own_rss = rss
        return [
            self._row(now, "kernel", "cpu_percent", tree_cpu),
            self._row(now, "kernel", "rss_bytes", own_rss),
            self._row(now, "kernel", "tree_rss_bytes", tree_rss),
            self._row(now, "kernel", "processes", alive),
        ]


def _busy_percent(before: object, after: object) -> float:
    """Percent of the time between two ``cpu_times`` readings that a core was busy."""
    fields = after._fields  # type: ignore[attr-defined]
    total = sum(getattr(after, f) - getattr(before, f) for f in fields
                if f not in ("guest", "guest_nice"))  # already counted in user/nice
    if total <= 0:
        return 0.0
    idle = sum(getattr(after, f) - getattr(before, f) for f in ("idle", "iowait")
               if f in fields)
    return max(0.0, min(100.0, 100.0 * (total - idle) / total))
