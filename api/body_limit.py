"""A cap on request bodies, whether or not the client says how long its body is.

A Content-Length over the cap is refused before a byte is read. A body sent in chunks (no
Content-Length) is read up to the cap and refused as soon as it passes it, so a hostile
client can make the server hold at most the cap per request, never its whole upload.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from domain.messages import language_of, render

Scope = dict[str, Any]
Message = dict[str, Any]


class BodyLimit:
    """Pure ASGI middleware (it must see the body's chunks, which FastAPI's hooks do not)."""

    def __init__(self, app: Any, max_bytes: int, read_timeout: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # The whole body must arrive within this (a slow-body client holds a connection and
        # a request slot otherwise, for as long as it likes).
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language = language_of(_header(scope, b"accept-language"))
        declared = _content_length(scope)
        if isinstance(declared, str):
            await _refuse(send, 400, render("input.content_length", language))
            return
        too_large = render("input.body_too_large", language, limit=self.max_bytes)
        if declared is not None and declared > self.max_bytes:
            await _refuse(send, 413, too_large)
            return
        try:
            body, complete = await asyncio.wait_for(self._read(receive), self.read_timeout)
        except TimeoutError:
            slow = render("input.body_too_slow", language, seconds=self.read_timeout)
            await _refuse(send, 408, slow)
            return
        if body is None:
            return  # the client went away
        if not complete:
            await _refuse(send, 413, too_large)
            return
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            await _refuse(send, 400, render("input.not_utf8", language))
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Any) -> tuple[bytes | None, bool]:
        """(the body, True) once read whole; (part, False) if it passed the cap."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None, False
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return b"", False
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), True


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


def _content_length(scope: Scope) -> int | str | None:
    text = _header(scope, b"content-length")
    if text is None:
        return None
    return int(text.strip()) if text.strip().isdigit() else "invalid"


def _replay(body: bytes, receive: Any) -> Any:
    """A receive that gives the app the body already read, then the client's next message."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # type: ignore[no-any-return]

    return replayed


async def _refuse(send: Any, status: int, message: str) -> None:
    payload = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "INVALID_INPUT"}}],
    }
    content = json.dumps(payload, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(content)).encode()),
                # The rest of the upload is not read: the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})
