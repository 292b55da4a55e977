"""Deploy tests' knowledge base, Keras switch and Docker engine (the bundles they deploy are
in tests/conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HOSTILE = "m\"o'd`e$(id)l\n RUN rm -rf / {{ lookup('pipe', 'id') }} ; --\\"


@pytest.fixture
def user_kb(tmp_path, monkeypatch) -> Path:
    """An empty user knowledge base for this test only."""
    path = tmp_path / "kb.sqlite"
    monkeypatch.setenv("STRATUM_KB", str(path))
    return path


@pytest.fixture(autouse=True)
def _isolated_kb(tmp_path, monkeypatch):
    # Never read the developer's own ~/.config/stratum/kb.sqlite in tests.
    if "STRATUM_KB" not in __import__("os").environ:
        monkeypatch.setenv("STRATUM_KB", str(tmp_path / "no-user-kb.sqlite"))


@pytest.fixture
def without_keras(monkeypatch):
    """The registries as they are where the Keras plug-in is not installed."""
    from stratum_jupyter import plugins
    from stratum_jupyter.bundle.formats import MODEL_FORMATS
    from stratum_jupyter.deploy.convert import CONVERTERS

    found = plugins.entry_points
    monkeypatch.setattr(plugins, "entry_points", lambda group: [
        ep for ep in found(group) if not ep.value.startswith("stratum_jupyter.keras")])
    for registry in (CONVERTERS, MODEL_FORMATS):
        registry.reload()
    yield
    monkeypatch.undo()
    for registry in (CONVERTERS, MODEL_FORMATS):
        registry.reload()


def venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def docker_engine():
    """A private Docker engine (scripts/docker-engine.sh: no bridge network) and the offline
    base image; skipped, with the reason, only where dockerd cannot start."""
    import os
    import subprocess

    script = REPO / "scripts" / "docker-engine.sh"
    was_up = subprocess.run(["docker", "version"], capture_output=True,
                            env={**os.environ, "DOCKER_HOST": _docker_host()}).returncode == 0 \
        if shutil_which("docker") else False
    start = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True)
    if start.returncode == 3:
        reason = f"no Docker engine can start here: {start.stderr.strip()[-500:]}"
        print(reason)
        pytest.skip(reason)
    assert start.returncode == 0, start.stderr
    host = start.stdout.strip().split("=", 1)[1]
    image = subprocess.run(["bash", str(script), "base-image"], capture_output=True, text=True,
                           timeout=900)
    assert image.returncode == 0, image.stderr
    old = os.environ.get("DOCKER_HOST")
    os.environ["DOCKER_HOST"] = host
    yield {"host": host, "base_image": image.stdout.strip().splitlines()[-1]}
    if old is None:
        os.environ.pop("DOCKER_HOST", None)
    else:
        os.environ["DOCKER_HOST"] = old
    if not was_up and not os.environ.get("STRATUM_KEEP_DOCKER"):
        subprocess.run(["bash", str(script), "stop"], capture_output=True)


def _docker_host() -> str:
    import os

    state = os.environ.get("STRATUM_DOCKER_DIR", "/tmp/stratum-docker")
    return f"unix://{state}/docker.sock"


def shutil_which(name: str) -> str | None:
    import shutil

    return shutil.which(name)
