"""``%stratum_validate`` and ``%stratum_blocks``."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ._util import resolve_spec, user_errors


@magics_class
class SpecMagics(Magics):
    @magic_arguments()
    @argument("spec", nargs="?", help="A variable holding a spec, or a .yaml/.json path. "
              "In the cell form the cell body is the spec.")
    @argument("--name", help="Also bind the validated PipelineSpec to this variable.")
    @line_cell_magic
    @user_errors
    def stratum_validate(self, line: str, cell: str | None = None) -> None:
        """Validate a pipeline spec; every problem is reported, with what is allowed."""
        args = parse_argstring(self.stratum_validate, line)
        spec = resolve_spec(self.shell, args.spec, cell)
        configs = sum(c.grid_size() for c in spec.candidates)
        print(f"spec valid: task {spec.task}, {len(spec.candidates)} candidate(s), "
              f"{configs} configuration(s), metrics {', '.join(spec.metrics)} "
              f"(select by {spec.select_by})")
        if args.name:
            self.shell.user_ns[args.name] = spec

    @magic_arguments()
    @argument("--task", choices=["classification", "regression", "clustering"],
              help="Only blocks usable for this task.")
    @argument("--kind", choices=["transformer", "classifier", "regressor", "clusterer"],
              help="Only blocks of this kind.")
    @argument("--search", help="Only blocks whose name or description contains this text.")
    @line_magic
    @user_errors
    def stratum_blocks(self, line: str) -> Any:
        """The block catalog as a table: name, kind, module, description."""
        from ..catalog.listing import blocks_frame

        args = parse_argstring(self.stratum_blocks, line)
        return blocks_frame(task=args.task, kind=args.kind, search=args.search)
