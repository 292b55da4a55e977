"""Where a configuration runs: a container on the Docker engine (``--cpus``/``--memory``,
host network) or a process on this machine (CPUs by affinity, memory by ``RLIMIT_AS``).

A runner's ``start(config, port)`` returns a :class:`Running` service (its URL on loopback,
the monitor sampler that measures it, and ``failure()``/``stop()``), or raises
:class:`ConfigFailed` with the reason when the configuration cannot run at all (the
container was OOM-killed while loading the model, the process ran out of address space):
that is a result of the profile, not an error of it.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import envvars
from ..monitor.base import Sampler
from .grid import Config, format_size

__all__ = ["ConfigFailed", "Running", "LocalRunner", "DockerRunner", "choose_runner"]

Log = Callable[[str], None]
# How a process says it ran out of memory. Under RLIMIT_AS, CPython sometimes reports a
# failed allocation inside an import as "SystemError: error return without exception set".
OOM_WORDS = ("MemoryError", "Cannot allocate memory", "failed to map segment",
             "std::bad_alloc", "out of memory", "error return without exception set")


# argv: cores (comma-separated), address-space bytes, then the service's own options
_LIMITED = """
import os, resource, runpy, sys
os.sched_setaffinity(0, {int(c) for c in sys.argv[1].split(",")})
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
sys.argv = ["service", *sys.argv[3:]]
runpy.run_module("stratum_jupyter.serving", run_name="__main__", alter_sys=True)
"""


class ConfigFailed(Exception):
    """This configuration could not serve: ``reason`` says why (kept in its row)."""


class Running:
    """A started service: ``url``, the ``sampler`` that measures it and the ``cpu``/``memory``
    (entity, metric) pairs to read from its rows; ``failure()`` says why it stopped serving
    (None while it runs); ``stop()`` ends it."""

    def __init__(self, url: str, sampler: Sampler, cpu: tuple[str, str],
                 memory: tuple[str, str], failure: Callable[[], str | None],
                 stop: Callable[[], None]) -> None:
        self.url, self.sampler, self.cpu, self.memory = url, sampler, cpu, memory
        self.failure, self._stop = failure, stop

    def stop(self) -> None:
        try:
            self._stop()
        finally:
            self.sampler.close()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def _wait(url: str, failure: Callable[[], str | None], timeout: float,
          hint: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        why = failure()
        if why:
            raise ConfigFailed(why)
        if _healthy(url):
            return
        time.sleep(0.1)
    raise ConfigFailed(f"the service did not answer /health within {timeout:.0f}s{hint}")


def _environment(config: Config, port: int) -> dict[str, str]:
    # One BLAS thread: the service predicts on its own pool of threads (the grid's axis);
    # nested BLAS pools oversubscribe the CPU limit (and OpenBLAS hangs when its buffers
    # cannot be allocated under an address-space limit)
    blas = "1"
    return {envvars.PORT.name: str(port), envvars.HOST.name: "127.0.0.1",
            envvars.PREDICT_THREADS.name: str(config.threads), "OPENBLAS_NUM_THREADS": blas,
            "OMP_NUM_THREADS": blas, "MKL_NUM_THREADS": blas,
            # always set: they win over a "serving" block the bundle's profile.json holds
            envvars.MAX_BATCH.name: str(config.max_batch),
            envvars.BATCH_WAIT_MS.name: f"{config.batch_wait_ms:g}"}


class LocalRunner:
    """The service as a process of this Python (``python -m stratum_jupyter.serving``)
    under limits the kernel applies to it: CPU affinity to the first ``ceil(cpus)`` cores
    this process may use (whole cores: a fraction is rounded up) and an address-space limit
    (``RLIMIT_AS``) of the memory limit. An address-space limit is stricter than a
    container's resident-memory limit: libraries reserve more than they touch."""

    name = "local"

    def __init__(self, model_dir: Path, *, startup_timeout: float = 30.0) -> None:
        self.model_dir = Path(model_dir)
        self.cores = sorted(os.sched_getaffinity(0))
        self.startup_timeout = startup_timeout

    def describe(self) -> str:
        return (f"local process (CPU affinity over {len(self.cores)} core(s), memory by "
                "RLIMIT_AS address space)")

    def start(self, config: Config, port: int) -> Running:
        from ..monitor.kernel import KernelSampler

        wanted = math.ceil(config.cpus)
        if wanted > len(self.cores):
            raise ConfigFailed(f"cpus {config.cpus:g}: this process may use {len(self.cores)} "
                               "core(s) only")
        cores, limit = self.cores[:wanted], config.memory_bytes
        log = tempfile.TemporaryFile()
        # The child limits itself before it imports anything (no preexec_fn: unsafe in a
        # kernel's threaded process)
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", _LIMITED, ",".join(map(str, cores)), str(limit),
             "--host", "127.0.0.1", "--port", str(port), "--model-dir", str(self.model_dir)],
            env={**os.environ, **_environment(config, port)}, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

        def failure() -> str | None:
            if proc.poll() is None:
                return None
            log.seek(0)
            tail = log.read().decode("utf-8", "replace")[-1500:]
            if any(word in tail for word in OOM_WORDS):
                return (f"out of memory: the process exceeded its {format_size(limit)} "
                        f"address-space limit (exit code {proc.returncode})")
            return f"the service exited with code {proc.returncode}: {tail[-400:]}"

        def stop() -> None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
            log.close()

        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url, failure, self.startup_timeout,
                  f" (under a {format_size(limit)} address-space limit: likely out of memory)")
        except BaseException:
            stop()
            raise
        sampler = KernelSampler(proc.pid, tree_refresh=1.0)
        return Running(url, sampler, ("kernel", "cpu_percent"), ("kernel", "tree_rss_bytes"),
                       failure, stop)


class DockerRunner:
    """The service in a container of the model's image (target ``cloud-x86``, built once,
    reused while the model is unchanged), run with ``--cpus``, ``--memory`` (and as much
    swap: none), ``--network host``; measured by ``docker stats``."""

    name = "docker"

    def __init__(self, model_dir: Path, work_dir: Path, *, client: Any,
                 base_image: str | None = None, log: Log = print,
                 startup_timeout: float = 90.0) -> None:
        self.model_dir, self.client = Path(model_dir), client
        self.startup_timeout = startup_timeout
        self.image = self._image(Path(work_dir), base_image, log)
        self._count = 0

    def describe(self) -> str:
        return f"docker containers of {self.image} (--cpus, --memory, --network host)"

    def _image(self, work_dir: Path, base_image: str | None, log: Log) -> str:
        """Render the model's cloud-x86 bundle from a copy whose profile.json holds no
        earlier profile (so the image's content tag stays the same), build it unless the
        engine has it."""
        import json

        from ..deploy.render import plan, render
        from ..deploy.run import docker_build

        with tempfile.TemporaryDirectory(prefix="stratum-profile-model-") as tmp:
            model = Path(tmp) / "model"
            shutil.copytree(self.model_dir, model)
            profile = json.loads((model / "profile.json").read_text("utf-8"))
            for key in ("rightsizing", "resource_profile", "serving"):
                profile.pop(key, None)
            (model / "profile.json").write_text(json.dumps(profile), "utf-8")
            bundle = work_dir / "image"
            manifest = render(plan(model, "cloud-x86", base_image=base_image, name="profile"),
                              bundle)
        image = str(manifest["image"])
        try:
            self.client.images.get(image)
            log(f"reusing image {image}")
        except Exception:
            docker_build(bundle, base_image=base_image, client=self.client,
                         on_event=lambda line: None)
            log(f"built image {image}")
        return image

    def start(self, config: Config, port: int) -> Running:
        import docker.errors

        self._count += 1
        name = f"stratum-profile-{os.getpid()}-{self._count}"
        try:
            container = self.client.containers.run(
                self.image, name=name, detach=True, network_mode="host",
                nano_cpus=int(config.cpus * 1e9), mem_limit=config.memory_bytes,
                memswap_limit=config.memory_bytes, environment=_environment(config, port))
        except docker.errors.APIError as exc:
            raise ConfigFailed(f"docker refused the configuration: {exc.explanation or exc}"
                               ) from None

        def failure() -> str | None:
            try:
                container.reload()
            except docker.errors.NotFound:
                return "the container is gone"
            state = container.attrs["State"]
            if state.get("Running"):
                return None
            if state.get("OOMKilled") or state.get("ExitCode") == 137:
                return (f"out of memory: the container was OOM-killed at its "
                        f"{format_size(config.memory_bytes)} limit")
            logs = container.logs(tail=10).decode("utf-8", "replace")
            return f"the container exited with code {state.get('ExitCode')}: {logs[-400:]}"

        def stop() -> None:
            try:
                container.remove(force=True)
            except docker.errors.NotFound:
                pass

        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url, failure, self.startup_timeout)
        except BaseException:
            stop()
            raise
        sampler = ContainerUsage(container)
        return Running(url, sampler, (name, "cpu_percent"), (name, "memory_bytes"),
                       failure, stop)


class ContainerUsage(Sampler):
    """CPU and memory of one container from its cgroup counters (``docker stats``, one
    shot): CPU as the growth of its CPU time over wall time (percent of one core; the
    engine's own figure divides by the host's CPU time, which is coarse on shared hosts),
    memory as usage less inactive page cache, as ``docker stats`` shows it."""

    source = "container"

    def __init__(self, container: Any) -> None:
        self.container = container
        self._last: tuple[float, float] | None = None  # (cpu ns, monotonic s)

    def sample(self, now: float) -> list[Any]:
        try:
            stats = self.container.stats(stream=False, one_shot=True)
        except Exception:
            return [self._row(now, self.container.name, "up", 0)]
        name, mono = self.container.name, time.monotonic()
        used = ((stats.get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage")
        rows = [self._row(now, name, "up", 1)]
        if used is not None:
            if self._last is not None and mono > self._last[1]:
                rows.append(self._row(now, name, "cpu_percent", 100.0 * max(
                    used - self._last[0], 0) / 1e9 / (mono - self._last[1])))
            self._last = (used, mono)
        memory = stats.get("memory_stats") or {}
        if memory.get("usage") is not None:
            detail = memory.get("stats") or {}
            inactive = detail.get("total_inactive_file", detail.get("inactive_file", 0))
            rows.append(self._row(now, name, "memory_bytes", memory["usage"] - inactive))
        return rows


def choose_runner(kind: str, model_dir: Path, work_dir: Path, *,
                  base_image: str | None = None, log: Log = print
                  ) -> LocalRunner | DockerRunner:
    """``docker``, ``local`` or ``auto`` (Docker where an engine answers and enforces CPU
    and memory limits, else local; the reason is said to ``log``)."""
    if kind == "local":
        return LocalRunner(model_dir, startup_timeout=startup_timeout(model_dir, 30.0))
    why = _docker_unusable()
    if why is None:
        from ..deploy.run import docker_client

        return DockerRunner(model_dir, work_dir, client=docker_client(),
                            base_image=base_image, log=log,
                            startup_timeout=startup_timeout(model_dir, 90.0))
    if kind == "docker":
        from .grid import ProfileError

        raise ProfileError(f"--runner docker: {why}")
    log(f"{why}: profiling the local process instead")
    return LocalRunner(model_dir, startup_timeout=startup_timeout(model_dir, 30.0))


SLOW_STARTS = {"keras": 300.0}
"""Seconds a service of these model kinds may take to answer /health: TensorFlow's import
and loading a network such as InceptionResNetV2 (215 MB) take minutes on a busy host."""


def startup_timeout(model_dir: Path, default: float) -> float:
    """How long the service of ``model_dir`` may take to start: ``default``, longer for
    the kinds of :data:`SLOW_STARTS` (read from its profile.json's ``kind``)."""
    import json

    try:
        kind = json.loads((Path(model_dir) / "profile.json").read_text("utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return default
    return max(default, SLOW_STARTS.get(str(kind), 0.0))


def _docker_unusable() -> str | None:
    """None where a Docker engine answers and enforces --cpus and --memory; else why not."""
    try:
        import docker
    except ImportError:
        return "the docker package is missing (pip install 'stratum-jupyter[deploy]')"
    try:
        client = docker.from_env(timeout=10)
        info = client.info()
    except Exception as exc:
        return f"no Docker engine answers ({str(exc).splitlines()[0][:160]})"
    missing = [flag for flag, key in (("--cpus", "CpuCfsQuota"), ("--memory", "MemoryLimit"))
               if not info.get(key)]
    client.close()
    if missing:
        return f"this Docker engine does not enforce {' and '.join(missing)} (no cgroup support)"
    return None
