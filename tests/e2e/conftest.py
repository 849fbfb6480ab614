"""The API served over a real socket by uvicorn, with a small GraphQL client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.auth import TokenVerifier, mint_token
from cli.api_app import api_services
from infra.bootstrap import Container
from infra.http_server import server_config


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Client:
    url: str
    secret: str

    def token(self, role: str, sub: str, **claims: Any) -> str:
        return mint_token(self.secret, sub=sub, role=role, **claims)

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return httpx.post(
            self.url,
            json={"query": query, "variables": variables or {}},
            headers=all_headers,
            timeout=30,
        )

    def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_role: str = "ADMIN",
        sub: str = "a-001",
        **claims: Any,
    ) -> dict[str, Any]:
        response = self.post(query, variables, token=self.token(as_role, sub, **claims))
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
def api(container: Container) -> Iterator[Client]:
    with serve(container) as client:
        yield client


@contextmanager
def serve(container: Container) -> Iterator[Client]:
    """The API of this container on a free port, in a thread, until the block ends."""
    settings = container.settings
    verifier = TokenVerifier(hs256_secret=settings.resolved_jwt_secret())
    app = create_app(api_services(container), verifier)
    port = _free_port()
    config = server_config(app, replace(settings, host="127.0.0.1", port=port), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield Client(f"http://127.0.0.1:{port}/graphql", settings.resolved_jwt_secret())
    server.should_exit = True
    thread.join(timeout=10)
