"""INPUT of tensor and image bundles (docs/model-inputs.md): a ``.npy`` array (one input,
the batch axis first, memory-mapped) or a folder of images (PNG, JPEG, ...; in name order).
The service's own readers make what the model takes (``serving.readers``: a tensor checked
against the input's shape and dtype, an image decoded with Pillow and prepared as recorded),
on the workers, chunk by chunk."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .sources import BadInput, Chunk, Source

IMAGES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
FILE = "file"  # the output column naming each image


@dataclass(frozen=True)
class Arrays:
    """A chunk of a tensor input: ``{input name: array}``, ``num_rows`` long."""

    arrays: dict[str, Any]

    @property
    def num_rows(self) -> int:
        return int(len(next(iter(self.arrays.values()))))


def resolve(given: str, schema: dict[str, Any]) -> Source:
    """INPUT of a tensor bundle (a ``.npy`` file whose instances have the input's shape) or
    an image bundle (a folder of images); BadInput naming what is allowed otherwise."""
    kind = schema.get("kind")
    inputs = schema.get("inputs") or []
    path = Path(given)
    if kind == "image":
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGES) \
            if path.is_dir() else []
        if not files:
            raise BadInput(f"INPUT: {given!r} is not a folder of images (allowed for an image "
                           f"model: a folder of {', '.join(IMAGES)} files)")
        return Source("images", tuple(files), (FILE,), given)
    if len(inputs) != 1 or path.suffix.lower() != ".npy" or not path.is_file():
        raise BadInput(f"INPUT: {given!r}: a tensor model with one input takes a .npy file "
                       f"of instances (this one takes {len(inputs)} input(s))")
    import numpy as np

    shape = list(np.load(path, mmap_mode="r").shape)
    want = list(inputs[0].get("shape") or [])
    if len(shape) != len(want) or any(w is not None and w != s
                                      for w, s in zip(want[1:], shape[1:], strict=False)):
        shown = ["N" if w is None else w for w in want]
        raise BadInput(f"INPUT: {given!r} holds an array of shape {shape}; the model's input "
                       f"{inputs[0].get('name')!r} takes {shown}")
    return Source("tensor", (path,), (str(inputs[0].get("name")),), given)


def chunks(source: Source, chunk_rows: int) -> Iterator[Chunk]:
    """Images as tables of ``file`` and their encoded ``image`` bytes; arrays as
    :class:`Arrays`; ``chunk_rows`` instances each."""
    import pyarrow as pa

    if source.kind == "images":
        for index, begin in enumerate(range(0, len(source.files), chunk_rows)):
            files = source.files[begin:begin + chunk_rows]
            yield Chunk(index, begin, pa.table({FILE: [f.name for f in files],
                                                "image": [f.read_bytes() for f in files]}))
        return
    import numpy as np

    array = np.load(source.files[0], mmap_mode="r")
    for index, begin in enumerate(range(0, array.shape[0], chunk_rows)):
        yield Chunk(index, begin, Arrays({source.columns[0]: np.asarray(
            array[begin:begin + chunk_rows])}))


def names(chunk: Any) -> list[str]:
    """Each instance's name for messages: the image's file; none for arrays (rows say it)."""
    return [] if isinstance(chunk, Arrays) else chunk.column(FILE).to_pylist()


def read(model: Any, chunk: Any) -> Any:
    """A chunk made into what the model takes by the service's own reader (``Tensors``)."""
    if isinstance(chunk, Arrays):
        return model.reader.from_columns(chunk.arrays, "instances")
    return model.reader.images(chunk.column("image").to_pylist(), "instances")
