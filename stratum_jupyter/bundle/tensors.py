"""``tensor`` input schemas (docs/model-inputs.md): each input's name, shape (batch first,
``None`` for any size) and dtype, from what the model declares, what the caller declares and
what the sample shows; the first wins, and any two that contradict each other are an error
naming both."""

from __future__ import annotations

from typing import Any

from ..errors import ModelInputError

Spec = dict[str, Any]
"""``{"name": "input_1", "shape": [None, 8, 8, 1], "dtype": "float32"}``"""


def sample_specs(X: Any, names: list[str] | None = None) -> list[Spec]:
    """The specs a sample shows: one per array (a dict's by key), its shape with the batch
    dimension made None, its dtype."""
    import numpy as np

    arrays = X if isinstance(X, dict) else {(names or ["input_0"])[0]: X}
    return [{"name": str(name), "shape": [None, *np.shape(a)[1:]],
             "dtype": str(np.asarray(a).dtype)} for name, a in arrays.items()]


def _check_spec(spec: Any, where: str) -> Spec:
    if not isinstance(spec, dict) or not {"name", "shape"} <= set(spec):
        raise ModelInputError(f"{where}: {spec!r} is not an input declaration (allowed: "
                              "{'name': str, 'shape': [None, d1, ...], 'dtype': 'float32'})")
    return {"name": str(spec["name"]),
            "shape": [None, *[None if d in (None, -1) else int(d)
                              for d in list(spec["shape"])[1:]]],
            "dtype": str(spec.get("dtype") or "float32")}


def _contradiction(first: Spec, first_is: str, second: Spec, second_is: str) -> str | None:
    a, b = first["shape"], second["shape"]
    fits = len(a) == len(b) and all(x is None or y is None or x == y
                                    for x, y in zip(a, b, strict=True))
    if not fits:
        return (f"{second_is} gives {second['name']!r} the shape {b}, but {first_is} "
                f"declares {first['name']!r} as {a}")
    return None


def merge(model: list[Spec] | None, declared: list[Any] | None, sample: list[Spec] | None,
          ) -> list[Spec]:
    """The inputs: the model's declaration, else the caller's (``inputs=``), else the
    sample's; shapes filled in from the later ones where the earlier say None. A sample or
    declaration that contradicts an earlier one (number of inputs, rank, a fixed dimension,
    the caller's dtype against the model's) is a ModelInputError naming both."""
    given = [_check_spec(s, "inputs") for s in declared] if declared is not None else None
    sources = [(model, "the model"), (given, "inputs="), (sample, "the sample X")]
    present = [(specs, what) for specs, what in sources if specs]
    if not present:
        raise ModelInputError("X: a sample of inputs is needed to learn the model's input "
                              "shape (or declare it: inputs=[{'name', 'shape', 'dtype'}])")
    merged, merged_is = [dict(s) for s in present[0][0]], present[0][1]
    for specs, what in present[1:]:
        if len(specs) != len(merged):
            raise ModelInputError(f"{what} gives {len(specs)} input(s) "
                                  f"({', '.join(s['name'] for s in specs)}), but {merged_is} "
                                  f"takes {len(merged)} ({', '.join(s['name'] for s in merged)})")
        for into, spec in zip(merged, specs, strict=True):
            problem = _contradiction(into, merged_is, spec, what)
            if problem:
                raise ModelInputError(problem)
            if what == "inputs=" and model and spec["dtype"] != into["dtype"]:
                raise ModelInputError(f"inputs= gives {spec['name']!r} the dtype "
                                      f"{spec['dtype']}, but the model declares {into['dtype']}")
            into["shape"] = [x if x is not None else y for x, y in zip(into["shape"],
                                                                      spec["shape"], strict=True)]
            into["shape"][0] = None
    return merged


def as_inputs(X: Any, specs: list[Spec]) -> Any:
    """The sample cast to the inputs' dtypes: one array for one input, else a dict."""
    import numpy as np

    if isinstance(X, dict):
        return {s["name"]: np.asarray(X[s["name"]], dtype=s["dtype"]) for s in specs}
    return np.asarray(X, dtype=specs[0]["dtype"])


def first(X: Any, n: int) -> Any:
    """The first ``n`` instances of an array or of each array of a dict."""
    return {k: v[:n] for k, v in X.items()} if isinstance(X, dict) else X[:n]


def count(X: Any) -> int:
    return len(next(iter(X.values()))) if isinstance(X, dict) else len(X)
