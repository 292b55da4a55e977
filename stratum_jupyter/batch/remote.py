"""``stratum predict --url``: the chunks sent to a deployed service (``POST /predict``,
``{"rows": [...]}`` of at most :data:`REQUEST_ROWS` rows each) instead of the cluster. The
token is ``$STRATUM_SERVICE_TOKEN`` (never the command line); connection errors and busy
answers (502-504) are retried with a growing pause; a 4xx names the rows it refused."""

from __future__ import annotations

import json
import math
import re
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from .scoring import answer_table
from .sources import ChunkError

REQUEST_ROWS = 2000  # rows per request (the service's default limit is 10000)
RETRIES = 4  # tries after the first, 0.5, 1, 2, 4 s apart
RETRIED_STATUS = {502, 503, 504}


def post_chunk(url: str, table: Any, start: int, names: Sequence[str], carry: Sequence[str],
               token: str | None, *, timeout: float = 120.0) -> Any:
    """The service's answers for a chunk (rows ``start``.. of INPUT), as the cluster's
    scoring gives them (:func:`.scoring.answer_table`); ChunkError naming refused rows."""
    import numpy as np

    predictions: list[Any] = []
    probabilities: list[list[float]] = []
    classes = None
    for begin in range(0, int(table.num_rows), REQUEST_ROWS):
        part = table.slice(begin, REQUEST_ROWS).select(list(names)).to_pylist()
        answer = _post(url, {"rows": [_json_row(r) for r in part]}, token, start + begin,
                       timeout)
        predictions += answer["predictions"]
        classes = answer.get("classes")
        if classes and "probabilities" in answer:
            keys = [str(c) for c in classes]
            probabilities += [[row[k] for k in keys] for row in answer["probabilities"]]
    proba = np.asarray(probabilities, dtype=float) if probabilities else None
    return answer_table(table, start, carry, predictions, proba, classes)


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the service takes it: a gap (None, NaN) is null, a date its ISO text."""
    out = {}
    for key, value in row.items():
        if isinstance(value, float) and math.isnan(value):
            value = None
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


def _post(url: str, body: dict[str, Any], token: str | None, start: int,
          timeout: float) -> dict[str, Any]:
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    stop = start + len(body["rows"]) - 1
    for attempt in range(RETRIES + 1):
        request = urllib.request.Request(f"{url.rstrip('/')}/predict", data=data,
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            if exc.code not in RETRIED_STATUS or attempt == RETRIES:
                raise ChunkError(_refused(exc, start, stop)) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            if attempt == RETRIES:
                raise ChunkError(f"rows {start}-{stop}: {url} did not answer after "
                                 f"{RETRIES + 1} tries: {getattr(exc, 'reason', exc)}"
                                 ) from None
        time.sleep(0.5 * 2 ** attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _refused(exc: Any, start: int, stop: int) -> str:
    """The service's 4xx/5xx answer, its ``rows[i]`` renumbered as rows of INPUT."""
    try:
        body = json.loads(exc.read())
    except ValueError:
        body = {}
    errors = [re.sub(r"^rows\[(\d+)\]", lambda m: f"row {start + int(m[1])}", str(line))
              for line in body.get("errors") or []][:10]
    what = body.get("error") or exc.reason
    return (f"rows {start}-{stop}: the service answered {exc.code} {what}"
            + (f": {'; '.join(errors)}" if errors else ""))
