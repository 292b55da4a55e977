"""The prediction service without HTTP: a bundle's model runtime, the reader of its input
kind, and ``predict(body) -> JSON``. Bad input is a :class:`BadRequest` naming the row and
the feature (or the input and the shape it takes), never another exception."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .answers import Answer
from .inputs import MAX_ERRORS, BadRequest, Frame
from .readers import TableReader, Tensors
from .runtimes import Runtime, load_runtime

# What a model raises for input it refuses (scikit-learn's ValueError for an unseen
# category, onnxruntime's errors, which are RuntimeErrors): answered 422, never 500.
REFUSALS = (ValueError, TypeError, KeyError, IndexError, ArithmeticError, RuntimeError)
DIAGNOSED_ROWS = 50  # rows predicted one by one to find the ones the model refuses


class Predictor:
    """Loads ``model_dir`` (``profile.json`` + the model file) and answers bodies of
    ``POST /predict``. Thread-safe: the runtimes are (TFLite's behind a lock)."""

    def __init__(self, model_dir: str | Path, *, max_rows: int = 10000):
        self.dir = Path(model_dir)
        self.profile: dict[str, Any] = json.loads((self.dir / "profile.json").read_text("utf-8"))
        self.runtime: Runtime = load_runtime(self.dir, self.profile, max_rows)
        self.reader = self.runtime.reader
        self.name = str(self.profile.get("name") or self.profile.get("candidate")
                        or self.dir.name)
        self.features = self.runtime.features
        self.names = [f.name for f in self.features]
        self.base = self._base_row()
        self.nullable = sorted(f.name for f in self.features
                               if f.may_be_missing and self._takes_missing(f.name))
        if isinstance(self.reader, TableReader):
            self.reader.allow_missing(self.nullable)
        else:
            self._warm_up()
        self.batching: dict[str, Any] = {"max_batch": 1, "batch_wait_ms": 0.0}  # the server's

    def describe(self) -> dict[str, Any]:
        """What ``/health`` says: the runtime, the input kind and what it takes (table: the
        features and which of them may be null; tensors: the inputs)."""
        return {"status": "ok", "name": self.name, "runtime": self.runtime.name,
                "kind": self.reader.kind, "batching": self.batching,
                **self.reader.describe()}

    def predict(self, body: bytes, content_type: str = "application/json"
                ) -> tuple[bytes, int]:
        """The JSON answer to a body and how many rows it held; BadRequest for bad input."""
        batch = self.reader.read(body, content_type)
        answer = self.answer(batch)
        return encode(answer.to_dict(self.runtime.classes)), batch.n_rows

    def answer(self, batch: Frame | Tensors) -> Answer:
        """The model's answer for a batch the reader made; BadRequest 422 where it refuses."""
        try:
            return self.runtime.predict(batch)
        except REFUSALS as exc:
            if isinstance(batch, Frame):
                raise self._refused(batch, exc) from None
            raise BadRequest(422, "the model rejected the instances",
                             [f"instances: {_reason(exc)}"]) from None

    def _warm_up(self) -> None:
        """Predict the profile's ``sample_instances`` once, so the first request does not pay
        for what a runtime builds on its first call (Keras' predict function); a bundle
        whose samples its model refuses fails here, at start, naming why."""
        samples = self.profile.get("sample_instances")
        if not samples or not isinstance(samples, (list, dict)):
            return
        try:  # a list of instances, or a dict by input name for several inputs
            self.answer(self.reader.from_columns(samples) if isinstance(samples, dict)
                        else self.reader.from_instances(samples))  # type: ignore[attr-defined]
        except BadRequest as exc:
            raise ValueError(f"{self.dir / 'profile.json'}: the model does not take its own "
                             f"sample_instances: {exc.message} {' '.join(exc.errors)}"
                             ) from None

    # -- which features may be missing ------------------------------------------------------
    def _base_row(self) -> Frame | None:
        """The first of the profile's sample rows the model predicts: the row that the
        probes below vary, and the values that stand in for a suspect one."""
        for row in self.profile.get("sample_rows") or []:
            if isinstance(row, dict) and set(row) == set(self.names):
                frame = Frame.from_rows([row], self.features)
                if self._fails(frame) is None:
                    return frame
        return None

    def _takes_missing(self, name: str) -> bool:
        """Whether the model answers (finitely) when this feature is missing: an imputer,
        a model that handles NaN, an encoder that ignores unknown values. Without a sample
        row to try, the schema's word stands."""
        if self.base is None:
            return True
        try:
            return self.runtime.predict(self.base.with_value(0, name, None)).is_finite()
        except Exception:  # noqa: BLE001 - whatever the model raises, it takes no gap here
            return False

    # -- what to say when the model refuses rows --------------------------------------------
    def _fails(self, frame: Frame) -> str | None:
        try:
            self.runtime.predict(frame)
        except REFUSALS as exc:
            return _reason(exc)
        return None

    def _refused(self, frame: Frame, exc: BaseException) -> BadRequest:
        """422 naming the rows the model refuses (of the first DIAGNOSED_ROWS) and, where
        swapping one value for the sample row's makes it pass, the feature."""
        errors: list[str] = []
        for i in range(min(frame.n_rows, DIAGNOSED_ROWS)):
            row = frame.take([i])
            reason = _reason(exc) if frame.n_rows == 1 else self._fails(row)
            if reason is not None:
                errors.append(self._blame(row, i, reason))
            if len(errors) >= MAX_ERRORS:
                break
        if not errors:
            errors = [f"rows: the model refused the batch: {_reason(exc)}"]
        return BadRequest(422, "the model rejected the rows", errors)

    def _blame(self, row: Frame, index: int, reason: str) -> str:
        if self.base is not None:
            for feature in self.features:
                standin = self.base.columns[feature.name][0]
                value = row.columns[feature.name][0]
                if value == standin or self._fails(row.with_value(0, feature.name,
                                                                  standin)) is not None:
                    continue
                known = f" (known: {', '.join(map(str, feature.categories[:20]))})" \
                    if feature.categories else ""
                return (f"rows[{index}].{feature.name}: the model does not take "
                        f"{json.dumps(value)[:60]}{known}: {reason}")
        return f"rows[{index}]: the model rejected this row: {reason}"


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


def encode(answer: dict[str, Any]) -> bytes:
    """Compact JSON; a non-finite number a model gives becomes null (JSON has no NaN)."""
    try:
        return json.dumps(answer, allow_nan=False, separators=(",", ":")).encode()
    except ValueError:
        return json.dumps(_finite(answer), separators=(",", ":")).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
