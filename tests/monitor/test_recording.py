from __future__ import annotations

import io

import pytest

from stratum_jupyter.monitor.base import COLUMNS, MonitorError, Sample
from stratum_jupyter.monitor.recording import Recorder, read_record, samples_from_frame

T0 = 1_700_000_000.25


def tick(t: float, n: int = 3) -> list[Sample]:
    return [Sample(t, "kernel", f"cpu{i}", "cpu_percent", float(i * 10)) for i in range(n)] + [
        Sample(t, "service", 'svc "a"', "latency_ms", float("nan"))]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip(tmp_path, suffix):
    path = tmp_path / f"sub/record{suffix}"
    recorder = Recorder(path)
    for k in range(3):
        recorder.write(tick(T0 + k))
    recorder.close()
    recorder.close()
    frame = read_record(path)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 12 == recorder.rows
    assert str(frame["time"].dt.tz) == "UTC"
    assert frame["time"].nunique() == 3
    back = samples_from_frame(frame)
    assert back[0] == Sample(T0, "kernel", "cpu0", "cpu_percent", 0.0)
    assert back[3].entity == 'svc "a"' and back[3].value != back[3].value  # NaN kept


def test_csv_is_readable_while_recording(tmp_path):
    path = tmp_path / "live.csv"
    recorder = Recorder(path)
    recorder.write(tick(T0))
    assert len(read_record(path)) == 4  # flushed every tick: a killed kernel keeps its data
    recorder.close()


def test_empty_parquet_is_still_a_valid_file(tmp_path):
    path = tmp_path / "empty.parquet"
    Recorder(path).close()
    frame = read_record(path)
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 0


def test_stream_target_gets_csv():
    out = io.StringIO()
    recorder = Recorder(out)
    recorder.write(tick(T0, 1))
    recorder.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1] == "2023-11-14T22:13:20.250+00:00,kernel,cpu0,cpu_percent,0.0"


def test_unsupported_extension_is_named(tmp_path):
    with pytest.raises(MonitorError, match=r"'\.json' \(allowed: \.csv, \.parquet\)"):
        Recorder(tmp_path / "x.json")
