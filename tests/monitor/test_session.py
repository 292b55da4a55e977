from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest

from stratum_jupyter.monitor import Sampler
from stratum_jupyter.monitor.base import MonitorError, Sample
from stratum_jupyter.monitor.kernel import KernelSampler
from stratum_jupyter.monitor.recording import read_record
from stratum_jupyter.monitor.session import THREAD_PREFIX, Monitor, active_monitors, stop_all


def monitor_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]


class Counting(Sampler):
    source = "test"

    def __init__(self, fail_at: int | None = None) -> None:
        self.calls = 0
        self.closed = 0
        self.fail_at = fail_at

    def sample(self, now: float) -> list[Sample]:
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("sensor glitch")
        return [self._row(now, "thing", "calls", self.calls)]

    def close(self) -> None:
        self.closed += 1


@pytest.fixture(autouse=True)
def _no_leftovers():
    yield
    stop_all()
    assert monitor_threads() == []


def test_duration_interval_and_record(tmp_path):
    path = tmp_path / "r.csv"
    sampler = KernelSampler()
    monitor = Monitor([sampler], interval=0.1, window=1.0, record=path, duration=0.55).start()
    assert monitor.running and monitor in active_monitors()
    assert monitor.wait(5)
    assert not monitor.running and monitor not in active_monitors()
    frame = read_record(path)
    ticks = frame["time"].nunique()
    # first tick at start, then every 0.1 s until 0.55 s: 6 on an idle machine; a loaded one
    # may drop some ticks, but none may come after the duration
    assert 3 <= ticks <= 7
    assert len(frame) == sum(len(rows) for _, rows in monitor.ticks)
    assert monitor.window_points == 10


def test_a_failing_sampler_does_not_stop_the_others():
    good, bad = Counting(), Counting(fail_at=2)
    monitor = Monitor([good, bad], interval=0.1, window=1.0, duration=0.45).start()
    monitor.wait(5)
    assert good.calls >= 4 and bad.calls >= 4
    assert monitor.errors == {"test": "RuntimeError: sensor glitch"}
    assert good.closed == 1 and bad.closed == 1


def test_same_key_replaces_and_stop_leaves_no_thread():
    first = Monitor([Counting()], interval=0.1, key="cell-1").start()
    second = Monitor([Counting()], interval=0.1, key="cell-1").start()
    assert not first.running and second.running
    assert len(monitor_threads()) == 1
    assert active_monitors() == [second]
    second.stop()
    second.stop()
    assert monitor_threads() == []


def test_unavailable_samplers_are_notes_not_errors():
    from stratum_jupyter.monitor.gpu import GPUSampler

    gpu = GPUSampler()
    if gpu.available:
        pytest.skip("a GPU is present")
    monitor = Monitor([gpu, Counting()], interval=0.1)
    assert monitor.notes == [gpu.message]
    assert len(monitor.samplers) == 1
    monitor.stop()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"interval": 0}, "--interval: 0 is not allowed"),
    ({"interval": 1, "window": 1}, "--window: 1 is not allowed"),
    ({"duration": -1}, "--duration: -1 is not allowed"),
])
def test_bad_timing(kwargs, message):
    with pytest.raises(MonitorError, match=message):
        Monitor([Counting()], **kwargs)


def test_interpreter_exit_stops_the_monitor_and_closes_its_parquet(tmp_path):
    """A kernel that ends (shutdown, restart) leaves no sampler and a complete record."""
    path = tmp_path / "exit.parquet"
    code = textwrap.dedent(f"""
        import time
        from stratum_jupyter.monitor import Monitor, KernelSampler
        Monitor([KernelSampler()], interval=0.1, record={str(path)!r}).start()
        time.sleep(0.6)
        print("leaving with the monitor running")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    frame = read_record(path)  # Parquet is only readable once its footer was written
    assert frame["time"].nunique() >= 4
    assert time.time() - frame["time"].max().timestamp() < 60
