"""What a model runtime answers (:class:`Answer`), whatever it was given: one label or value
per row or instance, the class probabilities of classifiers, and for tensor models the
output tensors themselves (``outputs``, which the Open Inference Protocol answers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    """One label or value per row (``predictions``); for classifiers the probability of
    each class (rows x classes) where the model gives them; ``outputs``: a tensor model's
    output arrays by name, in the model's order (empty for table models)."""

    predictions: list[Any]
    probabilities: Any = None
    outputs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any], classes: list[Any] | None) -> Answer:
        """A tensor model's answer: with ``classes``, the first output's last axis holds one
        score per class (one sigmoid score for two classes): labels by argmax; else the
        first output, one entry per instance."""
        import numpy as np

        first = np.asarray(next(iter(outputs.values())))
        if classes and first.ndim == 2 and first.shape[1] in {len(classes), 1}:
            probs = first.astype(np.float64)
            if probs.shape[1] == 1 and len(classes) == 2:
                probs = np.hstack([1 - probs, probs])
            if probs.shape[1] == len(classes):
                return cls([classes[i] for i in probs.argmax(axis=1)], probs, outputs)
        return cls(first.tolist(), None, outputs)

    def to_dict(self, classes: list[Any] | None) -> dict[str, Any]:
        """``{"predictions": [...], "probabilities": [{class: p, ...}], "classes": [...]}``:
        original class labels; probabilities keyed by class (as JSON keys are strings); a
        tensor model with several outputs adds ``outputs: {name: nested lists}``."""
        out: dict[str, Any] = {"predictions": self.predictions}
        if self.probabilities is not None and classes:
            keys = [str(c) for c in classes]
            out["probabilities"] = [dict(zip(keys, row, strict=True))
                                    for row in self.probabilities.tolist()]
            out["classes"] = classes
        if len(self.outputs) > 1:
            out["outputs"] = {name: value.tolist() for name, value in self.outputs.items()}
        return out

    def same_as(self, other: Answer) -> bool:
        import numpy as np

        if self.predictions != other.predictions:
            return False
        if self.probabilities is None or other.probabilities is None:
            return self.probabilities is other.probabilities
        return bool(np.allclose(self.probabilities, other.probabilities, rtol=1e-9, atol=1e-12))

    def is_finite(self) -> bool:
        import numpy as np

        parts = [self.predictions] + ([self.probabilities] if self.probabilities is not None
                                      else [])
        for part in parts:
            arr = np.asarray(part)
            if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
                return False
        return True
