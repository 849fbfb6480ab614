"""The HTTP server as `espcrm serve` configures it (infra/http_server.py)."""

from __future__ import annotations

import http.client
import json
import socket
import time
from urllib.parse import urlparse

import pytest

from infra.http_server import TimedHttpToolsProtocol
from tests.e2e.conftest import Client


def test_an_idle_connection_outlives_the_keep_alive_common_clients_use(api: Client) -> None:
    """httpx (and uvicorn's own default) keep an idle connection 5 s. A server that closes it
    at the same moment makes a request sent then fail; ours keeps it longer."""
    url = urlparse(api.url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    body = json.dumps({"query": "{ me { id } }"})
    headers = {"Content-Type": "application/json",
               "Authorization": f"Bearer {api.token('ADMIN', 'a-001')}"}  # fmt: skip
    try:
        conn.request("POST", url.path, body=body, headers=headers)
        first = conn.getresponse()
        assert first.status == 200 and json.loads(first.read())["data"]["me"]["id"] == "a-001"
        socket_before = conn.sock
        time.sleep(6)  # idle past the common 5 s
        conn.request("POST", url.path, body=body, headers=headers)
        again = conn.getresponse()  # RemoteDisconnected if the server had closed it
        assert again.status == 200 and json.loads(again.read())["data"]["me"]["id"] == "a-001"
        assert conn.sock is socket_before  # the same connection, not a new one
    finally:
        conn.close()


def test_a_slow_header_connection_is_closed(api: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TimedHttpToolsProtocol, "header_timeout", 0.5)
    url = urlparse(api.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")  # and never the rest
        started = time.monotonic()
        conn.settimeout(10)
        assert conn.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 9


def test_a_slow_header_after_a_served_request_on_the_same_connection_is_closed(
    api: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TimedHttpToolsProtocol, "header_timeout", 0.5)
    url = urlparse(api.url)
    body = json.dumps({"query": "{ me { id } }"}).encode()
    token = api.token("ADMIN", "a-001")
    request = (
        f"POST {url.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while b'"a-001"' not in answer:
            chunk = conn.recv(65536)
            assert chunk, f"closed before the first answer: {answer!r}"
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        time.sleep(0.8)  # idle between requests is the keep-alive's to limit, not this one's
        conn.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\n")  # and never the rest
        started = time.monotonic()
        assert conn.recv(1024) == b""  # closed by the server
        assert 0.3 < time.monotonic() - started < 9
