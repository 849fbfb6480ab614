"""GET /notifications/stream: the caller's new notifications as Server-Sent Events.

Server-Sent Events rather than a GraphQL subscription: it is a plain GET with the same
`Authorization: Bearer` token as /graphql, read by the same principal code, through any proxy
that passes HTTP; a subscription needs a WebSocket with its own authentication in the
connection payload beside the HTTP context this API builds per request. A reconnecting client
sends `Last-Event-ID` (each event's id is the notification's sequence number) and misses
nothing; without it the stream starts with the notifications that arrive from then on.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from api.access import notice_audience
from api.auth import Principal
from api.context import Services
from domain.messages import Text, label, language_of, render, t
from domain.notifications import notice_text
from projections.notifications import NoticeRow

KEEP_ALIVE_SECONDS = 15.0


def _refused(status: int, code: str, text: Text, language: str) -> Response:
    body = {"errors": [{"message": text.render(language), "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


def event_of(row: NoticeRow, language: str) -> str:
    data = {
        "id": str(row.id),
        "kind": row.kind,
        "kindLabel": label(f"notice.kind.{row.kind}", language),
        "text": notice_text(row.text_key, row.params, language),
        "issueId": row.issue_id,
        "enterpriseId": row.enterprise_id,
        "createdAt": row.created_at.isoformat(),
    }
    return f"id: {row.seq}\nevent: notification\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def stream_router(
    services: Services,
    principal_of: Callable[[Request], tuple[Principal | None, Text | None]],
    poll_seconds: float = 1.0,
) -> APIRouter:
    router = APIRouter()

    @router.get("/notifications/stream")
    async def stream(request: Request) -> Response:
        language = language_of(request.headers.get("accept-language"))
        principal, error = principal_of(request)
        if principal is None:
            text = error or t("notice.stream_unauthenticated")
            return _refused(401, "UNAUTHENTICATED", text, language)
        store = services.notifications
        if store is None:
            return _refused(503, "SERVICE_UNAVAILABLE", t("service.no_inbox"), language)
        audience = notice_audience(principal)
        given = (request.headers.get("last-event-id") or "").strip()
        last = int(given) if given.isdigit() else await asyncio.to_thread(store.latest_seq)

        async def events() -> AsyncIterator[str]:
            nonlocal last
            yield "retry: 3000\n: " + render("notice.stream_open", language) + "\n\n"
            quiet = 0.0
            while not await request.is_disconnected():
                rows = await asyncio.to_thread(store.since, audience, last)
                for row in rows:
                    last = row.seq
                    yield event_of(row, language)
                quiet = 0.0 if rows else quiet + poll_seconds
                if quiet >= KEEP_ALIVE_SECONDS:
                    quiet = 0.0
                    yield ": keep-alive\n\n"
                await asyncio.sleep(poll_seconds)

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    return router
