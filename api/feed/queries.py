"""`events`: the global log after a position, for ADMIN and SUPERVISOR."""

from __future__ import annotations

import strawberry

from api.common.types import page_size
from api.context import Info
from api.feed.types import FeedEvent, FeedPage
from domain.shared import Forbidden, InvalidInput, Role


@strawberry.type
class FeedQueries:
    @strawberry.field(
        description="The global event feed after a position (ADMIN and SUPERVISOR of every district only)."
    )
    async def events(
        self, info: Info, after: int | None = None, first: int | None = None
    ) -> FeedPage:
        user = info.context.require_role(Role.ADMIN, Role.SUPERVISOR)
        if user.districts:  # the feed carries every district's names, summaries, descriptions
            raise Forbidden("feed.narrowed_token")
        if after is not None and after < 0:
            raise InvalidInput("input.after_position", field="after")
        app = info.context.services.app
        envelopes = await info.context.command(app.read_feed, after or 0, page_size(first))
        return FeedPage(
            events=[FeedEvent.from_envelope(e) for e in envelopes],
            last_position=envelopes[-1].position if envelopes else after,
        )
