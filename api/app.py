"""The HTTP entrypoint: FastAPI serving GraphQL (and GraphiQL) at /graphql, the console at /."""

from __future__ import annotations

import dataclasses
import re
import uuid
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api import dev_login
from api.access import RowScope
from api.auth import Principal, TokenVerifier, Unauthenticated
from api.body_limit import BodyLimit
from api.console import DEFAULT_CONSOLE_DIR, OfflineGraphQLRouter, mount_console
from api.context import Context, Services
from api.loaders import Loaders
from api.notifications.stream import stream_router
from api.outreach.page import RateLimiter, outreach_router
from api.schema import NODES, schema
from domain.messages import Text, language_of, render, t
from domain.shared import InvalidInput

# X-Client-App: the client application's name, recorded on the events a request causes
# (console/1.4.2, a batch importer): a letter or digit, then letters, digits and ._/-, ≤ 64.
CLIENT_APP = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")

MAX_BODY_BYTES = 1_000_000


def create_app(
    services: Services,
    verifier: TokenVerifier,
    *,
    dev_login_enabled: bool = False,
    console_dir: Path = DEFAULT_CONSOLE_DIR,
    stream_poll_seconds: float = 1.0,
    lookup_per_minute: int = 10,
) -> FastAPI:
    """`dev_login_enabled`: mount /dev/token (never beside RS256 keys, see api/dev_login.py)."""

    async def context_getter(request: Request) -> Context:
        principal, auth_error = _principal(request, verifier)
        request_id = _request_id(request)
        client_app, refused = _client_app(request)
        if principal is not None:  # the events this request causes carry where it came from
            principal = dataclasses.replace(principal, request_id=request_id, client_app=client_app)
        context = Context(
            services=services,
            principal=principal,
            loaders=Loaders(services.views, RowScope(principal, services.views)),
            nodes=NODES,
            auth_error=auth_error,
            min_position=_min_position(request),
            language=language_of(request.headers.get("accept-language")),
            request_id=request_id,
            refused=refused,
        )
        await context.catch_up()
        return context

    app = FastAPI(title="espcrm", docs_url=None, redoc_url=None)

    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_body)

    @app.get("/healthz")
    async def healthz() -> dict[str, object]:
        health: dict[str, object] = {"ok": True, "position": services.app.last_position()}
        if services.read_status is not None:  # a read replica: where reads go, and why
            health["reads"] = services.read_status()
        return health

    router = OfflineGraphQLRouter(
        schema, context_getter=context_getter, graphql_ide="graphiql", console_dir=console_dir
    )
    app.include_router(router, prefix="/graphql")
    app.include_router(
        stream_router(services, lambda r: _principal(r, verifier), stream_poll_seconds)
    )
    if dev_login_enabled and dev_login.allowed(verifier):
        app.include_router(dev_login.dev_login_router(services, verifier))
    app.include_router(outreach_router(services, RateLimiter(lookup_per_minute)))
    mount_console(app, console_dir)
    return app


# Starlette's own texts for these statuses ("Not Found"), which a person should not read in English.
_HTTP_TEXTS = {404: "http.404", 405: "http.405"}


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    """Outside GraphQL (a wrong path or method): {"detail": the reason, in the reader's language}.
    A route's own reason (already from the catalogue) is kept."""
    assert isinstance(error, HTTPException)
    language = language_of(request.headers.get("accept-language"))
    detail = error.detail
    if not detail or detail == _default_phrase(error.status_code):
        key = _HTTP_TEXTS.get(error.status_code, "http.error")
        detail = render(key, language, status=error.status_code)
    return JSONResponse({"detail": detail}, error.status_code, headers=error.headers)


async def _invalid_body(request: Request, error: Exception) -> JSONResponse:
    """A request body FastAPI could not read into its model: 422 naming the fields."""
    assert isinstance(error, RequestValidationError)
    language = language_of(request.headers.get("accept-language"))
    fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in error.errors()})
    detail = render("http.invalid_body", language, fields=[f for f in fields if f] or ["body"])
    return JSONResponse({"detail": detail}, 422)


def _default_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _request_id(request: Request) -> str:
    """The caller's X-Request-Id (a proxy's), if it is short and plain; else a new one."""
    given = (request.headers.get("x-request-id") or "").strip()
    if 0 < len(given) <= 64 and all(ch.isalnum() or ch in "-_." for ch in given):
        return given
    return uuid.uuid4().hex[:16]


def _client_app(request: Request) -> tuple[str | None, InvalidInput | None]:
    """The caller's X-Client-App, or why it is refused (every field of the request then is)."""
    given = request.headers.get("x-client-app")
    if given is None or not given.strip():
        return None, None
    if CLIENT_APP.fullmatch(given.strip()):
        return given.strip(), None
    return None, InvalidInput("input.client_app", field="X-Client-App")


def _principal(request: Request, verifier: TokenVerifier) -> tuple[Principal | None, Text | None]:
    """The caller, or why their credentials were refused (reported by the first field)."""
    header = request.headers.get("authorization")
    if not header:
        return None, None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, t("auth.scheme")
    try:
        return verifier.verify(token.strip()), None
    except Unauthenticated as error:
        return None, error.text


def _min_position(request: Request) -> int | None:
    """X-Min-Position; garbage counts as 0 rather than failing every field."""
    raw = (request.headers.get("x-min-position") or "").strip()
    return int(raw) if raw.isdigit() else None
