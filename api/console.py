"""The bureau console (console/, built by `make install`) and the offline GraphiQL, served by
the API process: the built files at `/`, any other path a client-side route (index.html).

Nothing the pages load comes from outside this server: the HTML pages carry a Content Security
Policy that lets the browser fetch only from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from api.errors import ContractRouter
from domain.messages import render

# The built console: `npm run build` in console/ (make install) writes it here.
DEFAULT_CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console" / "dist"

# antd writes its styles into <style> tags at run time (CSS-in-JS), hence 'unsafe-inline' for
# styles only; scripts, fonts, images and requests come from this server alone.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

NOT_BUILT = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>espcrm</title>'
    f"<p>{render('console.not_built')}</p></html>"
)


class OfflineGraphQLRouter(ContractRouter):
    """GraphQL at /graphql whose browser page is the bundled GraphiQL (console/graphiql.html),
    not Strawberry's page, which loads GraphiQL from a public CDN and stays blank offline."""

    def __init__(self, *args: Any, console_dir: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.graphiql_page = console_dir / "graphiql.html"

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        if self.graphiql_page.is_file():
            return HTMLResponse(
                self.graphiql_page.read_text(encoding="utf-8"), headers=PAGE_HEADERS
            )
        # Not built (no Node.js here): Strawberry's page, which needs the internet.
        return await super().render_graphql_ide(request)


def mount_console(app: FastAPI, console_dir: Path) -> None:
    """The built files, and index.html for every other GET (client-side routes).

    Registered last: /graphql, /healthz and /dev keep their own routes."""
    assets = console_dir / "assets"
    if assets.is_dir():
        # Hashed names: a file's content never changes under its name.
        app.mount("/assets", _ImmutableFiles(directory=assets), name="console-assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def console_page(path: str) -> Response:
        index = console_dir / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=404, headers=PAGE_HEADERS)
        if path and "/" not in path and not path.endswith(".html"):
            top_level = console_dir / path  # favicon.svg and the like
            if top_level.is_file():
                return FileResponse(top_level, headers={"Cache-Control": "no-cache"})
        return FileResponse(index, media_type="text/html", headers=PAGE_HEADERS)


class _ImmutableFiles(StaticFiles):
    async def get_response(self, path: str, scope: Any) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
