"""Bring your own model: :func:`save_model` makes a bundle (the layout and ``profile.json``
of an evaluated model) from a model fitted or exported elsewhere: a scikit-learn estimator
or pipeline, a Keras network, an ONNX graph, an XGBoost or LightGBM model (the sklearn-API
wrappers or native boosters), or a file of any of them (:mod:`.readers`)."""

from __future__ import annotations

import json
import logging
import re
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ModelInputError
from . import images, tensors
from . import profile as prof
from .formats import ModelFormat, format_for
from .networks import NetworkModel
from .readers import adopt
from .samples import is_images, is_table, read_sample
from .save import move_into, save_bundle, write_profile

log = logging.getLogger(__name__)
SAMPLE_INSTANCES = 5
MAX_SAMPLE_VALUES = 65_536
"""The sample instances a profile keeps for checks: at most 5, and this many numbers in all."""
RTOL = ATOL = 1e-6
"""How closely the bundle's model, loaded back, must answer what the model answers."""


def save_model(model: Any, directory: str | Path, X: Any = None, *, y: Any = None,
               task: str | None = None, classes: list[Any] | None = None,
               image: dict[str, Any] | str | None = None,
               inputs: list[dict[str, Any]] | None = None) -> Path:
    """Save a fitted or exported ``model`` (or a model file's path) as a bundle in
    ``directory``; returns the folder.

    ``X`` is a sample of inputs (a DataFrame or 2-D array for table models; an array, or a
    dict of arrays by input name, for tensor models; or a path: CSV/Parquet, ``.npy``/
    ``.npz``, a folder of images). Its latency is measured on it and its first instances
    kept for checks. ``classes`` name the columns of a network's scores; ``image`` (dict or
    ``"height=..,mode=.."``) says how an image becomes the input (docs/model-inputs.md);
    ``inputs`` declares tensor inputs a model does not declare itself. What the model
    declares wins; a sample or declaration contradicting it is a ModelInputError naming
    both, as are an unfitted model, an unknown file type and a missing sample.
    """
    model = adopt(model)
    if X is None:
        raise ModelInputError("X: a sample of the model's inputs is needed (its latency is "
                              "measured and its first rows kept for checks): a table, an "
                              "array, or a CSV/Parquet/.npy file or a folder of images")
    X = read_sample(X) if isinstance(X, str | Path) else X
    directory = Path(directory)
    if isinstance(image, str):
        image = images.parse_image(image)
    if isinstance(model, NetworkModel):
        return _save_network(model, directory, X, y=y, task=task, classes=classes,
                             image=image, inputs=inputs)
    return _save_estimator(model, directory, X, y=y, task=task, classes=classes)


def _name(directory: Path) -> str:
    """The model's name where it is served (``/health``, ``/v2/models/{name}``) and
    deployed: the bundle folder's, as an evaluated model's is its candidate's."""
    return directory.resolve().name


def _check_fitted(model: Any) -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not (hasattr(model, "predict") or hasattr(model, "transform")):
        raise ModelInputError(
            f"model: a {type(model).__name__} is not a model stratum bundles (allowed: a "
            "fitted scikit-learn estimator or pipeline, a Keras model, an onnx.ModelProto, "
            "an XGBoost/LightGBM model, or a path to a model file)")
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ModelInputError(f"model: this {type(model).__name__} is not fitted; fit it "
                              "first (save_model saves a fitted model)") from None
    except TypeError:  # not an estimator scikit-learn can check: loading back will tell
        pass


def _table_contradiction(model: Any, X: Any) -> str | None:
    import numpy as np

    names = getattr(model, "feature_names_in_", None)
    if names is not None and is_table(X):
        # LightGBM keeps its names with whitespace made "_" (its sanitising), the columns
        # it was fitted on and predicts from as they were
        known = {*map(str, X.columns), *(re.sub(r"\s", "_", str(c)) for c in X.columns)}
        missing = [str(n) for n in names if str(n) not in known]
        if missing:
            return (f"X: the sample lacks the columns {missing} that the model was fitted "
                    f"on (its feature_names_in_: {[str(n) for n in names]})")
    n_features = getattr(model, "n_features_in_", None)
    width = np.shape(X)[1] if np.ndim(X) == 2 else None
    if n_features is not None and names is None and width != n_features:
        return (f"X: the sample has {width} columns (shape {np.shape(X)}), but the model "
                f"takes {n_features} (its n_features_in_)")
    return None


def _save_estimator(model: Any, directory: Path, X: Any, *, y: Any, task: str | None,
                    classes: list[Any] | None) -> Path:
    from sklearn.base import is_classifier, is_regressor

    _check_fitted(model)
    if is_images(X) or isinstance(X, dict) or len(getattr(X, "shape", (0, 0))) != 2:
        raise ModelInputError(f"X: a {type(model).__name__} takes a table (a DataFrame, a "
                              "2-D array, CSV or Parquet), not "
                              f"{'images' if is_images(X) else 'this sample'}")
    problem = _table_contradiction(model, X)
    if problem:
        raise ModelInputError(problem)
    own = getattr(model, "classes_", None)
    if classes is not None and own is not None and [str(c) for c in classes] != [
            str(c) for c in own]:
        raise ModelInputError(f"classes: {list(classes)} contradicts the model's classes_ "
                              f"{[c.item() if hasattr(c, 'item') else c for c in own]}")
    if task is None:
        task = "classification" if is_classifier(model) else \
            "regression" if is_regressor(model) else None
    notes = [f"task={task} (from the estimator)"] if task else []
    return save_bundle(model, directory, X=X, y=y, task=task,
                       extra={"source": "save_model", "name": _name(directory),
                              "model_format": format_for(model).name, "notes": notes})


def _network_schema(model: NetworkModel, X: Any, image: dict[str, Any] | None,
                    inputs: list[dict[str, Any]] | None) -> tuple[dict[str, Any], Any,
                                                                    list[str]]:
    """The tensor or image schema, the sample as the model's input, the notes."""
    declared = model.specs("inputs")
    notes: list[str] = []
    if is_images(X) or image is not None:
        specs = tensors.merge(declared, inputs, None)
        block, notes = images.from_shape(specs[0]["shape"], images.check_image(image or {}))
        data = images.prepare(X, block, specs[0]) if is_images(X) else X
        tensors.merge(specs, None, tensors.sample_specs(data, [specs[0]["name"]]))
        schema: dict[str, Any] = {"kind": "image", "inputs": specs,
                                  "outputs": model.specs("outputs"), "image": block}
    else:
        specs = tensors.merge(declared, inputs, tensors.sample_specs(
            X, [declared[0]["name"]] if declared else None))
        schema = {"kind": "tensor", "inputs": specs, "outputs": model.specs("outputs")}
    if model.classes_ is not None:
        schema["classes"] = list(model.classes_)
    return schema, tensors.as_inputs(data if schema["kind"] == "image" else X, specs), notes


def _table_schema_check(model: NetworkModel, X: Any) -> None:
    declared = model.specs("inputs")
    if len(declared) == 1 and declared[0]["shape"][-1] not in (None, X.shape[1]):
        raise ModelInputError(f"X: the sample has {X.shape[1]} columns, but the model's "
                              f"input {declared[0]['name']!r} is {declared[0]['shape']}")
    if len(declared) > 1 and {s["name"] for s in declared} - set(map(str, X.columns)):
        raise ModelInputError(f"X: the sample's columns {list(map(str, X.columns))} are not "
                              f"the model's inputs {[s['name'] for s in declared]}")


def _check_classes(model: NetworkModel, classes: list[Any]) -> None:
    """``classes`` must fit the model's own labels and its score columns."""
    if model.classes_ is not None and len(model.classes_) != len(classes):
        raise ModelInputError(f"classes: {classes} contradicts the model's own class labels "
                              f"{model.classes_}")
    scores = [s for s in model.specs("outputs") if len(s["shape"]) == 2]
    width = scores[-1]["shape"][1] if scores else None
    if width not in (None, 1, len(classes)) or (width == 1 and len(classes) != 2):
        raise ModelInputError(f"classes: {len(classes)} labels, but the model's output "
                              f"{scores[-1]['name']!r} has {width} score column(s)")


def _save_network(model: NetworkModel, directory: Path, X: Any, *, y: Any, task: str | None,
                  classes: list[Any] | None, image: dict[str, Any] | None,
                  inputs: list[dict[str, Any]] | None) -> Path:
    if classes is not None:
        _check_classes(model, list(classes))
        model.classes_ = list(classes)
    if is_table(X) and image is None:
        _table_schema_check(model, X)
        schema, data, samples = None, X, None
        notes: list[str] = []
    else:
        schema, data, notes = _network_schema(model, X, image, inputs)
        samples = _sample_instances(data, X)
    directory.mkdir(parents=True, exist_ok=True)
    fmt = format_for(model)
    model_file = _save_checked(model, fmt, directory, data, schema)
    task = task or ("classification" if model.classes_ is not None else None)
    for note in notes:
        log.info("save_model: %s", note)
    write_profile(model, fmt, model_file, data, y, {
        "task": task, "input_schema": schema, "samples": samples,
        "libraries": (model.library,),
        "extra": {"source": "save_model", "name": _name(directory), "model_format": fmt.name,
                  "notes": notes}},
        requirements=("pillow",) if schema and schema["kind"] == "image" else ())
    return directory


def _sample_instances(data: Any, X: Any) -> dict[str, Any]:
    """The first instances (as nested lists) while they hold at most
    :data:`MAX_SAMPLE_VALUES` numbers; the image files' names for a folder."""
    import numpy as np

    n = min(SAMPLE_INSTANCES, tensors.count(data))
    head = tensors.first(data, 1)
    per = sum(np.size(v) for v in head.values()) if isinstance(head, dict) else np.size(head)
    n = min(n, MAX_SAMPLE_VALUES // max(per, 1))
    kept = tensors.first(data, n)
    out: dict[str, Any] = {"sample_instances": prof.json_value(
        {k: v.tolist() for k, v in kept.items()} if isinstance(kept, dict) else kept.tolist())}
    if is_images(X):
        out["sample_images"] = [p.name for p in X[:SAMPLE_INSTANCES]]
    return out


def _save_checked(model: NetworkModel, fmt: ModelFormat, directory: Path, data: Any,
                  schema: dict[str, Any] | None) -> Path:
    """Write the model, load it back as ``load_model`` does and compare its scores on the
    first sample instances (within :data:`RTOL`/:data:`ATOL`) and labels (exactly) with the
    model's; then move its files into ``directory``. ModelInputError if they differ."""
    import numpy as np

    head = tensors.first(data, SAMPLE_INSTANCES)
    with tempfile.TemporaryDirectory(prefix=".saving-", dir=directory) as tmp:
        scratch = Path(tmp)
        written = fmt.save(model, scratch)
        # what the loader reads the classes from
        (scratch / "profile.json").write_text(json.dumps({"input_schema": prof.json_value(
            schema or {"classes": model.classes_})}), encoding="utf-8")
        loaded = fmt.load(scratch, ())
        expected, got = np.asarray(model.scores(head)), np.asarray(loaded.scores(head))
        same = expected.shape == got.shape and np.allclose(expected, got, rtol=RTOL,
                                                           atol=ATOL, equal_nan=True)
        if not same or (np.asarray(model.predict(head)) != np.asarray(loaded.predict(head))
                        ).any():
            raise ModelInputError(f"model: in {fmt.name} format it does not answer what it "
                                  f"answered before saving: {got.tolist()[:2]} != "
                                  f"{expected.tolist()[:2]}")
        (scratch / "profile.json").unlink()
        move_into(scratch, directory)
    return directory / written.name
