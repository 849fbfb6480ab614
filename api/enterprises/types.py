"""Enterprise types, built from the enterprise directory's rows."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from api.access import scope_issues, sees_contacts_in_full
from api.auth import Principal
from api.common.types import LABEL, PageInfo, Role, User, label_of, page_size
from api.context import Info
from api.issues.types import IssueConnection, IssueStatus
from api.publicity.schema import PublicityActivity
from api.visits.types import VisitChannel, VisitConnection
from application.feed import mask_name, mask_phone
from domain.shared import InvalidInput
from projections.enterprise_directory import EnterpriseRow
from projections.issue_board import IssueFilter
from projections.visit_history import PolicyNoticeRow


@strawberry.type
class Contact:
    name: str
    phone: str
    title: str | None


@strawberry.type(description="告知/确认: a catalogue policy brought to the enterprise's notice")
class PolicyNotice:
    policy_code: str
    first_notified_at: datetime
    last_notified_at: datetime
    times_notified: int = strawberry.field(description="Reminders count again (再次告知)")
    notified_by: str = strawberry.field(description="Who notified it (the commissioner's name)")
    note: str | None
    confirmed_at: datetime | None = strawberry.field(description="When the enterprise confirmed")
    confirmed_by: str | None = strawberry.field(
        description="Who confirmed at the enterprise; masked for roles that may not see contacts"
    )

    @classmethod
    def from_row(cls, row: PolicyNoticeRow, full: bool) -> PolicyNotice:
        confirmed_by = row.confirmed_by
        if confirmed_by is not None and not full:
            confirmed_by = mask_name(confirmed_by)
        return cls(
            policy_code=row.policy_code,
            first_notified_at=row.first_notified_at,
            last_notified_at=row.last_notified_at,
            times_notified=row.times_notified,
            notified_by=row.notified_by,
            note=row.note,
            confirmed_at=row.confirmed_at,
            confirmed_by=confirmed_by,
        )


@strawberry.type
class Enterprise:
    row: strawberry.Private[EnterpriseRow]
    id: strawberry.ID
    uscc: str
    name: str
    district: str
    industry: str | None
    contacts: list[Contact]
    commissioner: User | None
    visit_count: int
    last_visit_at: datetime | None
    next_visit_due_on: date | None
    open_issue_count: int
    status: str = strawberry.field(description="ACTIVE, SUSPENDED or CLOSED")
    # Set on an enterprise read as of a moment: its lists are not history (see _live_only).
    as_of: strawberry.Private[datetime | None] = None

    def _live_only(self, field: str) -> None:
        """An as-of read answers the enterprise's own fields as they were; its lists (visits,
        issues, notices, activities) are read models of today, so they are refused rather than
        shown as if they were history (read an issue as of the moment with issue(id, asOf))."""
        if self.as_of is not None:
            raise InvalidInput("history.nested_as_of", field=field)

    @strawberry.field(description="The relationship status's label (ACTIVE: 服务中): " + LABEL)
    def status_label(self, info: Info) -> str:
        return label_of(info, f"relationship.{self.status}")

    @classmethod
    def from_row(cls, row: EnterpriseRow, viewer: Principal) -> Enterprise:
        full = sees_contacts_in_full(viewer, row)
        contacts = [
            Contact(
                name=c["name"] if full else mask_name(c["name"]),
                phone=c["phone"] if full else mask_phone(c["phone"]),
                title=c.get("title"),
            )
            for c in row.contacts
        ]
        commissioner = (
            User(
                id=strawberry.ID(row.commissioner_id),
                name=row.commissioner_name or row.commissioner_id,
                role=Role.COMMISSIONER,
            )
            if row.commissioner_id
            else None
        )
        return cls(
            row=row,
            id=strawberry.ID(str(row.id)),
            uscc=row.uscc,
            name=row.name,
            district=row.district,
            industry=row.industry,
            contacts=contacts,
            commissioner=commissioner,
            visit_count=row.visit_count,
            last_visit_at=row.last_visit_at,
            next_visit_due_on=row.next_visit_due_on,
            open_issue_count=row.open_issue_count,
            status=row.status,
        )

    @strawberry.field
    async def visits(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> VisitConnection:
        self._live_only("visits")
        loader = info.context.loaders.visit_page(page_size(first), after)
        return VisitConnection.from_page(await loader.load(self.row.id), info.context.user)

    @strawberry.field(description="政策告知与确认: the policies notified, latest first")
    async def policy_notices(self, info: Info) -> list[PolicyNotice]:
        self._live_only("policyNotices")
        rows = await info.context.loaders.policy_notices.load(self.row.id)
        full = sees_contacts_in_full(info.context.user, self.row)
        return [PolicyNotice.from_row(r, full) for r in rows]

    @strawberry.field
    async def issues(
        self,
        info: Info,
        status: list[IssueStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> IssueConnection:
        self._live_only("issues")
        flt = IssueFilter(statuses=tuple(s.value for s in status or ()), enterprise_id=self.row.id)
        view = info.context.services.views.issue_board
        flt = await scope_issues(info, flt)
        page = await info.context.read(view.page, flt, page_size(first), after)
        return IssueConnection.from_page(page)

    @strawberry.field(description="政策宣传服务活动 the enterprise attended, newest first")
    async def publicity_activities(self, info: Info) -> list[PublicityActivity]:
        self._live_only("publicityActivities")
        view = info.context.services.views.publicity
        found = await info.context.read(view.for_enterprises, [str(self.row.id)])
        return [PublicityActivity.from_row(r) for r in found[str(self.row.id)]]


@strawberry.type
class EnterpriseEdge:
    node: Enterprise
    cursor: str


@strawberry.type
class EnterpriseConnection:
    edges: list[EnterpriseEdge]
    page_info: PageInfo
    total_count: int


@strawberry.input
class EnterpriseFilter:
    district: str | None = None
    commissioner_id: strawberry.ID | None = None
    visit_overdue: bool | None = None
    search: str | None = None


@strawberry.input
class ContactInput:
    name: str
    phone: str
    title: str | None = None


@strawberry.input
class RegisterEnterpriseInput:
    uscc: str
    name: str
    district: str
    industry: str | None = None
    address: str | None = None
    contacts: list[ContactInput] | None = None


@strawberry.input
class AssignCommissionerInput:
    enterprise_id: strawberry.ID
    commissioner_id: strawberry.ID
    commissioner_name: str
    reason: str | None = None


@strawberry.type
class EnterprisePayload:
    position: int
    enterprise: Enterprise


@strawberry.input
class CorrectVisitInput:
    """Only the fields given are corrected; a correction is a new event, never an edit."""

    enterprise_id: strawberry.ID
    visit_id: strawberry.ID
    reason: str
    visited_at: datetime | None = None
    channel: VisitChannel | None = None
    attendees: list[str] | None = None
    topics: list[str] | None = None
    policies_explained: list[str] | None = None
    summary: str | None = None
    follow_ups: list[str] | None = None
    next_visit_on: date | None = None


@strawberry.input
class PolicyNoticeInput:
    enterprise_id: strawberry.ID
    policy_code: str
    note: str | None = None


@strawberry.input
class PolicyConfirmationInput:
    enterprise_id: strawberry.ID
    policy_code: str
    confirmed_by: str


@strawberry.input
class ChangeContactsInput:
    enterprise_id: strawberry.ID
    contacts: list[ContactInput]


@strawberry.input(
    description="个人信息删除: the enterprise whose people's personal data is erased for good"
    " (its contacts, visit attendees, personal data in its texts and its demands' texts),"
    " and the legal basis (e.g. 个人信息保护法第四十七条 and the request's reference)."
)
class ForgetPersonInput:
    enterprise_id: strawberry.ID
    legal_basis: str


@strawberry.input
class RelationshipChangeInput:
    enterprise_id: strawberry.ID
    reason: str | None = None
