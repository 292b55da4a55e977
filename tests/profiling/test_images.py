"""What ``stratum profile`` sends an image model whose bundle keeps no sample instances
(images too large for profile.json): PNGs of the recorded size and mode, as ``{"b64"}``."""

import base64
import io
import json

import pytest
from PIL import Image

from stratum_jupyter.profiling.api import _samples
from stratum_jupyter.profiling.grid import ProfileError
from stratum_jupyter.profiling.images import png_instances


def test_png_instances_have_the_recorded_size_and_mode():
    instances = png_instances({"height": 40, "width": 30, "mode": "L"}, count=3)
    images = [Image.open(io.BytesIO(base64.b64decode(i["b64"]))) for i in instances]
    assert [(im.size, im.mode, im.format) for im in images] == [((30, 40), "L", "PNG")] * 3
    assert images[0].tobytes() != images[1].tobytes()  # two photos, not one repeated
    with pytest.raises(ProfileError, match="no width and height"):
        png_instances({"mode": "RGB"})


def test_a_bundle_without_instances_is_sent_pngs(tmp_path):
    image = {"height": 299, "width": 299, "mode": "RGB", "layout": "NHWC"}
    (tmp_path / "profile.json").write_text(json.dumps({
        "sample_rows": [], "sample_instances": [],
        "input_schema": {"kind": "image", "image": image}}))
    said = []
    key, instances = _samples(tmp_path, said.append)
    assert key == "instances" and len(instances) == 4 and set(instances[0]) == {"b64"}
    assert "sending PNGs of 299x299 pixels" in said[0]
    (tmp_path / "profile.json").write_text(json.dumps({"sample_rows": [],
                                                       "sample_instances": []}))
    with pytest.raises(ProfileError, match="no sample_rows or sample_instances"):
        _samples(tmp_path)
