"""``stratum validate``, ``schema``, ``blocks``, ``generate``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from . import BadInput, add_command

if TYPE_CHECKING:
    from ..spec import PipelineSpec


def register(sub: argparse._SubParsersAction) -> None:
    add_command(sub, "validate", validate)

    p = sub.add_parser("schema", help="Print the JSON Schema of the pipeline spec.")
    p.set_defaults(func=schema)

    add_command(sub, "blocks", blocks)

    p = sub.add_parser("generate", help="Write a notebook (or script) from a spec.")
    p.add_argument("spec", help="A .yaml or .json spec file ('-' for standard input).")
    p.add_argument("-o", "--output", required=True,
                   help="The notebook (.ipynb) or script (.py) to write.")
    p.add_argument("--out-dir", default=None,
                   help="Where the generated notebook saves its results (default runs/<name>).")
    p.set_defaults(func=generate)


def read_spec(path: str) -> PipelineSpec:
    """The spec in file ``path`` ('-': standard input), validated."""
    import sys

    from ..spec import load_spec
    from ..spec.io import parse_text

    if path == "-":
        return load_spec(parse_text(sys.stdin.read()))
    if not Path(path).is_file():
        raise BadInput(f"no such spec file: {path}")
    return load_spec(Path(path))


def validate(args: argparse.Namespace) -> int:
    from ..commands.validate import run
    from ..errors import SpecError

    try:
        spec = read_spec(args.spec)
    except SpecError as exc:
        if args.json:
            print(json.dumps({"valid": False, "issues": [i.to_dict() for i in exc.issues]},
                             indent=2))
        raise
    if args.json:
        print(json.dumps({"valid": True, "issues": []}))
    else:
        print(f"{args.spec}: valid ({run(spec)})")
    return 0


def schema(args: argparse.Namespace) -> int:
    from ..spec import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def blocks(args: argparse.Namespace) -> int:
    from ..commands.blocks import run

    rows = run(args)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max((len(r["name"]) for r in rows), default=4)
    for r in rows:
        print(f"{r['name']:<{width}}  {r['kind']:<11}  {r['description']}")
    return 0


def generate(args: argparse.Namespace) -> int:
    spec = read_spec(args.spec)
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
