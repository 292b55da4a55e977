"""Models whose answer is a tensor of scores (an ONNX graph, a Keras network), behind the
scikit-learn interface every bundle's model has: ``predict`` gives class labels (the argmax
over ``classes_``) where the model has classes, else the output itself; ``predict_proba``
gives the class scores, and exists only where there are classes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def class_scores(output: Any) -> Any:
    """One score per class (rows x classes): a single sigmoid column is the positive
    class's, so ``[1 - p, p]`` (as the prediction service reads it)."""
    import numpy as np

    out = np.asarray(output)
    out = out.reshape(len(out), -1)
    return out if out.shape[1] > 1 else np.hstack([1 - out, out])


class NetworkModel:
    """A score tensor behind ``predict`` / ``predict_proba``. Subclasses give
    :meth:`scores` (the first output for a batch: NumPy arrays in, rows first) and may give
    :meth:`labels` (a model that answers labels itself, as skl2onnx's classifiers do)."""

    classes_: list[Any] | None = None
    library = ""
    """The package that runs it (``onnxruntime``, ``keras``), for the profile."""

    def scores(self, X: Any) -> Any:
        raise NotImplementedError

    def specs(self, which: str = "inputs") -> list[dict[str, Any]]:
        """The model's declared ``inputs`` (or ``outputs``): ``{"name", "shape", "dtype"}``
        with the batch dimension (and any other open one) None."""
        raise NotImplementedError

    def labels(self, X: Any) -> Any:
        """The model's own labels; None when it answers scores only."""
        return None

    def predict(self, X: Any) -> Any:
        """Labels (rows,) where the model has classes, else the output (rows, ...): a single
        output column is flattened to (rows,)."""
        import numpy as np

        own = self.labels(X)
        if own is not None:
            return own
        out = np.asarray(self.scores(X))
        if self.classes_ is None:
            return out.reshape(len(out)) if out.ndim == 2 and out.shape[1] == 1 else out
        return np.asarray(self.classes_)[class_scores(out).argmax(axis=1)]

    @property
    def predict_proba(self) -> Any:
        """Class scores (rows x classes), for models with classes only (an AttributeError
        otherwise, so ``hasattr(model, "predict_proba")`` says whether there are any)."""
        if self.classes_ is None:
            raise AttributeError(f"{type(self).__name__} has no classes: no predict_proba")
        return lambda X: class_scores(self.scores(X))


def recorded_classes(directory: Path) -> list[Any] | None:
    """The classes the bundle's ``profile.json`` records (``input_schema.classes``), which a
    score tensor does not hold; None without a profile or classes."""
    path = Path(directory) / "profile.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text(encoding="utf-8")).get("input_schema") or {}
    classes = schema.get("classes")
    return list(classes) if classes is not None else None
