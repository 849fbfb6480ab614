"""`departments`, `reportingPoints`, `commissioners`: each filtered in api/access.py."""

from __future__ import annotations

import strawberry

from api.access import (
    ListScope,
    scope_commissioners,
    scope_departments,
    scope_reporting_points,
)
from api.context import Info
from api.directory.types import CommissionerOverview, DepartmentOverview, ReportingPointOverview
from projections.issue_board import UnitCounts
from projections.reference_data import UnitRow


def _visible(units: list[UnitRow], scope: ListScope, *, by_district: bool) -> list[UnitRow]:
    return [
        u
        for u in units
        if (scope.only_ids is None or u.id in scope.only_ids)
        and (not by_district or scope.districts is None or u.district in scope.districts)
    ]


@strawberry.type
class DirectoryQueries:
    @strawberry.field(description="Departments with their open issues and enterprises served")
    async def departments(self, info: Info) -> list[DepartmentOverview]:
        scope = scope_departments(info.context.user)
        if scope is None:
            return []
        views = info.context.services.views
        units = await info.context.read(views.reference_data.all_units, "DEPARTMENT")
        counts = await info.context.read(views.issue_board.department_counts, scope.districts)
        return [
            DepartmentOverview(
                id=strawberry.ID(u.id),
                name=u.name,
                district=u.district,
                open_issue_count=counts.get(u.id, UnitCounts()).open_issues,
                enterprises_served=counts.get(u.id, UnitCounts()).enterprises_served,
            )
            for u in _visible(units, scope, by_district=False)
        ]

    @strawberry.field(description="Direct-report points with their open reports")
    async def reporting_points(self, info: Info) -> list[ReportingPointOverview]:
        scope = scope_reporting_points(info.context.user)
        if scope is None:
            return []
        views = info.context.services.views
        units = await info.context.read(views.reference_data.all_units, "REPORTING_POINT")
        counts = await info.context.read(views.issue_board.reporting_point_counts, None)
        return [
            ReportingPointOverview(
                id=strawberry.ID(u.id),
                name=u.name,
                district=u.district,
                open_issue_count=counts.get(u.id, UnitCounts()).open_issues,
                enterprises_served=counts.get(u.id, UnitCounts()).enterprises_served,
            )
            for u in _visible(units, scope, by_district=True)
        ]

    @strawberry.field(description="Service commissioners with the enterprises assigned to them")
    async def commissioners(self, info: Info) -> list[CommissionerOverview]:
        scope = scope_commissioners(info.context.user)
        if scope is None:
            return []
        view = info.context.services.views.enterprise_directory
        only = scope.only_ids[0] if scope.only_ids else None
        rows = await info.context.read(view.commissioners, only, scope.districts)
        return [
            CommissionerOverview(
                id=strawberry.ID(r.id),
                name=r.name,
                open_issue_count=r.open_issues,
                enterprises_served=r.enterprises_served,
            )
            for r in rows
        ]
