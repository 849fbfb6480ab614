"""Issue types, built from the issue board's rows; related objects come through DataLoaders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.access import (
    sees_enterprise_of_issue,
    sees_personal_data_in_full,
    sees_visit_of_issue,
)
from api.common.types import (
    LABEL,
    Department,
    PageInfo,
    ReportingPoint,
    User,
    actor_user,
    label_of,
)
from api.context import Info
from domain.issue import EscalationLevel as DomainEscalationLevel
from domain.issue import IssueCategory as DomainIssueCategory
from domain.issue import IssueKind as DomainIssueKind
from domain.issue import IssueStatus as DomainIssueStatus
from domain.issue import Satisfaction as DomainSatisfaction
from domain.personal_data import mask_free_text
from projections.issue_board import IssuePage, IssueRow

if TYPE_CHECKING:
    from api.enterprises.types import Enterprise
    from api.visits.types import Visit

# The domain's own enums, exposed under the contract's names (strawberry.enum registers in place).
for _enum, _name in (
    (DomainIssueKind, "IssueKind"),
    (DomainIssueCategory, "IssueCategory"),
    (DomainIssueStatus, "IssueStatus"),
    (DomainSatisfaction, "Satisfaction"),
    (DomainEscalationLevel, "EscalationLevel"),
):
    strawberry.enum(_enum, name=_name)
IssueKind = DomainIssueKind
IssueCategory = DomainIssueCategory
IssueStatus = DomainIssueStatus
Satisfaction = DomainSatisfaction
EscalationLevel = DomainEscalationLevel


def _readable(info: Info, text: str) -> str:
    """Free text as the caller may read it: personal data typed into it masked for roles that
    may not see contacts (DOMAIN.md "Personal information")."""
    return text if sees_personal_data_in_full(info.context.user) else mask_free_text(text)


@strawberry.type
class TimelineEntry:
    position: int
    type: str
    at: datetime
    actor: User
    note: str | None
    lead_department_id: strawberry.Private[str | None] = None
    assisting_department_ids: strawberry.Private[list[str] | None] = None

    @strawberry.field(description="派单: the lead department the dispatch named; null otherwise")
    async def lead_department(self, info: Info) -> Department | None:
        if self.lead_department_id is None:
            return None
        row = await info.context.loaders.department.load(self.lead_department_id)
        return Department.from_row(row) if row else None

    @strawberry.field(description="派单: the assisting departments the dispatch named")
    async def assisting_departments(self, info: Info) -> list[Department]:
        rows = await info.context.loaders.department.load_many(self.assisting_department_ids or [])
        return [Department.from_row(r) for r in rows if r is not None]

    @strawberry.field(description="The step's label (ReturnedForRework: 退回重办): " + LABEL)
    def label(self, info: Info) -> str:
        level = (self.note or "").rsplit(" · ", 1)[-1]
        if self.type == "Escalated" and level in DomainEscalationLevel.__members__:
            return label_of(info, f"escalation.{level}")
        return label_of(info, f"event.{self.type}")


@strawberry.type
class Issue:
    row: strawberry.Private[IssueRow]
    id: strawberry.ID
    kind: IssueKind
    category: IssueCategory
    status: IssueStatus
    raised_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    accept_due_at: datetime | None
    resolve_due_at: datetime | None
    evidence: list[str]
    satisfaction: Satisfaction | None
    rework_count: int
    dispatch_refusal_count: int
    # Set on an issue read as of a moment: `overdue` is then judged at that moment.
    as_of: strawberry.Private[datetime | None] = None

    @strawberry.field(description="The kind's label: " + LABEL)
    def kind_label(self, info: Info) -> str:
        return label_of(info, f"kind.{self.kind.value}")

    @strawberry.field(description="The category's label: " + LABEL)
    def category_label(self, info: Info) -> str:
        return label_of(info, f"category.{self.category.value}")

    @strawberry.field(description="The status's label (RAISED: 已提出（待派单））: " + LABEL)
    def status_label(self, info: Info) -> str:
        return label_of(info, f"status.{self.status.value}")

    @strawberry.field(description="The satisfaction's label, if rated: " + LABEL)
    def satisfaction_label(self, info: Info) -> str | None:
        if self.satisfaction is None:
            return None
        return label_of(info, f"satisfaction.{self.satisfaction.value}")

    @classmethod
    def from_row(cls, row: IssueRow) -> Issue:
        return cls(
            row=row,
            id=strawberry.ID(str(row.id)),
            kind=DomainIssueKind(row.kind),
            category=DomainIssueCategory(row.category),
            status=DomainIssueStatus(row.status),
            raised_at=row.raised_at,
            dispatched_at=row.dispatched_at,
            accepted_at=row.accepted_at,
            resolved_at=row.resolved_at,
            closed_at=row.closed_at,
            accept_due_at=row.accept_due_at,
            resolve_due_at=row.resolve_due_at,
            evidence=list(row.evidence),
            satisfaction=DomainSatisfaction(row.satisfaction) if row.satisfaction else None,
            rework_count=row.rework_count,
            dispatch_refusal_count=row.dispatch_refusal_count,
        )

    @strawberry.field
    def title(self, info: Info) -> str:
        return _readable(info, self.row.title)

    @strawberry.field
    def description(self, info: Info) -> str:
        return _readable(info, self.row.description)

    @strawberry.field
    def resolution(self, info: Info) -> str | None:
        return None if self.row.resolution is None else _readable(info, self.row.resolution)

    @strawberry.field
    def overdue(self, info: Info) -> bool:
        return self.row.is_overdue(self.as_of or info.context.now())

    @strawberry.field
    async def enterprise(
        self, info: Info
    ) -> Annotated[Enterprise, strawberry.lazy("api.enterprises.types")] | None:
        user = info.context.user
        if self.row.enterprise_id is None or not sees_enterprise_of_issue(user):
            return None
        row = await info.context.loaders.enterprise.load(self.row.enterprise_id)
        return info.context.nodes.enterprise(row, user) if row else None

    @strawberry.field
    async def reporting_point(self, info: Info) -> ReportingPoint | None:
        if self.row.reporting_point_id is None:
            return None
        row = await info.context.loaders.reporting_point.load(self.row.reporting_point_id)
        return ReportingPoint.from_row(row) if row else None

    @strawberry.field
    async def visit(
        self, info: Info
    ) -> Annotated[Visit, strawberry.lazy("api.visits.types")] | None:
        user = info.context.user
        if self.row.visit_id is None or not sees_visit_of_issue(user):
            return None
        row = await info.context.loaders.visit.load(self.row.visit_id)
        return info.context.nodes.visit(row, user) if row else None

    @strawberry.field
    async def lead_department(self, info: Info) -> Department | None:
        if self.row.lead_department_id is None:
            return None
        row = await info.context.loaders.department.load(self.row.lead_department_id)
        return Department.from_row(row) if row else None

    @strawberry.field
    async def assisting_departments(self, info: Info) -> list[Department]:
        rows = await info.context.loaders.department.load_many(self.row.assisting_department_ids)
        return [Department.from_row(r) for r in rows if r is not None]

    @strawberry.field
    async def timeline(self, info: Info) -> list[TimelineEntry]:
        entries = await info.context.loaders.timeline.load(self.row.id)
        # The row's position is its latest event's: an issue read as of a moment shows the
        # timeline up to then (a live row, all of it).
        entries = [e for e in entries if e.position <= self.row.position]
        return [
            TimelineEntry(
                position=e.position,
                type=e.type,
                at=e.at,
                actor=actor_user(e.actor_id, e.actor_name, e.actor_role),
                note=None if e.note is None else _readable(info, e.note),
                lead_department_id=e.lead_department_id,
                assisting_department_ids=list(e.assisting_department_ids),
            )
            for e in entries
        ]


@strawberry.type
class IssueEdge:
    node: Issue
    cursor: str


@strawberry.type
class IssueConnection:
    edges: list[IssueEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(
        cls, page: IssuePage, cursor_of: Callable[[IssueRow], str] | None = None
    ) -> IssueConnection:
        """`cursor_of`: a row's cursor when the page is not in the board's order (the audit queue)."""
        edges = [
            IssueEdge(node=Issue.from_row(r), cursor=cursor_of(r) if cursor_of else r.cursor)
            for r in page.rows
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else None
            ),
            total_count=page.total_count,
        )


@strawberry.input
class IssueFilter:
    status: list[IssueStatus] | None = None
    kind: IssueKind | None = None
    category: IssueCategory | None = None
    department_id: strawberry.ID | None = None
    district: str | None = None
    enterprise_id: strawberry.ID | None = None
    overdue: bool | None = None


@strawberry.input
class RaiseDemandInput:
    enterprise_id: strawberry.ID
    visit_id: strawberry.ID | None = None
    category: IssueCategory
    title: str
    description: str
    idempotency_key: str | None = None


@strawberry.input
class SubmitDirectReportInput:
    category: IssueCategory
    title: str
    description: str
    enterprise_id: strawberry.ID | None = None
    idempotency_key: str | None = None
    reporter_phone: str | None = strawberry.field(
        default=None,
        description="A phone number for the progress lookup (/track): kept only as a digest",
    )


@strawberry.input
class DispatchIssueInput:
    issue_id: strawberry.ID
    lead_department_id: strawberry.ID
    assisting_department_ids: list[strawberry.ID] | None = None


@strawberry.input
class ReasonInput:
    issue_id: strawberry.ID
    reason: str


@strawberry.input
class NoteInput:
    issue_id: strawberry.ID
    note: str


@strawberry.input
class ResolveIssueInput:
    issue_id: strawberry.ID
    resolution: str
    evidence: list[str]


@strawberry.input
class EvaluateIssueInput:
    issue_id: strawberry.ID
    satisfaction: Satisfaction
    comment: str | None = None


@strawberry.input
class EscalateIssueInput:
    issue_id: strawberry.ID
    level: EscalationLevel
    note: str


@strawberry.type
class IssuePayload:
    position: int
    issue: Issue
