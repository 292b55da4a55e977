"""Blocks: the estimators and transformers a spec can name, as serialisable data."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..suggest import close_matches
from .params import ParamInfo, check_value, describe_params

KINDS = ("transformer", "classifier", "regressor", "clusterer")
TASK_KIND = {"classification": "classifier", "regression": "regressor", "clustering": "clusterer"}


@dataclass(frozen=True)
class Block:
    """One pipeline building block.

    ``kind`` is its main role; ``roles`` all it can play (KMeans is a clusterer and a
    transformer). ``module`` is the public module it is imported from in generated code.
    """

    name: str
    kind: str
    roles: frozenset[str]
    module: str
    library: str
    doc: str
    params: tuple[ParamInfo, ...]
    deprecated: bool = False
    cls: type | None = field(default=None, compare=False, repr=False)

    @property
    def is_transformer(self) -> bool:
        return "transformer" in self.roles

    def param(self, name: str) -> ParamInfo | None:
        return next((p for p in self.params if p.name == name), None)

    def load(self) -> type:
        """The estimator class."""
        if self.cls is not None:
            return self.cls
        return getattr(importlib.import_module(self.module), self.name)

    def to_python(self, params: dict[str, Any]) -> dict[str, Any]:
        """Spec values as the estimator takes them (lists as tuples where scikit-learn asks
        for a tuple: :meth:`ParamInfo.to_python`)."""
        infos = {p.name: p for p in self.params}
        return {name: infos[name].to_python(value) if name in infos else value
                for name, value in params.items()}

    def check_param(self, name: str, value: Any) -> str | None:
        """None if ``value`` is allowed for ``name``, else a message saying what is allowed."""
        return check_value(self.load(), name, value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "roles": sorted(self.roles),
            "module": self.module,
            "library": self.library,
            "doc": self.doc,
            "params": [p.to_dict() for p in self.params],
        }


def block_from_class(cls: type, *, library: str | None = None, module: str | None = None) -> Block:
    """Describe any scikit-learn compatible estimator class as a :class:`Block`."""
    roles, deprecated = _roles(cls)
    kind = next((k for k in ("classifier", "regressor", "clusterer") if k in roles), "transformer")
    doc = (cls.__doc__ or "").strip().splitlines()[0].strip() if cls.__doc__ else ""
    return Block(
        name=cls.__name__,
        kind=kind,
        roles=frozenset(roles),
        module=module or public_module(cls),
        library=library or cls.__module__.split(".")[0],
        doc=doc,
        params=describe_params(cls),
        deprecated=deprecated,
        cls=cls,
    )


def _roles(cls: type) -> tuple[set[str], bool]:
    """What an estimator class can do, from its tags (mixins when it cannot be built), and
    whether building it warns that it is deprecated."""
    import warnings

    from sklearn import base

    roles = set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            instance = cls()
        except Exception:
            instance = None
    deprecated = any("deprecated" in str(w.message) for w in caught
                     if issubclass(w.category, FutureWarning | DeprecationWarning))
    try:
        estimator_type = base.get_tags(instance).estimator_type  # tags need an instance
    except Exception:
        estimator_type = None
        for mixin, kind in ((base.ClassifierMixin, "classifier"),
                            (base.RegressorMixin, "regressor"), (base.ClusterMixin, "clusterer")):
            if issubclass(cls, mixin):
                estimator_type = kind
    if estimator_type == "density_estimator" and hasattr(cls, "predict") \
            and hasattr(cls, "fit_predict"):
        estimator_type = "clusterer"  # a mixture labels each row with its component
    if estimator_type in ("classifier", "regressor", "clusterer"):
        roles.add(estimator_type)
    if hasattr(cls, "transform"):
        roles.add("transformer")
    return roles, deprecated


def public_module(cls: type) -> str:
    """The shortest importable module that exposes ``cls`` (``sklearn.linear_model``)."""
    parts = cls.__module__.split(".")
    for n in range(1, len(parts) + 1):
        candidate = ".".join(parts[:n])
        if any(p.startswith("_") for p in parts[1:n]):
            break
        try:
            if getattr(importlib.import_module(candidate), cls.__name__, None) is cls:
                return candidate
        except ImportError:
            continue
    return cls.__module__


class BlockRegistry:
    """Holds blocks by name; filled with scikit-learn's estimators, then entry-point plugins."""

    def __init__(self, blocks: Iterable[Block] = ()):
        self._blocks: dict[str, Block] = {}
        for block in blocks:
            self.register(block)

    def register(self, block: Block | type) -> Block:
        if not isinstance(block, Block):
            block = block_from_class(block)
        self._blocks[block.name] = block
        return block

    def get(self, name: str) -> Block:
        try:
            return self._blocks[name]
        except KeyError:
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._blocks

    def __iter__(self) -> Iterator[Block]:
        return iter(self._blocks.values())

    def __len__(self) -> int:
        return len(self._blocks)

    def names(self) -> list[str]:
        return sorted(self._blocks)

    def close_matches(self, name: str, n: int = 3) -> list[str]:
        return list(close_matches(name, self._blocks, n))

    def for_task(self, task: str | None = None) -> list[Block]:
        """Blocks usable in a pipeline for ``task``: its final estimators and all transformers."""
        blocks = sorted(self._blocks.values(), key=lambda b: (KINDS.index(b.kind), b.name))
        if task is None:
            return blocks
        final = TASK_KIND[task]
        return [b for b in blocks if final in b.roles or b.kind == "transformer"]

    def to_dict(self, task: str | None = None) -> dict[str, Any]:
        return {"blocks": [b.to_dict() for b in self.for_task(task)]}
