"""Shared plumbing of the magics: resolving a spec argument, turning errors into UsageErrors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from IPython.core.error import UsageError

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Give a magic ``--help``/``-h``, and report stratum_jupyter's own errors (and bad
    arguments) as UsageError: a message, no traceback."""

    @functools.wraps(func)
    def wrapper(self: Any, line: str = "", *args: Any, **kwargs: Any) -> Any:
        from ..errors import StratumError

        if {"-h", "--help"} & set(shlex_split(line)):
            parser = getattr(wrapper, "parser", None)  # set by @magic_arguments()
            print(parser.format_help() if parser else func.__doc__)
            return None
        try:
            return func(self, line, *args, **kwargs)
        except StratumError as exc:
            raise UsageError(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def shlex_split(line: str) -> list[str]:
    import shlex

    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def resolve_spec(shell: Any, ref: str | None, cell: str | None) -> Any:
    """The spec named by a magic: the cell body (YAML), a variable of the kernel, or a path."""
    from ..spec import load_spec

    if cell is not None and cell.strip():
        return load_spec(cell)
    if not ref:
        raise UsageError("name a spec: a variable, a .yaml/.json path, or write it in the cell")
    if ref.isidentifier() and ref in shell.user_ns:
        return load_spec(shell.user_ns[ref])
    if ref.endswith((".yaml", ".yml", ".json")):
        return load_spec(ref)
    raise UsageError(f"{ref!r} is neither a variable of this kernel nor a .yaml/.json file")
