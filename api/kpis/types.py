"""The KPI report (考核指标) of the contract."""

from __future__ import annotations

from datetime import date

import strawberry

from api.context import Info
from projections.kpi import KpiReport as KpiReportRow


@strawberry.type
class DepartmentExtensions:
    department_id: str
    requested: int
    approved: int
    refused: int


@strawberry.type
class KpiReport:
    from_: date = strawberry.field(name="from")
    to: date
    district: str | None
    enterprises_served: int
    visit_count: int
    enterprises_visited: int
    policy_events: int
    issues_raised: int
    issues_closed: int
    closure_rate: float | None = strawberry.field(
        description="办结率 of a cohort, so never above 1: of the issues due in the period (a"
        " resolution deadline in it), the share closed by the period's end; null when none"
        " was due"
    )
    on_time_accept_rate: float | None
    urgent_hiring_response_rate: float | None
    on_time_resolve_rate: float | None
    satisfaction_rate: float | None
    dispatch_refusals: int
    reworks: int
    on_time_resolve_rate_original: float | None = strawberry.field(
        description="On-time resolution judged against the deadline before any approved"
        " extension (onTimeResolveRate uses the deadline in force, extended or not)"
    )
    extensions_requested: int = strawberry.field(description="Extension requests in the period")
    extensions_approved: int = strawberry.field(description="Extensions approved in the period")

    @strawberry.field(description="Extension requests in the period per lead department")
    async def extensions_by_department(self, info: Info) -> list[DepartmentExtensions]:
        view = info.context.services.views.kpi
        rows = await info.context.read(
            view.extensions_by_department, self.from_, self.to, self.district
        )
        return [DepartmentExtensions(**vars(r)) for r in rows]

    @classmethod
    def from_row(cls, row: KpiReportRow) -> KpiReport:
        return cls(**{k: v for k, v in vars(row).items() if k != "samples"})
