"""The HTTP face of the service: a Starlette app over a :class:`~.core.Predictor`.

``GET /health`` (open to all), ``POST /predict``, ``GET /metrics`` and the Open Inference
Protocol's routes (:mod:`.v2`: ``/v2/health/live``, ``/v2/health/ready``,
``/v2/models/{name}``, ``.../ready``, ``.../infer``). With a token, every route but the
health probes wants ``Authorization: Bearer <token>`` (compared in constant time).
Bodies over the limit are refused from their Content-Length, before they are read; small
bodies are predicted on the event loop, large ones on a bounded pool of threads.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from typing import Any

from .core import Predictor, encode
from .inputs import BadRequest
from .metrics import CONTENT_TYPE, OPEN_ROUTES, ROUTES, Metrics, route_label
from .readers import TableReader

INLINE_BODY_BYTES = 16 * 1024  # predicted on the event loop up to this size; else a thread
CLIENT_CLOSED = 499  # counted for requests whose client left before the answer


def json_response(status: int, content: Any, headers: dict[str, str] | None = None) -> Any:
    from starlette.responses import Response

    return Response(json.dumps(content).encode(), status, headers,
                    media_type="application/json")


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class Guard:
    """Pure ASGI middleware: checks the bearer token, then counts and times every request
    under its route (unknown paths under one label)."""

    def __init__(self, app: Any, metrics: Metrics, token: str | None = None):
        self.app, self.metrics = app, metrics
        self.digest = token_digest(token) if token else None

    def authorized(self, scope: dict[str, Any]) -> bool:
        if self.digest is None or scope["path"] in OPEN_ROUTES:
            return True
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, given = value.partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(
                    hashlib.sha256(given.strip()).digest(), self.digest)
        return False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what an exception that escapes becomes

        async def sent(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if self.authorized(scope):
                await self.app(scope, receive, sent)
            else:
                answer = json_response(401, {"error": "a bearer token is required "
                                             "(Authorization: Bearer <token>)"},
                                       {"WWW-Authenticate": "Bearer"})
                await answer(scope, receive, sent)
        finally:
            self.metrics.observe(scope["path"], scope["method"], status,
                                 time.perf_counter() - start)


async def read_body(request: Any, limit: int) -> bytes:
    """The body, refused (413) from its Content-Length when over ``limit``, or as soon as a
    chunked body passes it."""
    length = request.headers.get("content-length")
    if length is not None:
        try:
            size = int(length)
        except ValueError:
            raise BadRequest(400, f"bad Content-Length {length[:40]!r}") from None
        if size > limit:
            raise BadRequest(413, f"body too large: {size} bytes (at most {limit})")
        return bytes(await request.body())
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise BadRequest(413, f"body too large: over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class Answering:
    """How a body becomes an answer: ``read(body) -> (context, batch)``, the model's answer
    (alone, or joined with concurrent requests' by the :class:`~.batching.Batcher` when
    ``max_batch`` > 1), ``respond(context, answer) -> bytes``. Small table bodies are read
    and predicted on the event loop, the rest on ``threads`` threads."""

    def __init__(self, predictor: Predictor, threads: int, max_batch: int = 1,
                 max_wait: float = 0.0, metrics: Metrics | None = None):
        import anyio

        from .batching import Batcher

        self.predictor = predictor
        self.limiter = anyio.CapacityLimiter(threads)
        self.batcher = Batcher(predictor.answer, max_batch, max_wait, self.in_thread,
                               workers=threads,
                               observe=metrics.batch_size.observe if metrics else None,
                               ) if max_batch > 1 else None

    async def in_thread(self, work: Any, *args: Any) -> Any:
        import anyio

        return await anyio.to_thread.run_sync(work, *args, limiter=self.limiter)

    async def run(self, work: Any, body: bytes) -> Any:
        if len(body) <= INLINE_BODY_BYTES and isinstance(self.predictor.reader, TableReader):
            return work(body)
        return await self.in_thread(work, body)

    async def __call__(self, body: bytes, read: Any, respond: Any) -> tuple[bytes, int]:
        if self.batcher is None:
            def work(data: bytes) -> tuple[bytes, int]:
                context, batch = read(data)
                return respond(context, self.predictor.answer(batch)), batch.n_rows

            return await self.run(work, body)
        context, batch = await self.run(read, body)
        return respond(context, await self.batcher.submit(batch)), batch.n_rows


def create_app(predictor: Predictor, metrics: Metrics, *, token: str | None = None,
               max_body: int = 8 * 2**20, threads: int = 2, instance: str | None = None,
               batching: tuple[int, float] = (1, 0.0)) -> Any:
    """The ASGI app: routes, the token check, metrics, JSON errors for every status.
    ``instance``: this process's name, answered by /health; ``batching``: ``(max_batch,
    max_wait seconds)`` of adaptive batching (max_batch 1: none)."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import ClientDisconnect
    from starlette.responses import Response
    from starlette.routing import Route

    answering = Answering(predictor, threads, *batching, metrics=metrics)

    async def answered(request: Any, read: Any, respond: Any) -> Any:
        """The answer to a request's body (see :class:`Answering`); every BadRequest as its
        JSON answer."""
        try:
            body = await read_body(request, max_body)
            content, rows = await answering(body, read, respond)
        except BadRequest as exc:  # a 413's unread body is not worth reading: close
            return json_response(exc.status, exc.to_dict(),
                                 {"Connection": "close"} if exc.status == 413 else None)
        except ClientDisconnect:
            return Response(status_code=CLIENT_CLOSED)
        metrics.rows.inc(rows)
        return Response(content, media_type="application/json")

    classes = predictor.runtime.classes

    async def predict(request: Any) -> Any:
        content_type = request.headers.get("content-type") or "application/json"
        return await answered(
            request, lambda body: (None, predictor.reader.read(body, content_type)),
            lambda _, answer: encode(answer.to_dict(classes)))

    async def health(request: Any) -> Any:
        # pid (or instance, in containers where every pid is 1) tells a redeploy which of
        # two processes on one port answered
        return json_response(200, {**predictor.describe(), "pid": os.getpid(),
                                   "instance": instance})

    async def scrape(request: Any) -> Any:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    endpoints = {"/health": health, "/metrics": scrape, "/predict": predict,
                 **v2_endpoints(predictor, answered)}
    return Starlette(
        routes=[Route(path, endpoints[path], methods=[method]) for path, method in ROUTES.items()],
        middleware=[Middleware(Guard, metrics=metrics, token=token)],
        exception_handlers=error_handlers())


def v2_endpoints(predictor: Predictor, answered: Any) -> dict[str, Any]:
    """The Open Inference Protocol's routes (:mod:`.v2`); ``answered(request, work)`` runs
    ``work(body) -> (content, rows)`` as ``/predict`` does."""
    from . import v2, v2_binary

    def other_model(request: Any) -> Any:
        """None for this model's name, else the 404 naming the model served here."""
        name = request.path_params["name"]
        return None if name == predictor.name else json_response(
            404, {"error": f"no model {name[:60]!r} here; this service serves "
                           f"{predictor.name!r}"})

    async def infer(request: Any) -> Any:
        binary = request.headers.get(v2_binary.HEADER)  # the binary data extension's
        return other_model(request) or await answered(
            request, lambda body: v2.read(predictor, body, binary),
            lambda context, answer: encode(v2.respond(predictor, context, answer)))

    async def metadata(request: Any) -> Any:
        return other_model(request) or json_response(200, v2.model_metadata(predictor))

    async def ready(request: Any) -> Any:
        return other_model(request) or json_response(200, {"name": predictor.name,
                                                           "ready": True})

    async def live(request: Any) -> Any:
        return json_response(200, {"live": True})

    async def server(request: Any) -> Any:
        return json_response(200, {"name": "stratum", "version": "2", "extensions": []})

    return {"/v2": server, "/v2/health/live": live, "/v2/health/ready": live,
            "/v2/models/{name}": metadata, "/v2/models/{name}/ready": ready,
            "/v2/models/{name}/infer": infer}


def error_handlers() -> dict[Any, Any]:
    """JSON answers for unknown paths (404, with the routes), wrong methods (405) and what
    escapes a route (500, naming only the exception's type)."""

    async def not_found(request: Any, exc: Exception) -> Any:
        return json_response(404, {"error": f"no such endpoint {request.url.path[:100]!r}",
                                   "allowed": sorted(ROUTES)})

    async def wrong_method(request: Any, exc: Exception) -> Any:
        path, allowed = request.url.path, ROUTES.get(route_label(request.url.path), "GET")
        return json_response(405, {"error": f"{path[:100]} takes {allowed}, not "
                                            f"{request.method[:20]}"}, {"Allow": allowed})

    async def internal(request: Any, exc: Exception) -> Any:
        return json_response(500, {"error": f"internal error: {type(exc).__name__}"})

    return {404: not_found, 405: wrong_method, Exception: internal}
