"""History types: the audit trail, a published league table and what moved since."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import strawberry

from api.common.types import LABEL, PageInfo, label_of
from api.context import Info
from api.league.types import LeagueRow
from application.history import AuditEntry as AuditEntryData
from domain.messages import field_name
from projections.history import DistrictMove
from projections.league_table import KPI_LABELS
from projections.league_table import LeagueRow as LeagueRowData

AS_OF = (
    "Answer as the system knew it at this moment: the events recorded up to then"
    " (docs/history.md). Not later than now."
)


@strawberry.type(description="Who recorded an event: a person, or the system's own steps")
class AuditActor:
    id: str
    name: str
    role: str
    request_id: str | None = strawberry.field(
        description="the X-Request-Id of the request that caused the event; null for events"
        " recorded before requests were noted, and for the system's own steps"
    )
    client_app: str | None = strawberry.field(
        description="the client application the request named (X-Client-App), if any"
    )

    @strawberry.field(description="The role's label: " + LABEL)
    def role_label(self, info: Info) -> str:
        return label_of(info, f"role.{self.role}")


@strawberry.type(description="One field an event set: before (where the stream had a value)"
                 " and after, as JSON text; personal data masked as the reader must see it")  # fmt: skip
class AuditChange:
    field: str
    before: str | None
    after: str | None

    @strawberry.field(description="The field's name as people read it")
    def field_label(self, info: Info) -> str:
        return field_name(_camel(self.field), info.context.language)


@strawberry.type
class AuditEntry:
    position: int = strawberry.field(description="the event's position in the log")
    version: int = strawberry.field(description="the event's version in its stream")
    type: str = strawberry.field(description="the event type, e.g. Dispatched")
    at: datetime = strawberry.field(description="when it was recorded (Beijing time)")
    actor: AuditActor | None
    changes: list[AuditChange]

    @strawberry.field(description="What happened: " + LABEL)
    def label(self, info: Info) -> str:
        return label_of(info, f"event.{self.type}")

    @classmethod
    def from_entry(cls, entry: AuditEntryData) -> AuditEntry:
        a = entry.actor
        return cls(
            position=entry.position,
            version=entry.version,
            type=entry.type,
            at=entry.at,
            actor=AuditActor(
                id=a.id, name=a.name, role=a.role, request_id=a.request_id, client_app=a.client_app
            )
            if a
            else None,
            changes=[
                AuditChange(field=c.field, before=_json(c.before), after=_json(c.after))
                for c in entry.changes
            ],
        )


@strawberry.type
class AuditEdge:
    node: AuditEntry
    cursor: str


@strawberry.type(description="Every event of one enterprise relationship or issue, oldest first")
class AuditTrail:
    stream_id: strawberry.ID
    stream_type: str = strawberry.field(description="EnterpriseRelationship or Issue")
    edges: list[AuditEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="A scored rate that differs between the published and live table")
class LeagueRateChange:
    kpi: str
    label: str
    published: float | None
    live: float | None


@strawberry.type(description="A district whose rank, score or rates changed since publication")
class LeagueMove:
    district: str
    published_rank: int | None
    live_rank: int | None
    published_score: float | None
    live_score: float | None
    moved: bool = strawberry.field(description="its rank changed")
    rates: list[LeagueRateChange] = strawberry.field(description="why: the rates that changed")

    @classmethod
    def from_move(cls, move: DistrictMove) -> LeagueMove:
        return cls(
            district=move.district,
            published_rank=move.published_rank,
            live_rank=move.live_rank,
            published_score=move.published_score,
            live_score=move.live_score,
            moved=move.moved,
            rates=[
                LeagueRateChange(kpi=r.kpi, label=KPI_LABELS[r.kpi], published=r.published,
                                 live=r.live)
                for r in move.rates
            ],
        )  # fmt: skip


@strawberry.type(description="The league table as a supervisor published it: never changes")
class PublishedLeagueTable:
    period: str
    published_at: datetime
    published_by: AuditActor
    position: int = strawberry.field(description="the log position its figures were computed at")
    rows: list[LeagueRow]
    moves: list[LeagueMove] = strawberry.field(
        description="the districts whose figures differ in the live table, and why"
    )

    @classmethod
    def build(
        cls,
        table: Any,
        rows: list[LeagueRowData],
        moves: list[DistrictMove],
    ) -> PublishedLeagueTable:
        a = table.published_by
        return cls(
            period=table.period,
            published_at=table.published_at,
            published_by=AuditActor(
                id=a.id, name=a.name, role=a.role, request_id=a.request_id, client_app=a.client_app
            ),
            position=table.log_position,
            rows=[LeagueRow.from_row(r, table.weights) for r in rows],
            moves=[LeagueMove.from_move(m) for m in moves],
        )


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
