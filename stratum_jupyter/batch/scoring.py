"""One chunk through the prediction service's own runtime, on a Dask worker.

The model folder travels to the workers once, as bytes (:func:`pack`, scattered to every
worker by the driver): a worker need not see the kernel's disk. Each worker writes it to a
folder of its own and loads it with :class:`stratum_jupyter.serving.core.Predictor` (the
service's ``load_runtime``), once per worker process; a chunk then becomes the service's
:class:`~stratum_jupyter.serving.inputs.Frame` and is answered by ``runtime.predict``, as
``POST /predict`` answers the same rows."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .sources import ROW, ChunkError

BAD_ROWS_NAMED = 5  # rows of a refused chunk found and named (by bisection)


@dataclass(frozen=True)
class ModelBlob:
    """``profile.json`` and the model file(s) of a bundle, as bytes; ``digest`` names them."""

    digest: str
    files: dict[str, bytes] = field(repr=False)


def pack(model_dir: Path) -> ModelBlob:
    """The files a runtime loads (``profile.json`` and ``model.*``), not the bundle's
    diagnostics, reports or leaderboard."""
    names = ["profile.json"] + sorted(p.name for p in model_dir.iterdir()
                                      if p.is_file() and p.name.startswith("model."))
    files = {name: (model_dir / name).read_bytes() for name in names}
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return ModelBlob(digest.hexdigest(), files)


_lock = threading.Lock()
_loaded: dict[str, Any] = {}  # digest -> Predictor, in each worker process


def predictor(blob: ModelBlob) -> Any:
    """The blob's model loaded by the service's own code, once per process (the last one
    only: a worker keeps one model)."""
    from ..serving.core import Predictor

    with _lock:
        if blob.digest not in _loaded:
            # a folder of this process's own: workers on one machine share its temp dir
            folder = Path(tempfile.mkdtemp(prefix=f"stratum-predict-{blob.digest[:12]}-"))
            try:
                for name, data in blob.files.items():
                    (folder / name).write_bytes(data)
                loaded = Predictor(folder)  # the runtime holds the model: the files can go
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            _loaded.clear()
            _loaded[blob.digest] = loaded
        return _loaded[blob.digest]


def score(blob: ModelBlob, table: Any, start: int, carry: Sequence[str]) -> Any:
    """The answers for a chunk (a pyarrow Table of rows ``start``..) as a pyarrow Table:
    ``row``, the carried columns, ``prediction`` and ``proba_<class>``. ChunkError naming
    the rows the model refuses."""
    from ..serving.core import REFUSALS

    model = predictor(blob)
    if getattr(getattr(model, "reader", None), "kind", "dataframe") in ("tensor", "image"):
        return _score_instances(model, table, start, carry)
    frame = frame_of(table, model.features)
    try:
        answer = model.runtime.predict(frame)
    except REFUSALS as exc:
        raise ChunkError(refusal(model, frame_of(table, model.features, lists=True), start,
                                 exc)) from None
    return answer_table(table, start, carry, answer.predictions, answer.probabilities,
                        model.runtime.classes)


def _score_instances(model: Any, chunk: Any, start: int, carry: Sequence[str]) -> Any:
    """A chunk of a tensor or image model through the service's reader and runtime; a
    refusal names the instances by row (and file)."""
    from ..serving.inputs import BadRequest
    from .tensors import names, read

    called = names(chunk)
    try:
        answer = model.answer(read(model, chunk))
    except BadRequest as exc:
        def renamed(text: str) -> str:
            return re.sub(r"instances\[(\d+)\]", lambda m: f"row {start + int(m[1])}" + (
                f" ({called[int(m[1])]})" if called else ""), text)

        details = "; ".join(renamed(e) for e in [exc.message, *exc.errors][:6])
        raise ChunkError(f"rows {start}-{start + chunk.num_rows - 1}: {details}") from None
    return answer_table(chunk, start, carry, answer.predictions, answer.probabilities,
                        model.runtime.classes)


def frame_of(table: Any, features: Sequence[Any], *, lists: bool = False) -> Any:
    """A chunk as the service's Frame: a column without gaps stays a NumPy array (the
    runtime builds its matrix from it without a Python list in between); a column with gaps
    (nulls, or NaN: a gap as the service sees it) is a list with None for each."""
    import numpy as np

    from ..serving.inputs import Frame

    columns: dict[str, Any] = {}
    for f in features:
        column = table.column(f.name)
        values = None
        if not lists and f.kind != "str" and column.null_count == 0:
            values = column.to_numpy()
            if values.dtype.kind == "f" and np.isnan(values).any():
                values = None
        columns[f.name] = values if values is not None else [
            None if v is None or v != v else v for v in column.to_pylist()]
    return Frame(tuple(features), columns, int(table.num_rows))


def refusal(model: Any, frame: Any, start: int, exc: BaseException) -> str:
    """``rows 7012, 7013: rows[7012].island: the model does not take "Atlantis" ...``: the
    first refused rows (by bisection), in INPUT's numbering, as the service names them."""
    bad: list[int] = []
    _bisect(model.runtime, frame, list(range(frame.n_rows)), bad)
    stop = start + frame.n_rows - 1
    if not bad:
        return f"rows {start}-{stop}: the model refused the chunk: {type(exc).__name__}: {exc}"
    answer = model._refused(frame.take(bad), exc)  # the service's 422, row by row
    errors = [re.sub(r"^rows\[(\d+)\]", lambda m: f"row {start + bad[int(m[1])]}", line)
              for line in answer.errors]
    return (f"rows {start}-{stop}: the model refused row(s) "
            f"{', '.join(str(start + i) for i in bad)}: {'; '.join(errors)}")


def _bisect(runtime: Any, frame: Any, rows: list[int], found: list[int]) -> None:
    from ..serving.core import REFUSALS

    if len(found) >= BAD_ROWS_NAMED or not rows:
        return
    try:
        runtime.predict(frame.take(rows))
        return
    except REFUSALS:
        pass
    if len(rows) == 1:
        found.append(rows[0])
        return
    mid = len(rows) // 2
    _bisect(runtime, frame, rows[:mid], found)
    _bisect(runtime, frame, rows[mid:], found)


def answer_table(table: Any, start: int, carry: Sequence[str], predictions: Sequence[Any],
                 probabilities: Any, classes: Sequence[Any] | None) -> Any:
    """The output of a chunk: ``row`` (its position in INPUT), the carried columns,
    ``prediction``, and where the model gives them ``proba_<class>`` per class."""
    import numpy as np
    import pyarrow as pa

    n = int(table.num_rows)
    columns: dict[str, Any] = {ROW: pa.array(np.arange(start, start + n, dtype=np.int64))}
    for name in carry:
        columns[name] = table.column(name)
    columns["prediction"] = pa.array(predictions)
    if probabilities is not None and classes:
        matrix = np.asarray(probabilities, dtype=float)
        for j, cls in enumerate(classes):
            columns[f"proba_{cls}"] = pa.array(matrix[:, j])
    return pa.table(columns)
