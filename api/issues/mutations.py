"""Issue mutations: each checks the role gate, runs one command, and reads its own write."""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.access import sees_issue
from api.auth import Principal
from api.context import Info
from api.ids import parse_uuid
from api.issues.types import (
    DispatchIssueInput,
    EscalateIssueInput,
    EvaluateIssueInput,
    Issue,
    IssuePayload,
    NoteInput,
    RaiseDemandInput,
    ReasonInput,
    ResolveIssueInput,
    SubmitDirectReportInput,
)
from application.issues import RaiseDemand, SubmitDirectReport
from domain.messages import t
from domain.shared import InvalidInput, NotFound, Role


async def payload(info: Info, issue_id: UUID, position: int) -> IssuePayload:
    """Wait for the board to reach the write, then answer from it like any query."""
    view = info.context.services.views.issue_board
    row = await info.context.read_own_write(position, view.get_many, issue_id, "issue")
    return IssuePayload(position=position, issue=Issue.from_row(row))


def _issue(raw: str) -> UUID:
    return parse_uuid(raw, "issueId")


async def _within_districts(info: Info, user: Principal, issue_id: UUID) -> None:
    """A supervisor narrowed to some districts acts only on the issues they can see there.

    An issue's district is fixed when it is raised, so the board's copy decides; an issue the
    supervisor cannot see gets the same answer as one that does not exist (no leak)."""
    views = info.context.services.views
    rows = await info.context.read(views.issue_board.get_many, [issue_id])
    if not rows or not sees_issue(user, rows[0]):
        raise NotFound("not_found", what=t("what.issue"), id=issue_id)


def _department(info: Info) -> str:
    department = info.context.user.department_id
    if not department:
        raise InvalidInput("token.no_department", field="department_id")
    return department


@strawberry.type
class IssueMutations:
    @strawberry.mutation
    async def raise_demand(self, info: Info, input: RaiseDemandInput) -> IssuePayload:
        user = info.context.may("raiseDemand")
        cmd = RaiseDemand(
            enterprise_id=parse_uuid(input.enterprise_id, "enterpriseId"),
            category=input.category.value,
            title=input.title,
            description=input.description,
            visit_id=input.visit_id,
            idempotency_key=input.idempotency_key,
        )
        app = info.context.services.app
        issue_id, position = await info.context.command(app.raise_demand, cmd, user.actor)
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def submit_direct_report(
        self, info: Info, input: SubmitDirectReportInput
    ) -> IssuePayload:
        user = info.context.may("submitDirectReport")
        if not user.reporting_point_id:
            raise InvalidInput("token.no_point", field="reporting_point_id")
        cmd = SubmitDirectReport(
            reporting_point_id=user.reporting_point_id,
            category=input.category.value,
            title=input.title,
            description=input.description,
            enterprise_id=parse_uuid(input.enterprise_id, "enterpriseId")
            if input.enterprise_id
            else None,
            idempotency_key=input.idempotency_key,
            reporter_phone=input.reporter_phone,
        )
        app = info.context.services.app
        issue_id, position = await info.context.command(app.submit_direct_report, cmd, user.actor)
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def dispatch_issue(self, info: Info, input: DispatchIssueInput) -> IssuePayload:
        assisting = list(input.assisting_department_ids or [])
        return await act(
            info, "dispatchIssue", input.issue_id, "dispatch_issue",
            input.lead_department_id, assisting,
        )  # fmt: skip

    @strawberry.mutation
    async def accept_issue(self, info: Info, issue_id: strawberry.ID) -> IssuePayload:
        return await act(info, "acceptIssue", issue_id, "accept_issue", department=True)

    @strawberry.mutation
    async def refuse_dispatch(self, info: Info, input: ReasonInput) -> IssuePayload:
        return await act(
            info, "refuseDispatch", input.issue_id, "refuse_dispatch", input.reason, department=True
        )

    @strawberry.mutation
    async def decline_issue(self, info: Info, input: ReasonInput) -> IssuePayload:
        return await act(info, "declineIssue", input.issue_id, "decline_issue", input.reason)

    @strawberry.mutation
    async def record_progress(self, info: Info, input: NoteInput) -> IssuePayload:
        return await act(
            info, "recordProgress", input.issue_id, "record_progress", input.note, department=True
        )

    @strawberry.mutation
    async def suspend_issue(self, info: Info, input: ReasonInput) -> IssuePayload:
        return await act(
            info, "suspendIssue", input.issue_id, "suspend_issue", input.reason, department=True
        )

    @strawberry.mutation
    async def resume_issue(self, info: Info, issue_id: strawberry.ID) -> IssuePayload:
        return await act(info, "resumeIssue", issue_id, "resume_issue", department=True)

    @strawberry.mutation
    async def resolve_issue(self, info: Info, input: ResolveIssueInput) -> IssuePayload:
        return await act(
            info, "resolveIssue", input.issue_id, "resolve_issue",
            input.resolution, list(input.evidence), department=True,
        )  # fmt: skip

    @strawberry.mutation
    async def approve_closure(self, info: Info, input: NoteInput) -> IssuePayload:
        return await act(info, "approveClosure", input.issue_id, "approve_closure", input.note)

    @strawberry.mutation
    async def return_for_rework(self, info: Info, input: ReasonInput) -> IssuePayload:
        return await act(info, "returnForRework", input.issue_id, "return_for_rework", input.reason)

    @strawberry.mutation
    async def evaluate_issue(self, info: Info, input: EvaluateIssueInput) -> IssuePayload:
        return await act(
            info, "evaluateIssue", input.issue_id, "evaluate_issue",
            input.satisfaction.value, input.comment,
        )  # fmt: skip

    @strawberry.mutation
    async def reopen_issue(self, info: Info, input: ReasonInput) -> IssuePayload:
        return await act(info, "reopenIssue", input.issue_id, "reopen_issue", input.reason)

    @strawberry.mutation
    async def escalate_issue(self, info: Info, input: EscalateIssueInput) -> IssuePayload:
        return await act(
            info, "escalateIssue", input.issue_id, "escalate_issue", input.level.value, input.note
        )


async def act(
    info: Info,
    mutation: str,
    raw_issue_id: str,
    command: str,
    *args: object,
    department: bool = False,
) -> IssuePayload:
    """The shape of every issue transition: role gate, one application command, read back.

    `department`: the command is scoped to the caller's department (from the token)."""
    user = info.context.may(mutation)
    issue_id = _issue(raw_issue_id)
    if user.role is Role.SUPERVISOR and user.districts:
        await _within_districts(info, user, issue_id)
    scope = (_department(info),) if department else ()
    method = getattr(info.context.services.app, command)
    position = await info.context.command(method, issue_id, *scope, *args, user.actor)
    return await payload(info, issue_id, position)
