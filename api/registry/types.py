"""Registering departments and direct-report points."""

from __future__ import annotations

import strawberry

from api.common.types import Department, ReportingPoint


@strawberry.input
class RegisterDepartmentInput:
    id: strawberry.ID
    name: str
    district: str | None = None


@strawberry.input
class RegisterReportingPointInput:
    id: strawberry.ID
    name: str
    district: str | None = None


@strawberry.type
class DepartmentPayload:
    position: int
    department: Department


@strawberry.type
class ReportingPointPayload:
    position: int
    reporting_point: ReportingPoint
