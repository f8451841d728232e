"""Issue 10, finding 6 against ``llr serve``: a connection dribbling its headers is closed after
the header timeout, and an oversized request head is refused, while the service answers."""

import socket
import time

import httpx
import pytest

from tests.faults.live import LiveServer

pytestmark = pytest.mark.faults

HEADER_TIMEOUT = 10.0  # LLR_HEADER_TIMEOUT_SECONDS' default


def _closed_by_server(sock: socket.socket, until: float) -> bool:
    """Sends a header byte each 0.5 s; True once the server has closed the connection."""
    while time.monotonic() < until:
        try:
            sock.sendall(b"X")
            sock.settimeout(0.5)
            if sock.recv(1024) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def test_a_connection_dribbling_its_headers_is_closed(live: LiveServer) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        closed = _closed_by_server(sock, started + HEADER_TIMEOUT + 5)
    assert closed
    assert HEADER_TIMEOUT - 1 <= time.monotonic() - started <= HEADER_TIMEOUT + 5
    assert httpx.get(live.base_url + "/health", timeout=2).status_code == 200


def test_an_oversized_request_head_is_refused(live: LiveServer) -> None:
    response = httpx.get(live.base_url + "/health", headers={"X-Big": "x" * 40_000}, timeout=5)
    assert response.status_code in (400, 431)
    assert httpx.get(live.base_url + "/health", timeout=2).status_code == 200
