"""`departments`, `reportingPoints`, `commissioners`: each filtered in api/access.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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


Overview = TypeVar("Overview", DepartmentOverview, ReportingPointOverview)


async def _units(
    info: Info,
    make: type[Overview],
    scope: ListScope | None,
    kind: str,
    counts_of: Callable[[tuple[str, ...] | None], dict[str, UnitCounts]],
    *,
    by_district: bool,
) -> list[Overview]:
    """Every unit of the kind the scope shows, with its counts (over the scope's districts
    unless the units themselves are narrowed to them)."""
    if scope is None:
        return []
    units = await info.context.read(info.context.services.views.reference_data.all_units, kind)
    counts = await info.context.read(counts_of, None if by_district else scope.districts)
    return [
        make(
            id=strawberry.ID(u.id),
            name=u.name,
            district=u.district,
            open_issue_count=counts.get(u.id, UnitCounts()).open_issues,
            enterprises_served=counts.get(u.id, UnitCounts()).enterprises_served,
        )
        for u in _visible(units, scope, by_district=by_district)
    ]


@strawberry.type
class DirectoryQueries:
    @strawberry.field(description="Departments with their open issues and enterprises served")
    async def departments(self, info: Info) -> list[DepartmentOverview]:
        board = info.context.services.views.issue_board
        scope = scope_departments(info.context.user)
        return await _units(
            info, DepartmentOverview, scope, "DEPARTMENT", board.department_counts,
            by_district=False,
        )  # fmt: skip

    @strawberry.field(description="Direct-report points with their open reports")
    async def reporting_points(self, info: Info) -> list[ReportingPointOverview]:
        board = info.context.services.views.issue_board
        scope = scope_reporting_points(info.context.user)
        return await _units(
            info, ReportingPointOverview, scope, "REPORTING_POINT", board.reporting_point_counts,
            by_district=True,
        )  # fmt: skip

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
