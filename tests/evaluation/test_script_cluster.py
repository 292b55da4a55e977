"""stratum_jupyter.evaluate() from a plain script (field case 16): without an
``if __name__ == "__main__":`` guard the local cluster runs in threads (said in one line);
with one, in processes as before; a worker process importing a script never starts a
cluster."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pytest

from stratum_jupyter.errors import EvaluationError
from stratum_jupyter.evaluation import cluster

ROOT = Path(__file__).resolve().parents[2]
BODY = """\
from sklearn.datasets import load_iris

import stratum_jupyter

X, y = load_iris(return_X_y=True, as_frame=True)
spec = '''
version: 1
task: classification
evaluation: {cv: 3, metrics: [accuracy], random_state: 0}
candidates:
  - name: logreg
    steps: [StandardScaler, {LogisticRegression: {max_iter: 1000}}]
'''
"""
# The local cluster first: an evaluation this small would otherwise run in the script's own
# process (inprocess.py) and start no cluster at all.
CALL = 'from stratum_jupyter.evaluation.cluster import local_client\nlocal_client()\n' \
       'result = stratum_jupyter.evaluate(spec, X, y, display="text")\nprint("best:", ' \
       'result.best.candidate)\n'
SCRIPTS = {
    "no guard": BODY + CALL,
    "guard": BODY + 'if __name__ == "__main__":\n' + textwrap.indent(CALL, "    "),
    "guard, call outside": BODY + CALL + 'if __name__ == "__main__":\n    print("done")\n',
    "guard, function": 'def main():\n    import stratum_jupyter\n    '
                       'stratum_jupyter.evaluate(None)\n\n\n'
                       "if '__main__' == __name__:\n    main()\n",
}
THREADS = "stratum: the local Dask cluster runs in threads: "


@pytest.fixture
def main_module(monkeypatch):
    """Make ``__main__`` a script file (or no file)."""
    def as_main(path: Path | None) -> None:
        module = types.ModuleType("__main__")
        if path is not None:
            module.__file__ = str(path)
        monkeypatch.setitem(sys.modules, "__main__", module)
    return as_main


@pytest.mark.parametrize("name,processes", [("no guard", False), ("guard", True),
                                            ("guard, call outside", False),
                                            ("guard, function", True)])
def test_scripts_are_read_for_a_guard(tmp_path, main_module, name, processes):
    script = tmp_path / "script.py"
    script.write_text(SCRIPTS[name])
    main_module(script)
    assert cluster.workers_may_be_processes() is processes


def test_what_is_not_a_readable_script_keeps_processes(tmp_path, main_module, monkeypatch):
    main_module(None)  # a notebook kernel, python -c, standard input
    assert cluster.workers_may_be_processes()
    main_module(tmp_path / "gone.py")
    assert cluster.workers_may_be_processes()
    script = tmp_path / "script.py"
    script.write_text(SCRIPTS["no guard"])
    main_module(script)
    import dask

    with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
        assert cluster.workers_may_be_processes()


def test_a_worker_importing_the_script_never_starts_a_cluster(monkeypatch):
    assert not cluster.importing_main_in_worker()
    monkeypatch.setitem(sys.modules, "__mp_main__", types.ModuleType("__mp_main__"))
    assert cluster.importing_main_in_worker()
    with pytest.raises(EvaluationError, match="evaluate\\(\\) ran while a worker process "
                                              "imported the main script: call it under if "
                                              "__name__ == \"__main__\":"):
        cluster.local_client()


def _run(tmp_path: Path, name: str) -> tuple[subprocess.CompletedProcess, float]:
    script = tmp_path / "evaluate_script.py"
    script.write_text(SCRIPTS[name])
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRATUM_")}
    env["PYTHONPATH"] = str(ROOT)  # a LocalCluster of this process, shown as text
    start = time.monotonic()
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, text=True,
                          capture_output=True, timeout=240)
    return done, time.monotonic() - start


@pytest.mark.slow
def test_field_case_16_a_script_without_guard_runs_in_threads(tmp_path):
    done, seconds = _run(tmp_path, "no guard")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "best: logreg" in done.stdout and "Traceback" not in done.stderr
    assert done.stderr.count(THREADS) == 1
    assert f"{THREADS}{tmp_path / 'evaluate_script.py'} calls evaluate() outside an 'if " \
           "__name__ == \"__main__\":' guard" in done.stderr
    assert len((done.stdout + done.stderr).splitlines()) <= 10
    assert seconds < 120


@pytest.mark.slow
def test_a_script_with_guard_runs_worker_processes(tmp_path):
    done, _ = _run(tmp_path, "guard")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "best: logreg" in done.stdout and "Traceback" not in done.stderr
    assert THREADS not in done.stderr
