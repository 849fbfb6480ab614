"""How the API is served (uvicorn): one configuration for `espcrm serve`, the tests and the
benchmarks, so what is tested is what runs."""

from __future__ import annotations

from typing import Any

import uvicorn

from infra.settings import Settings


def server_config(app: Any, settings: Settings, **overrides: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        # Longer than any client's or proxy's idle keep-alive (httpx and many clients keep a
        # connection 5 s, uvicorn's default): with equal timeouts a request sent as the
        # server closes an idle connection fails with a read error (seen in the soak: 8 of
        # 42,405 requests). The server, not the client, must be the last to give up.
        timeout_keep_alive=settings.keep_alive_seconds,
        **{"log_level": "info", **overrides},
    )


def serve(app: Any, settings: Settings, **overrides: Any) -> None:
    uvicorn.Server(server_config(app, settings, **overrides)).run()
