"""`espcrm serve --workers N`: N API processes on one port (issue 18).

The API holds no state of its own: each worker has its own connection pools (sized by
ESPCRM_DB_POOL_SIZE) and reads the views from PostgreSQL, and a client's read-your-writes goes
through positions stored there (X-Min-Position), so a write answered by one worker is seen by a
read another worker answers. The parent process starts (or finds) the database once and hands
its address to the workers, which never start or stop a server themselves.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response

from cli.api_app import api_app
from infra.bootstrap import Container, bootstrap
from infra.http_server import serve_workers

# Which worker answered: tests and operators tell workers apart by it (a random name, not
# the process id, which says more about the host than a client needs to know).
WORKER_HEADER = "X-Espcrm-Worker"


def serve_with_workers(container: Container, workers: int) -> None:
    """Serve from `workers` processes; `container` (the parent's) keeps the database up."""
    os.environ["ESPCRM_DATABASE_URL"] = container.address.url()
    if container.read_address is not None:  # the embedded replica the parent started
        os.environ["ESPCRM_READ_DATABASE_URL"] = container.read_address.url()
    serve_workers("cli.workers:worker_app", container.settings, workers)


def worker_app() -> FastAPI:
    """One worker's application (uvicorn calls it in each worker process)."""
    container = bootstrap()
    app = api_app(container)
    name = uuid.uuid4().hex[:8]

    @app.middleware("http")
    async def name_the_worker(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers[WORKER_HEADER] = name
        return response

    _close_on_shutdown(app, container)
    return app


def _close_on_shutdown(app: FastAPI, container: Container) -> None:
    """The worker's pools close when uvicorn shuts the worker down (around the app's own
    lifespan, which Starlette 1 gives no shutdown hook besides)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            yield state
        container.close()

    app.router.lifespan_context = lifespan
