"""Who may call the service: a bearer token from the environment (never the command line),
required to listen on an address other than loopback unless the user says ``--insecure``."""

from __future__ import annotations

import ipaddress
from pathlib import Path

try:  # in the stratum_jupyter package
    from .. import envvars
except ImportError:  # in a deploy bundle, where render() copies envvars.py beside the service
    from . import envvars  # type: ignore[no-redef, attr-defined]


class InsecureBind(ValueError):
    """Listening beyond this machine without a token, and without ``--insecure``."""


def load_token() -> str | None:
    """``$STRATUM_SERVICE_TOKEN``, else the first line of the file ``$STRATUM_SERVICE_TOKEN_FILE``
    names (a Docker or Kubernetes secret); None when neither is set."""
    token = envvars.SERVICE_TOKEN.get()
    if token:
        return token
    path = envvars.SERVICE_TOKEN_FILE.get()
    if not path:
        return None
    try:
        lines = Path(path).read_text("utf-8").strip().splitlines()
    except OSError as exc:
        raise InsecureBind(f"${envvars.SERVICE_TOKEN_FILE.name}: cannot read {path}: "
                           f"{exc.strerror or exc}") from None
    if not lines or not lines[0].strip():
        raise InsecureBind(f"${envvars.SERVICE_TOKEN_FILE.name}: {path} is empty")
    return lines[0].strip()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def check_bind(host: str, token: str | None, insecure: bool = False) -> None:
    """InsecureBind when ``host`` reaches beyond this machine with no token and no
    ``insecure``; a token is also refused when it is too short to resist guessing."""
    if token is not None and len(token) < 16:
        raise InsecureBind("the service token is too short: use at least 16 characters "
                           "(e.g. python -c 'import secrets; print(secrets.token_urlsafe())')")
    if token is None and not insecure and not is_loopback(host):
        raise InsecureBind(
            f"refusing to listen on {host} without a token: anyone who reaches it could use "
            f"the model. Set ${envvars.SERVICE_TOKEN.name} (or "
            f"${envvars.SERVICE_TOKEN_FILE.name}, a file that holds it) and send "
            "'Authorization: Bearer <token>', or pass --insecure to serve without one")
