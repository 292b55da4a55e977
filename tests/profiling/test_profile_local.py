"""``stratum profile --runner local``: the service as a process under CPU affinity and an
address-space limit, over 2 CPU limits x 2 memory limits, and its rightsizing."""

import os

import pytest

from stratum_jupyter.bundle.sizing import Goal
from stratum_jupyter.cli import main
from stratum_jupyter.profiling.runners import LocalRunner

from .checks import check_rightsizing, check_table

pytestmark = pytest.mark.slow

TOO_SMALL = 256 * 2**20  # the address space Python, NumPy and scikit-learn need is larger


def test_local_profile_and_rightsizing(iris_bundle, tmp_path, capsys):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("the local runner needs 2 cores to measure 2 CPU limits")
    out = tmp_path / "profile"
    code = main(["profile", str(iris_bundle), "--out", str(out), "--runner", "local",
                 "--cpus", "1", "2", "--memory", "256m", "1g", "--concurrency", "2",
                 "--duration", "1", "--requests", "600", "--slo-p99", "250ms", "--rps", "10"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "local process (CPU affinity" in captured.err
    assert "recommended for p99 <= 250 ms at 10 requests/s" in captured.err
    assert "p99_ms" in captured.out  # the table on standard output
    table = check_table(out, "local", TOO_SMALL)
    check_rightsizing(iris_bundle, table, Goal(250.0, 10.0), LocalRunner(iris_bundle))


def test_bad_input_is_exit_code_2(iris_bundle, tmp_path, capsys):
    code = main(["profile", str(iris_bundle), "--out", str(tmp_path), "--slo-p99", "50ms"])
    assert code == 2
    assert "a goal needs both" in capsys.readouterr().err
    code = main(["profile", str(iris_bundle), "--out", str(tmp_path), "--memory", "lots"])
    assert code == 2
    assert "--memory: 'lots' is not a memory size" in capsys.readouterr().err
    assert not (tmp_path / "results.csv").exists()
