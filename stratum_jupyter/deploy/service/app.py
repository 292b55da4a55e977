"""The service's older entry module, kept thin for code that imports it: the service now
lives in :mod:`.server` (serving: ``make_server``, ``serve``, ``serve_in_thread``),
:mod:`.web` (HTTP), :mod:`.core` (the model without HTTP), :mod:`.runtimes`,
:mod:`.inputs`, :mod:`.metrics` and :mod:`.auth`."""

from __future__ import annotations

from .core import Predictor
from .inputs import BadRequest
from .runtimes import TRUSTED_ROOTS, tflite_interpreter, tflite_invoke
from .server import ServiceServer, Settings, make_server, serve, serve_in_thread

__all__ = ["TRUSTED_ROOTS", "BadRequest", "Predictor", "ServiceServer", "Settings",
           "make_server", "serve", "serve_in_thread", "tflite_interpreter", "tflite_invoke"]
