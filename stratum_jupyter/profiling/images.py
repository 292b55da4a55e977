"""The requests ``stratum profile`` sends an image model whose bundle keeps no sample
instances (a 299 x 299 RGB image is more numbers than profile.json keeps): photos of the
recorded size as PNGs in ``{"b64": ...}`` instances, which the service decodes and prepares
as it does any client's image (so their decoding is part of the measured latency)."""

from __future__ import annotations

import base64
from typing import Any

from .grid import ProfileError

__all__ = ["png_instances"]


def png_instances(image: dict[str, Any], count: int = 4) -> list[dict[str, str]]:
    """``count`` ``{"b64": ...}`` instances of the image block's ``width`` x ``height`` and
    ``mode`` (docs/model-inputs.md). ProfileError for a block without a size."""
    from ..bundle.photos import photo_pngs

    try:
        width, height = int(image["width"]), int(image["height"])
    except (KeyError, TypeError, ValueError):
        raise ProfileError(f"profile.json input_schema.image: {image!r} has no width and "
                           "height to make sample images of") from None
    mode = str(image.get("mode") or "RGB")
    return [{"b64": base64.b64encode(png).decode("ascii")}
            for png in photo_pngs(width, height, count, mode)]
