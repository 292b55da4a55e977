"""Code generation: spec -> Python source, notebook cells and notebooks (pure functions)."""

from .notebook import TAG, find_spec_cell, spec_cells, spec_notebook
from .python import script_source, spec_source

__all__ = ["TAG", "find_spec_cell", "script_source", "spec_cells", "spec_notebook",
           "spec_source"]
