"""`auditTrail`: every event of one enterprise or issue, for supervisors and the bureau office
(a supervisor narrowed to districts only for streams of those districts)."""

from __future__ import annotations

import strawberry

from api.common.types import PageInfo, page_size
from api.context import Info
from api.history.types import AuditEdge, AuditEntry, AuditTrail
from api.ids import parse_uuid
from application.history import audit_trail
from domain.messages import t
from domain.shared import InvalidInput, NotFound, Role
from projections.base import decode_cursor, encode_cursor

TRAIL_STREAMS = ("EnterpriseRelationship", "Issue")


@strawberry.type
class HistoryQueries:
    @strawberry.field(
        description="Every event of one enterprise relationship or issue, oldest first: who,"
        " when, what and what changed (SUPERVISOR, ADMIN)"
    )
    async def audit_trail(
        self,
        info: Info,
        stream_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> AuditTrail:
        user = info.context.require_role(Role.ADMIN, Role.SUPERVISOR)
        stream = parse_uuid(stream_id, "streamId")
        size = page_size(first)
        key = decode_cursor(after)
        app = info.context.services.app
        masked = user.role is not Role.ADMIN  # contacts and free text as a supervisor sees them
        trail = await info.context.read(lambda: audit_trail(app, stream, masked=masked))
        if trail is None:
            raise NotFound("not_found", what=t("what.event"), id=stream_id)
        if trail.stream_type not in TRAIL_STREAMS:
            raise InvalidInput("audit.stream", field="streamId", id=stream_id)
        if user.districts and trail.district not in user.districts:
            raise NotFound("not_found", what=t("what.event"), id=stream_id)  # no leak
        later = [e for e in trail.entries if key is None or e.version > key[0]]
        page = later[:size]
        edges = [AuditEdge(node=AuditEntry.from_entry(e), cursor=encode_cursor(e.version))
                 for e in page]  # fmt: skip
        return AuditTrail(
            stream_id=strawberry.ID(str(stream)),
            stream_type=trail.stream_type,
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(later) > size, end_cursor=edges[-1].cursor if edges else None
            ),
            total_count=len(trail.entries),
        )
