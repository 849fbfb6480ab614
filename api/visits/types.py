"""Visit types, built from the visit history's rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.access import sees_attendees_in_full
from api.auth import Principal
from api.common.types import LABEL, PageInfo, Role, User, actor_user, label_of
from api.context import Info
from domain.enterprise import VisitChannel as DomainVisitChannel
from domain.messages import t
from domain.personal_data import mask_free_text, mask_name
from domain.shared import NotFound
from projections.visit_history import VisitPage, VisitRow

if TYPE_CHECKING:
    from api.enterprises.types import Enterprise
    from api.issues.types import Issue

strawberry.enum(DomainVisitChannel, name="VisitChannel")
VisitChannel = DomainVisitChannel


def _camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type(description="A correction of a visit (更正): who, when, which fields, why")
class VisitCorrection:
    at: datetime
    actor: User
    fields: list[str] = strawberry.field(description="the corrected fields, e.g. visitedAt")
    reason: str


@strawberry.type
class Visit:
    row: strawberry.Private[VisitRow]
    id: strawberry.ID
    commissioner: User
    visited_at: datetime
    channel: VisitChannel
    attendees: list[str]
    topics: list[str]
    policies_explained: list[str]
    summary: str
    next_visit_on: date | None

    @strawberry.field(description="The channel's label (ON_SITE: 上门走访): " + LABEL)
    def channel_label(self, info: Info) -> str:
        return label_of(info, f"channel.{self.channel.value}")

    @classmethod
    def from_row(cls, row: VisitRow, viewer: Principal) -> Visit:
        full = sees_attendees_in_full(viewer, row)
        return cls(
            row=row,
            id=strawberry.ID(row.visit_id),
            commissioner=User(
                id=strawberry.ID(row.commissioner_id),
                name=row.commissioner_name or row.commissioner_id,
                role=Role.COMMISSIONER,
            ),
            visited_at=row.visited_at,
            channel=DomainVisitChannel(row.channel),
            attendees=list(row.attendees) if full else [mask_name(a) for a in row.attendees],
            topics=list(row.topics) if full else [mask_free_text(t) for t in row.topics],
            policies_explained=list(row.policies_explained),
            summary=row.summary if full else mask_free_text(row.summary),
            next_visit_on=row.next_visit_on,
        )

    @strawberry.field
    async def enterprise(
        self, info: Info
    ) -> Annotated[Enterprise, strawberry.lazy("api.enterprises.types")]:
        row = await info.context.loaders.enterprise.load(self.row.enterprise_id)
        if row is None:  # the visit was loaded through the same scope: not reached in practice
            raise NotFound("not_found", what=t("what.enterprise"), id=self.row.enterprise_id)
        return info.context.nodes.enterprise(row, info.context.user)

    @strawberry.field(description="Its corrections, oldest first (a correction is a new event)")
    async def corrections(self, info: Info) -> list[VisitCorrection]:
        rows = await info.context.loaders.corrections.load(self.row.visit_id)
        full = sees_attendees_in_full(info.context.user, self.row)
        return [
            VisitCorrection(
                at=c.at,
                actor=actor_user(c.actor_id, c.actor_name, c.actor_role),
                fields=[_camel(f) for f in c.fields],
                reason=c.reason if full else mask_free_text(c.reason),
            )
            for c in rows
        ]

    @strawberry.field
    async def issues(
        self, info: Info
    ) -> list[Annotated[Issue, strawberry.lazy("api.issues.types")]]:
        rows = await info.context.loaders.issues_of_visit.load(self.row.visit_id)
        return [info.context.nodes.issue(r) for r in rows]


@strawberry.type
class VisitEdge:
    node: Visit
    cursor: str


@strawberry.type
class VisitConnection:
    edges: list[VisitEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: VisitPage, viewer: Principal) -> VisitConnection:
        edges = [VisitEdge(node=Visit.from_row(r, viewer), cursor=r.cursor) for r in page.rows]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else None
            ),
            total_count=page.total_count,
        )


@strawberry.input
class LogVisitInput:
    enterprise_id: strawberry.ID
    visited_at: datetime
    channel: VisitChannel
    attendees: list[str]
    topics: list[str]
    policies_explained: list[str] | None = None
    summary: str
    next_visit_on: date | None = None
    idempotency_key: str | None = None


@strawberry.type
class VisitPayload:
    position: int
    visit: Visit
