"""``%stratum_validate`` and ``%stratum_blocks``: shells over :mod:`stratum_jupyter.commands`
``validate`` and ``blocks``."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class

from ._util import parse_line, resolve_spec, user_errors


@magics_class
class SpecMagics(Magics):
    @line_cell_magic
    @user_errors
    def stratum_validate(self, line: str, cell: str | None = None) -> None:
        """Validate a pipeline spec; every problem is reported, with what is allowed."""
        from ..commands import validate

        args = parse_line(self.stratum_validate, line)
        spec = resolve_spec(self.shell, args.spec, cell)
        print(f"spec valid: {validate.run(spec)}")
        if args.name:
            self.shell.user_ns[args.name] = spec

    @line_magic
    @user_errors
    def stratum_blocks(self, line: str) -> Any:
        """The block catalog as a table: name, kind, module, description.

        Returns a pandas DataFrame (with --json: a list of dicts).
        """
        from ..catalog.listing import blocks_frame
        from ..commands import blocks

        args = parse_line(self.stratum_blocks, line)
        if args.json:
            return blocks.run(args)
        return blocks_frame(task=args.task, kind=args.kind, search=args.search)
