"""Labour queries: an enterprise's needs and history, the demand map, the top shortages."""

from __future__ import annotations

import strawberry

from api.access import scope_labour_map, sees_labour_of
from api.context import Info
from api.ids import parse_uuid
from api.labour.types import LabourDimension, LabourMap, LabourMapRow, LabourNeeds, LabourRecord
from api.labour.types import Occupation as OccupationType
from domain.messages import t
from domain.shared import InvalidInput, NotFound
from projections.league_table import parse_period

TOP_MAX = 50


async def needs_of(info: Info, raw_id: str) -> LabourNeeds:
    enterprise_id = parse_uuid(raw_id, "enterpriseId")
    if not await sees_labour_of(info, enterprise_id):
        raise NotFound("not_found", what=t("what.enterprise"), id=raw_id)  # no leak
    view = info.context.services.views.labour_needs
    records = [LabourRecord.of(r) for r in await info.context.read(view.history, enterprise_id)]
    return LabourNeeds(current=records[0] if records else None, history=records)


@strawberry.type
class LabourQueries:
    @strawberry.field(description="职业目录: the occupations vacancy lines name")
    def occupations(self, info: Info) -> list[OccupationType]:
        info.context.user  # noqa: B018 (signed in)
        return [
            OccupationType(code=o.code, title=o.title, group=o.group)
            for o in info.context.services.app.occupations
        ]

    @strawberry.field(description="用工需求: an enterprise's current labour situation and history")
    async def labour_needs(self, info: Info, enterprise_id: strawberry.ID) -> LabourNeeds:
        return await needs_of(info, enterprise_id)

    @strawberry.field(
        description="用工需求地图: shortfall and open vacancies at the period's end by district,"
        " industry cluster or occupation, with the change since the period's start;"
        " period is a month (2025-03), a quarter (2025-Q3) or a year (2025)"
    )
    async def labour_map(self, info: Info, period: str, dimension: LabourDimension) -> LabourMap:
        return await map_of(info, period, dimension)

    @strawberry.field(description="全市紧缺职业: the occupations with the most open vacancies")
    async def top_shortage_occupations(
        self, info: Info, period: str, first: int = 10
    ) -> list[LabourMapRow]:
        if not 1 <= first <= TOP_MAX:
            raise InvalidInput("input.first", field="first", max=TOP_MAX, value=first)
        table = await map_of(info, period, LabourDimension.OCCUPATION)
        open_rows = [r for r in table.rows if r.open_vacancies > 0]
        return sorted(open_rows, key=lambda r: (-r.open_vacancies, r.key))[:first]


async def map_of(info: Info, period: str, dimension: LabourDimension) -> LabourMap:
    """The map the caller may see (api/access.py scope_labour_map)."""
    parsed = parse_period(period)
    scope = await scope_labour_map(info)
    view = info.context.services.views.labour_needs
    rows = await info.context.read(
        view.demand_map, parsed.first, parsed.last, scope, dimension.value
    )
    return LabourMap(
        period=parsed.label,
        dimension=dimension,
        rows=[LabourMapRow.of(r, dimension.value) for r in rows],
    )
