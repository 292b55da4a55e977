"""Escaping of user strings for every place the deploy bundle renders them: Dockerfile
strings, YAML (Ansible) values, Markdown, names. Templates only ever see values passed
through one of these."""

from __future__ import annotations

import json
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def slug(text: str, *, default: str = "model", max_len: int = 40) -> str:
    """Lowercase ``[a-z0-9-]`` name for images, containers, directories."""
    out = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:max_len].strip("-")
    return out or default


def dockerfile_string(value: Any) -> str:
    """A double-quoted Dockerfile string (LABEL/ENV values): no newlines, no variable
    expansion, no unbalanced quotes. Backslashes become ``/``: Docker reads ``\\\\`` fine,
    but hadolint cannot parse one just before the closing quote."""
    text = _CONTROL.sub(" ", str(value)).replace("\\", "/")
    text = text.replace('"', '\\"').replace("$", "\\$")
    return f'"{text}"'


def dockerfile_json(values: list[str]) -> str:
    """Exec form (``["a", "b"]``): JSON, which Docker parses without a shell."""
    return json.dumps([_CONTROL.sub(" ", str(v)) for v in values])


def markdown(value: Any) -> str:
    """Inline text for Markdown: HTML and Markdown syntax characters escaped."""
    text = _CONTROL.sub(" ", str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]()#+!|])", r"\\\1", text)


def markdown_code(value: Any) -> str:
    """Inline code span that survives backticks in the value."""
    text = _CONTROL.sub(" ", str(value))
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}"


class _Unsafe(str):
    """A string Ansible must never template (YAML tag ``!unsafe``)."""


def ansible_vars_yaml(variables: dict[str, Any]) -> str:
    """Play variables as YAML, every string tagged ``!unsafe`` so that Ansible never
    evaluates ``{{ }}`` or ``{% %}`` inside user-controlled values."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def unsafe(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
        return dumper.represent_scalar("!unsafe", str(data), style='"')

    Dumper.add_representer(_Unsafe, unsafe)

    def mark(value: Any) -> Any:
        if isinstance(value, str):
            return _Unsafe(value)
        if isinstance(value, list):
            return [mark(v) for v in value]
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        return value

    body = yaml.dump(mark(variables), Dumper=Dumper, sort_keys=False, width=1000,
                     allow_unicode=True, default_flow_style=False, explicit_start=True)
    return body
