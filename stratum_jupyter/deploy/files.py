"""The files a deploy bundle takes from the package (the service, the Ansible roles) and the
content hash its image is tagged with."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

__all__ = ["copy_service", "content_hash", "copy_roles"]


def copy_service(dest: Path) -> None:
    """The prediction service into ``dest``, with the package files it shares."""
    src = resources.files("stratum_jupyter.serving")
    dest.mkdir()
    for entry in src.iterdir():
        if entry.name.endswith(".py"):
            (dest / entry.name).write_bytes(entry.read_bytes())
    # The service reads its settings through the package's one declaration of them (its
    # skops trust rule, load_model's too, is its own trust.py), and has stratum_jupyter's own
    # transformers that a model may hold (runtimes.py makes them importable by their name).
    package = resources.files("stratum_jupyter")
    for shared in ("envvars.py", "catalog/dates.py",
                   "catalog/arrowtypes.py", "boosting/boosters.py"):
        (dest / shared.split("/")[-1]).write_bytes(package.joinpath(shared).read_bytes())


def content_hash(out: Path) -> str:
    """What the image is built from, hashed: its tag (12 hex digits)."""
    digest = hashlib.sha256()
    for name in ("Dockerfile", "requirements.txt", "service", "model"):
        path = out / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(out)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()[:12]


def copy_roles(dest: Path, roles: list[str]) -> None:
    """The Ansible roles named into ``dest``."""
    src = resources.files("stratum_jupyter.deploy").joinpath("templates/ansible/roles")
    for role in roles:
        for sub in src.joinpath(role).iterdir():
            (dest / role / sub.name).mkdir(parents=True, exist_ok=True)
            for f in sub.iterdir():
                (dest / role / sub.name / f.name).write_bytes(f.read_bytes())
