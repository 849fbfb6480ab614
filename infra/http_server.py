"""How the API is served (uvicorn): one configuration for `espcrm serve`, the tests and the
benchmarks, so what is tested is what runs."""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors.multiprocess import Multiprocess

from infra.settings import Settings

# How long a client has to send a request's headers, from its first byte (or from the
# connection's opening). uvicorn has no such limit: a slow-header client (slowloris) held a
# connection for ever (issue 12). The body's own limit is in api/body_limit.py.
HEADER_TIMEOUT_SECONDS = 10.0


class TimedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (llhttp, in C), closing a connection whose request
    headers do not arrive whole within HEADER_TIMEOUT_SECONDS."""

    header_timeout = HEADER_TIMEOUT_SECONDS
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and self._between_requests():
            self._arm_header_timer()  # the next request on a kept-alive connection begins
        super().data_received(data)
        if not self._between_requests():
            self._disarm_header_timer()  # the headers are in: a request is being served

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        cycle = self.cycle
        return cycle is None or cycle.response_complete

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._between_requests() and not self.transport.is_closing():
            self.transport.close()


GRACEFUL_SHUTDOWN_SECONDS = 10


def server_config(app: Any, settings: Settings, **overrides: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        # httptools (llhttp) and uvloop, both in C: h11's parser and asyncio's loop in Python
        # were ~0.6 ms of the API's CPU per logVisit (docs/benchmarks.md item 55).
        http=TimedHttpToolsProtocol,
        loop="uvloop",
        host=settings.host,
        port=settings.port,
        # Longer than any client's or proxy's idle keep-alive (httpx and many clients keep a
        # connection 5 s, uvicorn's default): with equal timeouts a request sent as the
        # server closes an idle connection fails with a read error (seen in the soak: 8 of
        # 42,405 requests). The server, not the client, must be the last to give up.
        timeout_keep_alive=settings.keep_alive_seconds,
        # A live stream (GET /notifications/stream) never ends by itself: on SIGTERM the
        # server waits this long for open requests, then closes them (the browser reconnects
        # elsewhere with Last-Event-ID and misses nothing).
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        **{"log_level": "info", **overrides},
    )


def serve(app: Any, settings: Settings, **overrides: Any) -> None:
    uvicorn.Server(server_config(app, settings, **overrides)).run()


def serve_workers(factory: str, settings: Settings, workers: int, **overrides: Any) -> None:
    """`workers` processes on one listening socket, each building its app from `factory` (an
    import string, "module:function"): uvicorn's own supervisor, which restarts a worker that
    dies and passes SIGTERM/SIGINT on to all of them."""
    config = server_config(
        factory,
        settings,
        factory=True,
        workers=workers,
        # A worker answers the supervisor's health check only once it has imported and built
        # the app (schema, pools): several seconds on a busy 2-core machine, where uvicorn's
        # default of 5 s killed and restarted the workers in a loop before they served once.
        timeout_worker_healthcheck=60,
        **overrides,
    )
    sock = config.bind_socket()
    Multiprocess(config, sockets=[sock]).run()
