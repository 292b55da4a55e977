"""Read and write specs as YAML or JSON, losslessly."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import SpecError, SpecIssue


class _SpecLoader(yaml.SafeLoader):
    """YAML 1.1 SafeLoader that also reads ``1e-3`` as a float, as YAML 1.2 and JSON do."""


_SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


class _FieldLoader(_SpecLoader):
    """For the text of one form field: an unquoted Python ``None`` is null too (people write
    ``None, 8``), while a quoted ``"None"`` stays a string."""


_FieldLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^None$"), ["N"])


def parse_text(text: str, *, python_none: bool = False) -> Any:
    """Parse YAML (a superset of JSON) text; syntax errors become a SpecError with the line.
    ``python_none``: an unquoted ``None`` reads as null (form fields)."""
    loader = _FieldLoader if python_none else _SpecLoader
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError([SpecIssue((), f"not valid YAML/JSON{where}: {problem}")]) from None


def read_source(source: str | Path | dict[str, Any]) -> Any:
    """A dict as is; a path to a .yaml/.yml/.json file; or YAML/JSON text."""
    if isinstance(source, dict):
        return source
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and not source.lstrip().startswith("{")
        and source.endswith((".yaml", ".yml", ".json"))
    ):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError([SpecIssue((), f"cannot read spec file {str(path)!r}: "
                                           f"{exc.strerror}")]) from None
        return parse_text(text)
    if isinstance(source, str):
        return parse_text(source)
    raise SpecError([SpecIssue((), f"a spec is a mapping, YAML/JSON text or a file path, "
                                   f"not {type(source).__name__}")])


def dump_yaml(data: dict[str, Any], width: int = 80) -> str:
    """YAML text; PyYAML breaks lines only at spaces past ``width``, so long tokens overflow."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None,
                          width=width)


def dump_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
