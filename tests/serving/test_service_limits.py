"""The service's limits on real sockets (loopback only, every wait bounded): half-sent
requests are closed after the read timeout and cost no threads, idle keep-alive
connections are closed, open connections are bounded, heads and bodies are capped, and
SIGTERM lets in-flight requests finish."""

from __future__ import annotations

import json
import resource
import selectors
import signal
import socket
import statistics
import time

import pytest

from tests.servicetools import call, metric, service_process

GOOD = {"sepal length (cm)": 5.1, "sepal width (cm)": 3.5, "petal length (cm)": 1.4,
        "petal width (cm)": 0.2}
BODY = json.dumps({"rows": [GOOD]}).encode()
SLOW_CLIENTS = 1000
READ_TIMEOUT = 6.0
# One thread runs the event loop for every connection; large batches use the predict pool
# ($STRATUM_PREDICT_THREADS, 2). The bound: a thousand connections add at most those two
# to the threads the process had (BLAS and allocator threads vary by machine).
EXTRA_THREADS = 2


def threads_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line for line in status if line.startswith("Threads:")).split()[1])


def median_latency(port: int, n: int = 40) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        status, _ = call(port, "POST", "/predict", raw=BODY)
        times.append(time.perf_counter() - start)
        assert status == 200
    return statistics.median(times)


@pytest.fixture
def many_files():
    """Room for a thousand client sockets in this process (restored afterwards)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * SLOW_CLIENTS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def open_half_requests(port: int) -> list[tuple[socket.socket, float]]:
    """Half the clients stop inside the head, half inside the body."""
    head = b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    slow = []
    for i in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(head[:60] if i % 2 else head + b"Content-Length: 100\r\n\r\n" + BODY[:10])
        slow.append((sock, time.monotonic()))
    return slow


def wait_closed(slow: list[tuple[socket.socket, float]], deadline: float
                ) -> dict[socket.socket, tuple[bytes, float]]:
    """Read every socket until the server closes it; what it said and when."""
    data = {sock: b"" for sock, _ in slow}
    closed: dict[socket.socket, tuple[bytes, float]] = {}
    # epoll, not select(): in a long test run these sockets' numbers pass FD_SETSIZE (1024)
    with selectors.DefaultSelector() as selector:
        for sock, _ in slow:
            selector.register(sock, selectors.EVENT_READ)
        while len(closed) < len(slow) and time.monotonic() < deadline:
            for key, _ in selector.select(0.5):
                sock = key.fileobj
                try:
                    chunk = sock.recv(4096)
                except ConnectionResetError:
                    chunk = b""
                data[sock] += chunk
                if not chunk:
                    closed[sock] = (data[sock], time.monotonic())
                    selector.unregister(sock)
    return closed


def test_a_thousand_half_sent_requests_cost_no_threads_and_are_closed_in_time(
        iris_bundle, many_files):
    env = {"STRATUM_READ_TIMEOUT": str(READ_TIMEOUT), "STRATUM_MAX_CONNECTIONS": "4096"}
    with service_process(iris_bundle, env) as (proc, port):
        baseline = median_latency(port)
        threads_before = threads_of(proc.pid)
        slow = open_half_requests(port)
        try:
            opened = time.monotonic()
            threads_during = threads_of(proc.pid)
            during = median_latency(port)
            if time.monotonic() - slow[-1][1] < READ_TIMEOUT - 1:  # nothing was closed early
                for sock, _ in slow[::20]:
                    sock.settimeout(0)  # a socket timeout would wait for data
                    with pytest.raises(BlockingIOError):
                        sock.recv(1, socket.MSG_PEEK)
            closed = wait_closed(slow, opened + READ_TIMEOUT + 60)
            text = call(port, "GET", "/metrics")[1]
        finally:
            for sock, _ in slow:
                sock.close()
    assert threads_during <= threads_before + EXTRA_THREADS, (threads_before, threads_during)
    assert during <= 2 * baseline + 0.002, (baseline, during)  # + timer granularity
    assert len(closed) == SLOW_CLIENTS
    for sock, started in slow:
        answer, when = closed[sock]
        assert answer.startswith(b"HTTP/1.1 408 ") and b'"error"' in answer
        assert when - started >= READ_TIMEOUT - 0.5
    assert metric(text, "stratum_closed_connections_total", reason="read_timeout") \
        >= SLOW_CLIENTS


def test_sigterm_lets_the_request_in_flight_finish(iris_bundle):
    with service_process(iris_bundle) as (proc, port):
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n"
                     % len(BODY) + BODY[:20])
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the listener closes at once
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except (ConnectionRefusedError, ConnectionResetError):
                # Reset: this connect was in the backlog when the listener closed.
                break
            time.sleep(0.1)
        else:
            pytest.fail("the service still accepts connections after SIGTERM")
        sock.sendall(BODY[20:])
        answer = b""
        while b"predictions" not in answer and (chunk := sock.recv(4096)):
            answer += chunk
        sock.close()
        assert answer.startswith(b"HTTP/1.1 200 ") and b'"predictions":[0]' in answer
        assert proc.wait(20) in {0, -signal.SIGTERM}


@pytest.fixture
def limited(iris_bundle):
    from stratum_jupyter.serving.server import Settings, serve_in_thread

    settings = Settings(port=0, max_connections=5, keepalive_timeout=1, max_body=2000)
    server, _ = serve_in_thread(iris_bundle, settings=settings)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_open_connections_are_bounded(limited):
    idle = [socket.create_connection(("127.0.0.1", limited), timeout=10) for _ in range(5)]
    try:
        time.sleep(0.3)  # all five accepted
        status, body = call(limited, "GET", "/health")
        assert status == 503 and "too many connections" in body["error"]
        idle.pop().close()
        time.sleep(0.3)
        assert call(limited, "GET", "/health")[0] == 200
    finally:
        for sock in idle:
            sock.close()
    text = call(limited, "GET", "/metrics")[1]
    assert metric(text, "stratum_closed_connections_total", reason="over_limit") >= 1


def test_idle_keep_alive_connections_are_closed(limited):
    sock = socket.create_connection(("127.0.0.1", limited), timeout=10)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200 ")
    start = time.monotonic()
    while sock.recv(4096):
        pass
    assert 0.5 <= time.monotonic() - start < 9  # keepalive_timeout=1
    sock.close()


def test_heads_and_chunked_bodies_are_capped(limited):
    sock = socket.create_connection(("127.0.0.1", limited), timeout=10)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
    assert sock.recv(4096).startswith(b"HTTP/1.1 400 ")
    sock.close()
    sock = socket.create_connection(("127.0.0.1", limited), timeout=10)
    sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 + b"".join(b"%x\r\n%s\r\n" % (500, b" " * 500) for _ in range(5)))
    answer = b""
    while chunk := sock.recv(4096):  # then the server closes: the rest is not worth reading
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 413 ") and b"body too large" in answer
    sock.close()
