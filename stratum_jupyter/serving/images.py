"""Images as an image model's input: decoded with Pillow and prepared as the schema's
``image`` block says (docs/model-inputs.md: mode, size, resampling, scale/offset/mean/std,
layout). An image Pillow cannot decode, or one over :data:`MAX_PIXELS`, is a 422 naming
what was expected."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from typing import Any

from .inputs import BadRequest
from .tensors import TensorSpec

MAX_PIXELS = 50_000_000  # a decompression bomb is refused before it is decoded
RESAMPLE = ("nearest", "bilinear", "bicubic", "lanczos")
FORMATS = "PNG, JPEG, GIF, BMP, TIFF or WebP"


@dataclass(frozen=True)
class ImagePrep:
    """The schema's ``image`` block: an image becomes one instance of ``spec``."""

    spec: TensorSpec
    height: int
    width: int
    mode: str = "RGB"
    layout: str = "NHWC"
    resample: str = "bilinear"
    scale: float = 1.0
    offset: float = 0.0
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None

    @classmethod
    def from_schema(cls, spec: TensorSpec, block: dict[str, Any]) -> ImagePrep:
        layout = str(block.get("layout") or "NHWC").upper()
        dims = spec.shape[1:3] if layout == "NHWC" else spec.shape[2:4]
        height = block.get("height") or dims[0]
        width = block.get("width") or (dims[1] if len(dims) > 1 else None)
        if not height or not width:
            raise ValueError(f"the image block of input {spec.name!r} gives no height/width "
                             f"and its shape {list(spec.shape)} has none")

        def floats(key: str) -> tuple[float, ...] | None:
            value = block.get(key)
            return None if value is None else tuple(float(v) for v in (
                value if isinstance(value, list) else [value]))

        resample = str(block.get("resample") or "bilinear").lower()
        if resample not in RESAMPLE:
            raise ValueError(f"image.resample {resample!r}: one of {', '.join(RESAMPLE)}")
        return cls(spec, int(height), int(width), str(block.get("mode") or "RGB"), layout,
                   resample, float(block.get("scale", 1.0) if block.get("scale") is not None
                                   else 1.0),
                   float(block.get("offset") or 0.0), floats("mean"), floats("std"))

    def describe(self) -> str:
        return f"an image ({FORMATS}), made {self.mode} {self.width}x{self.height}"

    def decode(self, data: bytes, where: str) -> Any:
        """One prepared instance (``spec.shape[1:]``, ``spec.dtype``) from encoded bytes."""
        import numpy as np
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise BadRequest(413, f"{where}: image of {image.width}x{image.height} "
                                     f"pixels is too large (at most {MAX_PIXELS} pixels)")
                image.load()
                pixels = self._pixels(image)
        except BadRequest:
            raise
        except Image.DecompressionBombError:
            raise BadRequest(413, f"{where}: the image is too large (at most {MAX_PIXELS} "
                             "pixels)") from None
        # Pillow's errors for bytes it cannot read
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise BadRequest(422, f"{where}: not an image Pillow can decode "
                             f"({type(exc).__name__}); expected {self.describe()}") from None
        values = pixels.astype(np.float32) * np.float32(self.scale) + np.float32(self.offset)
        if self.mean is not None:
            values = values - np.asarray(self.mean, dtype=np.float32)
        if self.std is not None:
            values = values / np.asarray(self.std, dtype=np.float32)
        if self.layout == "NCHW":
            values = values.transpose(2, 0, 1)
        dtype = np.dtype(self.spec.dtype)
        if dtype.kind in "iu":
            values = np.clip(np.rint(values), np.iinfo(dtype).min, np.iinfo(dtype).max)
        return values.reshape(_instance_shape(self.spec, self.layout, values.shape)).astype(dtype)

    def _pixels(self, image: Any) -> Any:
        """(height, width, channels) uint8 pixels, in the recorded mode and size."""
        import numpy as np
        from PIL import Image

        mode = "RGB" if self.mode == "BGR" else self.mode
        if image.mode != mode:
            image = image.convert(mode)
        if image.size != (self.width, self.height):
            image = image.resize((self.width, self.height),
                                 getattr(Image.Resampling, self.resample.upper()))
        pixels = np.asarray(image)
        if pixels.ndim == 2:
            pixels = pixels[:, :, None]
        return pixels[:, :, ::-1] if self.mode == "BGR" else pixels


def _instance_shape(spec: TensorSpec, layout: str, made: tuple[int, ...]) -> tuple[int, ...]:
    """The made (H, W, C) or (C, H, W) as the input wants one instance: a grey image for an
    input without a channel axis (``[None, 8, 8]``) drops it."""
    if len(spec.shape) == 3 and len(made) == 3:
        return made[1:] if layout == "NCHW" else made[:2]
    return made


def b64_bytes(value: Any, where: str) -> bytes:
    """The bytes of a ``{"b64": "..."}`` entry (standard or URL-safe base64)."""
    if not isinstance(value, dict) or set(value) != {"b64"} or not isinstance(value["b64"],
                                                                              str):
        raise BadRequest(422, f'{where}: expected {{"b64": "<base64 of an image>"}} or the '
                         "image's prepared array")
    text = value["b64"].strip()
    try:
        return base64.b64decode(text.replace("-", "+").replace("_", "/")
                                + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(422, f"{where}.b64: not valid base64") from None
