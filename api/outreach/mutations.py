"""Extension requests (延期申请) and the enterprise's rating link: role gate → command → read back."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.context import Info
from api.ids import parse_uuid
from api.issues.mutations import act, payload
from api.issues.types import IssuePayload, ReasonInput


@strawberry.input
class RequestExtensionInput:
    issue_id: strawberry.ID
    reason: str
    requested_due_at: datetime | None = None


@strawberry.input
class ApproveExtensionInput:
    issue_id: strawberry.ID
    new_due_at: datetime
    note: str | None = None


@strawberry.type
class OutreachMutations:
    @strawberry.mutation(
        description="An extension request by the lead department, before the deadline passes"
    )
    async def request_extension(self, info: Info, input: RequestExtensionInput) -> IssuePayload:
        return await act(
            info, "requestExtension", input.issue_id, "request_extension",
            input.reason, input.requested_due_at, department=True,
        )  # fmt: skip

    @strawberry.mutation(description="Grant the pending extension: a new, later due time")
    async def approve_extension(self, info: Info, input: ApproveExtensionInput) -> IssuePayload:
        return await act(
            info, "approveExtension", input.issue_id, "approve_extension",
            input.new_due_at, input.note,
        )  # fmt: skip

    @strawberry.mutation(description="Refuse the pending extension, with a reason")
    async def refuse_extension(self, info: Info, input: ReasonInput) -> IssuePayload:
        return await act(info, "refuseExtension", input.issue_id, "refuse_extension", input.reason)

    @strawberry.mutation(
        description="Send the enterprise's contact a new signed rating link (评价链接) by SMS"
        " (also sent when a closure is approved); an earlier link stops working"
    )
    async def send_rating_link(self, info: Info, issue_id: strawberry.ID) -> IssuePayload:
        user = info.context.may("sendRatingLink")
        issue = parse_uuid(issue_id, "issueId")
        app = info.context.services.app
        _path, position = await info.context.command(app.send_rating_link, issue, user.actor)
        return await payload(info, issue, position)
