"""The HTTP prediction service shipped in every deploy bundle (copied as ``service/``).

Standalone on purpose: it imports nothing from stratum_jupyter (but ``envvars``, which is
copied beside it), only the model's runtime (scikit-learn + skops, onnxruntime or LiteRT),
Starlette, uvicorn, pydantic and prometheus_client. Endpoints: ``GET /health``,
``POST /predict`` (``{"rows": [{feature: value, ...}, ...]}``), ``GET /metrics``.
"""
