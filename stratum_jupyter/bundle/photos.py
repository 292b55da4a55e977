"""Sample photos for image models: scikit-learn's two bundled photographs (a temple, a
flower), resized, and their mirror images and upside-down copies. Used where an image
model needs pictures and none are given: the sample of a ``keras.applications`` bundle,
the requests ``stratum profile`` sends an image model whose bundle keeps no instances."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["photos", "photo_pngs", "write_photos"]


def photos(width: int, height: int, count: int = 4, mode: str = "RGB") -> list[Any]:
    """``count`` Pillow images of ``width`` x ``height`` pixels in Pillow ``mode`` (``BGR``
    is made as ``RGB``: the service reverses the channels itself)."""
    from PIL import Image
    from sklearn.datasets import load_sample_images

    bundled = [Image.fromarray(image).resize((width, height), Image.Resampling.BILINEAR)
               for image in load_sample_images().images]
    flips = (None, Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM)
    out = []
    for i in range(count):
        photo, flip = bundled[i % len(bundled)], flips[(i // len(bundled)) % len(flips)]
        photo = photo if flip is None else photo.transpose(flip)
        out.append(photo.convert("RGB" if mode == "BGR" else mode))
    return out


def photo_pngs(width: int, height: int, count: int = 4, mode: str = "RGB") -> list[bytes]:
    """:func:`photos` as PNG files' bytes."""
    import io

    pngs = []
    for photo in photos(width, height, count, mode):
        buffer = io.BytesIO()
        photo.save(buffer, format="PNG")
        pngs.append(buffer.getvalue())
    return pngs


def write_photos(folder: str | Path, size: int, count: int = 4) -> Path:
    """:func:`photos` (RGB, ``size`` x ``size``) as ``00.png``, ``01.png``... in ``folder``
    (made if missing). Returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for i, png in enumerate(photo_pngs(size, size, count)):
        (folder / f"{i:02d}.png").write_bytes(png)
    return folder
