"""Issue mutations: each checks the role gate, runs one command, and reads its own write."""

from __future__ import annotations

from uuid import UUID

import strawberry

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
from domain.shared import InvalidInput, NotFound


async def payload(info: Info, issue_id: UUID, position: int) -> IssuePayload:
    """Wait for the board to reach the write, then answer from it like any query."""
    info.context.reads_after(position)
    rows = await info.context.read(info.context.services.views.issue_board.get_many, [issue_id])
    if not rows:
        raise NotFound(f"issue {issue_id} not found")
    return IssuePayload(position=position, issue=Issue.from_row(rows[0]))


def _issue(raw: str) -> UUID:
    return parse_uuid(raw, "issueId")


def _department(info: Info) -> str:
    department = info.context.user.department_id
    if not department:
        raise InvalidInput("your token names no department_id", field="department_id")
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
            raise InvalidInput("your token names no reporting_point_id", field="reporting_point_id")
        cmd = SubmitDirectReport(
            reporting_point_id=user.reporting_point_id,
            category=input.category.value,
            title=input.title,
            description=input.description,
            enterprise_id=parse_uuid(input.enterprise_id, "enterpriseId")
            if input.enterprise_id
            else None,
            idempotency_key=input.idempotency_key,
        )
        app = info.context.services.app
        issue_id, position = await info.context.command(app.submit_direct_report, cmd, user.actor)
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def dispatch_issue(self, info: Info, input: DispatchIssueInput) -> IssuePayload:
        user = info.context.may("dispatchIssue")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.dispatch_issue, issue_id, input.lead_department_id,
            list(input.assisting_department_ids or []), user.actor,
        )  # fmt: skip
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def accept_issue(self, info: Info, issue_id: strawberry.ID) -> IssuePayload:
        user = info.context.may("acceptIssue")
        target = _issue(issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.accept_issue, target, _department(info), user.actor
        )
        return await payload(info, target, position)

    @strawberry.mutation
    async def refuse_dispatch(self, info: Info, input: ReasonInput) -> IssuePayload:
        user = info.context.may("refuseDispatch")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.refuse_dispatch, issue_id, _department(info), input.reason, user.actor
        )
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def decline_issue(self, info: Info, input: ReasonInput) -> IssuePayload:
        user = info.context.may("declineIssue")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(app.decline_issue, issue_id, input.reason, user.actor)
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def record_progress(self, info: Info, input: NoteInput) -> IssuePayload:
        user = info.context.may("recordProgress")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.record_progress, issue_id, _department(info), input.note, user.actor
        )
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def suspend_issue(self, info: Info, input: ReasonInput) -> IssuePayload:
        user = info.context.may("suspendIssue")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.suspend_issue, issue_id, _department(info), input.reason, user.actor
        )
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def resume_issue(self, info: Info, issue_id: strawberry.ID) -> IssuePayload:
        user = info.context.may("resumeIssue")
        target = _issue(issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.resume_issue, target, _department(info), user.actor
        )
        return await payload(info, target, position)

    @strawberry.mutation
    async def resolve_issue(self, info: Info, input: ResolveIssueInput) -> IssuePayload:
        user = info.context.may("resolveIssue")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.resolve_issue, issue_id, _department(info), input.resolution,
            list(input.evidence), user.actor,
        )  # fmt: skip
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def approve_closure(self, info: Info, input: NoteInput) -> IssuePayload:
        user = info.context.may("approveClosure")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(app.approve_closure, issue_id, input.note, user.actor)
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def return_for_rework(self, info: Info, input: ReasonInput) -> IssuePayload:
        user = info.context.may("returnForRework")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.return_for_rework, issue_id, input.reason, user.actor
        )
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def evaluate_issue(self, info: Info, input: EvaluateIssueInput) -> IssuePayload:
        user = info.context.may("evaluateIssue")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.evaluate_issue, issue_id, input.satisfaction.value, input.comment, user.actor
        )
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def reopen_issue(self, info: Info, input: ReasonInput) -> IssuePayload:
        user = info.context.may("reopenIssue")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(app.reopen_issue, issue_id, input.reason, user.actor)
        return await payload(info, issue_id, position)

    @strawberry.mutation
    async def escalate_issue(self, info: Info, input: EscalateIssueInput) -> IssuePayload:
        user = info.context.may("escalateIssue")
        issue_id = _issue(input.issue_id)
        app = info.context.services.app
        position = await info.context.command(
            app.escalate_issue, issue_id, input.level.value, input.note, user.actor
        )
        return await payload(info, issue_id, position)
