"""`events`: the global log after a position, for ADMIN and SUPERVISOR."""

from __future__ import annotations

import strawberry

from api.common.types import page_size
from api.context import Info
from api.feed.types import FeedEvent, FeedPage
from domain.shared import InvalidInput, Role


@strawberry.type
class FeedQueries:
    @strawberry.field(
        description="The global event feed after a position (ADMIN and SUPERVISOR only)."
    )
    async def events(
        self, info: Info, after: int | None = None, first: int | None = None
    ) -> FeedPage:
        info.context.require_role(Role.ADMIN, Role.SUPERVISOR)
        if after is not None and after < 0:
            raise InvalidInput("input.after_position", field="after")
        app = info.context.services.app
        envelopes = await info.context.command(app.read_feed, after or 0, page_size(first))
        return FeedPage(
            events=[FeedEvent.from_envelope(e) for e in envelopes],
            last_position=envelopes[-1].position if envelopes else after,
        )
