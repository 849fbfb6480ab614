"""notifications(first, after, unreadOnly): the caller's own inbox, the newest first."""

from __future__ import annotations

import strawberry

from api.access import notice_audience
from api.common.types import page_size
from api.context import Info
from api.errors import ServiceUnavailable
from api.notifications.types import NotificationConnection
from projections.base import decode_cursor
from projections.notifications import NotificationStore


def store_of(info: Info) -> NotificationStore:
    store = info.context.services.notifications
    if store is None:
        raise ServiceUnavailable("service.no_inbox")
    return store


@strawberry.type
class NotificationQueries:
    @strawberry.field(description="The caller's notifications (通知), the newest first.")
    async def notifications(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unread_only: bool = False,
    ) -> NotificationConnection:
        audience = notice_audience(info.context.user)
        size = page_size(first)
        key = decode_cursor(after)
        store = store_of(info)
        page = await info.context.read(
            store.inbox, audience, size, int(key[0]) if key else None, unread_only
        )
        return NotificationConnection.from_page(page)
