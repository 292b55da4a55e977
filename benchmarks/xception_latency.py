"""Batch-1 latency of Keras' Xception (random weights: latency does not depend on their
values; nothing is downloaded) served by the prediction service over HTTP, against the same
work in process. Used by bench_serving.py.

Two request forms, each compared like with like:

- **PNG body** (``Content-Type: image/png``, an image bundle made by ``save_model(...,
  X=<folder of PNGs>, image={scale, offset})``): the service decodes the PNG with Pillow,
  prepares it (``x / 127.5 - 1``, Xception's scaling) and predicts. In process: the same PNG
  decoded with Pillow, the same scaling, then ``model.predict`` (the target's measure) and,
  beside it, ``model.predict_on_batch`` (what the service calls: no per-call data adapter).
- **JSON tensor** (``{"instances": [prepared array]}``): the service parses the JSON and
  checks the array; in process ``json.loads`` + ``np.asarray`` of the same body, then
  ``model.predict``.

Both sides run TensorFlow with its default threads (one per core) in their own process;
the other side is idle meanwhile. Rounds alternate the sides: each round's ratio is of
medians measured minutes apart at most.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_service import free_port, stop, wait_for

SCALE, OFFSET = 1 / 127.5, -1.0  # keras.applications.xception.preprocess_input


def png_images(folder: Path, size: int, count: int) -> list[bytes]:
    """``count`` random RGB PNGs of ``size`` x ``size`` written to ``folder``; their bytes."""
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    out = []
    for i in range(count):
        buf = io.BytesIO()
        Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)).save(buf, "PNG")
        (folder / f"img{i}.png").write_bytes(buf.getvalue())
        out.append(buf.getvalue())
    return out


def prepared(png: bytes) -> Any:
    """One PNG as the model's batch of one, as the bundle's recorded preparation makes it."""
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    return (pixels * np.float32(SCALE) + np.float32(OFFSET))[None]


def timed(work: Any, n: int) -> float:
    """Median seconds of ``n`` calls of ``work()``."""
    times = []
    for _ in range(n):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def post(conn: http.client.HTTPConnection, path: str, body: bytes, content_type: str) -> None:
    conn.request("POST", path, body=body, headers={"Content-Type": content_type})
    response = conn.getresponse()
    answer = response.read()
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}: {answer[:300]!r}")


def serve(bundle: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "stratum_jupyter.serving", "--host", "127.0.0.1", "--port",
         str(port), "--model-dir", str(bundle)], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for(port, "/health", proc, timeout=600)
    return proc, port


def measure(size: int, requests: int, rounds: int) -> dict[str, Any]:
    """Per round: median ms of each side; then the ratios' medians over rounds."""
    import keras

    import stratum_jupyter

    model = keras.applications.Xception(weights=None, input_shape=(size, size, 3))
    with tempfile.TemporaryDirectory(prefix="bench-xception-") as tmp:
        pngs = png_images(Path(tmp) / "images", size, 4)
        bundle = stratum_jupyter.save_model(model, Path(tmp) / "xception", X=Path(tmp) / "images",
                                            image={"scale": SCALE, "offset": OFFSET})
        del model  # the in-process side loads the bundle's model as the service does
        proc, port = serve(bundle)
        child = subprocess.Popen([sys.executable, __file__, str(bundle), str(Path(tmp) / "images")],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                 start_new_session=True)
        try:
            schema = json.loads((bundle / "profile.json").read_text())["input_schema"]
            rows = _rounds(child, pngs, port, requests, rounds, schema["inputs"][0]["name"])
        finally:
            stop(proc)
            stop(child)
    keys = rows[0].keys()
    med = {k: statistics.median(r[k] for r in rows) for k in keys}
    ratios = {
        "png_vs_predict": statistics.median(r["service_png"] / r["predict_png"] for r in rows),
        "png_vs_on_batch": statistics.median(r["service_png"] / r["on_batch_png"]
                                             for r in rows),
        "json_vs_predict": statistics.median(r["service_json"] / r["predict_json"]
                                             for r in rows),
        "binary_vs_predict": statistics.median(r["service_binary"] / r["predict_binary"]
                                               for r in rows)}
    body = len(json.dumps({"instances": prepared(pngs[0]).tolist()}))
    return {"size": size, "rounds": rows, "median_ms": med, "ratios": ratios,
            "png_bytes": len(pngs[0]), "json_bytes": body}


def _rounds(child: subprocess.Popen, pngs: list[bytes], port: int, requests: int,
            rounds: int, input_name: str) -> list[dict[str, float]]:
    arrays = [prepared(p) for p in pngs]
    bodies = [json.dumps({"instances": a.tolist()}).encode() for a in arrays]
    binary = [v2_binary_body(a, input_name) for a in arrays]
    conn: list[http.client.HTTPConnection] = []  # one keep-alive connection per side's run
    k = iter(range(10**9))

    def pick(items: list[Any]) -> Any:
        return items[next(k) % len(items)]

    def infer() -> None:
        body, header = pick(binary)
        conn[0].request("POST", "/v2/models/xception/infer", body=body, headers={
            "Inference-Header-Content-Length": header,
            "Content-Type": "application/octet-stream"})
        response = conn[0].getresponse()
        answer = response.read()
        if response.status != 200:
            raise SystemExit(f"infer answered {response.status}: {answer[:300]!r}")

    service = {"service_png": lambda: post(conn[0], "/predict", pick(pngs), "image/png"),
               "service_binary": infer,
               "service_json": lambda: post(conn[0], "/predict", pick(bodies),
                                            "application/json")}
    names = [n for pair in zip(IN_PROCESS, service, strict=False) for n in pair] \
        + IN_PROCESS[len(service):]
    out = []
    for r in range(rounds + 1):  # round 0 warms: Keras builds its predict function then
        n = 1 if r == 0 else requests
        row = {}
        for name in names if r % 2 == 0 else reversed(names):
            if name in service:  # the service closes connections idle for 5 s
                conn[:] = [http.client.HTTPConnection("127.0.0.1", port, timeout=600)]
                row[name] = 1000 * timed(service[name], n)
            else:
                row[name] = ask(child, name, n)
        if r == 0:
            continue
        row["load1"] = os.getloadavg()[0]
        print("  round {}: in process predict {predict_png:.1f} ms (predict_on_batch "
              "{on_batch_png:.1f}), service PNG {service_png:.1f} ms; binary v2: in process "
              "{predict_binary:.1f}, service {service_binary:.1f} ms; JSON: in process "
              "{predict_json:.1f}, service {service_json:.1f} ms | load {load1:.2f}"
              .format(r, **row), flush=True)
        out.append(row)
    return out


IN_PROCESS = ["predict_png", "predict_binary", "predict_json", "on_batch_png"]


def ask(child: subprocess.Popen, side: str, n: int) -> float:
    """Median ms of ``n`` calls of an in-process side, measured by the child process."""
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(f"{side} {n}\n")
    child.stdin.flush()
    line = child.stdout.readline()
    if not line:
        raise SystemExit(f"the in-process side exited ({child.wait()})")
    return float(line)


def in_process(bundle: Path, images: Path) -> None:
    """The in-process side, in a process of its own as the service is (the same model file,
    TensorFlow's default threads): reads ``side n`` lines, answers median ms."""
    import keras
    import numpy as np

    model = keras.saving.load_model(bundle / "model.keras", compile=False)
    pngs = [p.read_bytes() for p in sorted(images.iterdir())]
    arrays = [prepared(p) for p in pngs]
    binary = [a.astype("<f4").tobytes() for a in arrays]
    bodies = [json.dumps({"instances": a.tolist()}).encode() for a in arrays]
    k = iter(range(10**9))

    def pick(items: list[Any]) -> Any:
        return items[next(k) % len(items)]

    sides = {
        "predict_png": lambda: model.predict(prepared(pick(pngs)), verbose=0),
        "on_batch_png": lambda: model.predict_on_batch(prepared(pick(pngs))),
        "predict_binary": lambda: model.predict(np.frombuffer(
            pick(binary), dtype="<f4").reshape(arrays[0].shape), verbose=0),
        "predict_json": lambda: model.predict(np.asarray(
            json.loads(pick(bodies))["instances"], dtype=np.float32), verbose=0)}
    for line in sys.stdin:
        side, n = line.split()
        print(1000 * timed(sides[side], int(n)), flush=True)


def v2_binary_body(array: Any, input_name: str) -> tuple[bytes, str]:
    """An infer request with the binary tensor data extension, as Triton's client sends it:
    ``(body, its JSON header's length)``."""
    data = array.astype("<f4").tobytes()
    header = json.dumps({"inputs": [{"name": input_name, "shape": list(array.shape),
                                     "datatype": "FP32",
                                     "parameters": {"binary_data_size": len(data)}}]}).encode()
    return header + data, str(len(header))


if __name__ == "__main__":
    in_process(Path(sys.argv[1]), Path(sys.argv[2]))
