"""A real `promptimp serve` on 127.0.0.1 under a few hundred half-open connections: /health
keeps answering below API_MAX_CONNECTIONS, answers 503 above it, and the server closes every
stalled connection after the read timeout."""

from __future__ import annotations

import select
import socket
import sys
import time

import httpx
import pytest

from tests.support import child_env, free_port, running_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

READ_TIMEOUT_S = 2
MAX_CONNECTIONS = 100
STALLS: dict[str, tuple[int, bytes]] = {
    "silent": (100, b""),
    "partial headers": (100, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "),
    "short body": (
        50,
        b"POST /api/v1/improve-prompt HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + b'{"idea": "Des',
    ),
    "huge chunk": (
        50,
        b"POST /api/v1/improve-prompt HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"FFFFFFFFFFFFFFFF\r\n" + b"x" * 10,
    ),
}


@pytest.fixture(params=[1000])
def server(request, tmp_path):
    """A served API on a free port with `request.param` as API_MAX_CONNECTIONS."""
    port = free_port()
    env = child_env(
        SQLITE_DB_PATH=str(tmp_path / "history.db"),
        LLM_PROVIDER="openai",
        API_READ_TIMEOUT_S=str(READ_TIMEOUT_S),
        API_MAX_CONNECTIONS=str(request.param),
    )
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with running_server(command, f"{url}/health", tmp_path / "server.log", cwd=tmp_path, env=env):
        yield port, url


def _open_stalls(port: int) -> list[tuple[str, socket.socket]]:
    """Every connection of STALLS, opened and left waiting, with its kind."""
    sockets: list[tuple[str, socket.socket]] = []
    for kind, (count, data) in STALLS.items():
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if data:
                sock.sendall(data)
            sockets.append((kind, sock))
    return sockets


def _still_open(sockets: list[tuple[str, socket.socket]], deadline: float) -> list[str]:
    """The kinds of `sockets` the server has not closed by `deadline` (monotonic time)."""
    open_sockets = list(sockets)
    while open_sockets and time.monotonic() < deadline:
        open_sockets = [(kind, sock) for kind, sock in open_sockets if not _closed_by_server(sock)]
        time.sleep(0.1)
    return [kind for kind, _ in open_sockets]


def _closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed `sock` (read everything it sent, then EOF)."""
    try:
        while select.select([sock], [], [], 0)[0]:
            if not sock.recv(65536):
                return True
    except ConnectionError:
        return True
    return False


def test_health_answers_under_half_open_connections_and_the_server_closes_them(server):
    port, url = server
    sockets: list[tuple[str, socket.socket]] = []
    try:
        sockets = _open_stalls(port)
        opened = time.monotonic()

        latencies = []
        for _ in range(5):
            started = time.monotonic()
            response = httpx.get(f"{url}/health", timeout=5)
            latencies.append(time.monotonic() - started)
            assert response.status_code == 200
        health_ms = round(max(latencies) * 1000)

        still_open = _still_open(sockets, deadline=opened + READ_TIMEOUT_S + 10)
        closed_after_s = round(time.monotonic() - opened, 1)
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    finally:
        for _, sock in sockets:
            sock.close()
    print(
        f"\nhalf-open connections: {len(sockets)} ({', '.join(STALLS)}); /health answered"
        f" 5/5 while they were open, slowest {health_ms} ms; the server closed"
        f" {len(sockets) - len(still_open)}/{len(sockets)} within {closed_after_s} s"
        f" (read timeout {READ_TIMEOUT_S} s)"
    )
    assert still_open == []


@pytest.mark.parametrize("server", [MAX_CONNECTIONS], indirect=True)
def test_over_the_connection_limit_health_answers_503_until_the_stalls_time_out(server):
    port, url = server
    assert sum(count for count, _ in STALLS.values()) > MAX_CONNECTIONS
    sockets: list[tuple[str, socket.socket]] = []
    try:
        sockets = _open_stalls(port)
        opened = time.monotonic()
        over_limit = httpx.get(f"{url}/health", timeout=5)
        assert (over_limit.status_code, over_limit.text) == (503, "Service Unavailable")

        still_open = _still_open(sockets, deadline=opened + READ_TIMEOUT_S + 10)
        assert still_open == []
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    finally:
        for _, sock in sockets:
            sock.close()
