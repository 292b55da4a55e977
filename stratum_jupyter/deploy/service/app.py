"""The prediction service: a model, input validation against its schema, Prometheus metrics,
and a small threaded HTTP server. Bad input always gets a 4xx with a message, never a 500."""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

try:  # in the stratum_jupyter package
    from ... import envvars
    from ...bundle import trust
except ImportError:  # in a deploy bundle, where render() copies envvars.py and the bundle's
    # trust.py (which types a skops file may hold) beside the service
    from . import envvars, trust  # type: ignore[no-redef, attr-defined]
from .onnx_input import onnx_feeds

MAX_BODY_BYTES = envvars.MAX_BODY_BYTES.get_int()
MAX_ROWS = envvars.MAX_ROWS.get_int()
MAX_ERRORS = 20
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                   2.5, 5.0)


class BadRequest(Exception):
    """The client's fault: answered with ``status`` and a JSON message."""

    def __init__(self, status: int, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors or []


# -- the model --------------------------------------------------------------------------------
class Model:
    """The bundle's model behind one ``predict(rows)`` call, whatever its runtime."""

    def __init__(self, model_dir: str | Path):
        self.dir = Path(model_dir)
        self.profile = json.loads((self.dir / "profile.json").read_text("utf-8"))
        schema = self.profile["input_schema"]
        self.features = [(f["name"], f["dtype"]) for f in schema["features"]]
        self.names = [name for name, _ in self.features]
        self.as_frame = schema.get("kind") == "dataframe"
        self.classes = schema.get("classes")
        self.onnx: Any = None
        self.estimator: Any = None
        self.tflite: Any = None
        if (self.dir / "model.tflite").is_file():
            # Keras models converted for edge targets (the conversion is the Keras support's)
            Interpreter = tflite_interpreter()
            self.runtime = "tflite"
            self.tflite = Interpreter(model_path=str(self.dir / "model.tflite"))
            self.tflite_lock = threading.Lock()  # an Interpreter is not thread-safe
        elif (self.dir / "model.onnx").is_file():
            import onnxruntime

            self.runtime = "onnx"
            self.onnx = onnxruntime.InferenceSession(str(self.dir / "model.onnx"),
                                                     providers=["CPUExecutionProvider"])
        else:
            import skops.io

            self.runtime = "sklearn"
            path = self.dir / "model.skops"
            untrusted, refused = trust.audit(path)  # load_model's rule
            if refused:
                raise RuntimeError(f"{path} holds untrusted types: {', '.join(refused)}")
            self.estimator = skops.io.load(path, trusted=untrusted)
            import sklearn

            # finiteness is checked by validate() already
            sklearn.set_config(assume_finite=True)

    def _kind(self, dtype: str) -> str:
        if dtype.startswith(("float", "Float")):
            return "float"
        if dtype.startswith(("int", "uint", "Int", "UInt")):
            return "int"
        if dtype in {"bool", "boolean"}:
            return "bool"
        return "str"

    def validate(self, payload: Any) -> list[dict[str, Any]]:
        """The payload's rows, or BadRequest(422) listing what is wrong with them."""
        if not isinstance(payload, dict) or "rows" not in payload:
            raise BadRequest(422, 'the body must be a JSON object {"rows": [{feature: value, '
                             '...}, ...]}')
        extra = sorted(set(payload) - {"rows"})
        if extra:
            raise BadRequest(422, f"unknown top-level field(s): {', '.join(extra)} "
                             "(allowed: rows)")
        rows = payload["rows"]
        if not isinstance(rows, list) or not rows:
            raise BadRequest(422, "rows must be a non-empty list of objects")
        if len(rows) > MAX_ROWS:
            raise BadRequest(413, f"too many rows: {len(rows)} (at most {MAX_ROWS})")
        errors: list[str] = []
        allowed = set(self.names)
        for i, row in enumerate(rows):
            if len(errors) >= MAX_ERRORS:
                break
            if not isinstance(row, dict):
                errors.append(f"rows[{i}]: must be an object of feature: value, "
                              f"got {type(row).__name__}")
                continue
            missing = [n for n in self.names if n not in row]
            if missing:
                errors.append(f"rows[{i}]: missing feature(s) {', '.join(map(repr, missing))}")
            unknown = [k for k in row if k not in allowed]
            if unknown:
                errors.append(f"rows[{i}]: unknown feature(s) {', '.join(map(repr, unknown))} "
                              f"(allowed: {', '.join(map(repr, self.names))})")
            for name, dtype in self.features:
                if name in row:
                    problem = self._check_value(row[name], self._kind(dtype))
                    if problem:
                        errors.append(f"rows[{i}].{name}: {problem} (feature dtype {dtype})")
        if errors:
            raise BadRequest(422, "invalid rows", errors[:MAX_ERRORS])
        return rows

    @staticmethod
    def _check_value(value: Any, kind: str) -> str | None:
        if kind in {"float", "int"}:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"expected a number, got {json.dumps(value)[:40]}"
            if not math.isfinite(value):
                return "expected a finite number"
            if kind == "int" and not float(value).is_integer():
                return f"expected an integer, got {value}"
        elif kind == "bool" and not isinstance(value, bool):
            return f"expected true or false, got {json.dumps(value)[:40]}"
        elif kind == "str" and not isinstance(value, str):
            return f"expected a string, got {json.dumps(value)[:40]}"
        return None

    def predict(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        import numpy as np

        if self.onnx is not None:
            result = self.onnx.run(None, onnx_feeds(self.onnx.get_inputs(), self.names, rows))
            out: dict[str, Any] = {"predictions": np.asarray(result[0]).ravel().tolist()}
            if self.classes is not None and len(result) > 1:
                out["probabilities"] = np.asarray(result[1]).tolist()
                out["classes"] = self.classes
            return out
        if self.tflite is not None:
            return self._predict_tflite(rows)
        if self.as_frame:
            import pandas as pd

            # one typed array per column: no per-column astype afterwards
            data = pd.DataFrame({name: np.array([row[name] for row in rows],
                                                dtype=self._numpy_dtype(dtype))
                                 for name, dtype in self.features}, columns=self.names)
        else:
            dtype = self._numpy_dtype(self.features[0][1]) if self.features else "float64"
            data = np.array([[row[n] for n in self.names] for row in rows], dtype=dtype)
        final, data = self._transform(data)
        out = {"predictions": np.asarray(final.predict(data)).tolist()}
        if self.classes is not None and hasattr(final, "predict_proba"):
            out["probabilities"] = np.asarray(final.predict_proba(data)).tolist()
            out["classes"] = self.classes
        return out

    def _predict_tflite(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        import numpy as np

        data = np.array([[row[n] for n in self.names] for row in rows], dtype=np.float32)
        with self.tflite_lock:
            output = tflite_invoke(self.tflite, data)
        if self.classes is None:
            return {"predictions": output.reshape(len(rows), -1).squeeze(axis=1).tolist()
                    if output.ndim == 2 and output.shape[1] == 1 else output.tolist()}
        probs = output if output.shape[1] > 1 else np.hstack([1 - output, output])
        return {"predictions": [self.classes[i] for i in probs.argmax(axis=1)],
                "probabilities": probs.tolist(), "classes": self.classes}

    def _numpy_dtype(self, dtype: str) -> Any:
        kind = self._kind(dtype)
        return {"str": object, "bool": bool}.get(kind) or dtype.lower()

    def _transform(self, data: Any) -> tuple[Any, Any]:
        """A Pipeline's transformers run once, not once for predict and again for
        predict_proba; the final estimator then answers both."""
        steps = getattr(self.estimator, "steps", None)
        if steps and len(steps) > 1 and hasattr(self.estimator, "__getitem__"):
            return steps[-1][1], self.estimator[:-1].transform(data)
        return self.estimator, data


def tflite_invoke(interp: Any, data: Any) -> Any:
    """Run a LiteRT interpreter on a float32 batch of any size; the first output."""
    import numpy as np

    index = interp.get_input_details()[0]["index"]
    interp.resize_tensor_input(index, data.shape)
    interp.allocate_tensors()
    interp.set_tensor(index, data)
    interp.invoke()
    return np.array(interp.get_tensor(interp.get_output_details()[0]["index"]))


def tflite_interpreter() -> Any:
    """LiteRT's Interpreter, from whichever runtime is installed (smallest first)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tflite_runtime.interpreter import Interpreter
        except ImportError:
            import tensorflow as tf

            Interpreter = tf.lite.Interpreter
    return Interpreter


# -- metrics ----------------------------------------------------------------------------------
class Metrics:
    """Prometheus metrics of this process: requests, latency, rows, CPU and memory."""

    def __init__(self, model: Model):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector

        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # process_cpu_seconds_total, memory, fds
        self.requests = Counter("stratum_requests", "HTTP requests by endpoint and status.",
                                ["endpoint", "method", "status"], registry=self.registry)
        self.latency = Histogram("stratum_request_duration_seconds",
                                 "Time to answer a request.", ["endpoint"],
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.rows = Counter("stratum_predicted_rows", "Rows predicted.", registry=self.registry)
        info = Gauge("stratum_model_info", "The model being served.",
                     ["candidate", "runtime", "kind"], registry=self.registry)
        info.labels(str(model.profile.get("candidate") or ""), model.runtime,
                    str(model.profile.get("kind") or "")).set(1)

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


# -- HTTP -------------------------------------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stratum-service"
    sys_version = ""
    model: Model
    metrics: Metrics

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if envvars.ACCESS_LOG.get():
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode("utf-8"))

    def _route(self, method: str) -> tuple[str, int]:
        path = self.path.split("?", 1)[0]
        routes = {"/health": "GET", "/metrics": "GET", "/predict": "POST"}
        if path not in routes:
            self._json(404, {"error": f"no such endpoint {path[:100]!r}",
                             "allowed": sorted(routes)})
            return "other", 404
        if routes[path] != method:
            self._json(405, {"error": f"{path} takes {routes[path]}, not {method}"})
            return path, 405
        if path == "/health":
            self._json(200, {"status": "ok", "runtime": self.model.runtime,
                             "features": self.model.names})
        elif path == "/metrics":
            self._send(200, self.metrics.render(), "text/plain; version=0.0.4; charset=utf-8")
        else:
            return path, self._predict()
        return path, 200

    def _body(self) -> Any:
        length = self.headers.get("Content-Length")
        if length is None:
            raise BadRequest(411, "a Content-Length header is required")
        try:
            size = int(length)
        except ValueError:
            raise BadRequest(400, f"bad Content-Length {length[:40]!r}") from None
        if size < 0 or size > MAX_BODY_BYTES:
            self.close_connection = True
            raise BadRequest(413, f"body too large: {size} bytes (at most {MAX_BODY_BYTES})")
        raw = self.rfile.read(size)

        def no_constants(name: str) -> Any:
            raise ValueError(f"{name} is not allowed")

        try:
            return json.loads(raw, parse_constant=no_constants)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(400, f"the body is not valid JSON: {exc}") from None

    def _predict(self) -> int:
        try:
            rows = self.model.validate(self._body())
            try:
                result = self.model.predict(rows)
            except (ValueError, TypeError, KeyError) as exc:
                raise BadRequest(422, f"the model rejected the rows: {exc}") from None
        except BadRequest as exc:
            body: dict[str, Any] = {"error": exc.message}
            if exc.errors:
                body["errors"] = exc.errors
            self._json(exc.status, body)
            return exc.status
        self.metrics.rows.inc(len(rows))
        self._json(200, result)
        return 200

    def _handle(self, method: str) -> None:
        start = time.perf_counter()
        endpoint, status = "other", 500
        try:
            endpoint, status = self._route(method)
        except Exception as exc:  # a bug of ours: still answer, and count it
            self._json(500, {"error": f"internal error: {type(exc).__name__}"})
            raise
        finally:
            self.metrics.requests.labels(endpoint, method, str(status)).inc()
            self.metrics.latency.labels(endpoint).observe(time.perf_counter() - start)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def make_server(model_dir: str | Path, host: str = "127.0.0.1", port: int = 8080) -> Server:
    """A ready server (not yet serving); ``port=0`` picks a free port."""
    model = Model(model_dir)
    handler = type("BoundHandler", (Handler,), {"model": model, "metrics": Metrics(model)})
    return Server((host, port), handler)


def serve(model_dir: str | Path, host: str = "127.0.0.1", port: int = 8080) -> None:
    server = make_server(model_dir, host, port)
    print(f"serving {model_dir} on http://{host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def serve_in_thread(model_dir: str | Path, host: str = "127.0.0.1", port: int = 0
                    ) -> tuple[Server, threading.Thread]:
    """Start a server in a daemon thread (for notebooks and tests); stop with ``shutdown()``."""
    server = make_server(model_dir, host, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
