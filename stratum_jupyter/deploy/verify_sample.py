"""What a conversion is verified (and an int8 conversion calibrated) on: the bundle's own
sample (``sample_rows`` of a table model, ``sample_instances`` of a tensor or image model),
or a labelled sample file given at deploy (``--sample``), which also gives the accuracy:

- tables: CSV or Parquet with the model's feature columns, and its target column (the
  profile's ``input_schema.target``) or a ``label`` column for the labels;
- tensors: ``.npy`` (one input) or ``.npz`` (the inputs by name; ``labels`` for the labels);
- images: a folder of images, prepared as the bundle records; in subfolders named by their
  labels (``digits/3/a.png``), as Keras' ``image_dataset_from_directory`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..bundle.profile import Profile
from ..errors import DeployError

LABEL_COLUMN = "label"
LABELS_ARRAY = "labels"


@dataclass(frozen=True)
class Sample:
    """Inputs as the original model takes them (a DataFrame, an array, or a dict of arrays
    by input name), their labels (or None) and where they came from, for messages."""

    data: Any
    labels: Any
    source: str

    def __len__(self) -> int:
        from ..bundle.tensors import count

        return len(self.data) if hasattr(self.data, "columns") else count(self.data)


def is_tensor_model(profile: Profile) -> bool:
    return (profile.get("input_schema") or {}).get("kind") in ("tensor", "image")


def bundle_sample(profile: Profile) -> Sample:
    """The bundle's own sample instances of a tensor or image model, as arrays."""
    from ..bundle.tensors import as_inputs

    schema = profile["input_schema"]
    instances = profile.get("sample_instances")
    if not instances:
        raise DeployError(["conversion: the profile has no sample_instances to verify "
                           "against (bundle the model again with a sample, or deploy with "
                           "--sample FILE)"])
    return Sample(as_inputs(instances, schema["inputs"]), None,
                  "the bundle's sample_instances")


def read_sample(path: str | Path, profile: Profile) -> Sample:
    """A labelled (or unlabelled) sample file for the model of ``profile``; a DeployError
    naming the file and what was expected."""
    path = Path(path)
    if not path.exists():
        raise DeployError([f"sample: {str(path)!r} does not exist"])
    schema = profile.get("input_schema") or {}
    try:
        if schema.get("kind") == "image":
            return _images(path, schema)
        if is_tensor_model(profile):
            return _tensors(path, schema)
        return _table(path, schema)
    except (ValueError, OSError, KeyError) as exc:
        raise DeployError([f"sample: {path.name} cannot be read: {exc}"]) from None


def _images(path: Path, schema: dict[str, Any]) -> Sample:
    from ..bundle.images import image_files, prepare
    from ..errors import ModelInputError

    if not path.is_dir():
        raise DeployError([f"sample: an image model takes a folder of images (in subfolders "
                           f"named by label for accuracy), not {path.name}"])
    folders = sorted(p for p in path.iterdir() if p.is_dir())
    try:
        pairs: list[tuple[Path, str | None]]
        if folders:
            pairs = [(f, folder.name) for folder in folders for f in image_files(folder)]
        else:
            pairs = [(f, None) for f in image_files(path)]
        data = prepare([f for f, _ in pairs], schema["image"], schema["inputs"][0])
    except ModelInputError as exc:
        raise DeployError([f"sample: {exc}"]) from None
    labels = [label for _, label in pairs] if folders else None
    return Sample(data, labels, f"{len(pairs)} images in {path.name}")


def _tensors(path: Path, schema: dict[str, Any]) -> Sample:
    import numpy as np

    from ..bundle.tensors import as_inputs

    specs = schema["inputs"]
    if path.suffix.lower() == ".npy":
        return Sample(as_inputs(np.load(path, allow_pickle=False), specs), None, path.name)
    if path.suffix.lower() != ".npz":
        raise DeployError([f"sample: a tensor model takes .npy or .npz, not {path.name}"])
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    labels = arrays.pop(LABELS_ARRAY, None)
    names = [s["name"] for s in specs]
    if len(specs) == 1 and names[0] not in arrays and len(arrays) == 1:
        arrays = {names[0]: next(iter(arrays.values()))}
    missing = [n for n in names if n not in arrays]
    if missing:
        raise DeployError([f"sample: {path.name} lacks the inputs {missing} (it has "
                           f"{sorted(arrays)}; labels as {LABELS_ARRAY!r})"])
    data = as_inputs(arrays if len(specs) > 1 else arrays[names[0]], specs)
    return Sample(data, labels, path.name)


def _table(path: Path, schema: dict[str, Any]) -> Sample:
    import pandas as pd

    frame = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    names = [f["name"] for f in schema.get("features", [])]
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise DeployError([f"sample: {path.name} lacks the model's columns {missing}"])
    target = next((c for c in (schema.get("target"), LABEL_COLUMN) if c in frame.columns),
                  None)
    labels = frame[target].to_numpy() if target else None
    return Sample(frame[names].to_dict(orient="records"), labels, path.name)
