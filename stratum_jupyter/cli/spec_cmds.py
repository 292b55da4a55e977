"""``stratum validate``, ``schema``, ``blocks``, ``generate``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import BadInput


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="Check a pipeline spec; report every problem.")
    p.add_argument("spec", help="A .yaml or .json spec file ('-' for standard input).")
    p.add_argument("--json", action="store_true", help="Print the problems as JSON.")
    p.set_defaults(func=validate)

    p = sub.add_parser("schema", help="Print the JSON Schema of the pipeline spec.")
    p.set_defaults(func=schema)

    p = sub.add_parser("blocks", help="List the blocks a spec can use.")
    p.add_argument("--task", choices=["classification", "regression", "clustering"])
    p.add_argument("--kind", choices=["transformer", "classifier", "regressor", "clusterer"])
    p.add_argument("--search", help="Only blocks whose name or description contains this.")
    p.add_argument("--json", action="store_true",
                   help="The full catalog entries (parameters included) as JSON.")
    p.set_defaults(func=blocks)

    p = sub.add_parser("generate", help="Write a notebook (or script) from a spec.")
    p.add_argument("spec", help="A .yaml or .json spec file.")
    p.add_argument("-o", "--output", required=True,
                   help="The notebook (.ipynb) or script (.py) to write.")
    p.add_argument("--out-dir", default=None,
                   help="Where the generated notebook saves its results (default runs/<name>).")
    p.set_defaults(func=generate)


def _read_spec(path: str):
    import sys

    from ..spec import load_spec
    from ..spec.io import parse_text

    if path == "-":
        return load_spec(parse_text(sys.stdin.read()))
    if not Path(path).is_file():
        raise BadInput(f"no such spec file: {path}")
    return load_spec(Path(path))


def validate(args: argparse.Namespace) -> int:
    from ..errors import SpecError

    try:
        spec = _read_spec(args.spec)
    except SpecError as exc:
        if args.json:
            print(json.dumps({"valid": False, "issues": [i.to_dict() for i in exc.issues]},
                             indent=2))
        raise
    configs = sum(c.grid_size() for c in spec.candidates)
    if args.json:
        print(json.dumps({"valid": True, "issues": []}))
    else:
        print(f"{args.spec}: valid ({spec.task}, {len(spec.candidates)} candidate(s), "
              f"{configs} configuration(s))")
    return 0


def schema(args: argparse.Namespace) -> int:
    from ..spec import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def blocks(args: argparse.Namespace) -> int:
    from ..catalog import get_catalog
    from ..catalog.listing import list_blocks

    rows = list_blocks(args.task, args.kind, args.search)
    if args.json:
        catalog = get_catalog()
        print(json.dumps([catalog.get(r["name"]).to_dict() for r in rows], indent=2))
        return 0
    width = max((len(r["name"]) for r in rows), default=4)
    for r in rows:
        print(f"{r['name']:<{width}}  {r['kind']:<11}  {r['description']}")
    return 0


def generate(args: argparse.Namespace) -> int:
    spec = _read_spec(args.spec)
    out_dir = args.out_dir or f"runs/{_slug(spec.name or Path(args.spec).stem)}"
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix == ".py":
        from ..codegen import script_source

        output.write_text(script_source(spec, out_dir), encoding="utf-8")
    elif output.suffix == ".ipynb":
        import nbformat

        from ..codegen import spec_notebook

        nbformat.write(spec_notebook(spec, out_dir), output)
    else:
        raise BadInput(f"-o must end in .ipynb or .py, got {output.name!r}")
    print(f"wrote {output}")
    return 0


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "run"
