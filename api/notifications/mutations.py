"""markNotificationsRead(ids): the caller marks their own notifications read."""

from __future__ import annotations

import strawberry

from api.access import notice_audience
from api.context import Info
from api.ids import parse_uuid
from api.notifications.queries import store_of
from api.notifications.types import MarkNotificationsReadPayload
from domain.shared import InvalidInput

MAX_IDS = 100


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(description="Mark the caller's notifications read (at most 100 ids).")
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID]
    ) -> MarkNotificationsReadPayload:
        user = info.context.may("markNotificationsRead")
        if len(ids) > MAX_IDS:
            raise InvalidInput("notice.too_many_ids", field="ids", limit=MAX_IDS)
        wanted = [parse_uuid(str(one), "ids") for one in ids]
        audience = notice_audience(user)
        store = store_of(info)
        marked = await info.context.command(store.mark_read, audience, wanted, info.context.now())
        page = await info.context.read(store.inbox, audience, 1, None, True)
        return MarkNotificationsReadPayload(
            marked=[strawberry.ID(str(one)) for one in marked], unread_count=page.unread_count
        )
