"""A small keep-alive HTTP client for load generation: http.client, one connection a thread.

Lighter than httpx per request, which matters on two cores shared with the server.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlparse


class GraphQLError(RuntimeError):
    pass


class Client:
    def __init__(self, base: str, token: str | None = None) -> None:
        parts = urlparse(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get_json(self, path: str) -> Any:
        status, body = self.request("GET", path)
        if status != 200:
            raise GraphQLError(f"GET {path}: HTTP {status}: {body[:300]!r}")
        return json.loads(body)

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, path: str = "/graphql"
    ) -> dict[str, Any]:
        payload = json.dumps({"query": query, "variables": variables or {}}).encode()
        status, body = self.request("POST", path, payload)
        result = json.loads(body) if body else {}
        if status != 200 or result.get("errors"):
            raise GraphQLError(f"HTTP {status}: {body[:500]!r}")
        return dict(result)

    def close(self) -> None:
        self.conn.close()
