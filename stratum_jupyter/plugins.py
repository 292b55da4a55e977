"""Registries of named plug-ins: built-ins registered in code first, then the entry points of
a group, the way papermill registers its engines. A later registration of a name replaces an
earlier one, so a plugin can refine a built-in.

Used for the bundle's model formats (``bundle.formats``) and deploy's converters
(``deploy.convert``). Entry points are listed by name without loading them; one is loaded
(imported) when it is first asked for. An entry point loads to the registered object itself
or to a callable returning it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from importlib import metadata
from typing import Any, Generic, TypeVar

from .errors import StratumError

T = TypeVar("T")
log = logging.getLogger(__name__)


def entry_points(group: str) -> list[metadata.EntryPoint]:
    """The group's entry points, as the standard library's class (finders of the
    ``importlib_metadata`` backport give their own)."""
    return [metadata.EntryPoint(ep.name, ep.value, group)
            for ep in metadata.entry_points(group=group)]


class Registry(Generic[T]):
    """Named objects of type ``cls`` (``what`` they are, in messages): built-ins (objects, or
    ``"module:attr"`` references loaded on first use), then the entry points of ``group``."""

    def __init__(self, group: str, cls: type[T], what: str,
                 builtins: Mapping[str, T | str] | None = None) -> None:
        self.group = group
        self.cls = cls
        self.what = what
        self._builtins: dict[str, T | metadata.EntryPoint] = {
            name: metadata.EntryPoint(name, value, group) if isinstance(value, str) else value
            for name, value in (builtins or {}).items()}
        self._entries: dict[str, T | metadata.EntryPoint] | None = None

    def register(self, name: str, plugin: T) -> None:
        """Add or replace ``name`` (in this process; entry points persist registrations)."""
        self._table()[name] = plugin

    def reload(self) -> None:
        """Forget what was found (after installing a plugin in a running kernel)."""
        self._entries = None

    def _table(self) -> dict[str, T | metadata.EntryPoint]:
        if self._entries is None:
            table = dict(self._builtins)
            for ep in entry_points(self.group):
                table[ep.name] = ep
            self._entries = table
        return self._entries

    def names(self) -> list[str]:
        """Every registered name, in registration order, without loading any plugin."""
        return list(self._table())

    def __contains__(self, name: object) -> bool:
        return name in self._table()

    def get(self, name: str) -> T:
        """The plugin registered as ``name``, loaded; a StratumError if it cannot be."""
        table = self._table()
        if name not in table:
            raise StratumError(f"no {self.what} {name!r} is registered "
                               f"(registered: {', '.join(table) or 'none'})")
        entry = table[name]
        if isinstance(entry, metadata.EntryPoint):
            entry = table[name] = self._load(entry)
        return entry

    def _load(self, ep: metadata.EntryPoint) -> T:
        try:
            value: Any = ep.load()
            if callable(value) and not isinstance(value, (self.cls, type)):
                value = value()
        except Exception as exc:  # a broken plugin: say which, and why
            raise StratumError(f"the {self.group} entry point {ep.name!r} ({ep.value}) "
                               f"cannot be loaded: {type(exc).__name__}: {exc}") from exc
        if not isinstance(value, self.cls):
            raise StratumError(f"the {self.group} entry point {ep.name!r} ({ep.value}) is a "
                               f"{type(value).__name__}, not a {self.what} "
                               f"({self.cls.__module__}.{self.cls.__qualname__})")
        return value

    def values(self) -> list[T]:
        """Every plugin that loads, in registration order; a broken one is logged, skipped."""
        return list(self._loaded())

    def _loaded(self) -> Iterator[T]:
        for name in self.names():
            try:
                yield self.get(name)
            except StratumError:
                log.exception("skipping a plugin of %s", self.group)

    def find(self, test: Callable[[T], bool]) -> T | None:
        """The last-registered plugin that passes ``test`` (plugins before built-ins)."""
        return next((p for p in reversed(self.values()) if test(p)), None)
