"""Describe and check estimator parameters with scikit-learn's own ``_parameter_constraints``."""

from __future__ import annotations

import inspect
import math
import numbers
import re
from dataclasses import asdict, dataclass, field
from typing import Any

# Values a spec can hold: JSON scalars, and lists/dicts of them.
JSONScalar = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class ParamInfo:
    """One parameter of a block, in a serialisable shape the builder widget draws forms from.

    ``types`` holds the kinds of value allowed: ``int``, ``float``, ``bool``, ``str``,
    ``none``, ``array``, ``dict`` or ``object`` (not expressible in a spec).
    ``choices`` are allowed strings; ``ranges`` numeric intervals
    (``{"type": "int", "min": 1, "max": None, "closed": "left"}``).
    """

    name: str
    types: tuple[str, ...]
    default: Any = None
    default_repr: str = "None"
    required: bool = False
    choices: tuple[Any, ...] = ()
    ranges: tuple[dict[str, Any], ...] = ()
    doc: str = ""
    editable: bool = True
    # scikit-learn asks for a tuple, not a list (``ngram_range``): a spec writes a list,
    # passed on as a tuple where the estimator is built (:meth:`to_python`).
    as_tuple: bool = False

    def to_python(self, value: Any) -> Any:
        """``value`` as the estimator takes it: a list as a tuple where :attr:`as_tuple`."""
        return tuple(value) if self.as_tuple and isinstance(value, list) else value

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["types"] = list(self.types)
        data["choices"] = list(self.choices)
        data["ranges"] = [dict(r) for r in self.ranges]
        return data

    def describe(self) -> str:
        """What is allowed, in words: ``an int in [1, inf) or None``."""
        parts: list[str] = []
        for r in self.ranges:
            left = "-inf" if r["min"] is None else r["min"]
            right = "inf" if r["max"] is None else r["max"]
            lb = "[" if r["closed"] in ("left", "both") else "("
            rb = "]" if r["closed"] in ("right", "both") else ")"
            kind = "an int" if r["type"] == "int" else "a float"
            parts.append(f"{kind} in {lb}{left}, {right}{rb}")
        if self.choices:
            parts.append("one of " + ", ".join(repr(c) for c in self.choices))
        simple = {"bool": "a bool", "str": "a str", "array": self._list_words(),
                  "dict": "a mapping", "none": "None"}
        covered = {r["type"] for r in self.ranges}
        for t in self.types:
            if t in simple:
                parts.append(simple[t])
            elif t in ("int", "float") and t not in covered and "float" not in covered:
                parts.append(f"{'an' if t == 'int' else 'a'} {t}")
        return " or ".join(dict.fromkeys(parts)) or "any value"

    def _list_words(self) -> str:
        if not self.as_tuple:
            return "a list"
        if isinstance(self.default, list):
            return (f"a list of {len(self.default)} values like {self.default} "
                    "(passed as a tuple)")
        return "a list (passed as a tuple)"


@dataclass
class _Acc:
    types: list[str] = field(default_factory=list)
    choices: list[Any] = field(default_factory=list)
    ranges: list[dict[str, Any]] = field(default_factory=list)
    editable: bool = True

    def add(self, *types: str) -> None:
        for t in types:
            if t not in self.types:
                self.types.append(t)


def _json_number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    return None if math.isinf(value) else value


def _describe_constraints(constraints: list[Any]) -> _Acc:
    from sklearn.utils import _param_validation as pv

    acc = _Acc()
    if isinstance(constraints, str):  # "no_validation" stands alone, not in a list
        constraints = [constraints]
    for c in constraints:
        if isinstance(c, pv.Hidden):
            continue  # valid but undocumented (often deprecated): not offered in forms
        if c is None:
            acc.add("none")
        elif isinstance(c, str):
            acc.add(*{
                "boolean": ("bool",),
                "random_state": ("int", "none"),
                "verbose": ("int", "bool"),
                "array-like": ("array",),
                "sparse matrix": ("array",),
                "cv_object": ("int", "none"),
                "nan": ("float",),
                "missing_values": ("int", "float", "str", "none"),
                "no_validation": ("int", "float", "bool", "str", "none", "array", "dict"),
            }.get(c, ("object",)))
        elif isinstance(c, pv.Interval):
            kind = "int" if c.type is numbers.Integral else "float"
            acc.add(kind)
            acc.ranges.append({
                "type": kind,
                "min": _json_number(c.left),
                "max": _json_number(c.right),
                "closed": c.closed,
            })
        elif isinstance(c, pv.StrOptions):
            acc.add("str")
            acc.choices.extend(sorted(o for o in c.options if o not in c.deprecated))
        elif isinstance(c, pv.Options):
            json_safe = [o for o in c.options if isinstance(o, JSONScalar)]
            acc.choices.extend(sorted(json_safe, key=repr))
            if len(json_safe) < len(c.options):
                acc.add("object")  # e.g. numpy dtypes: not expressible in a spec
            acc.add("int" if c.type is numbers.Integral else "float" if c.type is numbers.Real
                    else "str" if c.type is str else "object")
        elif c is bool:
            acc.add("bool")
        elif c is str:
            acc.add("str")
        elif c in (numbers.Integral, int):
            acc.add("int")
        elif c in (numbers.Real, float, pv.RealNotInt):
            acc.add("float")
        elif c is dict:
            acc.add("dict")
        elif c in (list, tuple):
            acc.add("array")
        else:  # callables, estimators, HasMethods, type objects: not expressible in a spec
            acc.add("object")
    if acc.choices and set(acc.types) <= {"str", "none"} and not acc.ranges:
        acc.types = [t if t != "str" else "choice" for t in acc.types]
    acc.editable = any(t != "object" for t in acc.types)
    return acc


def _tuple_only(constraints: Any) -> bool:
    """Whether a constraint list takes tuples but neither lists nor any array-like."""
    return isinstance(constraints, list) and tuple in constraints \
        and list not in constraints and "array-like" not in constraints


def _json_default(value: Any) -> tuple[Any, str]:
    if value is inspect.Parameter.empty:
        return None, ""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value, repr(value)
    if isinstance(value, numbers.Integral):
        return int(value), repr(int(value))
    if isinstance(value, numbers.Real):
        f = float(value)
        return (None if math.isinf(f) or math.isnan(f) else f), repr(f)
    if isinstance(value, tuple | list | dict) and _is_json(value):
        return _as_json(value), repr(value)
    return None, repr(value)


def _is_json(value: Any) -> bool:
    if isinstance(value, JSONScalar):
        return not (isinstance(value, float) and (math.isinf(value) or math.isnan(value)))
    if isinstance(value, tuple | list):
        return all(_is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


def _as_json(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


def _types_from_default(value: Any) -> tuple[str, ...]:
    if value is None:
        return ("none",)
    if isinstance(value, bool):
        return ("bool",)
    if isinstance(value, numbers.Integral):
        return ("int",)
    if isinstance(value, numbers.Real):
        return ("float",)
    if isinstance(value, str):
        return ("str",)
    if isinstance(value, list | tuple):
        return ("array",)
    if isinstance(value, dict):
        return ("dict",)
    return ("object",)


_PARAM_LINE = re.compile(r"^(\s*)([A-Za-z_][\w, ]*?)\s*:\s*(.*)$")


def parse_param_docs(doc: str | None) -> dict[str, str]:
    """First sentence of each parameter's description in a numpydoc ``Parameters`` section."""
    if not doc:
        return {}
    lines = inspect.cleandoc(doc).splitlines()
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == "Parameters")
    except StopIteration:
        return {}
    docs: dict[str, str] = {}
    i = start + 2
    while i < len(lines):
        line = lines[i]
        if line.strip() and set(lines[i + 1].strip() if i + 1 < len(lines) else "") <= {"-"} \
                and i + 1 < len(lines) and lines[i + 1].strip():
            break  # next section header
        m = _PARAM_LINE.match(line)
        if m and not m.group(1):
            names = [n.strip() for n in m.group(2).split(",")]
            desc: list[str] = []
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                if lines[i].strip():
                    desc.append(lines[i].strip())
                elif desc:
                    break
                i += 1
            text = " ".join(desc)
            first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0] if text else ""
            for name in names:
                docs[name] = first
            continue
        i += 1
    return docs


def describe_params(cls: type) -> tuple[ParamInfo, ...]:
    """The parameters of an estimator class, from its signature and constraints."""
    constraints: dict[str, list[Any]] = getattr(cls, "_parameter_constraints", {}) or {}
    docs = parse_param_docs(cls.__doc__)
    out = []
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        default, default_repr = _json_default(p.default)
        if p.name in constraints:
            acc = _describe_constraints(constraints[p.name])
            types, choices, ranges, editable, as_tuple = (
                tuple(acc.types), tuple(acc.choices), tuple(acc.ranges), acc.editable,
                _tuple_only(constraints[p.name]))
        else:
            types = _types_from_default(p.default) if p.default is not p.empty else ("object",)
            choices, ranges, editable, as_tuple = (), (), types != ("object",), False
        out.append(ParamInfo(
            name=p.name, types=types, default=default, default_repr=default_repr,
            required=p.default is p.empty, choices=choices, ranges=ranges,
            doc=docs.get(p.name, ""), editable=editable, as_tuple=as_tuple,
        ))
    return tuple(out)


def check_value(cls: type, name: str, value: Any) -> str | None:
    """None if ``value`` suits parameter ``name`` of ``cls``, else scikit-learn's message.

    A list given to a parameter that takes tuples only (``ngram_range``) is checked as the
    tuple it is passed on as, and must have as many values as the default tuple; what is
    refused there is said in a spec's words (a list), not as a missing tuple."""
    constraints = (getattr(cls, "_parameter_constraints", {}) or {}).get(name)
    if constraints is None:
        return None
    if _tuple_only(constraints):
        problem = _tuple_problem(cls, name, value, constraints)
        if problem is not None or isinstance(value, list):
            return problem
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    try:
        validate_parameter_constraints({name: constraints}, {name: value},
                                       caller_name=cls.__name__)
    except InvalidParameterError as exc:
        return str(exc)
    except Exception as exc:  # a constraint that cannot judge a JSON value
        return f"{type(exc).__name__}: {exc}"
    # Estimators may check more than their constraints can say (a Keras layer's shape).
    extra = getattr(cls, "_stratum_check_param", None)
    return extra(name, value) if extra is not None else None


def _tuple_problem(cls: type, name: str, value: Any, constraints: list[Any]) -> str | None:
    """What is wrong with ``value`` for a tuple-only parameter (None: a list or tuple of
    the default's length, or another value its constraints allow, e.g. None)."""
    default = inspect.signature(cls.__init__).parameters[name].default
    size = len(default) if isinstance(default, tuple) else None
    if isinstance(value, list | tuple):
        if size is None or len(value) == size:
            return None
        return (f"{name} of {cls.__name__} takes {size} values, like its default "
                f"{list(default)}; got {len(value)}")
    if value is None and None in constraints:
        return None
    like = f" of {size} values like {list(default)}" if size is not None else ""
    return f"{name} of {cls.__name__} takes a list{like}; got {value!r}"
