"""The builder's ES module, joined from small files.

anywidget loads a widget's ``_esm`` as *one* module, from a blob URL in the browser, so an
``import "./palette.js"`` between sibling files has no base to resolve against. The view is
therefore kept as several plain files that are joined into one module scope here:

* every part but the last is a plain list of ``const`` and ``function`` declarations with
  no ``import`` or ``export`` statement; they call each other by name;
* the last part (``builder.js``) is the entry: the layout, the wiring and the only
  ``export`` statements;
* :func:`esm_source` reads them in the order of :data:`PARTS` and joins them, each under a
  comment naming its file, and refuses a part that imports or (before the entry) exports.

Function declarations are hoisted and the constants are only read once ``render`` runs, so
the order is for the reader; a name declared twice is a ``SyntaxError`` of the whole module
(``tests/widgets/test_esm.py`` loads the joined module with node where node is installed).

Why not the alternatives: one file would be well over 400 lines; a bundler would add a
Node build step to a Python package whose widget is some 750 lines of plain DOM code, and
the package would ship generated text rather than the source one reads here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).parent

#: The builder view's files, helpers first, the entry (the one that exports) last.
PARTS: tuple[str, ...] = (
    "builder_dom.js",        # h(), fill(), field helpers, form commit, catalog access
    "builder_palette.js",    # header (name, task) and the palette of blocks
    "builder_canvas.js",     # candidates and their steps; drag and drop
    "builder_inspector.js",  # the selected step's parameters
    "builder_folds.js",      # folds: a count or a splitter, groups and row order
    "builder_settings.js",   # evaluation settings and data
    "builder_columns.js",    # the table of the data: columns and their roles
    "builder_messages.js",   # status, issues, generated cells, leaderboard
    "builder_plots.js",      # the leaderboard's plots: a row's, two side by side
    "builder_state.js",      # the state kept in the notebook's cell metadata
    "builder.js",            # layout, wiring, exports
)

_IMPORT = re.compile(r"^\s*import\b(?!\s*\()", re.MULTILINE)  # a static import, not import()
_EXPORT = re.compile(r"^\s*export\b", re.MULTILINE)


def esm_source(parts: Sequence[str] = PARTS, folder: Path = HERE) -> str:
    """The parts (files in ``folder``) joined into the text of one ES module.

    Raises ``ValueError`` for a part with an ``import`` statement, or an ``export`` statement
    in any part but the last.
    """
    chunks = []
    for index, name in enumerate(parts):
        text = (folder / name).read_text(encoding="utf-8")
        if _IMPORT.search(text):
            raise ValueError(f"{name}: the builder's parts share one module scope and "
                             "cannot import (call the other parts' functions by name)")
        if index < len(parts) - 1 and _EXPORT.search(text):
            raise ValueError(f"{name}: only the entry ({parts[-1]}) may export")
        chunks.append(f"// ==== {name} ====\n{text.rstrip()}\n")
    return "\n".join(chunks)
