"""Issue queries: the board, one issue, and the supervisors' audit queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from api.access import scope_issues
from api.common.types import page_size
from api.context import Info
from api.history.as_of import issue_as_of
from api.history.types import AS_OF
from api.ids import parse_uuid
from api.issues.types import Issue, IssueConnection
from api.issues.types import IssueFilter as FilterInput
from domain.messages import t
from domain.shared import Forbidden, NotFound, Role
from projections.issue_board import IssueFilter


def from_input(given: FilterInput | None, info: Info) -> IssueFilter:
    given = given or FilterInput()
    return IssueFilter(
        statuses=tuple(s.value for s in given.status or ()),
        kind=given.kind.value if given.kind else None,
        category=given.category.value if given.category else None,
        department_id=given.department_id,
        district=given.district,
        enterprise_id=parse_uuid(given.enterprise_id, "filter.enterpriseId")
        if given.enterprise_id
        else None,
        overdue=given.overdue,
        now=info.context.now(),
    )


@strawberry.enum(description="How a list of issues is ordered")
class IssueOrder(Enum):
    RAISED = "raised"  # 提出先后: the order issues were raised
    DEADLINE = "deadline"  # 时限先后: the running deadline first (accepting, resolving)


@strawberry.type
class IssueQueries:
    @strawberry.field(
        description="The issue board. orderBy DEADLINE puts the nearest running deadline first"
        " (签收 while dispatched, 办结 while in progress); issues with none running come last."
    )
    async def issues(
        self,
        info: Info,
        filter: FilterInput | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: IssueOrder = IssueOrder.RAISED,
    ) -> IssueConnection:
        flt = await scope_issues(info, replace(from_input(filter, info), order=order_by.value))
        view = info.context.services.views.issue_board
        page = await info.context.read(view.page, flt, page_size(first), after)
        if order_by is IssueOrder.DEADLINE:
            return IssueConnection.from_page(page, view.deadline_cursor)
        return IssueConnection.from_page(page)

    @strawberry.field
    async def issue(
        self,
        info: Info,
        id: strawberry.ID,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF)] = None,
    ) -> Issue | None:
        info.context.user  # noqa: B018 (signed in, or UNAUTHENTICATED)
        issue_id = parse_uuid(id, "id")
        if as_of is not None:
            issue = Issue.from_row(await issue_as_of(info, issue_id, as_of))
            issue.as_of = as_of  # overdue then, not now
            return issue
        await info.context.read(lambda: None)  # honour X-Min-Position before the loader reads
        row = await info.context.loaders.issue.load(issue_id)  # scoped (api/access.py RowScope)
        if row is None:
            raise NotFound(
                "not_found", what=t("what.issue"), id=id
            )  # the same answer either way: no leak
        return Issue.from_row(row)

    @strawberry.field(
        description="Issues in RESOLVED, waiting for a supervisor's closure audit, oldest first."
    )
    async def audit_queue(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> IssueConnection:
        user = info.context.user
        if user.role not in (Role.SUPERVISOR, Role.ADMIN):
            raise Forbidden("issue.audit_queue")
        flt = await scope_issues(info, IssueFilter(statuses=("RESOLVED",), order="resolved"))
        view = info.context.services.views.issue_board
        page = await info.context.read(view.page, flt, page_size(first), after)
        return IssueConnection.from_page(page, view.audit_cursor)
