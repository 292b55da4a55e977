"""``stratum bundle`` / ``%stratum_bundle``: a bundle (the layout and ``profile.json`` of an
evaluated model) from a model made elsewhere: a scikit-learn ``.skops`` file, a Keras
``.keras`` file, an ONNX file from any framework, an XGBoost (``.json``/``.ubj``) or LightGBM
(``.txt``) model; in a kernel also a fitted model held in a variable. A shell over
:func:`stratum_jupyter.bundle.save_model`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import BadInput, Shell

HELP = ("Make a model bundle (profile.json with input schema, latency, size, versions; "
        "pinned requirements) from a scikit-learn, Keras, ONNX, XGBoost or LightGBM model "
        "made elsewhere, ready for stratum deploy and stratum profile.")


def add_arguments(parser: argparse.ArgumentParser, *, shell: Shell) -> None:
    where = " or a variable of the kernel" if shell == "magic" else ""
    parser.add_argument("model", metavar="MODEL_FILE",
                        help=f"The model: a .skops, .keras/.h5, .onnx, XGBoost .json/.ubj "
                             f"or LightGBM .txt file{where}.")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="The bundle folder to write.")
    parser.add_argument("--sample", metavar="FILE",
                        help="A sample of inputs: CSV or Parquet (tables), .npy/.npz "
                             f"(tensors), a folder of images{where}. Required.")
    parser.add_argument("--image", metavar="SPEC",
                        help="How an image becomes the input, e.g. height=299,width=299,"
                             "mode=RGB,scale=0.00784,offset=-1 (also layout=NHWC|NCHW, "
                             "resample=, mean=a/b/c, std=a/b/c); unset ones are inferred "
                             "from the model's input shape and said.")
    parser.add_argument("--classes", nargs="+", metavar="LABEL",
                        help="The labels of the model's class scores, in order (a network "
                             "or a booster keeps none).")
    parser.add_argument("--task", choices=("classification", "regression"),
                        help="What the model does (inferred from it where it says).")


@dataclass(frozen=True)
class Bundled:
    """What :func:`run` made: the folder and its profile."""

    path: Path
    profile: dict[str, Any]

    def summary(self) -> str:
        """A few lines: kind, inputs, classes, latency, size, and what was inferred."""
        p = self.profile
        schema = p.get("input_schema") or {}
        if schema.get("inputs"):
            takes = ", ".join(f"{s['name']} {s['shape']} {s['dtype']}" for s in schema["inputs"])
        else:
            takes = f"{len(schema.get('features') or [])} columns"
        lat = p.get("predict_latency") or {}
        lines = [f"bundle {self.path}: {p.get('kind')} model ({p.get('model_file')}, "
                 f"{p.get('model_size_bytes')} bytes), input {schema.get('kind')}: {takes}"]
        if schema.get("classes") is not None:
            lines.append(f"classes: {schema['classes']}")
        lines.append(f"predict latency: {lat.get('single_row_ms', 0):.3g} ms for one, "
                     f"{lat.get('batch_ms', 0):.3g} ms for {lat.get('batch_rows')}")
        lines += [f"inferred: {note}" for note in p.get("notes") or []]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def _labels(values: list[str] | None) -> list[Any] | None:
    """Class labels from the command line: numbers where all are integers."""
    if values is None:
        return None
    try:
        return [int(v) for v in values]
    except ValueError:
        return list(values)


def run(args: argparse.Namespace, *, resolve: Callable[[str], Any] = lambda ref: ref
        ) -> Bundled:
    """Bundle ``args.model`` into ``args.out`` (``resolve`` turns a name into the kernel's
    object, the magic's). BadInput naming the option for a model, sample or declaration
    that cannot make a bundle, before anything is written."""
    from ..bundle import read_profile, save_model
    from ..bundle.images import parse_image
    from ..errors import ModelInputError

    if args.sample is None:
        raise BadInput("--sample: a sample of the model's inputs is needed (CSV, Parquet, "
                       ".npy/.npz, or a folder of images): latency is measured on it and "
                       "its first rows kept for deploy checks")
    try:
        image = parse_image(args.image) if args.image else None
        out = save_model(resolve(args.model), args.out, X=resolve(args.sample),
                         task=args.task, classes=_labels(args.classes), image=image)
    except ModelInputError as exc:
        text = str(exc)  # the options' names, not save_model's arguments'
        text = "--sample: " + text[3:] if text.startswith("X: ") else text
        raise BadInput(text.replace("the sample X", "--sample")) from None
    return Bundled(Path(out), read_profile(out))
