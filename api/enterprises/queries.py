"""Enterprise queries: scoped to what the caller may see (a commissioner, only their own)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.access import scope_enterprises
from api.common.types import PageInfo, page_size
from api.context import Info
from api.enterprises.types import Enterprise, EnterpriseConnection, EnterpriseEdge
from api.enterprises.types import EnterpriseFilter as FilterInput
from api.history.as_of import enterprise_as_of
from api.history.types import AS_OF
from api.ids import parse_uuid
from domain.messages import t
from domain.shared import BEIJING_TIME, NotFound
from projections.enterprise_directory import EnterpriseFilter


def from_input(given: FilterInput | None, info: Info) -> EnterpriseFilter:
    """`today` (Beijing time) is what `visitOverdue` compares the next visit's date with."""
    given = given or FilterInput()
    return EnterpriseFilter(
        district=given.district,
        commissioner_id=given.commissioner_id,
        search=given.search,
        visit_overdue=given.visit_overdue,
        today=info.context.now().astimezone(BEIJING_TIME).date(),
    )


@strawberry.type
class EnterpriseQueries:
    @strawberry.field
    async def enterprises(
        self,
        info: Info,
        filter: FilterInput | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> EnterpriseConnection:
        user = info.context.user
        flt = scope_enterprises(user, from_input(filter, info))
        view = info.context.services.views.enterprise_directory
        page = await info.context.read(view.page, flt, page_size(first), after)
        edges = [
            EnterpriseEdge(node=Enterprise.from_row(r, user), cursor=r.cursor) for r in page.rows
        ]
        return EnterpriseConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )

    @strawberry.field
    async def enterprise(
        self,
        info: Info,
        id: strawberry.ID,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF)] = None,
    ) -> Enterprise | None:
        user = info.context.user
        enterprise_id = parse_uuid(id, "id")
        if as_of is not None:
            then = Enterprise.from_row(await enterprise_as_of(info, enterprise_id, as_of), user)
            then.as_of = as_of  # its lists are refused: they are today's read models
            return then
        await info.context.read(lambda: None)  # honour X-Min-Position before the loader reads
        row = await info.context.loaders.enterprise.load(enterprise_id)  # scoped (RowScope)
        if row is None:
            raise NotFound(
                "not_found", what=t("what.enterprise"), id=id
            )  # the same answer either way: no leak
        return Enterprise.from_row(row, user)
