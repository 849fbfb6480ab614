"""Reads as of a moment (`asOf`): the same rows as the read models, built from the events
recorded up to then (application/history.py) by the projections' own row builders. Access is
decided as for a live read: the caller must see the row now (through the loaders' scope) and
as it was then."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from api.context import Info
from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from domain.messages import t
from domain.shared import BEIJING_TIME, InvalidInput, NotFound, require_aware
from projections.enterprise_directory import EnterpriseRow
from projections.history import enterprise_row_as_of, issue_row_as_of
from projections.issue_board import IssueFilter, IssueRow

MAX_ISSUES_OF_ENTERPRISE = 1_000


def check_moment(info: Info, moment: datetime) -> datetime:
    """A moment not later than now (the future is not history)."""
    require_aware(moment, "asOf")
    if moment > info.context.now():
        raise InvalidInput(
            "input.as_of_future", field="asOf", at=moment.astimezone(BEIJING_TIME).isoformat()
        )
    return moment


async def issue_as_of(info: Info, issue_id: UUID, moment: datetime) -> IssueRow:
    check_moment(info, moment)
    services = info.context.services
    if await info.context.loaders.issue.load(issue_id) is None:  # scoped now
        raise NotFound("not_found", what=t("what.issue"), id=issue_id)

    def build() -> IssueRow | None:
        state = services.app.as_of(issue_id, moment)
        if not isinstance(state.aggregate, Issue):
            return None
        row = issue_row_as_of(
            state.aggregate, state.position, state.first_position, services.sla, services.calendar
        )
        return next(iter(info.context.loaders.scope.issues([row])), None)  # scoped then

    row = await info.context.read(build)
    if row is None:  # not raised yet then, or not the caller's then: the same answer
        raise NotFound("not_found", what=t("what.issue"), id=issue_id)
    return row


async def enterprise_as_of(info: Info, enterprise_id: UUID, moment: datetime) -> EnterpriseRow:
    check_moment(info, moment)
    services = info.context.services
    if await info.context.loaders.enterprise.load(enterprise_id) is None:  # scoped now
        raise NotFound("not_found", what=t("what.enterprise"), id=enterprise_id)
    # Its issues (all of them, as the directory counts them): their open count then.
    flt = IssueFilter(enterprise_id=enterprise_id)

    def build() -> EnterpriseRow | None:
        state = services.app.as_of(enterprise_id, moment)
        if not isinstance(state.aggregate, EnterpriseRelationship):
            return None
        board = services.views.issue_board.page(flt, MAX_ISSUES_OF_ENTERPRISE, None)
        issues = [services.app.as_of(r.id, moment).aggregate for r in board.rows]
        row = enterprise_row_as_of(state.aggregate, state.first_position, issues)
        return next(iter(info.context.loaders.scope.enterprises([row])), None)  # scoped then

    row = await info.context.read(build)
    if row is None:
        raise NotFound("not_found", what=t("what.enterprise"), id=enterprise_id)
    return row
