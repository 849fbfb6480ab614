"""Reference data mutations (ADMIN): departments and direct-report points."""

from __future__ import annotations

import functools

import strawberry

from api.common.types import Department, ReportingPoint
from api.context import Info
from api.registry.types import (
    DepartmentPayload,
    RegisterDepartmentInput,
    RegisterReportingPointInput,
    ReportingPointPayload,
)
from projections.reference_data import UnitRow


@strawberry.type
class RegistryMutations:
    @strawberry.mutation
    async def register_department(
        self, info: Info, input: RegisterDepartmentInput
    ) -> DepartmentPayload:
        user = info.context.may("registerDepartment")
        app = info.context.services.app
        _, position = await info.context.command(
            app.register_department, input.id, input.name, input.district, user.actor
        )
        row = await _unit(info, position, "DEPARTMENT", input.id)
        return DepartmentPayload(position=position, department=Department.from_row(row))

    @strawberry.mutation
    async def register_reporting_point(
        self, info: Info, input: RegisterReportingPointInput
    ) -> ReportingPointPayload:
        user = info.context.may("registerReportingPoint")
        app = info.context.services.app
        _, position = await info.context.command(
            app.register_reporting_point, input.id, input.name, input.district, user.actor
        )
        row = await _unit(info, position, "REPORTING_POINT", input.id)
        return ReportingPointPayload(
            position=position, reporting_point=ReportingPoint.from_row(row)
        )


async def _unit(info: Info, position: int, kind: str, unit_id: str) -> UnitRow:
    """The payload reads its own write: wait for the reference data to reach the position."""
    units = functools.partial(info.context.services.views.reference_data.units, kind)
    return await info.context.read_own_write(position, units, unit_id.strip(), unit_id)
