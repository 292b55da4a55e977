"""OUTPUT of ``stratum predict``: a folder of Parquet parts (``part-00000.parquet``, one per
chunk of INPUT) and ``_manifest.json`` (which bundle, which input, the chunk size, each part's
rows). A part is written to a temporary name and renamed, then recorded; a rerun on the same
bundle, input and chunk size skips every part the manifest records *and* whose file is there
with the rows it should have (read from its Parquet footer: checked, not assumed)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .sources import ROW, BadInput

MANIFEST = "_manifest.json"  # "_": pyarrow and pandas read the folder without it
IDENTITY = ("bundle", "input", "chunk_rows", "columns")


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def dictionary_columns(table: Any) -> list[str]:
    """The columns worth dictionary-encoding: labels and carried values, which repeat; not
    row numbers nor floats (scores, probabilities), which hardly ever do, so that pyarrow's
    dictionary attempt costs time for nothing: 5x the write of a part of 50,000 rows."""
    import pyarrow as pa

    return [f.name for f in table.schema
            if f.name != ROW and not pa.types.is_floating(f.type)]


def write_part(folder: Path, index: int, table: Any) -> None:
    """Chunk ``index``'s answers as its part in ``folder``: written under a hidden name of
    its own (two writers of one chunk never share one), then renamed into place."""
    import uuid

    import pyarrow.parquet as pq

    target = folder / part_name(index)
    temporary = folder / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        pq.write_table(table, temporary, use_dictionary=dictionary_columns(table))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


class Output:
    """The parts folder of one scoring run; ``identity`` holds :data:`IDENTITY`'s keys."""

    def __init__(self, folder: str | Path, identity: dict[str, Any]):
        self.folder = Path(folder)
        self.identity = identity
        self.parts: dict[str, dict[str, Any]] = {}
        self.complete_before = False

    def open(self) -> None:
        """Create OUTPUT, or take up the run it holds. BadInput for a folder that holds
        something else, or the parts of another bundle, input or chunk size (named)."""
        path = self.folder / MANIFEST
        if path.is_file():
            try:
                manifest = json.loads(path.read_text("utf-8"))
            except ValueError as exc:
                raise BadInput(f"--out: {str(path)!r} is not a manifest of stratum predict "
                               f"({exc}); delete it or choose another --out") from None
            differ = [k for k in IDENTITY if manifest.get(k) != self.identity[k]]
            if differ:
                raise BadInput(
                    f"--out: {str(self.folder)!r} holds the parts of another run (its "
                    f"{', '.join(differ)} differ from this one's): delete the folder or "
                    "choose another --out")
            self.parts = dict(manifest.get("parts") or {})
            self.complete_before = bool(manifest.get("complete"))
        elif self.folder.exists() and (not self.folder.is_dir() or any(self.folder.iterdir())):
            raise BadInput(f"--out: {str(self.folder)!r} exists and is not an output of "
                           "stratum predict (no _manifest.json); choose an empty or new folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        self._save(complete=False)

    def done(self, index: int, start: int, rows: int) -> bool:
        """Whether the part of chunk ``index`` (rows ``start``.. ``start + rows``) is
        written and whole: recorded so, and its file's footer says ``rows`` rows."""
        import pyarrow.parquet as pq

        entry = self.parts.get(str(index))
        if not entry or entry.get("start") != start or entry.get("rows") != rows:
            return False
        try:
            return int(pq.read_metadata(self.folder / part_name(index)).num_rows) == rows
        except (OSError, ValueError):  # absent, cut short, not Parquet
            return False

    def write(self, index: int, start: int, table: Any) -> None:
        """The part of chunk ``index``, renamed into place once written, then recorded."""
        write_part(self.folder, index, table)
        self.record(index, start, int(table.num_rows))

    def record(self, index: int, start: int, rows: int) -> None:
        """Chunk ``index``'s part, written (by a worker, say): checked against its footer
        (so a part the kernel does not see whole is an error, not a hole), then recorded.
        OSError/ValueError for a part that is absent or not ``rows`` rows."""
        import pyarrow.parquet as pq

        name = part_name(index)
        found = int(pq.read_metadata(self.folder / name).num_rows)
        if found != rows:
            raise ValueError(f"{self.folder / name}: {found} rows where {rows} were written")
        self.parts[str(index)] = {"file": name, "start": start, "rows": rows}
        self._save(complete=False)

    def finish(self, n_parts: int, n_rows: int) -> None:
        """Every chunk has its part: the manifest says so, with the totals; parts of
        chunks that no longer exist (none, for an unchanged input) are dropped."""
        for key in [k for k in self.parts if int(k) >= n_parts]:
            self.parts.pop(key)
            (self.folder / part_name(int(key))).unlink(missing_ok=True)
        self._save(complete=True, n_parts=n_parts, n_rows=n_rows)

    def _save(self, *, complete: bool, **totals: int) -> None:
        manifest = {**self.identity, "complete": complete, **totals,
                    "parts": dict(sorted(self.parts.items(), key=lambda kv: int(kv[0])))}
        temporary = self.folder / (MANIFEST + ".tmp")
        temporary.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        os.replace(temporary, self.folder / MANIFEST)
