"""``%stratum_bundle``: a shell over :mod:`stratum_jupyter.commands.bundle`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_magic, magics_class

from ._util import parse_line, user_errors

if TYPE_CHECKING:
    from ..commands.bundle import Bundled


@magics_class
class BundleMagics(Magics):
    @line_magic
    @user_errors
    def stratum_bundle(self, line: str) -> Bundled:
        """Make a model bundle from a model made elsewhere: a model file, or a fitted model
        held in a variable (scikit-learn, Keras, onnx.ModelProto, XGBoost, LightGBM); the
        sample likewise (a file, a folder of images, or a DataFrame/array variable)."""
        from ..commands import bundle as command

        def resolve(ref: str) -> Any:
            return self.shell.user_ns[ref] if ref.isidentifier() and \
                ref in self.shell.user_ns else ref

        return command.run(parse_line(self.stratum_bundle, line), resolve=resolve)
