"""Every STRATUM_* variable the package reads is declared in stratum_jupyter.envvars."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import stratum_jupyter
from stratum_jupyter import envvars

PACKAGE = Path(stratum_jupyter.__file__).parent


def test_every_variable_used_is_declared_once():
    declared = [v.name for v in envvars.ALL]
    assert len(declared) == len(set(declared))
    aliases = {a for v in envvars.ALL for a in v.aliases}
    used = set()
    for path in PACKAGE.rglob("*"):
        if path.suffix in {".py", ".j2", ".yml"} and path.name != "envvars.py":
            used |= set(re.findall(r"STRATUM_[A-Z_]+", path.read_text("utf-8")))
    assert used - set(declared) - aliases == set()
    # only envvars.py reads the environment for them
    for path in PACKAGE.rglob("*.py"):
        if path.name != "envvars.py":
            text = path.read_text("utf-8")
            assert not re.search(r"environ(\.get)?[\[(]\s*['\"]STRATUM_", text), path


def test_values_defaults_and_errors(monkeypatch):
    monkeypatch.delenv("STRATUM_PORT", raising=False)
    assert envvars.PORT.get_int() == 8080
    monkeypatch.setenv("STRATUM_PORT", "  ")
    assert envvars.PORT.get() == "8080"  # blank is unset
    monkeypatch.setenv("STRATUM_PORT", "eighty")
    with pytest.raises(ValueError, match=r"\$STRATUM_PORT must be an integer, got 'eighty'"):
        envvars.PORT.get_int()
