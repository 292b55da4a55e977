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


def stop(run_dir: Path) -> str:
    state = _state(run_dir)
    pid = state.get("pid")
    (run_dir / "state.json").unlink(missing_ok=True)
    if not pid or not _alive(pid):
        return "absent"
    os.killpg(pid, signal.SIGTERM)
    for _ in range(50):
        if not _alive(pid):
            return "stopped"
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    return "stopped"


def start(run_dir: Path, host: str, port: int, model_dir: Path, timeout: float) -> str:
    run_dir.mkdir(parents=True, exist_ok=True)
    wanted = {"host": host, "port": port, "model": _model_hash(model_dir),
              "python": sys.executable}
    state = _state(run_dir)
    pid = state.get("pid")
    if pid and _alive(pid):
        if all(state.get(k) == v for k, v in wanted.items()) and _healthy(host, port):
            return "running"
        stop(run_dir)
        word = "restarted"
    else:
        word = "started"
    log = open(run_dir / "service.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "--host", host, "--port", str(port),
         "--model-dir", str(model_dir)],
        cwd=HERE.parent, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    log.close()
    (run_dir / "state.json").write_text(json.dumps({**wanted, "pid": proc.pid}), "utf-8")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (run_dir / "service.log").read_text("utf-8", "replace")[-2000:]
            raise SystemExit(f"the service exited with code {proc.returncode}:\n{tail}")
        if _healthy(host, port):
            return word
        time.sleep(0.2)
    raise SystemExit(f"the service did not answer /health within {timeout:.0f}s")


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
