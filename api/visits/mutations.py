"""logVisit: only the enterprise's assigned commissioner (the domain checks who that is)."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.ids import parse_uuid
from api.visits.types import LogVisitInput, Visit, VisitPayload
from application.enterprises import LogVisit


@strawberry.type
class VisitMutations:
    @strawberry.mutation
    async def log_visit(self, info: Info, input: LogVisitInput) -> VisitPayload:
        user = info.context.may("logVisit")
        cmd = LogVisit(
            enterprise_id=parse_uuid(input.enterprise_id, "enterpriseId"),
            visited_at=input.visited_at,
            channel=input.channel.value,
            attendees=input.attendees,
            topics=input.topics,
            policies_explained=input.policies_explained or [],
            summary=input.summary,
            next_visit_on=input.next_visit_on,
            idempotency_key=input.idempotency_key,
        )
        app = info.context.services.app
        visit_id, position = await info.context.command(app.log_visit, cmd, user.actor)
        view = info.context.services.views.visit_history
        row = await info.context.read_own_write(position, view.get_many, visit_id, "visit")
        return VisitPayload(position=position, visit=Visit.from_row(row, user))
