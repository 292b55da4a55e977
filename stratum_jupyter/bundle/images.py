"""``image`` input schemas (docs/model-inputs.md): how a decoded image becomes the model's
input tensor (size, Pillow mode, layout, resampling, ``pixel * scale + offset``, then
``(x - mean) / std``), parsed from ``--image height=8,width=8,mode=L``, inferred from the
input's shape; a folder of sample images is prepared by the prediction service's own code
(serving/images.py), the one implementation of the recorded preparation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ModelInputError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
MODES = ("RGB", "L", "BGR")
LAYOUTS = ("NHWC", "NCHW")
RESAMPLE = ("nearest", "bilinear", "bicubic", "lanczos")
KEYS = {"height": int, "width": int, "mode": str, "layout": str, "resample": str,
        "scale": float, "offset": float, "mean": list, "std": list}
KINDS = {int: "an integer", float: "a number", str: "a name", list: "a list of numbers"}
DEFAULTS = {"resample": "bilinear", "scale": 1.0, "offset": 0.0, "mean": None, "std": None}


def parse_image(text: str) -> dict[str, Any]:
    """``height=8,width=8,mode=L,scale=0.0625,mean=0.5/0.5/0.5`` -> the image block's
    settings (lists with ``/``); ModelInputError naming a key or value not allowed."""
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in KEYS:
            raise ModelInputError(f"--image: {part!r} is not a setting (allowed: "
                                  f"{', '.join(f'{k}=...' for k in KEYS)})")
        out[key.strip()] = value.strip().split("/") if KEYS[key.strip()] is list \
            else value.strip()
    return check_image(out)


def check_image(block: dict[str, Any]) -> dict[str, Any]:
    """The settings with their types; ModelInputError for an unknown key or a bad value."""
    out: dict[str, Any] = {}
    for key, value in block.items():
        if key not in KEYS:
            raise ModelInputError(f"image: {key!r} is not a setting (allowed: "
                                  f"{', '.join(KEYS)})")
        try:
            out[key] = None if value is None else (
                [float(v) for v in value] if KEYS[key] is list else KEYS[key](value))
        except (TypeError, ValueError):
            raise ModelInputError(f"image: {key}={value!r} is not {KINDS[KEYS[key]]}"
                                  ) from None
    for key, allowed in (("mode", MODES), ("layout", LAYOUTS), ("resample", RESAMPLE)):
        if key in out and out[key] not in allowed:
            raise ModelInputError(f"image: {key}={out[key]!r} is not allowed "
                                  f"(allowed: {', '.join(allowed)})")
    return out


def from_shape(shape: list[int | None], given: dict[str, Any]) -> tuple[dict[str, Any],
                                                                         list[str]]:
    """The whole image block: ``given`` settings, the rest from the input's shape
    (``[None, H, W, C]`` is NHWC, ``[None, C, H, W]`` with C of 1 or 3 is NCHW; C=1 is
    ``L``, 3 is ``RGB``) and :data:`DEFAULTS`; and a note of each inferred setting."""
    if len(shape) != 4:
        raise ModelInputError(f"image: the model's input has the shape {shape}; an image "
                              "model takes [None, height, width, channels] (or NCHW)")
    layout = given.get("layout") or ("NCHW" if shape[1] in (1, 3) and shape[3] not in (1, 3)
                                     else "NHWC")
    height, width, channels = (shape[2], shape[3], shape[1]) if layout == "NCHW" \
        else (shape[1], shape[2], shape[3])
    inferred = {"layout": layout, "height": height, "width": width,
                "mode": "L" if channels == 1 else "RGB", **DEFAULTS}
    block: dict[str, Any] = {}
    notes = []
    for key in ("height", "width", "mode", "layout", "resample", "scale", "offset", "mean",
                "std"):
        if given.get(key) is not None or key in given:
            block[key] = given[key]
        else:
            block[key] = inferred[key]
            if key in ("height", "width", "mode", "layout", "scale", "offset"):
                notes.append(f"image {key}={inferred[key]} (inferred from the input shape "
                             f"{shape})" if key in ("height", "width", "mode", "layout")
                             else f"image {key}={inferred[key]} (the default: pixels as "
                                  "0..255; set it with image={...} / --image)")
    if block["height"] is None or block["width"] is None:
        raise ModelInputError(f"image: the input shape {shape} leaves the size open; give "
                              "height and width (image={'height': ..., 'width': ...})")
    return block, notes


def image_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ModelInputError(f"X: the folder {str(folder)!r} holds no images (allowed: "
                              f"{', '.join(IMAGE_SUFFIXES)})")
    return files


def prepare(paths: list[Path], block: dict[str, Any], spec: dict[str, Any]) -> Any:
    """The images decoded and prepared as ``block`` says for the input ``spec`` (``name``,
    ``shape``, ``dtype``): (n, H, W, C) or (n, C, H, W) of its dtype. The prediction
    service's own preparation (:class:`stratum_jupyter.serving.images.ImagePrep`), so a
    bundle's sample instances are what the service makes of the same files.
    ModelInputError naming a file Pillow cannot read."""
    import numpy as np

    from ..serving.images import ImagePrep
    from ..serving.inputs import BadRequest
    from ..serving.tensors import TensorSpec

    try:
        prep = ImagePrep.from_schema(TensorSpec.from_schema(spec), block)
    except ValueError as exc:
        raise ModelInputError(f"image: {exc}") from None
    arrays = []
    for path in paths:
        try:
            arrays.append(prep.decode(path.read_bytes(), path.name))
        except BadRequest as exc:
            raise ModelInputError(f"X: {exc.message}") from None
    return np.stack(arrays)
