"""Reading the reference data (anyone signed in): the departments a dispatch names, the points."""

from __future__ import annotations

import strawberry

from api.common.types import Department, ReportingPoint
from api.context import Info


@strawberry.type
class RegistryQueries:
    @strawberry.field(description="承办部门: every registered department, by name.")
    async def departments(self, info: Info) -> list[Department]:
        info.context.user  # noqa: B018  (signed in)
        view = info.context.services.views.reference_data
        return [Department.from_row(r) for r in await info.context.read(view.all_of, "DEPARTMENT")]

    @strawberry.field(description="直报点: every registered direct-report point, by name.")
    async def reporting_points(self, info: Info) -> list[ReportingPoint]:
        info.context.user  # noqa: B018  (signed in)
        view = info.context.services.views.reference_data
        rows = await info.context.read(view.all_of, "REPORTING_POINT")
        return [ReportingPoint.from_row(r) for r in rows]
