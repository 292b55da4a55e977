"""Run the service as a background process (the ``local`` target), idempotently.

``python -m service.daemon start --port P --run-dir DIR`` prints ``running`` when the same
model already answers on that port, ``started``/``restarted`` otherwise (Ansible reads the
word to report ``changed``); ``stop`` prints ``stopped`` or ``absent``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _model_hash(model_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(model_dir.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a reused pid is not ours
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        return b"service" in cmdline
    except OSError:
        return True


def _healthy(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _state(run_dir: Path) -> dict:
    try:
        return json.loads((run_dir / "state.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def stop(run_dir: Path, grace: float = 5.0) -> str:
    state = _state(run_dir)
    pid = state.get("pid")
    (run_dir / "state.json").unlink(missing_ok=True)
    if not pid or not _alive(pid):
        return "absent"
    _terminate(pid, grace)
    return "stopped"


def _terminate(pid: int, grace: float) -> None:
    """SIGTERM (the service finishes its requests in flight), SIGKILL after ``grace`` s."""
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


def _serving_pid(host: str, port: int) -> int | None:
    """The pid of the process that answered /health (two may share the port)."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/health", timeout=2) as resp:
            return json.loads(resp.read()).get("pid") if resp.status == 200 else None
    except (OSError, ValueError):
        return None


def _spawn(run_dir: Path, host: str, port: int, model_dir: Path) -> subprocess.Popen:
    log = open(run_dir / "service.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "--host", host, "--port", str(port),
         "--model-dir", str(model_dir),
         # relative to the service's folder: a Unix socket's path holds 107 bytes at most
         "--handoff", os.path.relpath(run_dir.resolve() / "handoff.sock", HERE.parent)],
        cwd=HERE.parent, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    log.close()
    return proc


def _wait_ready(proc: subprocess.Popen, run_dir: Path, host: str, port: int,
                timeout: float) -> bool:
    """Until the new process itself answers /health: True; False if it exited (its log's
    tail is kept for the error)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _serving_pid(host, port) == proc.pid:
            return True
        time.sleep(0.05)
    _terminate(proc.pid, 2.0)
    raise SystemExit(f"the service did not answer /health within {timeout:.0f}s")


def _log_tail(run_dir: Path) -> str:
    return (run_dir / "service.log").read_text("utf-8", "replace")[-2000:]


def _failed(proc: subprocess.Popen, run_dir: Path) -> SystemExit:
    return SystemExit(f"the service exited with code {proc.returncode}:\n{_log_tail(run_dir)}")


def start(run_dir: Path, host: str, port: int, model_dir: Path, timeout: float,
          grace: float = 35.0) -> str:
    """Start the service; a running one with another model (or address) is replaced without
    a failed request: the new process takes over the old one's listening socket (passed over
    ``run/handoff.sock``; both accept from its one queue), and only once it answers /health
    itself is the old one sent SIGTERM (it finishes its requests; closing its copy of the
    socket leaves the queue to the new process)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    wanted = {"host": host, "port": port, "model": _model_hash(model_dir),
              "python": sys.executable}
    state = _state(run_dir)
    old = state.get("pid")
    if not old or not _alive(old):
        old = None
    elif all(state.get(k) == v for k, v in wanted.items()) and _healthy(host, port):
        return "running"
    word = "started" if old is None else "restarted"
    proc = _spawn(run_dir, host, port, model_dir)
    if not _wait_ready(proc, run_dir, host, port, timeout):
        if old is None or "Address already in use" not in _log_tail(run_dir):
            raise _failed(proc, run_dir)
        # the old process holds the port and offers no handoff (an older service): stop it
        _terminate(old, grace)
        old = None
        proc = _spawn(run_dir, host, port, model_dir)
        if not _wait_ready(proc, run_dir, host, port, timeout):
            raise _failed(proc, run_dir)
    (run_dir / "state.json").write_text(json.dumps({**wanted, "pid": proc.pid}), "utf-8")
    if old is not None:
        _terminate(old, grace)
    return word


def main() -> None:
    parser = argparse.ArgumentParser(prog="service.daemon", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "restart"])
    parser.add_argument("--run-dir", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--model-dir", type=Path, default=HERE.parent / "model")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    if args.action == "stop":
        print(stop(args.run_dir))
        return
    if args.action == "restart":
        stop(args.run_dir)
    print(start(args.run_dir, args.host, args.port, args.model_dir.resolve(), args.timeout))


if __name__ == "__main__":
    main()
