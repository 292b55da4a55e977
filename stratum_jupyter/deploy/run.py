"""Build, run and apply a rendered deploy bundle: the Docker engine through the docker SDK,
hosts through ansible-runner. Every step reports progress through an ``on_event(line)``
callback (``print`` in a notebook streams it into the cell's output)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import envvars
from ..errors import StratumError
from .limits import container_limits, run_options, service_environment
from .record import DeployRecord, read_record, write_record

Log = Callable[[str], None]
"""Where progress lines go (``print`` in a notebook streams them into the cell's output)."""


def manifest(bundle: Path) -> dict[str, Any]:
    try:
        return json.loads((bundle / "bundle.json").read_text("utf-8"))
    except FileNotFoundError:
        raise StratumError(f"{bundle} is not a deploy bundle: no bundle.json") from None


def wait_healthy(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=3) as resp:
                if resp.status == 200:
                    return
        except OSError as exc:
            last = exc
        time.sleep(0.5)
    raise StratumError(f"the service at {url} did not answer /health within {timeout:.0f}s"
                       f" ({last})")


# -- Docker -----------------------------------------------------------------------------------
def docker_client() -> Any:
    """A docker SDK client for ``DOCKER_HOST`` (or the default socket)."""
    try:
        import docker
    except ImportError:
        raise StratumError("--build needs the docker SDK: pip install "
                           "'stratum-jupyter[deploy]'") from None
    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:  # the SDK raises DockerException or requests' errors
        raise StratumError(f"no Docker engine answers at "
                           f"{os.environ.get('DOCKER_HOST') or 'the default socket'}: {exc}"
                           ) from None
    return client


def docker_build(bundle: Path, *, base_image: str | None = None, on_event: Log = print,
                 client: Any = None) -> str:
    """Build the bundle's image (tag from bundle.json); returns the tag."""
    from .targets import check_image

    info = manifest(bundle)
    if not info.get("image"):
        raise StratumError(f"target {info['target']!r} runs as a process: nothing to build")
    client = client or docker_client()
    buildargs = {}
    if base_image:
        buildargs["BASE_IMAGE"] = check_image(base_image, "base_image")
    engine_arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(
        str(client.info().get("Architecture")), str(client.info().get("Architecture")))
    if not info["platform"].endswith("/" + engine_arch):
        on_event(f"warning: this engine is {engine_arch}; building {info['platform']} needs "
                 "QEMU binfmt emulation registered on this machine (else RUN steps fail with "
                 "'exec format error'); or build on a host of that architecture")
    on_event(f"building {info['image']} for {info['platform']}"
             + (f" on {base_image}" if base_image else ""))
    # host network: the engine runs without a bridge; pip reaches PyPI through the host.
    stream = client.api.build(path=str(bundle), tag=info["image"], buildargs=buildargs,
                              network_mode="host", platform=info["platform"], rm=True,
                              forcerm=True, pull=False, decode=True)
    tail: list[str] = []
    for chunk in stream:
        if "error" in chunk:
            raise StratumError("docker build failed: " + str(chunk["error"]).strip()
                               + ("\n" + "".join(tail[-15:]) if tail else ""))
        text = chunk.get("stream")
        if text:
            tail.append(text)
            if text.strip():
                on_event(text.rstrip())
    return info["image"]


def _token_environment() -> dict[str, str]:
    """The service token of this environment (``$STRATUM_SERVICE_TOKEN``, or read here from
    the file ``$STRATUM_SERVICE_TOKEN_FILE`` names), for a container's environment: the
    secret never enters the image or the bundle, and a file of this machine need not exist
    in the container."""
    from ..serving.auth import InsecureBind, load_token

    try:
        token = load_token()
    except InsecureBind as exc:
        raise StratumError(str(exc)) from None
    return {envvars.SERVICE_TOKEN.name: token} if token else {}


def _current_container(bundle: Path, client: Any) -> Any:
    """The container this deploy folder runs now (its deploy.json's, unless stopped), or
    None."""
    import docker.errors

    try:
        record = read_record(bundle)
    except (FileNotFoundError, ValueError):
        return None
    if not record.get("container") or record.get("stopped_at"):
        return None
    try:
        container = client.containers.get(record["container"])
    except docker.errors.NotFound:
        return None
    return container if container.status == "running" else None


def docker_run(bundle: Path, *, on_event: Log = print, client: Any = None,
               timeout: float = 90.0, grace: float = 35.0) -> DeployRecord:
    """Run the bundle's image on this engine (host network, restart policy), wait for
    /health, write deploy.json.

    A container this folder runs already is replaced without a failed request: the new one
    starts beside it and takes over its listening socket (passed over the abstract Unix
    socket ``@stratum-handoff-PORT``, which both reach in the host's network namespace; one
    socket, one queue), answers /health itself (``instance``), and only then is the old one
    stopped (SIGTERM: it finishes its requests, within ``grace`` s) and removed."""
    import docker.errors

    info = manifest(bundle)
    client = client or docker_client()
    name = f"stratum-{info['image'].split('/')[-1].split(':')[0]}-{info['port']}"
    old = _current_container(bundle, client)
    run_name = f"{name}-next" if old is not None and old.name == name else name
    for stale in {name, run_name} - {old.name if old is not None else ""}:
        try:
            client.containers.get(stale).remove(force=True)
            on_event(f"removed the earlier container {stale}")
        except docker.errors.NotFound:
            pass
    instance = f"{name}-{secrets.token_hex(4)}"
    resources = info.get("resources")
    container = client.containers.run(
        info["image"], name=run_name, detach=True, network_mode="host",
        environment={envvars.PORT.name: str(info["port"]), envvars.HOST.name: info["bind"],
                     envvars.HANDOFF.name: f"@stratum-handoff-{info['port']}",
                     envvars.INSTANCE.name: instance,
                     **service_environment(resources), **_token_environment()},
        restart_policy={"Name": "unless-stopped"}, **container_limits(resources))
    if resources:
        on_event(f"limits from the bundle's rightsizing: {' '.join(run_options(resources))}")
    url = f"http://127.0.0.1:{info['port']}"
    on_event(f"started container {run_name} ({container.short_id}); waiting for {url}/health")
    try:
        old = _wait_instance(url, instance, container, old, timeout, grace, on_event)
    except StratumError as exc:
        logs = container.logs(tail=30).decode("utf-8", "replace")
        container.remove(force=True)
        raise StratumError(f"{exc}\ncontainer log:\n{logs}") from None
    if old is not None:
        _stop_container(old, grace, on_event)
    if run_name != name:
        container.rename(name)
    record: DeployRecord = {"target": info["target"], "kind": "container",
                            "image": info["image"], "container": name,
                            "container_id": container.id, "url": url}
    if resources:
        record["resources"] = resources
    return write_record(bundle, record)


def _stop_container(container: Any, grace: float, on_event: Log) -> None:
    """SIGTERM (in-flight requests finish), SIGKILL after ``grace`` s; then remove it."""
    on_event(f"stopping container {container.name} (it finishes its requests in flight)")
    container.stop(timeout=int(grace))
    container.remove(force=True)


def _wait_instance(url: str, instance: str, container: Any, old: Any, timeout: float,
                   grace: float, on_event: Log) -> Any:
    """Until ``instance`` itself answers ``url``/health (two may share the port); returns
    the old container, still to stop (None when it is gone). A container that exits fails,
    unless the old one holds the port and offers no handoff (an older service): then the old
    one is stopped and the restart policy starts the new one again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        container.reload()
        crashed = container.status != "running" or container.attrs["RestartCount"]
        if crashed and old is not False:
            logs = container.logs(tail=20).decode("utf-8", "replace")
            if old is None or "Address already in use" not in logs:
                raise StratumError(f"container {container.name} exited "
                                   f"(code {container.attrs['State']['ExitCode']})")
            on_event(f"{old.name} offers no handoff of its socket: stopping it first")
            _stop_container(old, grace, on_event)
            old = False  # gone; the new one may restart until it binds the port
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=3) as resp:
                if json.loads(resp.read()).get("instance") == instance:
                    return old or None
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise StratumError(f"the service at {url} did not answer /health within {timeout:.0f}s")


# -- Ansible ----------------------------------------------------------------------------------
def _event_line(event: dict[str, Any]) -> str | None:
    kind = event.get("event", "")
    data = event.get("event_data", {})
    host, task = data.get("host", ""), data.get("task", "")
    res = data.get("res") or {}
    if kind == "playbook_on_play_start":
        return f"PLAY {data.get('play', '')}"
    if kind == "runner_on_ok":
        return f"{'changed' if res.get('changed') else 'ok'}: [{host}] {task}"
    if kind == "runner_on_skipped":
        return f"skipping: [{host}] {task}"
    if kind in {"runner_on_failed", "runner_on_unreachable"}:
        if event.get("event_data", {}).get("ignore_errors"):
            return f"failed (ignored): [{host}] {task}"
        # a command's own error (stderr) says more than Ansible's "non-zero return code"
        msg = "\n".join(str(res[k]).strip() for k in ("msg", "stderr") if res.get(k)) \
            or res.get("stdout") or ""
        return f"{'FAILED' if kind == 'runner_on_failed' else 'UNREACHABLE'}: [{host}] {task}: " \
               f"{str(msg).strip()[:2000]}"
    if kind == "runner_retry":
        return f"retrying: [{host}] {task} ({data.get('retries_left', '?')} left)"
    if kind == "playbook_on_stats":
        return "RECAP " + ", ".join(f"{k}={sum((data.get(k) or {}).values())}"
                                    for k in ("ok", "changed", "failures", "skipped"))
    return None


@contextlib.contextmanager
def own_signal_handlers() -> Iterator[None]:
    """ansible-runner installs SIGINT/SIGTERM handlers in the main thread and never puts ours
    back: a kernel would then swallow every later interrupt (Ctrl-C). Restore them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def ansible_apply(bundle: Path, *, inventory: str | Path | None = None, on_event: Log = print,
                  extra_vars: dict[str, Any] | None = None, playbook: str = "playbook.yml"
                  ) -> dict[str, Any]:
    """Run the bundle's playbook (or ``stop.yml``) with ansible-runner, streaming events;
    returns the stats (``{"ok": {host: n}, "changed": {...}, "failures": {...}, ...}``)."""
    try:
        import ansible_runner
    except ImportError:
        raise StratumError("--apply needs ansible-runner: pip install "
                           "'stratum-jupyter[deploy]'") from None
    ansible_dir = (bundle / "ansible").resolve()
    inv = Path(inventory).resolve() if inventory else ansible_dir / "inventory.ini"
    if not inv.exists():
        raise StratumError(f"inventory: no such file {inv}")
    bin_dir = str(Path(sys.executable).parent)

    def handler(event: dict[str, Any]) -> bool:
        line = _event_line(event)
        if line:
            on_event(line)
        return True

    with tempfile.TemporaryDirectory(prefix="stratum-ansible-") as private, \
            own_signal_handlers():
        result = ansible_runner.run(
            private_data_dir=private, project_dir=str(ansible_dir), playbook=playbook,
            inventory=str(inv), event_handler=handler, quiet=True, extravars=extra_vars or {},
            envvars={"PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
                     "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCALHOST_WARNING": "False",
                     "ANSIBLE_RETRY_FILES_ENABLED": "False"})
        stats = result.stats or {}
        if result.status != "successful" or result.rc != 0:
            raise StratumError(f"the playbook {result.status} (rc {result.rc}); "
                               "see the FAILED lines above")
    return stats


def apply(bundle: Path, *, inventory: str | Path | None = None, on_event: Log = print,
          extra_vars: dict[str, Any] | None = None) -> DeployRecord:
    """Apply the playbook and record the result in deploy.json. ``extra_vars`` override
    vars.yml (e.g. ``stratum_install_engine: false`` where the hosts have Docker)."""
    info = manifest(bundle)
    try:
        stats = ansible_apply(bundle, inventory=inventory, on_event=on_event,
                              extra_vars=extra_vars)
    except StratumError as exc:
        log = bundle / "run" / "service.log"
        if info["image"] is not None or not log.is_file():
            raise
        raise StratumError(f"{exc}\nthe service's log {log} ends with:\n{log_tail(log)}"
                           ) from None
    changed = sum((stats.get("changed") or {}).values())
    hosts = sorted(set().union(*[set(v or {}) for v in stats.values() if isinstance(v, dict)]))
    record: DeployRecord
    if info["image"] is None:
        state = json.loads((bundle / "run" / "state.json").read_text("utf-8"))
        host = "127.0.0.1" if info["bind"] in {"0.0.0.0", "::"} else info["bind"]
        record = {"target": info["target"], "kind": "process",
                  "process": {"pid": state["pid"], "python": state["python"],
                              "log": str((bundle / "run" / "service.log").resolve())},
                  "url": f"http://{host}:{info['port']}", "changed": changed}
    else:
        first = hosts[0] if hosts else "127.0.0.1"
        record = {"target": info["target"], "kind": "container", "image": info["image"],
                  "hosts": hosts, "url": f"http://{first}:{info['port']}", "changed": changed}
    if info.get("resources"):
        record["resources"] = info["resources"]
    return write_record(bundle, record)


def log_tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file (a failed service's own error is there)."""
    return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])


def stop(bundle: Path, *, on_event: Log = print) -> bool:
    """Stop what deploy.json says is running on this machine (process or container)."""
    import subprocess

    try:
        record = read_record(bundle)
    except FileNotFoundError:
        return False
    if record.get("kind") == "process":
        python = record["process"]["python"]
        out = subprocess.run([python, "-m", "service.daemon", "stop", "--run-dir", "run"],
                             cwd=bundle, capture_output=True, text=True, check=False)
        on_event(f"service process: {out.stdout.strip() or out.stderr.strip()}")
        return out.returncode == 0
    if record.get("container"):
        import docker.errors

        try:
            container = docker_client().containers.get(record["container"])
        except docker.errors.NotFound:
            return False
        _stop_container(container, 35.0, on_event)
        on_event(f"removed container {record['container']}")
        return True
    return False
