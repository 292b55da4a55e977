"""Shared plumbing of the magics: parsing a magic's line with its command's parser, resolving
a spec argument, turning errors into UsageErrors."""

from __future__ import annotations

import argparse
import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from IPython.core.error import UsageError

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from ..spec import PipelineSpec

F = TypeVar("F", bound=Callable[..., Any])


class HelpShown(Exception):
    """The parser has printed ``--help``: the magic stops there and returns nothing."""


class MagicParser(argparse.ArgumentParser):
    """The parser of a magic's line: the words are split as a shell splits them (quotes
    handled once, here), a mistake raises UsageError (a message, no traceback), and
    ``--help`` prints the help without leaving the kernel."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status:
            raise UsageError(message or f"{self.prog}: bad arguments")
        raise HelpShown()

    def parse_line(self, line: str) -> argparse.Namespace:
        import shlex

        try:
            words = shlex.split(line)
        except ValueError as exc:  # an unclosed quote
            raise UsageError(f"{self.prog}: {exc}: {line}") from None
        return self.parse_args(words)


def magic_parser(name: str, doc: str | None = None) -> MagicParser:
    """The parser of ``%name`` (``stratum_X``): the options of ``stratum X``, declared once in
    :mod:`stratum_jupyter.commands`, plus the magic's own; its description is the command's,
    and the magic's docstring after its first paragraph ends the help."""
    from ..commands import command

    cmd = command(name.removeprefix("stratum_"))
    notes = inspect.cleandoc(doc).partition("\n\n")[2] if doc else ""
    parser = MagicParser(prog=f"%{name}", description=cmd.HELP, epilog=notes or None)
    cmd.add_arguments(parser, shell="magic")
    return parser


def parse_line(magic: Callable[..., Any], line: str) -> argparse.Namespace:
    """Parse a magic's line with its parser (built on first use, then kept as the magic's
    ``parser``). ``--help`` prints the help and raises HelpShown (see :func:`user_errors`)."""
    func = getattr(magic, "__func__", magic)
    parser: MagicParser | None = func.__dict__.get("parser")
    if parser is None:
        parser = magic_parser(func.__name__, func.__doc__)
        func.__dict__["parser"] = parser
    return parser.parse_line(line)


def user_errors(func: F) -> F:
    """Give a magic ``--help``/``-h`` (its parser prints it; the magic returns nothing), and
    report stratum_jupyter's own errors (and bad arguments) as UsageError: a message, no
    traceback."""

    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        from ..errors import StratumError

        try:
            return func(self, *args, **kwargs)
        except HelpShown:
            return None
        except StratumError as exc:
            raise UsageError(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def resolve_spec(shell: InteractiveShell, ref: str | None, cell: str | None) -> PipelineSpec:
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
